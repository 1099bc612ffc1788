/*
 * Unit tests of libfam's 32- and 64-bit atomics: each operation's result
 * and the value it leaves, at the edges (wrap-around, sign bits), and the
 * refusal of a misaligned address (a message and abort, in a subprocess).
 */
#include <glib.h>
#include <stdint.h>

#include "fame/libfam.h"

/* Atomics in their own cache lines, as a program would place them. */
static struct {
    _Alignas(64) int32_t w32;
    _Alignas(64) int64_t w64;
    _Alignas(64) char bytes[16];
} cell;

static void test_fetch_add(void)
{
    cell.w32 = 5;
    g_assert_cmpint(fam_atomic_32_fetch_add(&cell.w32, 3), ==, 5);
    g_assert_cmpint(cell.w32, ==, 8);
    g_assert_cmpint(fam_atomic_32_fetch_add(&cell.w32, -10), ==, 8);
    g_assert_cmpint(cell.w32, ==, -2);
    cell.w32 = INT32_MAX;
    g_assert_cmpint(fam_atomic_32_fetch_add(&cell.w32, 1), ==, INT32_MAX);
    g_assert_cmpint(cell.w32, ==, INT32_MIN);       /* wraps */

    cell.w64 = 1ll << 40;
    g_assert_cmpint(fam_atomic_64_fetch_add(&cell.w64, 7), ==, 1ll << 40);
    g_assert_cmpint(cell.w64, ==, (1ll << 40) + 7);
    cell.w64 = INT64_MAX;
    g_assert_cmpint(fam_atomic_64_fetch_add(&cell.w64, 2), ==, INT64_MAX);
    g_assert_cmpint(cell.w64, ==, INT64_MIN + 1);
}

static void test_bitwise(void)
{
    cell.w32 = 0x0ff0;
    g_assert_cmpint(fam_atomic_32_fetch_and(&cell.w32, 0x00ff), ==, 0x0ff0);
    g_assert_cmpint(cell.w32, ==, 0x00f0);
    g_assert_cmpint(fam_atomic_32_fetch_or(&cell.w32, INT32_MIN), ==, 0xf0);
    g_assert_cmpint(cell.w32, ==, INT32_MIN | 0xf0);
    g_assert_cmpint(fam_atomic_32_fetch_xor(&cell.w32, -1), ==,
                    INT32_MIN | 0xf0);
    g_assert_cmpint(cell.w32, ==, ~(INT32_MIN | 0xf0));

    cell.w64 = 0x123456789abcdef0ll;
    g_assert_cmpint(fam_atomic_64_fetch_and(&cell.w64, 0xffff00000000ll), ==,
                    0x123456789abcdef0ll);
    g_assert_cmpint(cell.w64, ==, 0x567800000000ll);
    g_assert_cmpint(fam_atomic_64_fetch_or(&cell.w64, 0x1ll << 62), ==,
                    0x567800000000ll);
    g_assert_cmpint(cell.w64, ==, 0x4000567800000000ll);
    g_assert_cmpint(fam_atomic_64_fetch_xor(&cell.w64, 0x4000000000000001ll),
                    ==, 0x4000567800000000ll);
    g_assert_cmpint(cell.w64, ==, 0x567800000001ll);
}

static void test_swap(void)
{
    cell.w32 = 11;
    g_assert_cmpint(fam_atomic_32_swap(&cell.w32, -12), ==, 11);
    g_assert_cmpint(cell.w32, ==, -12);
    cell.w64 = -1;
    g_assert_cmpint(fam_atomic_64_swap(&cell.w64, 1ll << 50), ==, -1);
    g_assert_cmpint(cell.w64, ==, 1ll << 50);
}

static void test_compare_store(void)
{
    cell.w32 = 7;
    /* A miss returns the value and stores nothing. */
    g_assert_cmpint(fam_atomic_32_compare_store(&cell.w32, 8, 9), ==, 7);
    g_assert_cmpint(cell.w32, ==, 7);
    /* A hit returns the compare value and stores. */
    g_assert_cmpint(fam_atomic_32_compare_store(&cell.w32, 7, 9), ==, 7);
    g_assert_cmpint(cell.w32, ==, 9);

    cell.w64 = INT64_MIN;
    g_assert_cmpint(fam_atomic_64_compare_store(&cell.w64, 0, 1), ==,
                    INT64_MIN);
    g_assert_cmpint(cell.w64, ==, INT64_MIN);
    g_assert_cmpint(fam_atomic_64_compare_store(&cell.w64, INT64_MIN, 42), ==,
                    INT64_MIN);
    g_assert_cmpint(cell.w64, ==, 42);
    /* Only all 64 bits match: the low 32 alone do not. */
    cell.w64 = 0x100000005ll;
    g_assert_cmpint(fam_atomic_64_compare_store(&cell.w64, 5, 6), ==,
                    0x100000005ll);
    g_assert_cmpint(cell.w64, ==, 0x100000005ll);
}

static void test_read_write(void)
{
    fam_atomic_32_write(&cell.w32, -77);
    g_assert_cmpint(cell.w32, ==, -77);
    g_assert_cmpint(fam_atomic_32_read(&cell.w32), ==, -77);
    fam_atomic_64_write(&cell.w64, 0x7edcba9876543210ll);
    g_assert_cmpint(cell.w64, ==, 0x7edcba9876543210ll);
    g_assert_cmpint(fam_atomic_64_read(&cell.w64), ==, 0x7edcba9876543210ll);
}

/* The misaligned calls, each run in a subprocess that must abort. */
static void misaligned_32(void)
{
    fam_atomic_32_fetch_add((int32_t *)(cell.bytes + 2), 1);
}

static void misaligned_64(void)
{
    fam_atomic_64_compare_store((int64_t *)(cell.bytes + 4), 0, 1);
}

static void misaligned_64_read(void)
{
    fam_atomic_64_read((int64_t *)(cell.bytes + 1));
}

static void test_misaligned(void)
{
    if (g_test_subprocess()) {
        const char *which = g_getenv("LIBFAM_CASE");

        if (!g_strcmp0(which, "32")) {
            misaligned_32();
        } else if (!g_strcmp0(which, "64")) {
            misaligned_64();
        } else {
            misaligned_64_read();
        }
        return;     /* not reached: the parent sees an exit, not abort */
    }
    g_setenv("LIBFAM_CASE", "32", TRUE);
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("libfam: fam_atomic_32_fetch_add: address 0x*"
                              " not 4-byte aligned\n");
    g_setenv("LIBFAM_CASE", "64", TRUE);
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("libfam: fam_atomic_64_compare_store: address"
                              " 0x* not 8-byte aligned\n");
    g_setenv("LIBFAM_CASE", "read", TRUE);
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("libfam: fam_atomic_64_read: address 0x*"
                              " not 8-byte aligned\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/libfam/atomic/fetch-add", test_fetch_add);
    g_test_add_func("/libfam/atomic/bitwise", test_bitwise);
    g_test_add_func("/libfam/atomic/swap", test_swap);
    g_test_add_func("/libfam/atomic/compare-store", test_compare_store);
    g_test_add_func("/libfam/atomic/read-write", test_read_write);
    g_test_add_func("/libfam/atomic/misaligned", test_misaligned);
    return g_test_run();
}
