/*
 * Unit tests of the latency function: each term of the formula on known
 * inputs, exact rounding, saturation, and the shipped models' headline
 * figures (which their comments promise).
 */
#include "fam-test.h"

#ifndef FAM_MODELS_DIR
#error "FAM_MODELS_DIR must name hw-fam/models"
#endif

/* 16 nodes, one module on each (module i on node i), book mode. */
static FamModel *per_node_model(void)
{
    char *text = fam_test_text("node", 1, NULL, 0, 2 * MiB);
    FamModel *m = fam_test_load(text, 16, 16 * 2 * MiB);

    g_free(text);
    return m;
}

static void test_terms(void)
{
    FamModel *m = per_node_model();

    /* media + hops * 10 + size (1 ns per byte) + load * 7 */
    g_assert_cmpuint(fam_model_latency(m, 0, 0, FAM_ACCESS_READ, 64, 0),
                     ==, 100 + 1 * 10 + 64);
    g_assert_cmpuint(fam_model_latency(m, 0, 1, FAM_ACCESS_WRITE, 64, 0),
                     ==, 150 + 2 * 10 + 64);
    g_assert_cmpuint(fam_model_latency(m, 0, 5, FAM_ACCESS_READ, 0, 0),
                     ==, 100 + 3 * 10);
    g_assert_cmpuint(fam_model_latency(m, 0, 9, FAM_ACCESS_READ, 1, 3),
                     ==, 100 + 4 * 10 + 1 + 3 * 7);
    g_assert_cmpuint(fam_model_latency(m, 9, 9, FAM_ACCESS_WRITE, 4096, 1),
                     ==, 150 + 10 + 4096 + 7);
    /* Symmetric distances: node 9 to node 0's module is remote too. */
    g_assert_cmpuint(fam_model_latency(m, 9, 0, FAM_ACCESS_READ, 64, 0),
                     ==, 100 + 40 + 64);
    fam_model_free(m);
}

static void test_latency_at(void)
{
    FamModel *m = per_node_model();

    /* Offset 9 * 2 MiB + 5 is in module 9 (book mode, 2 MiB modules). */
    g_assert_cmpuint(fam_model_latency_at(m, 0, 9 * 2 * MiB + 5,
                                          FAM_ACCESS_READ, 64, 0),
                     ==, 100 + 40 + 64);
    g_assert_cmpuint(fam_model_latency_at(m, 0, 32 * MiB, FAM_ACCESS_READ,
                                          64, 0),
                     ==, UINT64_MAX);
    fam_model_free(m);
}

/* A one-module fabric model with the given bandwidth value. */
static FamModel *bandwidth_model(const char *bw)
{
    char *text = g_strdup_printf(
        "[model]\nname = bw\n[hops]\nlatency_ns = 0\n"
        "[media]\nattach = fabric\ncount = 1\nread_latency_ns = 0\n"
        "write_latency_ns = 0\nbandwidth = %s\n"
        "[interleave]\nmode = book\n", bw);
    FamModel *m = fam_test_load(text, 1, 8 * MiB);

    g_free(text);
    return m;
}

static uint64_t transfer(const FamModel *m, uint64_t size)
{
    return fam_model_latency(m, 0, 0, FAM_ACCESS_READ, size, 0);
}

/* ceil(size * 1e9 / bandwidth), exactly. */
static void test_transfer_rounding(void)
{
    FamModel *m = bandwidth_model("3G");

    g_assert_cmpuint(m->bandwidth, ==, UINT64_C(3000000000));
    g_assert_cmpuint(transfer(m, 0), ==, 0);
    g_assert_cmpuint(transfer(m, 1), ==, 1);        /* 0.33 ns */
    g_assert_cmpuint(transfer(m, 3), ==, 1);        /* exactly 1 ns */
    g_assert_cmpuint(transfer(m, 4), ==, 2);        /* 1.33 ns */
    g_assert_cmpuint(transfer(m, 64), ==, 22);      /* 21.33 ns */
    g_assert_cmpuint(transfer(m, UINT64_C(3000000000)), ==, 1000000000);
    fam_model_free(m);

    m = bandwidth_model("7");
    /* 10 B at 7 B/s: 1428571428.57 ns. */
    g_assert_cmpuint(transfer(m, 10), ==, UINT64_C(1428571429));
    fam_model_free(m);

    m = bandwidth_model("1000T");
    /* The largest size at the largest bandwidth, still exact:
     * 18446744073709551615 / 1e6 = 18446744073709.55 ns. */
    g_assert_cmpuint(transfer(m, UINT64_MAX), ==, UINT64_C(18446744073710));
    fam_model_free(m);

    m = bandwidth_model("25 GB/s");
    g_assert_cmpuint(transfer(m, 100), ==, 4);
    fam_model_free(m);
}

static void test_unlimited_and_saturation(void)
{
    FamModel *m = bandwidth_model("unlimited");

    g_assert_cmpuint(m->bandwidth, ==, 0);
    g_assert_cmpuint(transfer(m, UINT64_MAX), ==, 0);
    fam_model_free(m);

    m = bandwidth_model("1");
    g_assert_cmpuint(transfer(m, UINT64_MAX), ==, UINT64_MAX);
    g_assert_cmpuint(transfer(m, UINT64_C(18446744073)), ==,
                     UINT64_C(18446744073000000000));
    g_assert_cmpuint(transfer(m, UINT64_C(18446744074)), ==, UINT64_MAX);
    fam_model_free(m);

    m = per_node_model();
    g_assert_cmpuint(fam_model_latency(m, 0, 0, FAM_ACCESS_READ, 0,
                                       UINT64_MAX), ==, UINT64_MAX);
    fam_model_free(m);
}

