/*
 * libfam: fabric-attached memory as memory, for programs in a fame node.
 *
 * Map a file of the LFS (/lfs) and use it with the atomic operations,
 * spinlock and cache helpers below. The atomics have the names, argument
 * lists and meaning of HPE's libfam-atomic (fam_atomic.h), so programs
 * written for it build here unchanged (see docs/libfam.md for the few
 * differences). In FAME a mapped LFS file is the pool's own memory and
 * every node reaches it coherently, so each operation is one locked x86
 * instruction (or a loop of them), not a call into a driver.
 *
 * Every atomic is sequentially consistent (C11 seq_cst) and a compiler
 * barrier; all but the 32/64-bit reads are locked instructions, full
 * fences for the CPU (docs/libfam.md, "Memory ordering"). Addresses
 * must be naturally aligned (4, 8 or 16 bytes); a misaligned address,
 * or a 128-bit operation on a CPU without cmpxchg16b, prints one line on
 * stderr and aborts the program, since these functions have no error
 * return. Keep each atomic in its own
 * 64-byte cache line, as libfam-atomic asks, for speed.
 *
 * Include as "fame/libfam.h" and link libfam.a (in the guest image:
 * /usr/include/fame/libfam.h and /usr/lib/libfam.a). No global state: any
 * thread may call anything at any time.
 */
#ifndef FAME_LIBFAM_H
#define FAME_LIBFAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Mapping an LFS file ---------------------------------------------- */

/* A mapped file: its first `size` bytes at `addr`, open as `fd`. */
struct fam_map {
    void *addr;
    size_t size;
    int fd;
};

#define FAM_MAP_RDONLY  0x1  /* open read-only, map PROT_READ */
#define FAM_MAP_CREATE  0x2  /* create the file if missing, grow it to size */

/*
 * Open `path` and map its first `size` bytes (the whole file if size is
 * 0) shared, readable and writable (FAM_MAP_RDONLY: readable). A file
 * shorter than `size` is an error (ENXIO: its missing pages would raise
 * SIGBUS), unless FAM_MAP_CREATE grows it (zero-filled). Fills *map and
 * returns 0; on error returns -1 with errno set, *map = {NULL, 0, -1},
 * and nothing left open or mapped:
 *   EINVAL  unknown flags, RDONLY with CREATE, map NULL, or a size of 0
 *           for an empty file
 *   ENODEV  not a regular file (EISDIR for a directory)
 *   ENXIO   the file is shorter than size (without FAM_MAP_CREATE)
 *   EFBIG   size does not fit in off_t
 *   anything open(2), fstat(2), ftruncate(2) or mmap(2) gives
 */
int fam_map_file(const char *path, size_t size, int flags,
                 struct fam_map *map);

/* Unmap and close; 0, or -1 with errno. *map is reset either way. */
int fam_unmap_file(struct fam_map *map);

/*
 * libfam-atomic's region registration. HPE's library had to learn which
 * file and offset an address belonged to before its atomics could use
 * it; here the CPU's atomics reach the pool directly and nothing needs
 * registering. These only check their arguments, so that ported programs
 * keep their error paths: 0, or -1 with errno EINVAL (region_start NULL
 * or not page-aligned, region_length 0, offset negative or not
 * page-aligned) or EBADF (fd not open).
 */
int fam_atomic_register_region(void *region_start, size_t region_length,
                               int fd, off_t offset);
void fam_atomic_unregister_region(void *region_start, size_t region_length);

/* ---- 32- and 64-bit atomics ------------------------------------------- */
/*
 * fetch_*: apply the operation and return the value from before it.
 * Arithmetic wraps (two's complement), as in C11 atomics.
 */
int32_t fam_atomic_32_fetch_add(int32_t *address, int32_t increment);
int64_t fam_atomic_64_fetch_add(int64_t *address, int64_t increment);
int32_t fam_atomic_32_fetch_and(int32_t *address, int32_t arg);
int64_t fam_atomic_64_fetch_and(int64_t *address, int64_t arg);
int32_t fam_atomic_32_fetch_or(int32_t *address, int32_t arg);
int64_t fam_atomic_64_fetch_or(int64_t *address, int64_t arg);
int32_t fam_atomic_32_fetch_xor(int32_t *address, int32_t arg);
int64_t fam_atomic_64_fetch_xor(int64_t *address, int64_t arg);

