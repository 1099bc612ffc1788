/*
 * Unit tests of libfam's 128-bit atomics: word order ([0] at the lower
 * address), each operation's result and the value it leaves, a compare
 * that matches in one half only, and the refusal of an address that is
 * 8- but not 16-byte aligned.
 */
#include <cpuid.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "fame/libfam.h"

static struct {
    _Alignas(64) int64_t pair[2];
    _Alignas(64) int64_t odd[3];  /* odd + 1 is 8- but not 16-byte aligned */
} cell;

static void set(int64_t lo, int64_t hi)
{
    cell.pair[0] = lo;
    cell.pair[1] = hi;
}

static void assert_pair(const int64_t v[2], int64_t lo, int64_t hi)
{
    g_assert_cmpint(v[0], ==, lo);
    g_assert_cmpint(v[1], ==, hi);
}

static void test_supported(void)
{
    unsigned a, b, c = 0, d;

    /* Asked directly, CPUID.1:ECX.CX16 must agree. */
    g_assert_true(__get_cpuid(1, &a, &b, &c, &d));
    g_assert_cmpint(fam_atomic_128_supported(), ==, !!(c & bit_CMPXCHG16B));
    /* and the rest of this test needs it (every host FAME builds on has it) */
    g_assert_true(fam_atomic_128_supported());
}

static void test_read_write(void)
{
    int64_t v[2] = { 0x1111222233334444ll, -5 };
    int64_t r[2] = { 0, 0 };
    unsigned char bytes[16];

    fam_atomic_128_write(cell.pair, v);
    assert_pair(cell.pair, 0x1111222233334444ll, -5);
    /* [0] is the low half: the first 8 bytes in memory, little-endian. */
    memcpy(bytes, cell.pair, 16);
    g_assert_cmpuint(bytes[0], ==, 0x44);
    g_assert_cmpuint(bytes[8], ==, 0xfb);
    fam_atomic_128_read(cell.pair, r);
    assert_pair(r, 0x1111222233334444ll, -5);
    /* The read stores nothing back, including when the value is 0. */
    set(0, 0);
    fam_atomic_128_read(cell.pair, r);
    assert_pair(r, 0, 0);
    assert_pair(cell.pair, 0, 0);
}

static void test_swap(void)
{
    int64_t v[2] = { 3, 4 }, r[2];

    set(INT64_MIN, INT64_MAX);
    fam_atomic_128_swap(cell.pair, v, r);
    assert_pair(r, INT64_MIN, INT64_MAX);
    assert_pair(cell.pair, 3, 4);
    assert_pair(v, 3, 4);           /* the input is left alone */
}

static void test_compare_store(void)
{
    int64_t cmp[2] = { 1, 2 }, st[2] = { 10, 20 }, r[2];

    set(1, 2);
    fam_atomic_128_compare_store(cell.pair, cmp, st, r);
    assert_pair(r, 1, 2);           /* a hit: result == compare */
    assert_pair(cell.pair, 10, 20);
    assert_pair(cmp, 1, 2);         /* inputs unchanged */

    /* Misses: whole, low half only, high half only. */
    fam_atomic_128_compare_store(cell.pair, cmp, st, r);
    assert_pair(r, 10, 20);
    assert_pair(cell.pair, 10, 20);
    cmp[0] = 10;
    st[0] = 99;
    fam_atomic_128_compare_store(cell.pair, cmp, st, r);
    assert_pair(r, 10, 20);
    assert_pair(cell.pair, 10, 20);
    cmp[0] = 1;
    cmp[1] = 20;
    fam_atomic_128_compare_store(cell.pair, cmp, st, r);
    assert_pair(r, 10, 20);
    assert_pair(cell.pair, 10, 20);
    cmp[0] = 10;
    fam_atomic_128_compare_store(cell.pair, cmp, st, r);
    assert_pair(r, 10, 20);
    assert_pair(cell.pair, 99, 20);
}

static void test_misaligned(void)
{
    int64_t r[2];

    if (g_test_subprocess()) {
        fam_atomic_128_read(cell.odd + 1, r);
        return;
    }
    g_assert_cmpuint((uintptr_t)(cell.odd + 1) % 16, ==, 8);
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("libfam: fam_atomic_128_read: address 0x*"
                              " not 16-byte aligned\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/libfam/atomic128/supported", test_supported);
    g_test_add_func("/libfam/atomic128/read-write", test_read_write);
    g_test_add_func("/libfam/atomic128/swap", test_swap);
    g_test_add_func("/libfam/atomic128/compare-store", test_compare_store);
    g_test_add_func("/libfam/atomic128/misaligned", test_misaligned);
    return g_test_run();
}
