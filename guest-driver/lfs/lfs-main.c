/*
 * fam-lfs: mount the Librarian File System. Options, the connection to
 * the Librarian through /dev/famN, and the FUSE session (see lfs.h).
 */
#include "lfs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fame/fame-version.h"

#define DEFAULT_DEVICE  "/dev/fam0"

/* Exit statuses the image's /init tells apart (docs/lfs.md). */
enum {
    EXIT_USAGE = 2,
    EXIT_NO_LIBRARIAN = 3,
};

typedef struct LfsOptions {
    const char *device;
    const char *mountpoint;
    double timeout;
    bool foreground;
    bool passthrough;
    bool debug;
} LfsOptions;

static void usage(FILE *f)
{
    fprintf(f,
"usage: fam-lfs [options] MOUNTPOINT\n"
"\n"
"Mount the Librarian's namespace of fabric-attached memory (the LFS) at\n"
"MOUNTPOINT. Regular files are mapped straight to their books (FUSE\n"
"passthrough of the fam driver's shelf files). Runs as root; every user's\n"
"permissions are checked by the kernel. docs/lfs.md describes it.\n"
"\n"
"  -D, --device=DEV    the fam device to reach the Librarian through\n"
"                      (default " DEFAULT_DEVICE ")\n"
"  -t, --timeout=SEC   how long the kernel may cache names and attributes\n"
"                      before asking again (default 1; 0 caches nothing):\n"
"                      how soon a change on another node is seen\n"
"      --no-passthrough  serve reads and writes in the daemon (for\n"
"                      comparison; mmap then goes through the page cache)\n"
"  -f, --foreground    stay in the foreground\n"
"  -d, --debug         print every FUSE request (implies -f)\n"
"  -h, --help          show this help\n"
"  -V, --version       show the version\n"
"\n"
"Exit status: 0 unmounted cleanly, 1 error, 2 usage, 3 no Librarian\n"
"(the machine runs without one: its mailbox answers ENOSYS).\n");
}

