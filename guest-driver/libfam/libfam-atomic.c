/*
 * 32- and 64-bit atomics on mapped fabric-attached memory. A mapped LFS
 * file is the pool itself, shared coherently by every node, so GCC's
 * __atomic builtins compile to what is needed: `lock xadd`, `xchg`,
 * `lock cmpxchg` (and a cmpxchg loop for the bitwise fetch_*, whose
 * results x86 has no single instruction for). All are SEQ_CST: a full
 * barrier, as libfam-atomic promised for its operations.
 *
 * GCC defines these builtins on signed types to wrap around, so the
 * arithmetic is two's complement with no undefined overflow.
 */
#include "fame/libfam.h"

#include "libfam-int.h"

#define SC __ATOMIC_SEQ_CST

int32_t fam_atomic_32_fetch_add(int32_t *address, int32_t increment)
{
    libfam_check_align(__func__, address, 4);
    return __atomic_fetch_add(address, increment, SC);
}

int64_t fam_atomic_64_fetch_add(int64_t *address, int64_t increment)
{
    libfam_check_align(__func__, address, 8);
    return __atomic_fetch_add(address, increment, SC);
}

int32_t fam_atomic_32_fetch_and(int32_t *address, int32_t arg)
{
    libfam_check_align(__func__, address, 4);
    return __atomic_fetch_and(address, arg, SC);
}

int64_t fam_atomic_64_fetch_and(int64_t *address, int64_t arg)
{
    libfam_check_align(__func__, address, 8);
    return __atomic_fetch_and(address, arg, SC);
}

int32_t fam_atomic_32_fetch_or(int32_t *address, int32_t arg)
{
    libfam_check_align(__func__, address, 4);
    return __atomic_fetch_or(address, arg, SC);
}

int64_t fam_atomic_64_fetch_or(int64_t *address, int64_t arg)
{
    libfam_check_align(__func__, address, 8);
    return __atomic_fetch_or(address, arg, SC);
}

int32_t fam_atomic_32_fetch_xor(int32_t *address, int32_t arg)
{
    libfam_check_align(__func__, address, 4);
    return __atomic_fetch_xor(address, arg, SC);
}

int64_t fam_atomic_64_fetch_xor(int64_t *address, int64_t arg)
{
    libfam_check_align(__func__, address, 8);
    return __atomic_fetch_xor(address, arg, SC);
}

int32_t fam_atomic_32_swap(int32_t *address, int32_t value)
{
    libfam_check_align(__func__, address, 4);
    return __atomic_exchange_n(address, value, SC);
}

int64_t fam_atomic_64_swap(int64_t *address, int64_t value)
{
    libfam_check_align(__func__, address, 8);
    return __atomic_exchange_n(address, value, SC);
}

/* A failed compare-exchange leaves the value it found in `compare`. */
int32_t fam_atomic_32_compare_store(int32_t *address, int32_t compare,
                                    int32_t store)
{
    libfam_check_align(__func__, address, 4);
    __atomic_compare_exchange_n(address, &compare, store, false, SC, SC);
    return compare;
}

int64_t fam_atomic_64_compare_store(int64_t *address, int64_t compare,
                                    int64_t store)
{
    libfam_check_align(__func__, address, 8);
    __atomic_compare_exchange_n(address, &compare, store, false, SC, SC);
    return compare;
}

int32_t fam_atomic_32_read(int32_t *address)
{
    libfam_check_align(__func__, address, 4);
    return __atomic_load_n(address, SC);
}

int64_t fam_atomic_64_read(int64_t *address)
{
    libfam_check_align(__func__, address, 8);
    return __atomic_load_n(address, SC);
}

/* A SEQ_CST store is an `xchg` on x86: it also orders later loads. */
void fam_atomic_32_write(int32_t *address, int32_t value)
{
    libfam_check_align(__func__, address, 4);
    __atomic_store_n(address, value, SC);
}

void fam_atomic_64_write(int64_t *address, int64_t value)
{
    libfam_check_align(__func__, address, 8);
    __atomic_store_n(address, value, SC);
}
