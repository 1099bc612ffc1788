/*
 * lfs-restart: the LFS daemon of node 0 is killed and started again
 * (docs/lfs.md, "If the daemon dies"), while node 1 keeps working.
 *
 * Node 0 writes a file into /lfs/restart-<run>, keeps it open and mapped,
 * and kills its fam-lfs with SIGKILL. Then: /lfs answers ENOTCONN; the
 * mapping still holds the file's bytes (it is the pool); the Librarian
 * still lists the dead daemon's handle until the file is closed, unmapped
 * and /lfs detached (umount -l), and then lists none of its handles; the
 * daemon starts again (`fam-lfs /lfs`, as the docs say); the file reads
 * back intact and can be removed (no handle was left behind to make that
 * EBUSY). Node 1 creates, writes, reads and removes files in /lfs all
 * along, until node 0 says it is done, and none of that may fail.
 */
#define _GNU_SOURCE

#include "guest-mbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAG             "lfs-restart"
#define FILE_BYTES      (1u << 20)
#define WAIT_SECONDS    120.0

static struct fame_node node;
static char dir[64], data_path[96], done_path[96], started_path[96];

static bool failed(const char *what, const char *path)
{
    fame_say(&node, "FAIL node %u: %s %s: %s", node.id, what, path,
             strerror(errno));
    return false;
}

static uint64_t word(uint64_t i)
{
    return i * 0x9e3779b97f4a7c15ull ^ 0x5a5a;
}

static bool wait_for(const char *path)
{
    double end = fame_now() + WAIT_SECONDS;
    struct stat st;

    while (stat(path, &st)) {
        if (fame_now() > end)
            return failed("gave up waiting for", path);
        fame_sleep(0.05);
    }
    return true;
}