static int parse_options(int argc, char **argv, LfsOptions *o)
{
    static const struct option longopts[] = {
        { "device", required_argument, NULL, 'D' },
        { "timeout", required_argument, NULL, 't' },
        { "no-passthrough", no_argument, NULL, 'P' },
        { "foreground", no_argument, NULL, 'f' },
        { "debug", no_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    char *end;
    int c;

    *o = (LfsOptions){ .device = DEFAULT_DEVICE, .timeout = 1.0,
                       .passthrough = true };
    while ((c = getopt_long(argc, argv, "D:t:fdhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'D':
            o->device = optarg;
            break;
        case 't':
            errno = 0;
            o->timeout = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(o->timeout >= 0) ||
                o->timeout > 86400) {
                fprintf(stderr, "fam-lfs: --timeout wants seconds from 0 "
                        "to 86400, not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'P':
            o->passthrough = false;
            break;
        case 'f':
            o->foreground = true;
            break;
        case 'd':
            o->debug = o->foreground = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("fam-lfs %s\n", FAME_VERSION);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "fam-lfs: give exactly one MOUNTPOINT\n");
        usage(stderr);
        return -1;
    }
    o->mountpoint = argv[optind];
    return 0;
}

static void lfs_init(void *userdata, struct fuse_conn_info *conn)
{
    Lfs *lfs = userdata;

    /* Passthrough files must not be cached in the page cache. */
    fuse_unset_feature_flag(conn, FUSE_CAP_WRITEBACK_CACHE);
    /* O_TRUNC as a separate SETATTR: one place resizes. */
    fuse_unset_feature_flag(conn, FUSE_CAP_ATOMIC_O_TRUNC);
    if (lfs->passthrough) {
        lfs->passthrough = fuse_set_feature_flag(conn, FUSE_CAP_PASSTHROUGH);
        if (lfs->passthrough) {
            /* The shelf files live on no stacked file system. */
            conn->max_backing_stack_depth = 1;
        } else {
            fprintf(stderr, "fam-lfs: the kernel has no FUSE passthrough: "
                    "reads and writes go through the daemon\n");
        }
    }
}

/* The Librarian answers, and tells the book size. */
static int connect_librarian(Lfs *lfs, const char *device)
{
    struct fam_lib_statfs s;
    const void *body;
    size_t len;
    int ret;

    lfs->fam_fd = open(device, O_RDWR | O_CLOEXEC);
    if (lfs->fam_fd < 0) {
        fprintf(stderr, "fam-lfs: cannot open %s: %s\n", device,
                strerror(errno));
        return -1;
    }
    ret = lfs_call(lfs, FAM_LIB_OP_STATFS, NULL, NULL, NULL, NULL, 0, &body,
                   &len);
    if (ret == 0 && len < sizeof(s)) {
        ret = -EPROTO;
    }
    if (ret < 0) {
        fprintf(stderr, "fam-lfs: no Librarian answers through %s: %s\n",
                device, strerror(-ret));
        return ret == -ENOSYS ? -EXIT_NO_LIBRARIAN
                                                    : -1;
    }
    memcpy(&s, body, sizeof(s));
    lfs->book_size = s.book_size;
    lfs_orphans_init(lfs);
    return 0;
}

/*
 * Go to the background once mounted, so that whoever started the daemon
 * can use the mount as soon as it exits. stderr stays: the daemon's rare
 * messages belong on the node's console. (Not fuse_daemonize(): it would
 * link libfuse's high-level API, and dlopen with it, into the program.)
 */
static int background(void)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0) {
        fprintf(stderr, "fam-lfs: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid > 0) {
        _exit(0);
    }
    setsid();
    if (chdir("/") < 0) {
        return -1;
    }
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        if (fd > 2) {
            close(fd);
        }
    }
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * fuse_session_loop(), plus a sweep every LFS_SWEEP_MS while orphans
 * wait for their last mapping to go (lfs_orphans_sweep): no request says
 * when that happens. By the clock, not by idle time: a busy mount must
 * not starve it.
 */
static int loop(Lfs *lfs)
{
    struct fuse_session *se = lfs->se;
    struct pollfd pfd = { .fd = fuse_session_fd(se), .events = POLLIN };
    struct fuse_buf buf = { .mem = NULL };
    int64_t next_sweep = 0;
    int ret = 0;

    while (!fuse_session_exited(se)) {
        int timeout = -1, n;

        if (lfs->orphans_waiting) {
            int64_t now = now_ms();

            if (next_sweep == 0) {
                next_sweep = now + LFS_SWEEP_MS;
            } else if (now >= next_sweep) {
                lfs_orphans_sweep(lfs);
                next_sweep = now + LFS_SWEEP_MS;
            }
            timeout = (int)(next_sweep - now);
        } else {
            next_sweep = 0;
        }
        /* Without a sweep due, the read itself waits: one syscall less */
        if (timeout >= 0) {
            n = poll(&pfd, 1, timeout);
            if (n < 0 && errno != EINTR) {
                ret = -errno;
                break;
            }
            if (n <= 0) {
                continue;
            }
        }
        ret = fuse_session_receive_buf(se, &buf);
        if (ret == -EINTR || ret == -EAGAIN) {
            ret = 0;
            continue;
        }
        if (ret <= 0) {
            break;
        }
        fuse_session_process_buf(se, &buf);
        ret = 0;
    }
    free(buf.mem);
    fuse_session_reset(se);
    return ret < 0 ? 1 : 0;
}

static int serve(Lfs *lfs, const LfsOptions *o)
{
    struct fuse_lowlevel_ops ops;
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    int ret = 1;

    memset(&ops, 0, sizeof(ops));
    ops.init = lfs_init;
    lfs_ops_dir(&ops);
    lfs_ops_file(&ops);
    lfs_ops_xattr(&ops);

    /* default_permissions: the kernel checks every process's access. */
    if (fuse_opt_add_arg(&args, "fam-lfs") ||
        fuse_opt_add_arg(&args, "-oallow_other,default_permissions,"
                         "fsname=lfs,subtype=fam,noatime") ||
        (o->debug && fuse_opt_add_arg(&args, "-d"))) {
        fprintf(stderr, "fam-lfs: out of memory\n");
        return 1;
    }
    lfs->se = fuse_session_new(&args, &ops, sizeof(ops), lfs);
    if (!lfs->se) {
        goto out_args;
    }
    if (fuse_set_signal_handlers(lfs->se) != 0) {
        goto out_session;
    }
    if (fuse_session_mount(lfs->se, o->mountpoint) != 0) {
        goto out_signals;
    }
    if (!o->foreground && background() != 0) {
        goto out_unmount;
    }
    ret = loop(lfs);
out_unmount:
    fuse_session_unmount(lfs->se);
out_signals:
    fuse_remove_signal_handlers(lfs->se);
out_session:
    fuse_session_destroy(lfs->se);
out_args:
    fuse_opt_free_args(&args);
    return ret;
}

int main(int argc, char **argv)
{
    LfsOptions o;
    Lfs *lfs;
    int ret;

    if (parse_options(argc, argv, &o) < 0) {
        return EXIT_USAGE;
    }
    lfs = calloc(1, sizeof(*lfs));
    if (!lfs || lfs_inodes_init(lfs) < 0) {
        fprintf(stderr, "fam-lfs: out of memory\n");
        return 1;
    }
    lfs->timeout = o.timeout;
    lfs->passthrough = o.passthrough;
    ret = connect_librarian(lfs, o.device);
    if (ret == 0) {
        ret = serve(lfs, &o);
    } else {
        ret = ret == -EXIT_NO_LIBRARIAN ? EXIT_NO_LIBRARIAN : 1;
    }
    if (lfs->fam_fd > 0) {
        close(lfs->fam_fd);
    }
    lfs_inodes_free(lfs);
    free(lfs);
    return ret;
}
