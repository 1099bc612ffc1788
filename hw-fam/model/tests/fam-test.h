/*
 * Helpers shared by the fabric model's unit tests: small model texts built
 * on the fly, and loading that fails the test on any error.
 */
#ifndef FAM_TEST_H
#define FAM_TEST_H

#include "fam-model.h"

#include <inttypes.h>

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

/*
 * A model with the given media attachment and interleave, and fixed
 * latencies: read 100 ns, write 150 ns, 10 ns per hop (local 1,
 * enclosure 2, rack 3, remote 4, fabric 5), 1e9 B/s (1 ns per byte),
 * 7 ns per queued request, 4 nodes per enclosure, 2 enclosures per rack.
 * granule 0 means mode = book. g_free() the result.
 */
static inline char *fam_test_text(const char *attach, unsigned count,
                                  const char *ways, uint64_t granule,
                                  uint64_t book)
{
    char *interleave = granule
        ? g_strdup_printf("mode = stripe\nways = %s\ngranule = %" PRIu64
                          "\n", ways, granule)
        : g_strdup("mode = book\n");
    char *text = g_strdup_printf(
        "[model]\nname = test\n"
        "[topology]\nnodes_per_enclosure = 4\nenclosures_per_rack = 2\n"
        "[hops]\nlocal = 1\nenclosure = 2\nrack = 3\nremote = 4\n"
        "fabric = 5\nlatency_ns = 10\n"
        "[media]\nattach = %s\ncount = %u\nread_latency_ns = 100\n"
        "write_latency_ns = 150\nbandwidth = 1G\ncontention_ns = 7\n"
        "[interleave]\n%s"
        "[pool]\nbook_size = %" PRIu64 "\n",
        attach, count, interleave, book);

    g_free(interleave);
    return text;
}

/* Load, failing the test with the model's message on error. */
static inline FamModel *fam_test_load(const char *text, uint32_t nodes,
                                      uint64_t pool)
{
    GError *err = NULL;
    FamModel *m = fam_model_load_data(text, "test.ini", nodes, pool, &err);

    g_assert_no_error(err);
    g_assert_nonnull(m);
    return m;
}

/* A model from fam_test_text() in one call. */
static inline FamModel *fam_test_model(const char *attach, unsigned count,
                                       const char *ways, uint64_t granule,
                                       uint32_t nodes, uint64_t pool)
{
    char *text = fam_test_text(attach, count, ways, granule, 2 * MiB);
    FamModel *m = fam_test_load(text, nodes, pool);

    g_free(text);
    return m;
}

/* Deterministic pseudo-random numbers (64-bit LCG, Knuth's MMIX
 * constants), so a failure reproduces exactly. */
static inline uint64_t fam_test_rand(uint64_t *state)
{
    *state = *state * UINT64_C(6364136223846793005) +
             UINT64_C(1442695040888963407);
    return *state >> 11;
}

#endif /* FAM_TEST_H */
