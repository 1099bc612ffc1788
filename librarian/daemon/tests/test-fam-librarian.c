/*
 * fam-librarian over its socket: framing, garbage, the client limit, who
 * a peer is taken to be, opens of nodes whose connections closed, and a
 * clean stop. Each test starts the real daemon (FAM_LIBRARIAN, set by
 * meson) on a pool of its own in a temporary directory.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib-client-msg.h"
#include "lib-client.h"
#include "lib-fixture.h"

#define NODE_HOST   UINT32_MAX
#define NOBODY      65534u

typedef struct Fixture {
    LibFixture *fx;             /* the directory alone: the daemon opens */
    char *pool;
    char *socket;
    pid_t pid;
    uint32_t seq;
    size_t body_len;            /* of the last successful reply */
} Fixture;

static const char *daemon_path(void)
{
    const char *p = g_getenv("FAM_LIBRARIAN");

    g_assert_nonnull(p);
    return p;
}

static void sleep_ms(unsigned ms)
{
    g_usleep(ms * 1000);
}

/* Start the daemon in the foreground with extra options; wait until it
 * answers. */
static void start_daemon(Fixture *f, const char *const *extra)
{
    GPtrArray *argv = g_ptr_array_new();
    FamLibClient *c = NULL;

    g_ptr_array_add(argv, (char *)daemon_path());
    g_ptr_array_add(argv, (char *)"--pool");
    g_ptr_array_add(argv, f->pool);
    g_ptr_array_add(argv, (char *)"--socket");
    g_ptr_array_add(argv, f->socket);
    g_ptr_array_add(argv, (char *)"--models-dir");
    g_ptr_array_add(argv, (char *)FAM_MODELS_DIR);
    g_ptr_array_add(argv, (char *)"--model");
    g_ptr_array_add(argv, (char *)"ideal");
    g_ptr_array_add(argv, (char *)"--nodes");
    g_ptr_array_add(argv, (char *)"4");
    g_ptr_array_add(argv, (char *)"--book-size");
    g_ptr_array_add(argv, (char *)"2M");
    g_ptr_array_add(argv, (char *)"--foreground");
    for (; extra != NULL && *extra != NULL; extra++) {
        g_ptr_array_add(argv, (char *)*extra);
    }
    g_ptr_array_add(argv, NULL);

    f->pid = fork();
    g_assert_cmpint(f->pid, >=, 0);
    if (f->pid == 0) {
        /* Never outlive the test, even if it aborts. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execv(daemon_path(), (char **)argv->pdata);
        _exit(127);
    }
    g_ptr_array_free(argv, TRUE);

    for (int i = 0; i < 500 && c == NULL; i++) {
        int status;

        c = fam_lib_client_connect(f->socket, NULL);
        if (c == NULL) {
            g_assert_cmpint(waitpid(f->pid, &status, WNOHANG), ==, 0);
            sleep_ms(20);
        }
    }
    g_assert_nonnull(c);
    fam_lib_client_close(c);
}

static void setup(Fixture *f, gconstpointer data)
{
    int fd;

    (void)data;
    f->fx = lib_fixture_new(&(LibFixtureConfig){ .prefix = "fam-librarian" });
    g_assert_nonnull(f->fx);
    /* Others must reach the socket (the identity test's nobody). */
    g_assert_cmpint(chmod(f->fx->dir, 0755), ==, 0);
    f->pool = g_build_filename(f->fx->dir, "pool", NULL);
    f->socket = g_build_filename(f->fx->dir, "sock", NULL);
    fd = open(f->pool, O_RDWR | O_CREAT | O_EXCL, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 64 << 20), ==, 0);
    close(fd);
    f->pid = -1;
    f->seq = 1;
}

/* Stop the daemon if a test left it running; remove the directory. */
static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    if (f->pid > 0) {
        kill(f->pid, SIGKILL);
        waitpid(f->pid, NULL, 0);
    }
    lib_fixture_free(f->fx);
    g_free(f->pool);
    g_free(f->socket);
}

