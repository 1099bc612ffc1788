/*
 * The listening side of fam-librarian: bind, accept, hand each connection
 * to a thread of its own, and stop cleanly on a signal.
 *
 * Threads rather than one poll loop because a request runs a SQLite
 * transaction: a slow one (a large resize, zeroing books) must not hold
 * up every other node. The core serializes what must be serialized.
 */
#include "daemon-server-int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon-log.h"

static char *errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *errf(const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) {
        msg = NULL;
    }
    va_end(ap);
    return msg;
}

/*
 * A socket file left by a daemon that died is replaced; one a live daemon
 * answers on is not ours to take, and a file that is not a socket is
 * never removed.
 */
static int clear_stale_socket(const struct sockaddr_un *addr, char **err)
{
    const char *path = addr->sun_path;
    struct stat st;
    int fd, ret;

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) {
            return 0;
        }
        *err = errf("%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        *err = errf("%s: exists and is not a socket", path);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = errf("socket: %s", strerror(errno));
        return -1;
    }
    ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    close(fd);
    if (ret == 0) {
        *err = errf("%s: another fam-librarian is listening on it", path);
        return -1;
    }
    if (errno != ECONNREFUSED) {
        *err = errf("%s: %s", path, strerror(errno));
        return -1;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        *err = errf("%s: cannot remove the stale socket: %s", path,
                    strerror(errno));
        return -1;
    }
    return 0;
}

