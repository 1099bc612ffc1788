/*
 * Unit tests of the address map: known values, an independent oracle (the
 * CXL decoder's bit formula) for power-of-two ways, round trips for every
 * interleave setting, exhaustive bijection on small pools, equal shares.
 */
#include "fam-test.h"

/* The check every map result must pass: in range, exact inverse, and the
 * run really is contiguous and really ends where it says. */
static void check_offset(const FamModel *m, uint64_t off)
{
    FamLocation loc, last, next;
    uint64_t back;

    g_assert_true(fam_model_map(m, off, &loc));
    g_assert_cmpuint(loc.module, <, m->modules);
    g_assert_cmpuint(loc.offset, <, m->module_size);
    g_assert_true(fam_model_unmap(m, loc.module, loc.offset, &back));
    g_assert_cmpuint(back, ==, off);

    g_assert_cmpuint(loc.run, >=, 1);
    g_assert_cmpuint(loc.offset + loc.run, <=, m->module_size);
    g_assert_true(fam_model_map(m, off + loc.run - 1, &last));
    g_assert_cmpuint(last.module, ==, loc.module);
    g_assert_cmpuint(last.offset, ==, loc.offset + loc.run - 1);
    if (off + loc.run < m->pool_size) {
        g_assert_true(fam_model_map(m, off + loc.run, &next));
        g_assert_true(next.module != loc.module ||
                      next.offset != loc.offset + loc.run);
    }
}

static void check_module_offset(const FamModel *m, uint32_t module,
                                uint64_t moff)
{
    uint64_t off;
    FamLocation loc;

    g_assert_true(fam_model_unmap(m, module, moff, &off));
    g_assert_cmpuint(off, <, m->pool_size);
    g_assert_true(fam_model_map(m, off, &loc));
    g_assert_cmpuint(loc.module, ==, module);
    g_assert_cmpuint(loc.offset, ==, moff);
}

static void expect(const FamModel *m, uint64_t off, uint32_t module,
                   uint64_t moff, uint64_t run)
{
    FamLocation loc;

    g_assert_true(fam_model_map(m, off, &loc));
    g_assert_cmpuint(loc.module, ==, module);
    g_assert_cmpuint(loc.offset, ==, moff);
    g_assert_cmpuint(loc.run, ==, run);
    check_offset(m, off);
}

/* Book mode: whole modules one after another. */
static void test_book_known(void)
{
    FamModel *m = fam_test_model("fabric", 4, NULL, 0, 1, 64 * MiB);

    g_assert_cmpuint(m->module_size, ==, 16 * MiB);
    g_assert_cmpuint(m->ways, ==, 1);
    g_assert_cmpuint(m->sets, ==, 4);
    g_assert_cmpuint(m->books, ==, 32);
    expect(m, 0, 0, 0, 16 * MiB);
    expect(m, 16 * MiB - 1, 0, 16 * MiB - 1, 1);
    expect(m, 16 * MiB, 1, 0, 16 * MiB);
    expect(m, 20 * MiB + 5, 1, 4 * MiB + 5, 12 * MiB - 5);
    expect(m, 64 * MiB - 1, 3, 16 * MiB - 1, 1);
    fam_model_free(m);
}

/* Stripes across all modules. */
static void test_stripe_known(void)
{
    FamModel *m = fam_test_model("fabric", 4, "all", 256, 1, 8 * MiB);

    g_assert_cmpuint(m->ways, ==, 4);
    g_assert_cmpuint(m->sets, ==, 1);
    expect(m, 0, 0, 0, 256);
    expect(m, 255, 0, 255, 1);
    expect(m, 256, 1, 0, 256);
    expect(m, 1023, 3, 255, 1);
    expect(m, 1024, 0, 256, 256);
    expect(m, 1024 + 3 * 256 + 17, 3, 256 + 17, 256 - 17);
    expect(m, 8 * MiB - 1, 3, 2 * MiB - 1, 1);
    fam_model_free(m);
}

/* Three ways: no power of two, so only division can get this right. */
static void test_stripe_three_ways(void)
{
    FamModel *m = fam_test_model("fabric", 3, "3", 4096, 1, 6 * MiB);

    expect(m, 0, 0, 0, 4096);
    expect(m, 4096, 1, 0, 4096);
    expect(m, 2 * 4096, 2, 0, 4096);
    expect(m, 3 * 4096 + 1, 0, 4097, 4095);
    expect(m, 6 * MiB - 1, 2, 2 * MiB - 1, 1);
    fam_model_free(m);
}

/* Several sets: 2 modules per node, 2 ways, 3 nodes = 3 sets. */
static void test_stripe_sets(void)
{
    FamModel *m = fam_test_model("node", 2, "2", 4096, 3, 12 * MiB);

    g_assert_cmpuint(m->modules, ==, 6);
    g_assert_cmpuint(m->sets, ==, 3);
    g_assert_cmpuint(m->set_size, ==, 4 * MiB);
    expect(m, 0, 0, 0, 4096);
    expect(m, 4096, 1, 0, 4096);
    expect(m, 4 * MiB, 2, 0, 4096);
    expect(m, 4 * MiB + 4096, 3, 0, 4096);
    expect(m, 8 * MiB + 3 * 4096 + 9, 5, 4096 + 9, 4096 - 9);
    expect(m, 12 * MiB - 1, 5, 2 * MiB - 1, 1);
    fam_model_free(m);
}