/* The pid of the running fam-lfs, 0 if there is none. */
static pid_t lfs_pid(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    pid_t pid = 0;

    while (d && (e = readdir(d)) && !pid) {
        char path[300], comm[32] = "";
        FILE *f;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
        f = fopen(path, "r");
        if (f && fgets(comm, sizeof(comm), f) && !strcmp(comm, "fam-lfs\n"))
            pid = atoi(e->d_name);
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return pid;
}

/* Handles the Librarian lists for `pid` on this node, or -1. */
static int opens_of(struct guest_mbox *m, pid_t pid)
{
    return guest_mbox_count_opens(m, node.id, (uint32_t)pid);
}

static bool write_file(void)
{
    static uint64_t buf[FILE_BYTES / 8];
    int fd;

    for (size_t i = 0; i < FILE_BYTES / 8; i++)
        buf[i] = word(i);
    fd = open(data_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return failed("cannot create", data_path);
    if (!fame_write_all(fd, buf, FILE_BYTES) || close(fd))
        return failed("cannot write", data_path);
    return true;
}

static bool intact(const uint64_t *w, const char *how)
{
    for (size_t i = 0; i < FILE_BYTES / 8; i++)
        if (w[i] != word(i)) {
            fame_say(&node, "FAIL node 0: word %zu of %s read %s is %#"
                     PRIx64 ", not %#" PRIx64, i, data_path, how, w[i],
                     word(i));
            return false;
        }
    return true;
}

/* Start the daemon the way docs/lfs.md says: it returns once mounted. */
static bool start_daemon(void)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return failed("cannot fork for", "fam-lfs");
    if (pid == 0) {
        int log = open("/tmp/fam-lfs.log", O_WRONLY | O_APPEND | O_CREAT,
                       0644);

        if (log >= 0)
            dup2(log, 2);
        execlp("fam-lfs", "fam-lfs", "/lfs", (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status)) {
        fame_say(&node, "FAIL node 0: fam-lfs /lfs did not start again "
                 "(status %#x; /tmp/fam-lfs.log says why)", status);
        return false;
    }
    return true;
}

static bool node0(struct guest_mbox *m)
{
    static uint64_t back[FILE_BYTES / 8];
    char probe[128];
    struct stat st;
    pid_t old;
    int fd, held, left = -1;
    uint64_t *map;
    ssize_t got;

    if (mkdir(dir, 0777))
        return failed("cannot make", dir);
    if (!write_file())
        return false;
    /* Node 1 may boot later: the kill must come while it works */
    if (!wait_for(started_path))
        return false;
    fd = open(data_path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return failed("cannot open", data_path);
    map = mmap(NULL, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return failed("cannot map", data_path);

    old = lfs_pid();
    if (!old) {
        fame_say(&node, "FAIL node 0: no fam-lfs process");
        return false;
    }
    held = opens_of(m, old);
    if (kill(old, SIGKILL))
        return failed("cannot kill", "fam-lfs");
    for (double end = fame_now() + 10; kill(old, 0) == 0;) {
        if (fame_now() > end) {
            fame_say(&node, "FAIL node 0: fam-lfs (pid %d) did not die",
                     (int)old);
            return false;
        }
        fame_sleep(0.02);
    }
    /* a name the kernel has not cached: the request reaches the dead
     * connection */
    snprintf(probe, sizeof(probe), "%s/new", dir);
    if (stat(probe, &st) == 0 || errno != ENOTCONN) {
        fame_say(&node, "FAIL node 0: stat of %s after the daemon died: %s, "
                 "not ENOTCONN", probe, strerror(errno));
        return false;
    }
    if (!intact(map, "through its mapping after the daemon died"))
        return false;
    got = pread(fd, back, FILE_BYTES, 0);
    fame_say(&node, "node 0: with fam-lfs killed: /lfs gives ENOTCONN; the "
             "open file's mapping is intact; its read(2) gives %s; the "
             "Librarian listed %d handle(s) of the daemon",
             got == FILE_BYTES ? "the data (passthrough)" :
             got < 0 ? strerrorname_np(errno) : "a short read", held);
    if (held < 1) {
        fame_say(&node, "FAIL node 0: the Librarian listed no handle of the "
                 "daemon while it had %s open", data_path);
        return false;
    }

    munmap(map, FILE_BYTES);
    close(fd);
    if (umount2("/lfs", MNT_DETACH))
        return failed("cannot detach", "/lfs");
    for (double end = fame_now() + 10; (left = opens_of(m, old)) != 0;) {
        if (fame_now() > end)
            break;
        fame_sleep(0.05);
    }
    if (left != 0) {
        fame_say(&node, "FAIL node 0: the Librarian still lists %d handle(s) "
                 "of the dead daemon after its files were closed and /lfs "
                 "detached", left);
        return false;
    }
    if (!start_daemon())
        return false;
    fd = open(data_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return failed("cannot open after the restart", data_path);
    got = pread(fd, back, FILE_BYTES, 0);
    close(fd);
    if (got != FILE_BYTES)
        return failed("cannot read after the restart", data_path);
    if (!intact(back, "after the restart"))
        return false;
    if (unlink(data_path))
        return failed("cannot remove after the restart", data_path);
    fd = open(done_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return failed("cannot create", done_path);
    close(fd);
    fame_say(&node, "node 0: the Librarian dropped the dead daemon's "
             "handles once its files were closed; fam-lfs started again; "
             "the file read back intact and was removed");
    return true;
}

/* Node 1: ordinary work in /lfs until node 0 is done. */
static bool node1(void)
{
    static unsigned char buf[4096], back[4096];
    unsigned long files = 0;
    struct stat st;

    if (!wait_for(dir))
        return false;
    for (double end = fame_now() + WAIT_SECONDS; stat(done_path, &st);) {
        char path[128];
        int fd;

        if (fame_now() > end)
            return failed("gave up waiting for", done_path);
        snprintf(path, sizeof(path), "%s/n1-%lu", dir, files);
        memset(buf, (int)files, sizeof(buf));
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            return failed("cannot create", path);
        if (!fame_write_all(fd, buf, sizeof(buf)) ||
            pread(fd, back, sizeof(back), 0) != (ssize_t)sizeof(back) ||
            memcmp(buf, back, sizeof(buf)) || close(fd) || unlink(path))
            return failed("cannot write, read back or remove", path);
        files++;
        if (files == 1) {
            fd = open(started_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0 || close(fd))
                return failed("cannot create", started_path);
        }
    }
    fame_say(&node, "node 1: made, checked and removed %lu files while node "
             "0's daemon was killed and restarted", files);
    if (unlink(done_path) || unlink(started_path) || rmdir(dir))
        return failed("cannot remove", dir);
    return true;
}

int main(int argc, char **argv)
{
    struct guest_dev d;
    struct guest_mbox m;
    uint64_t run;
    bool ok;

    fame_node_init(&node, TAG, argc, argv);
    run = (uint64_t)fame_cmdline_long("fam.run_id", 1);
    snprintf(dir, sizeof(dir), "/lfs/restart-%" PRIu64, run);
    snprintf(data_path, sizeof(data_path), "%s/data", dir);
    snprintf(done_path, sizeof(done_path), "%s/done", dir);
    snprintf(started_path, sizeof(started_path), "%s/started", dir);
    if (node.count < 2) {
        fame_say(&node, "FAIL needs 2 nodes");
        return 1;
    }
    if (node.id == 0) {
        ok = guest_dev_open_driver(&d, &node);
        if (ok) {
            guest_mbox_init(&m, &d, &node);
            ok = node0(&m);
        }
    } else {
        ok = node.id != 1 || node1();
    }
    fame_say(&node, ok ? "PASS" : "FAIL (the reason is above)");
    return !ok;
}