static FamLibClient *connect_ok(Fixture *f)
{
    char *err = NULL;
    FamLibClient *c = fam_lib_client_connect(f->socket, &err);

    if (c == NULL) {
        g_error("connect: %s", err);
    }
    return c;
}

/*
 * One request as (node, uid, gid, pid); returns the Librarian's answer
 * as 0 or -errno and copies the reply body (if any) to body.
 */
static int call_as(Fixture *f, FamLibClient *c, uint16_t op, uint32_t node,
                   uint32_t uid, uint32_t gid,
                   const struct fam_lib_args *args, const char *s1,
                   const char *s2, void *body, size_t cap)
{
    unsigned char req[FAM_LIB_MSG_MAX], reply[FAM_LIB_MSG_MAX];
    const void *b;
    size_t rlen, blen;
    uint32_t seq = f->seq++;
    int len, ret;

    len = fam_lib_msg_build(req, sizeof(req), op, seq, node, uid, gid,
                            (uint32_t)getpid(), args, s1, s2, NULL, 0);
    g_assert_cmpint(len, >, 0);
    ret = fam_lib_client_call(c, req, (size_t)len, reply, sizeof(reply),
                              &rlen);
    if (ret < 0) {
        return ret;
    }
    ret = fam_lib_reply_check(reply, rlen, op, seq, &b, &blen);
    if (ret == 0 && body != NULL) {
        g_assert_cmpuint(blen, <=, cap);
        memcpy(body, b, blen);
        f->body_len = blen;
    }
    return ret;
}

static int call(Fixture *f, FamLibClient *c, uint16_t op,
                const struct fam_lib_args *args, const char *s1,
                const char *s2, void *body, size_t cap)
{
    return call_as(f, c, op, NODE_HOST, 0, 0, args, s1, s2, body, cap);
}

static void assert_version(Fixture *f, FamLibClient *c)
{
    struct fam_lib_version v;

    g_assert_cmpint(call(f, c, FAM_LIB_OP_VERSION, NULL, NULL, NULL, &v,
                         sizeof(v)), ==, 0);
    g_assert_cmpuint(le32toh(v.version), ==, FAM_LIB_VERSION);
}

/* The daemon still serves a new connection. */
static void assert_alive(Fixture *f)
{
    FamLibClient *c = connect_ok(f);

    assert_version(f, c);
    fam_lib_client_close(c);
}

static void write_raw(int fd, const void *buf, size_t len)
{
    g_assert_cmpint(send(fd, buf, len, MSG_NOSIGNAL), ==, (ssize_t)len);
}

/* Read one reply header from fd, then expect the daemon to hang up. */
static void expect_error_then_close(int fd, int err)
{
    struct fam_lib_hdr h;
    char byte;
    ssize_t n = 0;
    size_t got = 0;

    while (got < sizeof(h) &&
           (n = read(fd, (char *)&h + got, sizeof(h) - got)) > 0) {
        got += (size_t)n;
    }
    g_assert_cmpuint(got, ==, sizeof(h));
    g_assert_cmphex(le32toh(h.magic), ==, FAM_LIB_MAGIC);
    g_assert_true(le32toh(h.flags) & FAM_LIB_F_REPLY);
    g_assert_cmpint((int32_t)le32toh(h.status), ==, err);
    g_assert_cmpint(read(fd, &byte, 1), ==, 0);
}

static void test_version(Fixture *f, gconstpointer data)
{
    (void)data;
    start_daemon(f, NULL);
    assert_alive(f);
}

static void test_bad_magic(Fixture *f, gconstpointer data)
{
    FamLibClient *c;
    unsigned char junk[48];

    (void)data;
    start_daemon(f, NULL);
    c = connect_ok(f);
    memset(junk, 0xa5, sizeof(junk));
    write_raw(fam_lib_client_fd(c), junk, sizeof(junk));
    expect_error_then_close(fam_lib_client_fd(c), EBADMSG);
    fam_lib_client_close(c);
    assert_alive(f);
}

/* A length outside [header, FAM_LIB_MSG_MAX] is refused before the daemon
 * reads (or waits for) anything more. */
