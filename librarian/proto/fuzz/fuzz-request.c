/*
 * libFuzzer harness of the Librarian protocol (docs/librarian-protocol.md,
 * "Fuzzing"). Each input is split into messages the way a stream reader
 * would (by the length in each header; what does not frame is one last
 * message) and every piece goes to fam_lib_decode() and to
 * fam_lib_handle() on a real Librarian: SQLite in a temporary directory,
 * a 64 MiB pool in memory, the tm-2016 model for 4 nodes with 2 MiB
 * books. The Librarian lives across inputs, so sequences build up state
 * (the seed corpus's seq-all-samples makes, uses and removes shelves);
 * it is recreated every RESET_EVERY inputs so that the database stays
 * small.
 *
 * Besides crashes, leaks and undefined behaviour, which the sanitizers
 * catch, the harness aborts when a reply is not well-formed by the
 * client's own checks (lib-client-msg.h): the server may refuse anything,
 * but it must always say so properly.
 *
 * Identity and room vary with the input: a request whose seq has bit 0
 * set runs with its node forced to 1 (as the QEMU device does), and one
 * with bit 1 set gets a reply buffer of 48 + (seq >> 8) % 256 bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib-client-msg.h"
#include "lib-proto.h"

#ifndef FAM_MODELS_DIR
#error "FAM_MODELS_DIR must name hw-fam/models"
#endif

#define FUZZ_MODEL      FAM_MODELS_DIR "/tm-2016.ini"
#define FUZZ_NODES      4
#define FUZZ_POOL       (UINT64_C(64) << 20)
#define FUZZ_BOOK       (UINT64_C(2) << 20)
#define RESET_EVERY     20000u

typedef struct FuzzEnv {
    FamModel *model;
    char *model_text;
    void *pool;
    FamLib *lib;
    char dir[64];
    char db[128];
    unsigned runs;
} FuzzEnv;

/*
 * libFuzzer's entry points take no context, so the one Librarian lives
 * here: the only global in the Librarian's code, and only in this test
 * program.
 */
static FuzzEnv *fuzz_env;

static void fail(const char *what, const void *reply, size_t n)
{
    fprintf(stderr, "fuzz-request: %s (reply of %zu bytes)\n", what, n);
    if (reply && n >= sizeof(struct fam_lib_hdr)) {
        struct fam_lib_hdr h;

        memcpy(&h, reply, sizeof(h));
        fam_lib_wire_hdr(&h);
        fprintf(stderr, "  magic %#x version %u opcode %u length %u seq %u "
                "flags %#x status %d\n", h.magic, h.version, h.opcode,
                h.length, h.seq, h.flags, h.status);
    }
    abort();
}

static void remove_db(FuzzEnv *e)
{
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    char path[160];

    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", e->db, suffix[i]);
        unlink(path);
    }
}

static void open_lib(FuzzEnv *e)
{
    FamLibConfig cfg = {
        .db_path = e->db,
        .model = e->model,
        .pool = e->pool,
        .model_text = e->model_text,
        .seed = 1,
    };
    char *err = NULL;

    remove_db(e);
    memset(e->pool, 0, FUZZ_POOL);
    e->lib = fam_lib_open(&cfg, &err);
    if (!e->lib) {
        fprintf(stderr, "fuzz-request: cannot open the Librarian: %s\n",
                err ? err : "?");
        exit(1);
    }
}

static void cleanup(void)
{
    FuzzEnv *e = fuzz_env;

    if (!e) {
        return;
    }
    if (e->lib) {
        fam_lib_close(e->lib);
    }
    remove_db(e);
    rmdir(e->dir);
    fam_model_free(e->model);
    g_free(e->model_text);
    free(e->pool);
    free(e);
    fuzz_env = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    FamModelParams params = {
        .nodes = FUZZ_NODES, .pool_size = FUZZ_POOL, .book_size = FUZZ_BOOK,
    };
    const char *tmp = getenv("TMPDIR");
    GError *gerr = NULL;
    FuzzEnv *e = calloc(1, sizeof(*e));

    (void)argc, (void)argv;
    if (!e) {
        abort();
    }
    snprintf(e->dir, sizeof(e->dir), "%s/fam-fuzz-XXXXXX",
             tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(e->dir)) {
        perror("fuzz-request: mkdtemp");
        exit(1);
    }
    snprintf(e->db, sizeof(e->db), "%s/fuzz.db", e->dir);
    e->model = fam_model_load_params(FUZZ_MODEL, &params, &gerr);
    if (!e->model ||
        !g_file_get_contents(FUZZ_MODEL, &e->model_text, NULL, &gerr)) {
        fprintf(stderr, "fuzz-request: %s\n", gerr ? gerr->message : "?");
        exit(1);
    }
    e->pool = calloc(1, FUZZ_POOL);
    if (!e->pool) {
        abort();
    }
    fuzz_env = e;
    atexit(cleanup);
    open_lib(e);
    return 0;
}

