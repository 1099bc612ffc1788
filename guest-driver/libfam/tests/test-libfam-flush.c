/*
 * Unit tests of libfam's cache helpers: flushes of any range (unaligned,
 * across lines, empty, on a read-only mapping) keep the data, and the
 * helpers name the instruction this CPU has.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include <cpuid.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "fame/libfam.h"

static void test_flush(void)
{
    static _Alignas(64) unsigned char buf[4 * 64];

    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (unsigned char)(i * 7);
    }
    fam_flush(buf, sizeof(buf));
    fam_flush(buf + 63, 2);                     /* two lines, unaligned */
    fam_flush(buf + 5, 0);
    fam_writeback(buf + 1, sizeof(buf) - 1);
    fam_writeback(buf, 1);
    fam_fence();
    fam_store_fence();
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmpuint(buf[i], ==, (unsigned char)(i * 7));
    }
}

static void test_flush_readonly(void)
{
    unsigned char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    g_assert_true(p != MAP_FAILED);
    memset(p, 0x3c, 8192);
    g_assert_cmpint(mprotect(p, 8192, PROT_READ), ==, 0);
    fam_flush(p, 8192);
    fam_writeback(p, 8192);
    g_assert_cmpuint(p[8191], ==, 0x3c);
    munmap(p, 8192);
}

/* CPUID.(EAX=7,ECX=0):EBX, asked directly: not the way libfam asks. */
static unsigned leaf7_ebx(void)
{
    unsigned a, b = 0, c, d;

    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        return 0;
    }
    return b;
}

static void test_insn_names(void)
{
    const char *f = fam_flush_insn(), *w = fam_writeback_insn();
    unsigned ebx = leaf7_ebx();

    g_assert_cmpstr(f, ==, (ebx & bit_CLFLUSHOPT) ? "clflushopt" : "clflush");
    g_assert_cmpstr(w, ==, (ebx & bit_CLWB) ? "clwb" : f);
    g_test_message("this CPU flushes with %s and writes back with %s", f, w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/libfam/flush/ranges", test_flush);
    g_test_add_func("/libfam/flush/read-only", test_flush_readonly);
    g_test_add_func("/libfam/flush/insn", test_insn_names);
    return g_test_run();
}