static void test_bad_length(Fixture *f, gconstpointer data)
{
    static const uint32_t lengths[] = { 0, 47, FAM_LIB_MSG_MAX + 1,
                                        1u << 30, UINT32_MAX };

    (void)data;
    start_daemon(f, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(lengths); i++) {
        FamLibClient *c = connect_ok(f);
        struct fam_lib_hdr h = {
            .magic = htole32(FAM_LIB_MAGIC),
            .version = htole16(FAM_LIB_VERSION),
            .opcode = htole16(FAM_LIB_OP_VERSION),
            .length = htole32(lengths[i]),
        };

        write_raw(fam_lib_client_fd(c), &h, sizeof(h));
        expect_error_then_close(fam_lib_client_fd(c), EBADMSG);
        fam_lib_client_close(c);
    }
    assert_alive(f);
}

/* Peers that hang up in the middle of a header or a message. */
static void test_truncated(Fixture *f, gconstpointer data)
{
    unsigned char req[FAM_LIB_MSG_MAX];
    int len;

    (void)data;
    start_daemon(f, NULL);
    len = fam_lib_msg_build(req, sizeof(req), FAM_LIB_OP_GETATTR, 1,
                            NODE_HOST, 0, 0, 0, NULL, "/a/long/enough/path",
                            NULL, NULL, 0);
    g_assert_cmpint(len, >, 60);
    for (int cut = 1; cut < len; cut += 7) {
        FamLibClient *c = connect_ok(f);

        write_raw(fam_lib_client_fd(c), req, (size_t)cut);
        fam_lib_client_close(c);
    }
    assert_alive(f);
}

/* Well-framed but wrong: an error reply, and the connection goes on. */
static void test_bad_body(Fixture *f, gconstpointer data)
{
    FamLibClient *c;
    unsigned char req[FAM_LIB_MSG_MAX], reply[FAM_LIB_MSG_MAX];
    struct fam_lib_hdr h;
    size_t rlen;
    int len;

    (void)data;
    start_daemon(f, NULL);
    c = connect_ok(f);
    len = fam_lib_msg_build(req, sizeof(req), 9999, 7, NODE_HOST, 0, 0, 0,
                            NULL, NULL, NULL, NULL, 0);
    g_assert_cmpint(fam_lib_client_call(c, req, (size_t)len, reply,
                                        sizeof(reply), &rlen), ==, 0);
    memcpy(&h, reply, sizeof(h));
    g_assert_cmpint((int32_t)le32toh(h.status), ==, ENOSYS);
    g_assert_cmpuint(le32toh(h.seq), ==, 7);
    assert_version(f, c);
    fam_lib_client_close(c);
}

/* Random bodies behind valid framing: every one gets a well-formed reply
 * on the same connection. */
static void test_random(Fixture *f, gconstpointer data)
{
    unsigned char req[FAM_LIB_MSG_MAX], reply[FAM_LIB_MSG_MAX];
    GRand *rand = g_rand_new_with_seed(42);
    FamLibClient *c;

    (void)data;
    start_daemon(f, NULL);
    c = connect_ok(f);
    for (int i = 0; i < 2000; i++) {
        size_t len = sizeof(struct fam_lib_hdr) +
                     (size_t)g_rand_int_range(rand, 0, 200);
        struct fam_lib_hdr h;
        size_t rlen;

        for (size_t k = 0; k < len; k++) {
            req[k] = (unsigned char)g_rand_int(rand);
        }
        memcpy(&h, req, sizeof(h));
        h.magic = htole32(FAM_LIB_MAGIC);
        h.length = htole32((uint32_t)len);
        /* Half of them the right version, so the decoder goes deeper. */
        if (i % 2 == 0) {
            h.version = htole16(FAM_LIB_VERSION);
            h.opcode = htole16((uint16_t)g_rand_int_range(rand, 0,
                                                          FAM_LIB_OP_MAX + 2));
            h.flags = 0;
            h.status = 0;
            h.reserved = 0;
        }
        memcpy(req, &h, sizeof(h));
        g_assert_cmpint(fam_lib_client_call(c, req, len, reply,
                                            sizeof(reply), &rlen), ==, 0);
        memcpy(&h, reply, sizeof(h));
        g_assert_cmpuint(le32toh(h.length), ==, rlen);
    }
    assert_version(f, c);
    fam_lib_client_close(c);
    g_rand_free(rand);
}