static int listen_on(DaemonServer *s, const char *path, char **err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        *err = errf("%s: socket path too long (at most %zu bytes)", path,
                    sizeof(addr.sun_path) - 1);
        return -1;
    }
    strcpy(addr.sun_path, path);
    if (clear_stale_socket(&addr, err) < 0) {
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = errf("socket: %s", strerror(errno));
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        *err = errf("%s: bind: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    /*
     * Anyone may connect: a peer that is not trusted acts as itself
     * (SO_PEERCRED), and the Librarian checks its permissions like a
     * file system would.
     */
    if (chmod(path, 0666) < 0 || stat(path, &st) < 0 ||
        listen(fd, SOMAXCONN) < 0) {
        *err = errf("%s: %s", path, strerror(errno));
        unlink(path);
        close(fd);
        return -1;
    }
    s->socket_dev = st.st_dev;
    s->socket_ino = st.st_ino;
    s->listen_fd = fd;
    return 0;
}

static int open_signal_fd(char **err)
{
    sigset_t set;
    int fd;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    fd = signalfd(-1, &set, SFD_CLOEXEC);
    if (fd < 0) {
        *err = errf("signalfd: %s", strerror(errno));
    }
    return fd;
}

DaemonServer *daemon_server_new(const DaemonServerConfig *cfg, char **err)
{
    DaemonServer *s = calloc(1, sizeof(*s));

    *err = NULL;
    if (s == NULL) {
        *err = errf("out of memory");
        return NULL;
    }
    s->lib = cfg->lib;
    s->lib_nodes = fam_lib_model(cfg->lib)->nodes;
    s->uid = geteuid();
    s->verbose = cfg->verbose;
    s->max_clients = cfg->max_clients;
    s->listen_fd = -1;
    s->signal_fd = -1;
    s->reap_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    s->next_id = 1;
    pthread_mutex_init(&s->lock, NULL);
    s->clients = calloc(cfg->max_clients, sizeof(*s->clients));
    s->socket_path = strdup(cfg->socket_path);
    if (s->clients == NULL || s->socket_path == NULL) {
        *err = errf("out of memory");
        goto fail;
    }
    if (s->reap_fd < 0) {
        *err = errf("eventfd: %s", strerror(errno));
        goto fail;
    }
    s->signal_fd = open_signal_fd(err);
    if (s->signal_fd < 0 || listen_on(s, s->socket_path, err) < 0) {
        goto fail;
    }
    return s;

fail:
    if (s->signal_fd >= 0) {
        close(s->signal_fd);
    }
    if (s->reap_fd >= 0) {
        close(s->reap_fd);
    }
    pthread_mutex_destroy(&s->lock);
    free(s->clients);
    free(s->socket_path);
    free(s);
    return NULL;
}

/* Join the threads that have finished and free their slots. */
static void reap_clients(DaemonServer *s)
{
    for (unsigned i = 0; i < s->max_clients; i++) {
        DaemonClient *c = &s->clients[i];
        bool done;

        pthread_mutex_lock(&s->lock);
        done = c->state == CLIENT_DONE;
        pthread_mutex_unlock(&s->lock);
        if (done) {
            pthread_join(c->thread, NULL);
            close(c->fd);
            pthread_mutex_lock(&s->lock);
            c->state = CLIENT_FREE;
            pthread_mutex_unlock(&s->lock);
        }
    }
}

static DaemonClient *free_slot(DaemonServer *s)
{
    DaemonClient *found = NULL;

    pthread_mutex_lock(&s->lock);
    for (unsigned i = 0; i < s->max_clients && found == NULL; i++) {
        if (s->clients[i].state == CLIENT_FREE) {
            found = &s->clients[i];
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

static void accept_client(DaemonServer *s)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    DaemonClient *c;
    int fd, ret;

    fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        int e = errno;

        /* The peer may have gone between poll and accept; nothing is
         * wrong with the server for that. */
        if (e != EINTR && e != EAGAIN && e != ECONNABORTED) {
            daemon_log("accept: %s", strerror(e));
        }
        /* Out of descriptors, the connection stays queued and poll()
         * reports it again at once: pause rather than spin and flood the
         * log until a client leaves. */
        if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
            usleep(100 * 1000);
        }
        return;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        daemon_log("SO_PEERCRED: %s; connection refused", strerror(errno));
        close(fd);
        return;
    }
    reap_clients(s);
    c = free_slot(s);
    if (c == NULL) {
        daemon_log("too many clients (%u): refused pid %d uid %u",
                   s->max_clients, (int)cred.pid, (unsigned)cred.uid);
        close(fd);
        return;
    }

    memset(c, 0, sizeof(*c));
    c->server = s;
    c->fd = fd;
    c->cred = cred;
    c->trusted = cred.uid == 0 || cred.uid == s->uid;
    pthread_mutex_lock(&s->lock);
    c->id = s->next_id++;
    c->state = CLIENT_RUNNING;
    pthread_mutex_unlock(&s->lock);

    ret = pthread_create(&c->thread, NULL, daemon_client_main, c);
    if (ret != 0) {
        daemon_log("connection %llu: no thread: %s; refused",
                   (unsigned long long)c->id, strerror(ret));
        close(fd);
        pthread_mutex_lock(&s->lock);
        c->state = CLIENT_FREE;
        pthread_mutex_unlock(&s->lock);
        return;
    }
    if (s->verbose) {
        daemon_log("connection %llu: pid %d uid %u gid %u%s",
                   (unsigned long long)c->id, (int)cred.pid,
                   (unsigned)cred.uid, (unsigned)cred.gid,
                   c->trusted ? " (trusted)" : "");
    }
}

int daemon_server_run(DaemonServer *s)
{
    struct pollfd fds[3] = {
        { .fd = s->listen_fd, .events = POLLIN },
        { .fd = s->signal_fd, .events = POLLIN },
        { .fd = s->reap_fd, .events = POLLIN },
    };

    for (;;) {
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            daemon_log("poll: %s", strerror(errno));
            return -errno;
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;

            if (read(s->signal_fd, &si, sizeof(si)) == sizeof(si)) {
                daemon_log("%s: stopping", strsignal((int)si.ssi_signo));
            }
            return 0;
        }
        if (fds[2].revents & POLLIN) {
            eventfd_t n;

            eventfd_read(s->reap_fd, &n);
            reap_clients(s);
        }
        if (fds[0].revents & POLLIN) {
            accept_client(s);
        } else if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            daemon_log("%s: the listening socket failed", s->socket_path);
            return -EIO;
        }
    }
}

void daemon_server_free(DaemonServer *s)
{
    struct stat st;

    if (s == NULL) {
        return;
    }
    /*
     * Wake every connection thread out of its read; a thread in the middle
     * of a request finishes it (its reply then fails to send). Opens are
     * kept: the nodes still hold them, and a restarted daemon serves them.
     */
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    for (unsigned i = 0; i < s->max_clients; i++) {
        if (s->clients[i].state == CLIENT_RUNNING) {
            shutdown(s->clients[i].fd, SHUT_RDWR);
        }
    }
    pthread_mutex_unlock(&s->lock);
    for (unsigned i = 0; i < s->max_clients; i++) {
        DaemonClient *c = &s->clients[i];
        bool used;

        pthread_mutex_lock(&s->lock);
        used = c->state != CLIENT_FREE;
        pthread_mutex_unlock(&s->lock);
        if (used) {
            pthread_join(c->thread, NULL);
            close(c->fd);
            c->state = CLIENT_FREE;
        }
    }

    close(s->listen_fd);
    close(s->signal_fd);
    close(s->reap_fd);
    if (stat(s->socket_path, &st) == 0 && st.st_dev == s->socket_dev &&
        st.st_ino == s->socket_ino) {
        unlink(s->socket_path);
    }
    pthread_mutex_destroy(&s->lock);
    free(s->clients);
    free(s->socket_path);
    free(s);
}
