// SPDX-License-Identifier: GPL-2.0
/*
 * fam: what shelf files ask the Librarian, through the mailbox.
 *
 * The driver trusts no number from the program that hands it a handle:
 * it asks the Librarian what the handle is open for (FSTAT) and where the
 * shelf's books are (SHELF_BOOKS by handle, page by page), and checks
 * that every book lies in the pool before any of it is mapped. The
 * Librarian refuses a handle of another node (EBADF), so a node cannot
 * reach another node's opens.
 */
#include <linux/atomic.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "fam-shelf.h"
#include "fame/fam-librarian-proto.h"

/* Tries to read a consistent size and book list under concurrent resizes */
#define FAM_SHELF_LOAD_TRIES	4

static atomic_t fam_shelf_seq = ATOMIC_INIT(0);

/*
 * Send one request with no strings (every call here is by handle) in
 * `buf` (FAM_MBOX_DATA_SIZE bytes). Returns the length of the reply's
 * body, which then starts at buf + sizeof(hdr), or a negative errno: the
 * transport's, or the Librarian's status.
 */
static int fam_shelf_call(struct fam_dev *fam, void *buf, u16 op, u64 handle,
			  u64 size, bool intr)
{
	struct fam_lib_hdr *hdr = buf;
	struct fam_lib_args *args = buf + sizeof(*hdr);
	u32 len = sizeof(*hdr) + sizeof(*args);
	u32 seq = atomic_inc_return(&fam_shelf_seq);
	int ret;

	memset(buf, 0, len);
	hdr->magic = cpu_to_le32(FAM_LIB_MAGIC);
	hdr->version = cpu_to_le16(FAM_LIB_VERSION);
	hdr->opcode = cpu_to_le16(op);
	hdr->length = cpu_to_le32(len);
	hdr->seq = cpu_to_le32(seq);
	args->handle = cpu_to_le64(handle);
	args->size = cpu_to_le64(size);
	ret = fam_mbox_kcall(fam, buf, len, intr);
	if (ret < 0)
		return ret;
	if (ret < sizeof(*hdr) || le32_to_cpu(hdr->magic) != FAM_LIB_MAGIC ||
	    le16_to_cpu(hdr->opcode) != op || le32_to_cpu(hdr->seq) != seq ||
	    !(le32_to_cpu(hdr->flags) & FAM_LIB_F_REPLY) ||
	    le32_to_cpu(hdr->length) != ret)
		return -EPROTO;
	if (hdr->status) {
		ret = le32_to_cpu(hdr->status);
		return ret > 0 && ret < MAX_ERRNO ? -ret : -EPROTO;
	}
	return ret - sizeof(*hdr);
}

static int fam_shelf_fstat(struct fam_dev *fam, void *buf, u64 handle,
			   struct fam_lib_fstat *st)
{
	int ret = fam_shelf_call(fam, buf, FAM_LIB_OP_FSTAT, handle, 0, true);

	if (ret < 0)
		return ret;
	if (ret != sizeof(*st))
		return -EPROTO;
	memcpy(st, buf + sizeof(struct fam_lib_hdr), sizeof(*st));
	if (le64_to_cpu(st->handle) != handle)
		return -EPROTO;
	return 0;
}

/* Every book of the shelf into map->books, checked against the pool. */
static int fam_shelf_books(struct fam_dev *fam, void *buf, u64 handle,
			   struct fam_shelf_map *map)
{
	u64 pool_books = div64_u64(fam->pool_size, fam->book_size);
	u64 cursor = 0, n = 0;
	bool done = false;

	while (!done) {
		const struct fam_lib_list *l = buf + sizeof(struct fam_lib_hdr);
		const struct fam_lib_book *b = (const void *)(l + 1);
		int ret = fam_shelf_call(fam, buf, FAM_LIB_OP_SHELF_BOOKS,
					 handle, cursor, true);
		u32 count, i;

		if (ret < 0)
			return ret;
		if (ret < sizeof(*l))
			return -EPROTO;
		count = le32_to_cpu(l->count);
		if (count > (ret - sizeof(*l)) / sizeof(*b))
			return -EPROTO;
		done = le32_to_cpu(l->done);
		cursor = le64_to_cpu(l->next);
		/* A page with nothing must end the list, or we would loop */
		if (!count && !done)
			return -EPROTO;
		for (i = 0; i < count; i++, n++) {
			u64 book = le64_to_cpu(b[i].book);

			/* More books than the size needs: it grew meanwhile */
			if (n >= map->nbooks)
				return -EAGAIN;
			if (book >= pool_books ||
			    le64_to_cpu(b[i].shelf) != map->id ||
			    le32_to_cpu(b[i].state) != FAM_LIB_BOOK_INUSE)
				return -EPROTO;
			map->books[n] = book;
		}
	}
	return n == map->nbooks ? 0 : -EAGAIN;
}

