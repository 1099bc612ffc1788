/*
 * Lists of pool byte ranges: what a grant or revoke covers. Adjacent
 * books are one range, so a shelf of contiguous books is one hook call.
 */
#include "lib-int.h"

int lib_ranges_add(LibRanges *rs, uint64_t offset, uint64_t len)
{
    if (rs->n > 0 && rs->r[rs->n - 1].offset + rs->r[rs->n - 1].len ==
        offset) {
        rs->r[rs->n - 1].len += len;
        return 0;
    }
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 16;
        LibRange *r = realloc(rs->r, cap * sizeof(*r));

        if (r == NULL) {
            return -ENOMEM;
        }
        rs->r = r;
        rs->cap = cap;
    }
    rs->r[rs->n].offset = offset;
    rs->r[rs->n].len = len;
    rs->n++;
    return 0;
}

static int range_cmp(const void *a, const void *b)
{
    const LibRange *x = a, *y = b;

    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

void lib_ranges_coalesce(LibRanges *rs)
{
    size_t out = 0;

    if (rs->n < 2) {
        return;
    }
    qsort(rs->r, rs->n, sizeof(rs->r[0]), range_cmp);
    for (size_t i = 1; i < rs->n; i++) {
        LibRange *last = &rs->r[out];

        if (last->offset + last->len >= rs->r[i].offset) {
            uint64_t end = rs->r[i].offset + rs->r[i].len;

            if (end > last->offset + last->len) {
                last->len = end - last->offset;
            }
        } else {
            rs->r[++out] = rs->r[i];
        }
    }
    rs->n = out + 1;
}

void lib_ranges_free(LibRanges *rs)
{
    free(rs->r);
    rs->r = NULL;
    rs->n = rs->cap = 0;
}
