/*
 * fam-librarian: the Librarian of a FAM pool as a standalone daemon on a
 * unix socket, for clusters whose nodes are separate QEMU processes (q35)
 * and for tests and benchmarks of the Librarian outside QEMU.
 * docs/librarian.md describes it; --help lists the options.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-log.h"
#include "daemon-options.h"
#include "daemon-server.h"
#include "lib-size.h"

/*
 * Detach: the parent returns only once the child listens (or failed, with
 * the child's exit status), so that a script can connect as soon as
 * fam-librarian returns. Returns the pipe's write end in the child.
 */
static int detach(void)
{
    int fds[2], status = 0;
    ssize_t n;
    pid_t pid;
    char ok = 0;

    if (pipe2(fds, O_CLOEXEC) < 0) {
        daemon_log("pipe: %s", strerror(errno));
        exit(DAEMON_EXIT_FAILED);
    }
    pid = fork();
    if (pid < 0) {
        daemon_log("fork: %s", strerror(errno));
        exit(DAEMON_EXIT_FAILED);
    }
    if (pid > 0) {
        close(fds[1]);
        do {
            n = read(fds[0], &ok, 1);
        } while (n < 0 && errno == EINTR);
        if (n == 1 && ok == 'r') {
            _exit(DAEMON_EXIT_OK);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            /* retry */
        }
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : DAEMON_EXIT_FAILED);
    }
    close(fds[0]);
    setsid();
    return fds[1];
}

/* Tell the waiting parent that the socket listens; stop using the
 * terminal's stdin and stdout (stderr stays: it is the log). */
static void ready(int ready_fd)
{
    int null;

    if (ready_fd < 0) {
        return;
    }
    while (write(ready_fd, "r", 1) < 0 && errno == EINTR) {
        /* retry */
    }
    close(ready_fd);
    null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        close(null);
    }
}

static int write_pid_file(const char *path)
{
    FILE *f = fopen(path, "w");

    if (f == NULL || fprintf(f, "%d\n", (int)getpid()) < 0 ||
        fclose(f) != 0) {
        daemon_log("%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * SIGTERM and SIGINT are taken by the server's signalfd, so they must be
 * blocked in every thread: block them before any thread exists. SIGPIPE
 * is ignored: a client that hangs up is the client's business.
 */
static void setup_signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    DaemonOptions opt;
    DaemonServerConfig scfg;
    DaemonServer *server;
    FamLibStore store;
    char *err = NULL;
    char size[32];
    int ready_fd = -1, ret;

    ret = daemon_parse_options(argc, argv, &opt, stdout, stderr);
    if (ret >= 0) {
        return ret;
    }
    if (!opt.foreground) {
        ready_fd = detach();
    }
    setup_signals();

    ret = fam_lib_store_open(&opt.store, &store, &err);
    if (ret < 0) {
        daemon_log("%s", err != NULL ? err : strerror(-ret));
        free(err);
        return DAEMON_EXIT_FAILED;
    }
    if (store.created) {
        daemon_log("%s: new database", store.db_path);
    }

    scfg = (DaemonServerConfig) {
        .lib = store.lib,
        .socket_path = opt.socket_path,
        .max_clients = opt.max_clients,
        .verbose = opt.verbose,
    };
    server = daemon_server_new(&scfg, &err);
    if (server == NULL) {
        daemon_log("%s", err != NULL ? err : "cannot listen");
        free(err);
        fam_lib_store_close(&store);
        return DAEMON_EXIT_FAILED;
    }
    if (opt.pid_file != NULL && write_pid_file(opt.pid_file) < 0) {
        daemon_server_free(server);
        fam_lib_store_close(&store);
        return DAEMON_EXIT_FAILED;
    }

    daemon_log("%llu books of %s, model %s, %u nodes, listening on %s",
               (unsigned long long)store.model->books,
               fam_lib_format_size(store.model->book_size, size,
                                   sizeof(size)),
               store.model->name, store.model->nodes, opt.socket_path);
    ready(ready_fd);

    ret = daemon_server_run(server);
    daemon_server_free(server);
    fam_lib_store_close(&store);
    if (opt.pid_file != NULL) {
        unlink(opt.pid_file);
    }
    daemon_log("stopped%s", ret < 0 ? " after an error" : "");
    return ret < 0 ? DAEMON_EXIT_FAILED : DAEMON_EXIT_OK;
}