/* Store value; return the value it replaced. */
int32_t fam_atomic_32_swap(int32_t *address, int32_t value);
int64_t fam_atomic_64_swap(int64_t *address, int64_t value);

/*
 * If *address equals compare, store `store`. Either way return the value
 * *address held before: the store happened exactly when it equals
 * compare.
 */
int32_t fam_atomic_32_compare_store(int32_t *address, int32_t compare,
                                    int32_t store);
int64_t fam_atomic_64_compare_store(int64_t *address, int64_t compare,
                                    int64_t store);

int32_t fam_atomic_32_read(int32_t *address);
int64_t fam_atomic_64_read(int64_t *address);
void fam_atomic_32_write(int32_t *address, int32_t value);
void fam_atomic_64_write(int64_t *address, int64_t value);

/* ---- 128-bit atomics (cmpxchg16b) ------------------------------------- */
/*
 * A 128-bit value is two int64_t: [0] at address (the low half), [1] at
 * address + 8. address must be 16-byte aligned. Every operation is a
 * cmpxchg16b, which always writes its line: the 128-bit read too needs a
 * writable mapping (SIGSEGV on a read-only one).
 */

/* Whether this CPU has cmpxchg16b (every 128-bit operation needs it). */
bool fam_atomic_128_supported(void);

/* Store value; the value it replaced goes to result. */
void fam_atomic_128_swap(int64_t *address, int64_t value[2],
                         int64_t result[2]);

/*
 * If *address equals compare, store `store`. Either way result gets the
 * value from before: the store happened exactly when result equals
 * compare.
 */
void fam_atomic_128_compare_store(int64_t *address, int64_t compare[2],
                                  int64_t store[2], int64_t result[2]);

void fam_atomic_128_read(int64_t *address, int64_t result[2]);
void fam_atomic_128_write(int64_t *address, int64_t value[2]);

/* ---- Spinlock ---------------------------------------------------------- */
/*
 * A test-and-test-and-set lock in one 64-bit word (libfam-atomic's lock
 * is 8 bytes too, so structures that embed one keep their layout). Not
 * fair. Put it in FAM to share it between nodes; all-zero is unlocked,
 * so a fresh LFS file (zero-filled) holds unlocked locks. A waiter spins
 * on plain reads and yields its CPU now and then (sched_yield), since a
 * fame node has one CPU and the holder may be a process of the same node.
 */
struct fam_spinlock {
    int64_t word;
};

#define FAM_SPINLOCK_INITIALIZER ((struct fam_spinlock){ 0 })

void fam_spin_lock_init(struct fam_spinlock *lock);
void fam_spin_lock(struct fam_spinlock *lock);
/* Take the lock if it is free: true if taken, never waits. */
bool fam_spin_trylock(struct fam_spinlock *lock);
void fam_spin_unlock(struct fam_spinlock *lock);

/* ---- Cache flush and fences ------------------------------------------- */
/*
 * FAME's pool is coherent (every node's view is the same host memory),
 * so programs need these only to make stores durable in a persistent
 * pool or to run unchanged on non-coherent fabric memory. Both range
 * functions cover every cache line that [addr, addr + len) touches and
 * end with a store fence, so the lines are written back when they
 * return.
 */

/* Write back and evict: clflushopt if the CPU has it, else clflush. */
void fam_flush(const void *addr, size_t len);

/* Write back, keeping the lines if the CPU can: clwb, else as fam_flush. */
void fam_writeback(const void *addr, size_t len);

/* Full fence (mfence): every load and store before it, before any after. */
void fam_fence(void);

/* Store fence (sfence): every store and flush before it, before any after. */
void fam_store_fence(void);

/* The instruction fam_flush / fam_writeback use on this CPU. */
const char *fam_flush_insn(void);
const char *fam_writeback_insn(void);

#ifdef __cplusplus
}
#endif

#endif /* FAME_LIBFAM_H */
