/*
 * The list opcodes: the core walks its items from the request's cursor
 * and offers each to a callback here, which appends it to the reply
 * until the next one would not fit. The core then hands back the cursor
 * of the first item refused, so the client's next request starts exactly
 * there: across replies every item comes once.
 */
#include <errno.h>
#include <string.h>

#include "lib-proto-int.h"
#include "lib-wire.h"

/*
 * Items go after the struct fam_lib_list that list_finish() writes; the
 * core's walk sets next and done.
 */
typedef struct ListOut {
    unsigned char *pos;
    size_t left;
    uint32_t count;
    uint64_t next;
    bool done;
} ListOut;

static void list_start(ListOut *lo, FamLibReplyBody *out)
{
    lo->pos = out->body + sizeof(struct fam_lib_list);
    lo->left = out->room - sizeof(struct fam_lib_list);
    lo->count = 0;
    lo->next = 0;
    lo->done = false;
}

/* Room for `need` more bytes? Takes them if so. */
static unsigned char *list_take(ListOut *lo, size_t need)
{
    unsigned char *p = lo->pos;

    if (need > lo->left) {
        return NULL;
    }
    lo->pos += need;
    lo->left -= need;
    lo->count++;
    return p;
}

/*
 * After the core's walk: write the list header, or fail if not one item
 * fitted although some were left (an item bigger than the whole reply
 * would otherwise make the client ask for the same cursor forever).
 */
static int list_finish(const ListOut *lo, FamLibReplyBody *out, int ret)
{
    struct fam_lib_list l = { 0 };

    if (ret < 0) {
        return ret;
    }
    if (lo->count == 0 && !lo->done) {
        return -EMSGSIZE;
    }
    l.next = lo->next;
    l.count = lo->count;
    l.done = lo->done ? 1 : 0;
    fam_lib_wire_list(&l);
    memcpy(out->body, &l, sizeof(l));
    out->len = (size_t)(lo->pos - out->body);
    return 0;
}

/* A variable record: fixed part, payload, zero padding. */
static bool put_record(ListOut *lo, const void *fixed, size_t fixed_len,
                       const void *payload, size_t payload_len)
{
    size_t reclen = fam_lib_record_len(fixed_len, payload_len);
    unsigned char *p = list_take(lo, reclen);

    if (!p) {
        return false;
    }
    memcpy(p, fixed, fixed_len);
    memcpy(p + fixed_len, payload, payload_len);
    memset(p + fixed_len + payload_len, 0, reclen - fixed_len - payload_len);
    return true;
}

static bool put_book(void *opaque, const struct fam_lib_book *book)
{
    struct fam_lib_book w = *book;
    unsigned char *p = list_take(opaque, sizeof(w));

    if (!p) {
        return false;
    }
    fam_lib_wire_book(&w);
    memcpy(p, &w, sizeof(w));
    return true;
}

static bool put_dirent(void *opaque, uint64_t id, uint32_t mode,
                       const char *name, uint64_t next)
{
    size_t namelen = strlen(name) + 1;
    struct fam_lib_dirent d = { .id = id, .next = next, .mode = mode };

    /* Refusing leaves the item for the next reply, which then fails
     * with EMSGSIZE: a name the protocol cannot carry is never skipped. */
    if (namelen < 2 || namelen > FAM_LIB_NAME_MAX + 1) {
        return false;
    }
    d.namelen = (uint16_t)namelen;
    d.reclen = (uint16_t)fam_lib_record_len(sizeof(d), namelen);
    fam_lib_wire_dirent(&d);
    return put_record(opaque, &d, sizeof(d), name, namelen);
}

static bool put_opened(void *opaque, const struct fam_lib_opened *opened)
{
    struct fam_lib_opened w = *opened;
    unsigned char *p = list_take(opaque, sizeof(w));

    if (!p) {
        return false;
    }
    w.reserved = 0;
    fam_lib_wire_opened(&w);
    memcpy(p, &w, sizeof(w));
    return true;
}

static bool put_name(void *opaque, const char *name)
{
    size_t len = strlen(name) + 1;
    unsigned char *p;

    if (len < 2 || len > FAM_LIB_XATTR_NAME_MAX) {
        return false;
    }
    p = list_take(opaque, len);
    if (!p) {
        return false;
    }
    memcpy(p, name, len);
    return true;
}

static bool put_oob(void *opaque, uint64_t id, uint32_t node,
                    const void *msg, size_t len)
{
    struct fam_lib_oob o = { .id = id, .node = node };

    if (len == 0 || len > FAM_LIB_OOB_MAX) {
        return false;
    }
    o.len = (uint16_t)len;
    o.reclen = (uint16_t)fam_lib_record_len(sizeof(o), len);
    fam_lib_wire_oob(&o);
    return put_record(opaque, &o, sizeof(o), msg, len);
}

int fam_lib_proto_list_books(FamLib *lib, const FamLibCaller *who,
                             const FamLibRequest *req, FamLibReplyBody *out)
{
    const FamModel *model = fam_lib_model(lib);
    uint32_t module = UINT32_MAX;   /* flags 0: every module */
    ListOut lo;
    int ret;

    (void)who;
    if (req->args.flags) {
        if (req->args.flags > model->modules) {
            return -EINVAL;
        }
        module = req->args.flags - 1;
    }
    list_start(&lo, out);
    ret = fam_lib_list_books(lib, module, req->args.size, put_book, &lo,
                             &lo.next, &lo.done);
    return list_finish(&lo, out, ret);
}

int fam_lib_proto_readdir(FamLib *lib, const FamLibCaller *who,
                          const FamLibRequest *req, FamLibReplyBody *out)
{
    ListOut lo;
    int ret;

    list_start(&lo, out);
    ret = fam_lib_readdir(lib, who, req->str1, req->args.size, put_dirent,
                          &lo, &lo.next, &lo.done);
    return list_finish(&lo, out, ret);
}

int fam_lib_proto_shelf_books(FamLib *lib, const FamLibCaller *who,
                              const FamLibRequest *req, FamLibReplyBody *out)
{
    ListOut lo;
    int ret;

    list_start(&lo, out);
    ret = fam_lib_shelf_books(lib, who, req->str1, req->args.handle,
                              req->args.size, put_book, &lo, &lo.next,
                              &lo.done);
    return list_finish(&lo, out, ret);
}

int fam_lib_proto_list_opens(FamLib *lib, const FamLibCaller *who,
                             const FamLibRequest *req, FamLibReplyBody *out)
{
    ListOut lo;
    int ret;

    (void)who;
    list_start(&lo, out);
    ret = fam_lib_list_opens(lib, req->args.size, put_opened, &lo, &lo.next,
                             &lo.done);
    return list_finish(&lo, out, ret);
}

int fam_lib_proto_listxattr(FamLib *lib, const FamLibCaller *who,
                            const FamLibRequest *req, FamLibReplyBody *out)
{
    ListOut lo;
    int ret;

    list_start(&lo, out);
    ret = fam_lib_listxattr(lib, who, req->str1, req->args.size, put_name,
                            &lo, &lo.next, &lo.done);
    return list_finish(&lo, out, ret);
}

int fam_lib_proto_oob_recv(FamLib *lib, const FamLibCaller *who,
                           const FamLibRequest *req, FamLibReplyBody *out)
{
    ListOut lo;
    int ret;

    (void)who;
    list_start(&lo, out);
    ret = fam_lib_oob_recv(lib, req->args.size, put_oob, &lo, &lo.next,
                           &lo.done);
    return list_finish(&lo, out, ret);
}
