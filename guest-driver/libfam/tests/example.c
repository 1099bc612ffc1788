/*
 * The example of docs/libfam.md, with the file's path from argv: every
 * run adds one to a counter in the file, both with a fetch-add and under
 * the spinlock, and prints both. The libfam-image test builds it against
 * the header and library exactly as the guest image carries them.
 */
#include <stdio.h>

#include "fame/libfam.h"

struct shared {
    _Alignas(64) int64_t hits;           /* each atomic in its own line */
    _Alignas(64) struct fam_spinlock lock;
    _Alignas(64) int64_t plain;          /* only touched under the lock */
};

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/lfs/counters";
    struct fam_map m;
    struct shared *s;
    long long hits, plain;

    /* Every node maps the same file; a new LFS file is zero-filled, and
     * all-zero words are a valid start (the lock is unlocked). */
    if (fam_map_file(path, sizeof(*s), FAM_MAP_CREATE, &m) < 0) {
        perror("fam_map_file");
        return 1;
    }
    s = m.addr;
    hits = fam_atomic_64_fetch_add(&s->hits, 1) + 1;
    fam_spin_lock(&s->lock);
    plain = ++s->plain;
    fam_spin_unlock(&s->lock);
    printf("hits %lld, under the lock %lld\n", hits, plain);
    return fam_unmap_file(&m) < 0;
}
