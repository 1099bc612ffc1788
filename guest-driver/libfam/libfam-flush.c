/*
 * Cache flush and fences. The line size is 64 bytes on every x86-64 CPU
 * that FAME runs (CPUID reports it, but asking on every call would cost
 * more than the flushes; a smaller real line size would only mean that
 * some lines in a range are flushed twice, a larger one is not made).
 *
 * clflushopt and clwb are weakly ordered, so each range ends with an
 * sfence; clflush is ordered with stores already, and the sfence costs
 * little. Which instruction a CPU has is asked on each call
 * (libfam-cpu.c says how, and why that is cheap).
 */
#include "fame/libfam.h"

#include <stdint.h>

#include "libfam-int.h"

#define LINE 64

enum insn { CLFLUSH, CLFLUSHOPT, CLWB };

static enum insn flush_insn(void)
{
    return libfam_cpu_has(LIBFAM_CPU_CLFLUSHOPT) ? CLFLUSHOPT : CLFLUSH;
}

static enum insn writeback_insn(void)
{
    return libfam_cpu_has(LIBFAM_CPU_CLWB) ? CLWB : flush_insn();
}

static void flush_range(const void *addr, size_t len, enum insn how)
{
    uintptr_t p = (uintptr_t)addr & ~(uintptr_t)(LINE - 1);
    uintptr_t end = (uintptr_t)addr + len;

    if (len == 0) {
        return;
    }
    /*
     * The "memory" clobber keeps the compiler from moving the caller's
     * stores to the range after the flush. The instructions only need
     * read access: a read-only mapping can be flushed too.
     */
    for (; p < end; p += LINE) {
        const volatile char *line = (const volatile char *)p;

        switch (how) {
        case CLWB:
            __asm__ __volatile__("clwb %0" : : "m"(*line) : "memory");
            break;
        case CLFLUSHOPT:
            __asm__ __volatile__("clflushopt %0" : : "m"(*line) : "memory");
            break;
        case CLFLUSH:
            __asm__ __volatile__("clflush %0" : : "m"(*line) : "memory");
            break;
        }
    }
    fam_store_fence();
}

void fam_flush(const void *addr, size_t len)
{
    flush_range(addr, len, flush_insn());
}

void fam_writeback(const void *addr, size_t len)
{
    flush_range(addr, len, writeback_insn());
}

void fam_fence(void)
{
    __asm__ __volatile__("mfence" ::: "memory");
}

void fam_store_fence(void)
{
    __asm__ __volatile__("sfence" ::: "memory");
}

static const char *insn_name(enum insn how)
{
    return how == CLWB ? "clwb" : how == CLFLUSHOPT ? "clflushopt" :
           "clflush";
}

const char *fam_flush_insn(void)
{
    return insn_name(flush_insn());
}

const char *fam_writeback_insn(void)
{
    return insn_name(writeback_insn());
}