static void test_deterministic(void)
{
    FamModel *a = per_node_model();
    FamModel *b = per_node_model();
    uint64_t seed = 7;

    for (int i = 0; i < 10000; i++) {
        uint32_t node = (uint32_t)(fam_test_rand(&seed) % 16);
        uint32_t mod = (uint32_t)(fam_test_rand(&seed) % 16);
        FamAccess op = (fam_test_rand(&seed) & 1) ? FAM_ACCESS_WRITE
                                                  : FAM_ACCESS_READ;
        uint64_t size = fam_test_rand(&seed) % 100000;
        uint64_t load = fam_test_rand(&seed) % 64;
        uint64_t ns = fam_model_latency(a, node, mod, op, size, load);

        g_assert_cmpuint(ns, ==, fam_model_latency(b, node, mod, op, size,
                                                   load));
        g_assert_cmpuint(ns, ==, (op ? 150 : 100) +
                                 fam_model_hops(a, node, mod) * 10 +
                                 size + load * 7);
    }
    fam_model_free(a);
    fam_model_free(b);
}

static void test_bad_arguments(void)
{
    FamModel *m = per_node_model();

    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*node < m->nodes*");
    g_assert_cmpuint(fam_model_latency(m, 16, 0, FAM_ACCESS_READ, 64, 0),
                     ==, UINT64_MAX);
    g_test_assert_expected_messages();
    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*module < m->modules*");
    g_assert_cmpuint(fam_model_latency(m, 0, 16, FAM_ACCESS_READ, 64, 0),
                     ==, UINT64_MAX);
    g_test_assert_expected_messages();
    fam_model_free(m);
}

static FamModel *shipped(const char *name, uint32_t nodes, uint64_t pool)
{
    char *path = g_strdup_printf("%s/%s.ini", FAM_MODELS_DIR, name);
    GError *err = NULL;
    FamModel *m = fam_model_load(path, nodes, pool, &err);

    g_assert_no_error(err);
    g_free(path);
    return m;
}

/* The figures each shipped file's comments promise. */
static void test_shipped_figures(void)
{
    FamModel *m = shipped("cxl-direct", 8, GiB);

    for (uint32_t n = 0; n < 8; n++) {
        for (uint32_t i = 0; i < m->modules; i++) {
            g_assert_cmpuint(fam_model_latency(m, n, i, FAM_ACCESS_READ, 64,
                                               0), ==, 200);
            g_assert_cmpuint(fam_model_latency(m, n, i, FAM_ACCESS_WRITE, 64,
                                               0), ==, 200);
        }
    }
    g_assert_cmpuint(fam_model_latency(m, 0, 0, FAM_ACCESS_READ, 64, 10),
                     ==, 220);
    g_assert_cmpuint(fam_model_latency(m, 0, 0, FAM_ACCESS_READ, 4096, 0),
                     ==, 150 + 48 + 128);
    fam_model_free(m);

    m = shipped("cxl-switched", 64, GiB);
    g_assert_cmpuint(fam_model_latency(m, 63, 7, FAM_ACCESS_READ, 64, 0),
                     ==, 600);
    fam_model_free(m);

    m = shipped("ideal", 64, GiB);
    g_assert_cmpuint(fam_model_latency(m, 63, 0, FAM_ACCESS_WRITE,
                                       GiB, 1000), ==, 0);
    fam_model_free(m);

    /* tm-2016, 20 nodes: node 0's own module, node 9's (same enclosure),
     * node 10's (next enclosure). 100 ns + hops * 30 + 64 B at 16 GB/s. */
    m = shipped("tm-2016", 20, 20 * 4 * 8 * MiB);
    g_assert_cmpuint(fam_model_latency(m, 0, 0, FAM_ACCESS_READ, 64, 0),
                     ==, 134);
    g_assert_cmpuint(fam_model_latency(m, 0, 9 * 4, FAM_ACCESS_READ, 64, 0),
                     ==, 194);
    g_assert_cmpuint(fam_model_latency(m, 0, 10 * 4, FAM_ACCESS_READ, 64, 0),
                     ==, 254);
    g_assert_cmpuint(fam_model_latency(m, 0, 0, FAM_ACCESS_READ, 64, 2),
                     ==, 142);
    fam_model_free(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fam-model/latency/terms", test_terms);
    g_test_add_func("/fam-model/latency/at-offset", test_latency_at);
    g_test_add_func("/fam-model/latency/transfer-rounding",
                    test_transfer_rounding);
    g_test_add_func("/fam-model/latency/unlimited-and-saturation",
                    test_unlimited_and_saturation);
    g_test_add_func("/fam-model/latency/deterministic", test_deterministic);
    g_test_add_func("/fam-model/latency/bad-arguments", test_bad_arguments);
    g_test_add_func("/fam-model/latency/shipped-figures",
                    test_shipped_figures);
    return g_test_run();
}
