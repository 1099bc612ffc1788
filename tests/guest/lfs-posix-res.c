/* lfs-posix: recording a case's results (see lfs-posix.h). */
#define _GNU_SOURCE

#include "lfs-posix.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void pr_put(PosixRes *r, const char *key, const char *fmt, ...)
{
    va_list ap;

    if (r->n >= PR_MAX) {
        r->overflow = true;
        return;
    }
    snprintf(r->key[r->n], PR_KEY, "%s", key);
    va_start(ap, fmt);
    vsnprintf(r->val[r->n], PR_VAL, fmt, ap);
    va_end(ap);
    r->n++;
}

const char *pr_errname(int err)
{
    const char *s = strerrorname_np(err);

    return s ? s : "E?";
}

long pr_rc(PosixRes *r, const char *key, long ret)
{
    int err = errno;

    pr_put(r, key, "%s", ret >= 0 ? "ok" : pr_errname(err));
    errno = err;
    return ret;
}

char *pr_path(char *buf, const PosixCtx *c, const char *name)
{
    snprintf(buf, PATH_MAX, "%s/%s", c->dir, name);
    return buf;
}

unsigned char pr_byte(size_t i, unsigned seed)
{
    unsigned long x = (i + 1) * 2654435761ul ^ (seed * 40503u);

    return (unsigned char)(x ^ (x >> 13) ^ (x >> 21));
}

bool pr_write_file(const char *path, size_t len, unsigned seed)
{
    unsigned char buf[4096];
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    size_t done = 0;

    if (fd < 0) {
        return false;
    }
    while (done < len) {
        size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

        for (size_t i = 0; i < n; i++) {
            buf[i] = pr_byte(done + i, seed);
        }
        if (!fame_write_all(fd, buf, n)) {
            close(fd);
            return false;
        }
        done += n;
    }
    return close(fd) == 0;
}

bool pr_check_file(const char *path, size_t len, unsigned seed)
{
    unsigned char buf[4096];
    int fd = open(path, O_RDONLY);
    size_t done = 0;
    ssize_t n;
    bool ok = fd >= 0;

    while (ok && (n = read(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; ok && i < n; i++) {
            ok = done + (size_t)i < len &&
                 buf[i] == pr_byte(done + (size_t)i, seed);
        }
        done += (size_t)n;
    }
    if (fd >= 0) {
        close(fd);
    }
    return ok && done == len;
}

void pr_as_user(PosixRes *r, uid_t uid, gid_t gid, size_t ngroups,
                const gid_t *groups, PosixCaseFn *fn, const PosixCtx *c)
{
    PosixRes *shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid;
    int status = -1;

    if (shared == MAP_FAILED) {
        pr_put(r, "as_user", "mmap %s", pr_errname(errno));
        return;
    }
    memset(shared, 0, sizeof(*shared));
    pid = fork();
    if (pid == 0) {
        if (setgroups(ngroups, groups) < 0 || setgid(gid) < 0 ||
            setuid(uid) < 0) {
            _exit(3);
        }
        fn(shared, c);
        _exit(0);
    }
    if (pid > 0) {
        waitpid(pid, &status, 0);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        pr_put(r, "as_user", "child status %#x", status);
    }
    for (unsigned i = 0; i < shared->n; i++) {
        pr_put(r, shared->key[i], "%s", shared->val[i]);
    }
    r->overflow |= shared->overflow;
    munmap(shared, sizeof(*shared));
}