/* One way in stripe mode: each module one contiguous run. */
static void test_stripe_one_way(void)
{
    FamModel *m = fam_test_model("fabric", 2, "1", 256, 1, 4 * MiB);

    g_assert_cmpuint(m->sets, ==, 2);
    expect(m, 0, 0, 0, 2 * MiB);
    expect(m, 2 * MiB + 300, 1, 300, 2 * MiB - 300);
    fam_model_free(m);
}

static void test_out_of_range(void)
{
    FamModel *m = fam_test_model("fabric", 4, "all", 256, 1, 8 * MiB);
    FamLocation loc = { 77, 77, 77 };
    uint64_t off = 77;

    g_assert_false(fam_model_map(m, 8 * MiB, &loc));
    g_assert_false(fam_model_map(m, UINT64_MAX, &loc));
    g_assert_cmpuint(loc.module, ==, 77);
    g_assert_false(fam_model_unmap(m, 4, 0, &off));
    g_assert_false(fam_model_unmap(m, 0, 2 * MiB, &off));
    g_assert_cmpuint(off, ==, 77);
    fam_model_free(m);
}

/*
 * The CXL decoder formula for power-of-two ways and granule 2^g (QEMU's
 * cxl_type3_dpa()): the way is the bits just above the granule, and the
 * device offset drops those bits. An independent derivation of the same
 * map, for one set.
 */
static void test_cxl_oracle(void)
{
    static const unsigned ways_list[] = { 1, 2, 4, 8, 16 };
    uint64_t seed = 1;

    for (size_t w = 0; w < G_N_ELEMENTS(ways_list); w++) {
        unsigned ways = ways_list[w], wbits = (unsigned)g_bit_nth_lsf(ways,
                                                                      -1);

        for (unsigned gbits = 8; gbits <= 30; gbits++) {
            uint64_t g = UINT64_C(1) << gbits;
            uint64_t share = MAX(g, 2 * MiB) * 2;
            char ws[16];
            FamModel *m;

            g_snprintf(ws, sizeof(ws), "%u", ways);
            m = fam_test_model("fabric", ways, ws, g, 1, share * ways);
            for (int i = 0; i < 2000; i++) {
                uint64_t off = fam_test_rand(&seed) % m->pool_size;
                uint64_t way = (off >> gbits) & (ways - 1);
                uint64_t moff = ((off >> (gbits + wbits)) << gbits) |
                                (off & (g - 1));
                FamLocation loc;

                g_assert_true(fam_model_map(m, off, &loc));
                g_assert_cmpuint(loc.module, ==, way);
                g_assert_cmpuint(loc.offset, ==, moff);
            }
            fam_model_free(m);
        }
    }
}

/* Offsets worth checking in any layout: the ends, unit boundaries and
 * their neighbours, and many pseudo-random ones. */
static void round_trip_model(const FamModel *m, uint64_t *seed)
{
    uint64_t unit = m->granule;

    check_offset(m, 0);
    check_offset(m, m->pool_size - 1);
    for (uint64_t k = 1; k < 64 && k * unit < m->pool_size; k++) {
        check_offset(m, k * unit - 1);
        check_offset(m, k * unit);
        check_offset(m, k * unit + 1);
    }
    for (uint32_t s = 0; s < m->sets; s++) {
        check_offset(m, s * m->set_size);
        check_offset(m, s * m->set_size + m->set_size - 1);
    }
    for (int i = 0; i < 3000; i++) {
        check_offset(m, fam_test_rand(seed) % m->pool_size);
    }
    for (int i = 0; i < 1000; i++) {
        uint32_t mod = (uint32_t)(fam_test_rand(seed) % m->modules);

        check_module_offset(m, mod, fam_test_rand(seed) % m->module_size);
    }
    check_module_offset(m, m->modules - 1, m->module_size - 1);
}

/* Every granule from 256 B to 1 GiB, with many way counts, one and two
 * sets; and book mode with several module counts. */
static void test_round_trip_all_settings(void)
{
    static const unsigned ways_list[] = { 1, 2, 3, 4, 5, 6, 8, 12, 16 };
    uint64_t seed = 42;
    unsigned models = 0;

    for (size_t w = 0; w < G_N_ELEMENTS(ways_list); w++) {
        for (unsigned sets = 1; sets <= 2; sets++) {
            for (unsigned gbits = 8; gbits <= 30; gbits++) {
                uint64_t g = UINT64_C(1) << gbits;
                unsigned modules = ways_list[w] * sets;
                char ws[16];
                FamModel *m;

                g_snprintf(ws, sizeof(ws), "%u", ways_list[w]);
                m = fam_test_model("fabric", modules, ws, g, 1,
                                   MAX(g, 2 * MiB) * modules);
                g_assert_cmpuint(m->sets, ==, sets);
                round_trip_model(m, &seed);
                fam_model_free(m);
                models++;
            }
        }
    }
    for (unsigned modules = 1; modules <= 12; modules++) {
        FamModel *m = fam_test_model("fabric", modules, NULL, 0, 1,
                                     modules * 3 * 2 * MiB);

        round_trip_model(m, &seed);
        fam_model_free(m);
        models++;
    }
    g_assert_cmpuint(models, ==, 9 * 2 * 23 + 12);
}