static bool fam_shelf_same(const struct fam_lib_fstat *a,
			   const struct fam_lib_fstat *b)
{
	return a->attr.size == b->attr.size &&
	       a->attr.books == b->attr.books &&
	       a->attr.ctime_ns == b->attr.ctime_ns &&
	       a->flags == b->flags;
}

/*
 * One attempt: FSTAT, the books, FSTAT again; -EAGAIN if it moved. An
 * empty shelf needs the first FSTAT only.
 */
static int fam_shelf_load_once(struct fam_dev *fam, void *buf, u64 handle,
			       struct fam_shelf_map *map)
{
	struct fam_lib_fstat st, again;
	u64 size, nbooks, rem;
	int ret;

	ret = fam_shelf_fstat(fam, buf, handle, &st);
	if (ret)
		return ret;
	if ((le32_to_cpu(st.attr.mode) & FAM_LIB_S_IFMT) != FAM_LIB_S_IFREG)
		return -EPROTO;
	size = le64_to_cpu(st.attr.size);
	if (size > MAX_LFS_FILESIZE)
		return -EFBIG;
	/* Whole books cover the size: no product here can overflow */
	nbooks = div64_u64_rem(size, fam->book_size, &rem) + (rem != 0);
	if (nbooks != le64_to_cpu(st.attr.books))
		return -EAGAIN;
	if (nbooks > div64_u64(fam->pool_size, fam->book_size))
		return -EPROTO;
	map->id = le64_to_cpu(st.attr.id);
	map->open_flags = le32_to_cpu(st.flags);
	map->size = size;
	map->nbooks = nbooks;
	map->books = kvcalloc(max_t(u64, nbooks, 1), sizeof(u64), GFP_KERNEL);
	if (!map->books)
		return -ENOMEM;
	/* No books (a new file): the one FSTAT is the whole, consistent map */
	if (!nbooks)
		return 0;
	ret = fam_shelf_books(fam, buf, handle, map);
	if (!ret)
		ret = fam_shelf_fstat(fam, buf, handle, &again);
	if (!ret && !fam_shelf_same(&st, &again))
		ret = -EAGAIN;
	if (ret)
		fam_shelf_map_free(map);
	return ret;
}

int fam_shelf_lib_load(struct fam_dev *fam, u64 handle,
		       struct fam_shelf_map *map)
{
	void *buf = kmalloc(FAM_MBOX_DATA_SIZE, GFP_KERNEL);
	int tries = FAM_SHELF_LOAD_TRIES;
	int ret;

	if (!buf)
		return -ENOMEM;
	do {
		memset(map, 0, sizeof(*map));
		ret = fam_shelf_load_once(fam, buf, handle, map);
	} while (ret == -EAGAIN && --tries);
	kfree(buf);
	return ret;
}

int fam_shelf_lib_resize(struct fam_dev *fam, u64 handle, u64 size)
{
	void *buf = kmalloc(FAM_MBOX_DATA_SIZE, GFP_KERNEL);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = fam_shelf_call(fam, buf, FAM_LIB_OP_RESIZE, handle, size, true);
	kfree(buf);
	return ret < 0 ? ret : 0;
}

int fam_shelf_lib_close(struct fam_dev *fam, u64 handle)
{
	void *buf = kmalloc(FAM_MBOX_DATA_SIZE, GFP_KERNEL);
	int ret;

	if (!buf)
		return -ENOMEM;
	/* At eviction, perhaps of a process being killed: no signals */
	ret = fam_shelf_call(fam, buf, FAM_LIB_OP_CLOSE, handle, 0, false);
	kfree(buf);
	return ret < 0 ? ret : 0;
}

void fam_shelf_map_free(struct fam_shelf_map *map)
{
	kvfree(map->books);
	map->books = NULL;
}