/* A connection the daemon serves, once a slot is free: slots of closed
 * connections free up shortly after the close, not at once. */
static FamLibClient *connect_served(Fixture *f)
{
    for (int i = 0; i < 250; i++) {
        FamLibClient *c = connect_ok(f);

        if (call(f, c, FAM_LIB_OP_VERSION, NULL, NULL, NULL, NULL, 0) == 0) {
            return c;
        }
        fam_lib_client_close(c);
        sleep_ms(20);
    }
    g_error("no connection served within 5 s");
}

static void test_max_clients(Fixture *f, gconstpointer data)
{
    static const char *const extra[] = { "--max-clients", "2", "--verbose",
                                         NULL };
    FamLibClient *a, *b, *c;
    int ret;

    (void)data;
    start_daemon(f, extra);
    a = connect_served(f);
    b = connect_served(f);

    /* The third is accepted by the kernel, then closed by the daemon. */
    c = connect_ok(f);
    ret = call(f, c, FAM_LIB_OP_VERSION, NULL, NULL, NULL, NULL, 0);
    g_assert_true(ret == -ECONNRESET || ret == -EPIPE);
    fam_lib_client_close(c);

    /* A slot frees when a client leaves; b was served all along. */
    fam_lib_client_close(a);
    c = connect_served(f);
    fam_lib_client_close(c);
    assert_version(f, b);
    fam_lib_client_close(b);
}

/*
 * Root's header is believed (that is how QEMU forwards its guests); an
 * ordinary user's is not: it acts as itself, from the host.
 */
static void test_identity(Fixture *f, gconstpointer data)
{
    struct fam_lib_args dir = { .mode = 0777 };
    struct fam_lib_args file = { .mode = 0644 };
    struct fam_lib_attr a;
    FamLibClient *c;
    pid_t child;
    int status;

    (void)data;
    if (geteuid() != 0) {
        g_test_skip("needs root, to connect as another user");
        return;
    }
    start_daemon(f, NULL);
    c = connect_ok(f);
    g_assert_cmpint(call(f, c, FAM_LIB_OP_MKDIR, &dir, "/open", NULL, NULL,
                         0), ==, 0);
    /* Trusted: the header's uid and gid are used as given. */
    g_assert_cmpint(call_as(f, c, FAM_LIB_OP_CREATE, 2, 1234, 4321, &file,
                            "/open/trusted", NULL, &a, sizeof(a)), ==, 0);
    g_assert_cmpuint(le32toh(a.uid), ==, 1234);
    g_assert_cmpuint(le32toh(a.gid), ==, 4321);
    fam_lib_client_close(c);

    child = fork();
    g_assert_cmpint(child, >=, 0);
    if (child == 0) {
        FamLibClient *u;
        struct fam_lib_args off = { .size = 0,
                                    .flags = FAM_LIB_MODULE_OFFLINE };

        if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0) {
            _exit(10);
        }
        u = fam_lib_client_connect(f->socket, NULL);
        if (u == NULL) {
            _exit(11);
        }
        /* Claims to be root on node 0: it is nobody on the host. */
        if (call_as(f, u, FAM_LIB_OP_CREATE, 0, 0, 0, &file,
                    "/open/untrusted", NULL, &a, sizeof(a)) != 0) {
            _exit(12);
        }
        if (le32toh(a.uid) != NOBODY || le32toh(a.gid) != NOBODY) {
            _exit(13);
        }
        /* uid 0 only: refused although the header says uid 0. */
        if (call_as(f, u, FAM_LIB_OP_MODULE_STATUS, 0, 0, 0, &off, NULL,
                    NULL, NULL, 0) != -EPERM) {
            _exit(14);
        }
        fam_lib_client_close(u);
        _exit(0);
    }
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static int count_opens(Fixture *f, FamLibClient *c, uint32_t node)
{
    unsigned char body[FAM_LIB_MSG_MAX];
    struct fam_lib_args args = { 0 };
    struct fam_lib_list list;
    struct fam_lib_opened o;
    FamLibListIter it;
    int n = 0, r;

    g_assert_cmpint(call(f, c, FAM_LIB_OP_LIST_OPENS, &args, NULL, NULL,
                         body, sizeof(body)), ==, 0);
    g_assert_cmpint(fam_lib_list_begin(&it, FAM_LIB_ITEM_OPENED, body,
                                       f->body_len, &list), ==, 0);
    /* One reply holds them all here: a handful of opens. */
    g_assert_cmpuint(list.done, ==, 1);
    while ((r = fam_lib_list_next_opened(&it, &o)) > 0) {
        n += o.node == node;
    }
    g_assert_cmpint(r, ==, 0);
    return n;
}

