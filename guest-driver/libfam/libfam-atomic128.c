/*
 * 128-bit atomics: every one is `lock cmpxchg16b`, the only x86
 * instruction that reads and writes 16 bytes atomically. It is written
 * here in inline assembly because GCC compiles __atomic on __int128 into
 * calls to libatomic, which may take a lock in memory local to the
 * process: useless between nodes.
 *
 * cmpxchg16b raises #GP on an address that is not 16-byte aligned and
 * #UD on a CPU without it (CPUID.1:ECX.CX16); both are refused first with
 * a message. FAME's nodes have it: the fame machine's default CPU model
 * (qemu64) sets CX16, and TCG implements the instruction atomically
 * across vCPUs.
 */
#include "fame/libfam.h"

#include "libfam-int.h"

/*
 * One cmpxchg16b: if *p == cmp, store `store` and return true; else
 * return false. Either way cmp ends up holding what *p held, read
 * atomically (the instruction loads RDX:RAX on failure and leaves them
 * equal to *p on success).
 */
static inline bool cas16(int64_t *p, int64_t cmp[2], const int64_t store[2])
{
    bool ok;

    __asm__ __volatile__("lock cmpxchg16b %[m]"
                         : "=@ccz"(ok), [m] "+m"(*(volatile __int128 *)p),
                           "+a"(cmp[0]), "+d"(cmp[1])
                         : "b"(store[0]), "c"(store[1])
                         : "memory");
    return ok;
}

bool fam_atomic_128_supported(void)
{
    return libfam_cpu_has(LIBFAM_CPU_CX16);
}

static void check128(const char *op, const int64_t *address)
{
    if (!fam_atomic_128_supported()) {
        libfam_refuse(op, address, "needs cmpxchg16b, which this CPU lacks");
    }
    libfam_check_align(op, address, 16);
}

void fam_atomic_128_compare_store(int64_t *address, int64_t compare[2],
                                  int64_t store[2], int64_t result[2])
{
    int64_t seen[2] = { compare[0], compare[1] };

    check128(__func__, address);
    cas16(address, seen, store);
    result[0] = seen[0];
    result[1] = seen[1];
}

/*
 * Guess the current value from two plain loads; a wrong guess costs one
 * more round, as the failed cmpxchg16b hands back the true value.
 */
void fam_atomic_128_swap(int64_t *address, int64_t value[2],
                         int64_t result[2])
{
    volatile int64_t *v = address;
    int64_t seen[2];
    const int64_t store[2] = { value[0], value[1] };

    check128(__func__, address);
    seen[0] = v[0];
    seen[1] = v[1];
    while (!cas16(address, seen, store)) {
        /* seen now holds the current value: try again with it */
    }
    result[0] = seen[0];
    result[1] = seen[1];
}

/*
 * Compare with anything and store that same thing back: on a match
 * memory is unchanged, otherwise the instruction returns the value.
 * Either way `seen` is the value, read in one atomic access.
 */
void fam_atomic_128_read(int64_t *address, int64_t result[2])
{
    int64_t seen[2] = { 0, 0 };
    const int64_t same[2] = { 0, 0 };

    check128(__func__, address);
    cas16(address, seen, same);
    result[0] = seen[0];
    result[1] = seen[1];
}

void fam_atomic_128_write(int64_t *address, int64_t value[2])
{
    int64_t old[2];

    check128(__func__, address);
    fam_atomic_128_swap(address, value, old);
}
