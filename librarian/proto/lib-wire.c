/*
 * Byte order of the protocol's structs (lib-wire.h). Every field of every
 * struct is listed; the size checks below fail the build when the
 * protocol header gains a field, as a reminder to list it here too
 * (a missing line would only show on a big-endian host).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE         /* le32toh() and friends in glibc */
#endif
#include <endian.h>
#include <stdint.h>

#include "lib-wire.h"

_Static_assert(sizeof(struct fam_lib_hdr) == 48, "list new fields below");
_Static_assert(sizeof(struct fam_lib_args) == 64, "list new fields below");
_Static_assert(sizeof(struct fam_lib_version) == 40, "list new fields");
_Static_assert(sizeof(struct fam_lib_statfs) == 104, "list new fields");
_Static_assert(sizeof(struct fam_lib_book) == 24, "list new fields");
_Static_assert(sizeof(struct fam_lib_attr) == 80, "list new fields");
_Static_assert(sizeof(struct fam_lib_open) == 88, "list new fields");
_Static_assert(sizeof(struct fam_lib_fstat) == 96, "list new fields");
_Static_assert(sizeof(struct fam_lib_list) == 16, "list new fields");
_Static_assert(sizeof(struct fam_lib_dirent) == 24, "list new fields");
_Static_assert(sizeof(struct fam_lib_opened) == 32, "list new fields");
_Static_assert(sizeof(struct fam_lib_node_status) == 32, "list new fields");
_Static_assert(sizeof(struct fam_lib_oob) == 16, "list new fields");
_Static_assert(sizeof(struct fam_lib_count) == 8, "list new fields");

/* le*toh() and htole*() are the same swap; le*toh() reads better here. */
#define W16(f) ((f) = le16toh(f))
#define W32(f) ((f) = le32toh(f))
#define W64(f) ((f) = le64toh(f))
#define WS32(f) ((f) = (int32_t)le32toh((uint32_t)(f)))
#define WS64(f) ((f) = (int64_t)le64toh((uint64_t)(f)))

void fam_lib_wire_hdr(struct fam_lib_hdr *h)
{
    W32(h->magic);
    W16(h->version);
    W16(h->opcode);
    W32(h->length);
    W32(h->seq);
    W32(h->flags);
    WS32(h->status);
    W32(h->node);
    W32(h->uid);
    W32(h->gid);
    W32(h->pid);
    W64(h->reserved);
}

void fam_lib_wire_args(struct fam_lib_args *a)
{
    W64(a->handle);
    W64(a->size);
    WS64(a->atime_ns);
    WS64(a->mtime_ns);
    W32(a->mode);
    W32(a->flags);
    W32(a->uid);
    W32(a->gid);
    W32(a->len1);
    W32(a->len2);
    W32(a->len3);
    W32(a->reserved);
}

void fam_lib_wire_version(struct fam_lib_version *v)
{
    W32(v->version);
    W32(v->schema);
}

void fam_lib_wire_statfs(struct fam_lib_statfs *s)
{
    W64(s->pool_size);
    W64(s->book_size);
    W64(s->books_total);
    W64(s->books_free);
    W64(s->books_inuse);
    W64(s->books_zombie);
    W64(s->books_offline);
    W64(s->shelves);
    W32(s->nodes);
    W32(s->modules);
}

void fam_lib_wire_book(struct fam_lib_book *b)
{
    W64(b->book);
    W64(b->shelf);
    W32(b->module);
    W32(b->state);
}

void fam_lib_wire_attr(struct fam_lib_attr *a)
{
    W64(a->id);
    W64(a->parent);
    W64(a->size);
    W64(a->books);
    WS64(a->atime_ns);
    WS64(a->mtime_ns);
    WS64(a->ctime_ns);
    W32(a->mode);
    W32(a->nlink);
    W32(a->uid);
    W32(a->gid);
    W32(a->opens);
    W32(a->reserved);
}

void fam_lib_wire_open(struct fam_lib_open *o)
{
    W64(o->handle);
    fam_lib_wire_attr(&o->attr);
}

void fam_lib_wire_fstat(struct fam_lib_fstat *f)
{
    W64(f->handle);
    W32(f->flags);
    W32(f->node);
    fam_lib_wire_attr(&f->attr);
}

void fam_lib_wire_list(struct fam_lib_list *l)
{
    W64(l->next);
    W32(l->count);
    W32(l->done);
}

void fam_lib_wire_dirent(struct fam_lib_dirent *d)
{
    W64(d->id);
    W64(d->next);
    W32(d->mode);
    W16(d->namelen);
    W16(d->reclen);
}

void fam_lib_wire_opened(struct fam_lib_opened *o)
{
    W64(o->handle);
    W64(o->shelf);
    W32(o->node);
    W32(o->pid);
    W32(o->flags);
    W32(o->reserved);
}

void fam_lib_wire_node_status(struct fam_lib_node_status *s)
{
    W32(s->cpu_percent);
    W32(s->mem_percent);
    W32(s->rootfs_percent);
    W32(s->reserved);
    W64(s->network_in);
    W64(s->network_out);
}

void fam_lib_wire_oob(struct fam_lib_oob *o)
{
    W64(o->id);
    W32(o->node);
    W16(o->len);
    W16(o->reclen);
}

void fam_lib_wire_count(struct fam_lib_count *c)
{
    W64(c->count);
}
