/*
 * Walking the items of a list reply (lib-client-msg.h). Every length in
 * an item is checked against what is left of the body before anything is
 * read, names must be NUL-terminated exactly at their end, variable
 * records must have the padded length the protocol gives them, and the
 * body must end exactly after the last item the header counts.
 */
#include <errno.h>
#include <string.h>

#include "lib-client-msg.h"

int fam_lib_list_begin(FamLibListIter *it, uint32_t item, const void *body,
                       size_t len, struct fam_lib_list *list)
{
    struct fam_lib_list l;

    memset(it, 0, sizeof(*it));
    if (!body || len < sizeof(l) || item == FAM_LIB_ITEM_NONE ||
        item > FAM_LIB_ITEM_OOB) {
        return -EBADMSG;
    }
    memcpy(&l, body, sizeof(l));
    fam_lib_wire_list(&l);
    if (l.done > 1) {
        return -EBADMSG;
    }
    it->pos = (const unsigned char *)body + sizeof(l);
    it->end = (const unsigned char *)body + len;
    it->left = l.count;
    it->item = item;
    if (list) {
        *list = l;
    }
    return 0;
}

/*
 * Common to every next_*(): 0 at the end of a well-formed list, -EBADMSG
 * at the end of a malformed one or for the wrong item kind, 1 if an item
 * of at least `fixed` bytes follows.
 */
static int next_item(FamLibListIter *it, uint32_t item, size_t fixed)
{
    if (it->item != item || !it->pos) {
        return -EBADMSG;
    }
    if (it->left == 0) {
        return it->pos == it->end ? 0 : -EBADMSG;
    }
    if ((size_t)(it->end - it->pos) < fixed) {
        return -EBADMSG;
    }
    return 1;
}

/* Padding must be zero: it keeps replies byte-for-byte reproducible. */
static int zero_bytes(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i]) {
            return 0;
        }
    }
    return 1;
}

/*
 * A variable record: `fixed` bytes, then `payload` bytes, padded to
 * `reclen`. Checks that reclen is exactly the padded size and fits.
 */
static int check_record(const FamLibListIter *it, size_t fixed,
                        size_t payload, size_t reclen)
{
    if (reclen != fam_lib_record_len(fixed, payload) ||
        reclen > (size_t)(it->end - it->pos)) {
        return -EBADMSG;
    }
    if (!zero_bytes(it->pos + fixed + payload, reclen - fixed - payload)) {
        return -EBADMSG;
    }
    return 0;
}

int fam_lib_list_next_book(FamLibListIter *it, struct fam_lib_book *book)
{
    int ret = next_item(it, FAM_LIB_ITEM_BOOK, sizeof(*book));

    if (ret <= 0) {
        return ret;
    }
    memcpy(book, it->pos, sizeof(*book));
    fam_lib_wire_book(book);
    if (book->state > FAM_LIB_BOOK_OFFLINE) {
        return -EBADMSG;
    }
    it->pos += sizeof(*book);
    it->left--;
    return 1;
}

int fam_lib_list_next_dirent(FamLibListIter *it, struct fam_lib_dirent *ent,
                             const char **name)
{
    int ret = next_item(it, FAM_LIB_ITEM_DIRENT, sizeof(*ent));
    const unsigned char *n;

    if (ret <= 0) {
        return ret;
    }
    n = it->pos + sizeof(*ent);
    memcpy(ent, it->pos, sizeof(*ent));
    fam_lib_wire_dirent(ent);
    /* A name of 1..NAME_MAX bytes, then its NUL. */
    if (ent->namelen < 2 || ent->namelen > FAM_LIB_NAME_MAX + 1) {
        return -EBADMSG;
    }
    ret = check_record(it, sizeof(*ent), ent->namelen, ent->reclen);
    if (ret < 0) {
        return ret;
    }
    if (memchr(n, 0, ent->namelen) != n + ent->namelen - 1) {
        return -EBADMSG;
    }
    if (name) {
        *name = (const char *)n;
    }
    it->pos += ent->reclen;
    it->left--;
    return 1;
}

int fam_lib_list_next_opened(FamLibListIter *it,
                             struct fam_lib_opened *opened)
{
    int ret = next_item(it, FAM_LIB_ITEM_OPENED, sizeof(*opened));

    if (ret <= 0) {
        return ret;
    }
    memcpy(opened, it->pos, sizeof(*opened));
    fam_lib_wire_opened(opened);
    if (opened->reserved != 0 || opened->flags == 0 ||
        (opened->flags & ~(FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE))) {
        return -EBADMSG;
    }
    it->pos += sizeof(*opened);
    it->left--;
    return 1;
}

int fam_lib_list_next_name(FamLibListIter *it, const char **name)
{
    /* The shortest name is one byte and its NUL. */
    int ret = next_item(it, FAM_LIB_ITEM_NAME, 2);
    const unsigned char *nul;
    size_t room;

    if (ret <= 0) {
        return ret;
    }
    room = (size_t)(it->end - it->pos);
    if (room > FAM_LIB_XATTR_NAME_MAX) {
        room = FAM_LIB_XATTR_NAME_MAX;
    }
    nul = memchr(it->pos, 0, room);
    if (!nul || nul == it->pos) {
        return -EBADMSG;
    }
    if (name) {
        *name = (const char *)it->pos;
    }
    it->pos = nul + 1;
    it->left--;
    return 1;
}

int fam_lib_list_next_oob(FamLibListIter *it, struct fam_lib_oob *oob,
                          const void **msg)
{
    int ret = next_item(it, FAM_LIB_ITEM_OOB, sizeof(*oob));

    if (ret <= 0) {
        return ret;
    }
    memcpy(oob, it->pos, sizeof(*oob));
    fam_lib_wire_oob(oob);
    if (oob->len == 0 || oob->len > FAM_LIB_OOB_MAX) {
        return -EBADMSG;
    }
    ret = check_record(it, sizeof(*oob), oob->len, oob->reclen);
    if (ret < 0) {
        return ret;
    }
    if (msg) {
        *msg = it->pos + sizeof(*oob);
    }
    it->pos += oob->reclen;
    it->left--;
    return 1;
}