/* Opens of a node go when the last connection speaking for it closes. */
static void test_drop_opens(Fixture *f, gconstpointer data)
{
    struct fam_lib_args file = { .mode = 0666 };
    struct fam_lib_args rd = { .flags = FAM_LIB_OPEN_READ };
    struct fam_lib_open o;
    FamLibClient *a, *b, *watch;
    int n = -1;

    /* Our own uid is trusted like root: no need to be root here. */
    (void)data;
    start_daemon(f, NULL);
    watch = connect_ok(f);
    a = connect_ok(f);
    b = connect_ok(f);
    g_assert_cmpint(call(f, a, FAM_LIB_OP_CREATE, &file, "/s", NULL, NULL,
                         0), ==, 0);
    g_assert_cmpint(call_as(f, a, FAM_LIB_OP_OPEN, 1, 0, 0, &rd, "/s", NULL,
                            &o, sizeof(o)), ==, 0);
    g_assert_cmpint(call_as(f, b, FAM_LIB_OP_GETATTR, 1, 0, 0, NULL, "/s",
                            NULL, NULL, 0), ==, 0);
    g_assert_cmpint(count_opens(f, watch, 1), ==, 1);

    /* b still speaks for node 1: the open stays. */
    fam_lib_client_close(a);
    sleep_ms(200);
    g_assert_cmpint(count_opens(f, watch, 1), ==, 1);

    fam_lib_client_close(b);
    for (int i = 0; i < 250 && n != 0; i++) {
        n = count_opens(f, watch, 1);
        if (n != 0) {
            sleep_ms(20);
        }
    }
    g_assert_cmpint(n, ==, 0);
    fam_lib_client_close(watch);
}

/* SIGTERM with a client connected: exit 0, socket removed. */
static void test_sigterm(Fixture *f, gconstpointer data)
{
    FamLibClient *c;
    int status;

    (void)data;
    start_daemon(f, NULL);
    c = connect_ok(f);
    assert_version(f, c);
    g_assert_cmpint(kill(f->pid, SIGTERM), ==, 0);
    g_assert_cmpint(waitpid(f->pid, &status, 0), ==, f->pid);
    f->pid = -1;
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_false(g_file_test(f->socket, G_FILE_TEST_EXISTS));
    g_assert_cmpint(call(f, c, FAM_LIB_OP_VERSION, NULL, NULL, NULL, NULL,
                         0), <, 0);
    fam_lib_client_close(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
#define ADD(name, fn) \
    g_test_add("/fam-librarian/" name, Fixture, NULL, setup, fn, teardown)
    ADD("version", test_version);
    ADD("bad-magic", test_bad_magic);
    ADD("bad-length", test_bad_length);
    ADD("truncated", test_truncated);
    ADD("bad-body", test_bad_body);
    ADD("random", test_random);
    ADD("max-clients", test_max_clients);
    ADD("identity", test_identity);
    ADD("drop-opens", test_drop_opens);
    ADD("sigterm", test_sigterm);
#undef ADD
    return g_test_run();
}
