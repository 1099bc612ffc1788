/*
 * The latency of one access, in nanoseconds:
 *
 *   media     read_latency_ns or write_latency_ns of the module
 * + distance  hops(node, module) * hop latency_ns
 * + transfer  ceil(size * 1e9 / bandwidth), 0 if bandwidth is unlimited
 * + queueing  load * contention_ns
 *
 * `load` is the number of requests already waiting at the module when this
 * one arrives; the caller (timed mode, an experiment) keeps that count.
 * Each waiting request is taken to hold the module for contention_ns: a
 * deliberately simple first-come-first-served queue, linear in the load, so
 * that results are easy to predict and to check.
 *
 * All integer arithmetic, exact and saturating: the same inputs give the
 * same answer on every host, which replayable runs depend on.
 */
#include "fam-model-int.h"

#define NS_PER_S UINT64_C(1000000000)

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return (a != 0 && b > UINT64_MAX / a) ? UINT64_MAX : a * b;
}

/*
 * ceil(size * 1e9 / bw) without a 128-bit product: whole seconds first,
 * then the remainder as three base-1000 digits of long division. Each step
 * multiplies a remainder below bw by 1000, which fits in 64 bits because
 * the parser caps bandwidth at 1e15.
 */
static uint64_t transfer_ns(uint64_t size, uint64_t bw)
{
    uint64_t whole, r, frac = 0;

    if (bw == 0 || size == 0) {
        return 0;
    }
    whole = size / bw;
    r = size % bw;
    for (int i = 0; i < 3; i++) {
        r *= 1000;
        frac = frac * 1000 + r / bw;
        r %= bw;
    }
    return sat_add(sat_mul(whole, NS_PER_S), frac + (r != 0));
}

uint64_t fam_model_latency(const FamModel *m, uint32_t node, uint32_t module,
                           FamAccess op, uint64_t size, uint64_t load)
{
    uint64_t ns;

    g_return_val_if_fail(node < m->nodes && module < m->modules, UINT64_MAX);
    ns = op == FAM_ACCESS_WRITE ? m->write_ns : m->read_ns;
    ns = sat_add(ns, sat_mul(fam_model_hops(m, node, module), m->hop_ns));
    ns = sat_add(ns, transfer_ns(size, m->bandwidth));
    return sat_add(ns, sat_mul(load, m->contention_ns));
}

uint64_t fam_model_latency_at(const FamModel *m, uint32_t node,
                              uint64_t pool_offset, FamAccess op,
                              uint64_t size, uint64_t load)
{
    FamLocation loc;

    if (!fam_model_map(m, pool_offset, &loc)) {
        return UINT64_MAX;
    }
    return fam_model_latency(m, node, loc.module, op, size, load);
}