/*
 * Every byte of a small pool: the map is a bijection onto
 * modules x module_size, and each module receives exactly its share.
 */
static void exhaustive(const FamModel *m)
{
    uint64_t total = (uint64_t)m->modules * m->module_size;
    guint8 *seen = g_malloc0(total / 8);
    uint64_t *share = g_new0(uint64_t, m->modules);

    g_assert_cmpuint(total, ==, m->pool_size);
    for (uint64_t off = 0; off < m->pool_size; off++) {
        FamLocation loc;
        uint64_t idx, back;

        g_assert_true(fam_model_map(m, off, &loc));
        idx = loc.module * m->module_size + loc.offset;
        g_assert_cmpuint(idx, <, total);
        g_assert_false(seen[idx / 8] & (1u << (idx % 8)));
        seen[idx / 8] |= (guint8)(1u << (idx % 8));
        share[loc.module]++;
        g_assert_true(fam_model_unmap(m, loc.module, loc.offset, &back));
        g_assert_cmpuint(back, ==, off);
    }
    for (uint32_t i = 0; i < m->modules; i++) {
        g_assert_cmpuint(share[i], ==, m->module_size);
    }
    g_free(share);
    g_free(seen);
}

static void test_exhaustive_small(void)
{
    static const uint64_t granules[] = { 256, 4096, 65536, 2 * MiB };
    FamModel *m;

    for (size_t i = 0; i < G_N_ELEMENTS(granules); i++) {
        /* 3 ways in one set; 3 ways in two sets. */
        m = fam_test_model("fabric", 3, "all", granules[i], 1, 6 * MiB);
        exhaustive(m);
        fam_model_free(m);
        m = fam_test_model("fabric", 6, "3", granules[i], 1, 12 * MiB);
        exhaustive(m);
        fam_model_free(m);
    }
    m = fam_test_model("fabric", 3, NULL, 0, 1, 6 * MiB);
    exhaustive(m);
    fam_model_free(m);
}

/* Walk a shipped-style layout run by run: equal shares at pool scale. */
static void test_equal_shares(void)
{
    static const struct {
        const char *attach;
        unsigned count;
        const char *ways;
        uint64_t granule;
        uint32_t nodes;
    } cases[] = {
        { "node", 4, NULL, 0, 8 },         /* tm-2016's layout */
        { "fabric", 4, "all", 256, 8 },    /* cxl-direct's */
        { "fabric", 8, "all", 256, 64 },   /* cxl-switched's */
        { "node", 4, "2", 4096, 5 },
        { "enclosure", 3, "3", 1024, 9 },
        { "rack", 2, "all", 65536, 16 },
    };

    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        char *text = fam_test_text(cases[c].attach, cases[c].count,
                                   cases[c].ways, cases[c].granule, 2 * MiB);
        GError *err = NULL;
        FamModel *m = NULL;
        uint64_t *share, off = 0, runs = 0;

        /* The smallest pool this layout allows, times 4. */
        for (uint64_t pool = 2 * MiB; m == NULL; pool += 2 * MiB) {
            m = fam_model_load_data(text, "t.ini", cases[c].nodes,
                                    pool * 4, &err);
            g_clear_error(&err);
        }
        share = g_new0(uint64_t, m->modules);
        while (off < m->pool_size) {
            FamLocation loc;

            g_assert_true(fam_model_map(m, off, &loc));
            share[loc.module] += loc.run;
            off += loc.run;
            runs++;
        }
        g_assert_cmpuint(off, ==, m->pool_size);
        for (uint32_t i = 0; i < m->modules; i++) {
            g_assert_cmpuint(share[i], ==, m->module_size);
        }
        g_assert_cmpuint(runs, ==, m->pool_size / (m->ways == 1
                                                   ? m->module_size
                                                   : m->granule));
        g_free(share);
        g_free(text);
        fam_model_free(m);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fam-model/map/book-known", test_book_known);
    g_test_add_func("/fam-model/map/stripe-known", test_stripe_known);
    g_test_add_func("/fam-model/map/stripe-three-ways",
                    test_stripe_three_ways);
    g_test_add_func("/fam-model/map/stripe-sets", test_stripe_sets);
    g_test_add_func("/fam-model/map/stripe-one-way", test_stripe_one_way);
    g_test_add_func("/fam-model/map/out-of-range", test_out_of_range);
    g_test_add_func("/fam-model/map/cxl-oracle", test_cxl_oracle);
    g_test_add_func("/fam-model/map/round-trip-all-settings",
                    test_round_trip_all_settings);
    g_test_add_func("/fam-model/map/exhaustive-small", test_exhaustive_small);
    g_test_add_func("/fam-model/map/equal-shares", test_equal_shares);
    return g_test_run();
}