/* Walk every item of a list reply: a malformed one is a failure. */
static void check_list(const FamLibOpInfo *info, const void *body,
                       size_t len, const void *reply, size_t n)
{
    struct fam_lib_list l;
    FamLibListIter it;
    uint32_t items = 0;
    int r = fam_lib_list_begin(&it, info->item, body, len, &l);

    while (r >= 0) {
        union {
            struct fam_lib_book book;
            struct fam_lib_dirent dirent;
            struct fam_lib_opened opened;
            struct fam_lib_oob oob;
        } u;
        const char *name;
        const void *msg;

        switch (info->item) {
        case FAM_LIB_ITEM_BOOK:
            r = fam_lib_list_next_book(&it, &u.book);
            break;
        case FAM_LIB_ITEM_DIRENT:
            r = fam_lib_list_next_dirent(&it, &u.dirent, &name);
            break;
        case FAM_LIB_ITEM_OPENED:
            r = fam_lib_list_next_opened(&it, &u.opened);
            break;
        case FAM_LIB_ITEM_NAME:
            r = fam_lib_list_next_name(&it, &name);
            break;
        case FAM_LIB_ITEM_OOB:
            r = fam_lib_list_next_oob(&it, &u.oob, &msg);
            break;
        default:
            fail("list reply for an opcode without items", reply, n);
        }
        if (r == 0) {
            break;
        }
        items++;
    }
    if (r < 0) {
        fail("malformed list reply", reply, n);
    }
    if (items != l.count || (l.count == 0 && !l.done)) {
        fail("list reply that cannot make progress", reply, n);
    }
}

/* The reply to one piece must be well-formed and answer that piece. */
static void check_reply(const unsigned char *msg, size_t len,
                        const unsigned char *reply, size_t n, size_t cap)
{
    struct fam_lib_hdr h;
    FamLibRequest req;
    const void *body;
    size_t body_len;
    int decoded = fam_lib_decode(msg, len, &req);
    int r;

    if (n < sizeof(h) || n > cap || n > FAM_LIB_MSG_MAX) {
        fail("reply length out of range", reply, n);
    }
    memcpy(&h, reply, sizeof(h));
    fam_lib_wire_hdr(&h);
    if (h.magic != FAM_LIB_MAGIC || h.version != FAM_LIB_VERSION ||
        h.flags != FAM_LIB_F_REPLY || h.length != n || h.reserved != 0 ||
        h.status < 0 || h.status > 4095 || (h.status && n != sizeof(h))) {
        fail("malformed reply header", reply, n);
    }
    if (h.opcode != req.hdr.opcode || h.seq != req.hdr.seq) {
        fail("reply does not echo opcode and seq", reply, n);
    }
    if (decoded < 0) {
        if (h.status != -decoded) {
            fail("refused request with another errno than the decoder's",
                 reply, n);
        }
        return;
    }
    /* A decoded request: its strings are inside the message. */
    if ((req.str1 && (req.str1 < (const char *)msg ||
                      req.str1 >= (const char *)msg + len)) ||
        (req.str2 && (req.str2 < (const char *)msg ||
                      req.str2 >= (const char *)msg + len))) {
        fail("decoded string outside the message", reply, n);
    }
    r = fam_lib_reply_check(reply, n, h.opcode, h.seq, &body, &body_len);
    if (r != -h.status) {
        fail("reply refused by fam_lib_reply_check()", reply, n);
    }
    if (r == 0 && req.op->reply == FAM_LIB_REPLY_LIST) {
        check_list(req.op, body, body_len, reply, n);
    }
}

static void run_one(FuzzEnv *e, const unsigned char *msg, size_t len)
{
    unsigned char reply[FAM_LIB_MSG_MAX];
    FamLibForced forced = {
        .mask = FAM_LIB_FORCE_NODE, .caller = { .node = 1 },
    };
    struct fam_lib_hdr h = { 0 };
    size_t cap = sizeof(reply);
    size_t n;

    memcpy(&h, msg, len < sizeof(h) ? len : sizeof(h));
    fam_lib_wire_hdr(&h);
    if (h.seq & 2) {
        cap = sizeof(struct fam_lib_hdr) + (h.seq >> 8) % 256;
    }
    n = fam_lib_handle(e->lib, msg, len, (h.seq & 1) ? &forced : NULL,
                       reply, cap);
    check_reply(msg, len, reply, n, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzEnv *e = fuzz_env;
    size_t pos = 0;

    if (++e->runs % RESET_EVERY == 0) {
        fam_lib_close(e->lib);
        open_lib(e);
    }
    /* Each piece in a buffer of its own size, so ASan sees overreads. */
    do {
        size_t rest = size - pos;
        int frame = fam_lib_msg_frame(data + pos, rest);
        size_t len = frame > 0 && (size_t)frame <= rest ? (size_t)frame
                                                         : rest;
        unsigned char *piece = malloc(len ? len : 1);

        if (!piece) {
            abort();
        }
        memcpy(piece, data + pos, len);
        run_one(e, piece, len);
        free(piece);
        pos += len;
    } while (pos < size);
    return 0;
}
