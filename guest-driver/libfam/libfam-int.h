/*
 * libfam's private helpers: what the CPU has, and the refusal of an
 * operation that has no error return (a misaligned address, a CPU
 * without cmpxchg16b).
 */
#ifndef FAME_LIBFAM_INT_H
#define FAME_LIBFAM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CPU features some operations need (libfam-cpu.c). */
enum libfam_cpu_feature {
    LIBFAM_CPU_CX16,        /* cmpxchg16b: every 128-bit atomic */
    LIBFAM_CPU_CLFLUSHOPT,  /* fam_flush's first choice */
    LIBFAM_CPU_CLWB,        /* fam_writeback's first choice */
};

bool libfam_cpu_has(enum libfam_cpu_feature f);

/*
 * Print "libfam: <op>: <why>" on stderr and abort. The atomics return the
 * value they read, so they cannot report an error; carrying on would
 * either fault later with no explanation (cmpxchg16b on a misaligned
 * address is #GP, on a CPU without it #UD) or lose atomicity.
 */
_Noreturn void libfam_refuse(const char *op, const void *addr,
                             const char *why);

/* Abort unless addr is a multiple of align (a power of two). */
static inline void libfam_check_align(const char *op, const void *addr,
                                      size_t align)
{
    if ((uintptr_t)addr & (align - 1)) {
        libfam_refuse(op, addr, align == 4 ? "not 4-byte aligned" :
                      align == 8 ? "not 8-byte aligned" :
                      "not 16-byte aligned");
    }
}

#endif /* FAME_LIBFAM_INT_H */
