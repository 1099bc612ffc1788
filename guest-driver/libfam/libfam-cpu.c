/*
 * What this CPU has, for the 128-bit atomics and the flushes.
 *
 * With GCC the answer comes from libgcc's CPU feature table
 * (__builtin_cpu_supports), which libgcc fills once before main(): a
 * load, cheap enough to ask on every call, and no state of libfam's own.
 * Clang's __builtin_cpu_supports does not know these three features, so
 * there the CPUID instruction is asked each time (a few hundred cycles
 * natively; under TCG a helper call, not a VM exit).
 */
#include "libfam-int.h"

#include <cpuid.h>

#if defined(__clang__)
bool libfam_cpu_has(enum libfam_cpu_feature f)
{
    unsigned a, b, c, d;

    switch (f) {
    case LIBFAM_CPU_CX16:
        return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_CMPXCHG16B);
    case LIBFAM_CPU_CLFLUSHOPT:
        return __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
               (b & bit_CLFLUSHOPT);
    case LIBFAM_CPU_CLWB:
        return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_CLWB);
    }
    return false;
}
#else
bool libfam_cpu_has(enum libfam_cpu_feature f)
{
    switch (f) {
    case LIBFAM_CPU_CX16:
        return __builtin_cpu_supports("cmpxchg16b");
    case LIBFAM_CPU_CLFLUSHOPT:
        return __builtin_cpu_supports("clflushopt");
    case LIBFAM_CPU_CLWB:
        return __builtin_cpu_supports("clwb");
    }
    return false;
}
#endif
