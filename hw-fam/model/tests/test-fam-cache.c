/*
 * Unit tests of a node's cache model (fam-cache.c) and of the time of one
 * access (fam_model_access_ns): [cache] parsing with its defaults and
 * errors; hits, misses, LRU eviction, write-backs and flushes on a cache
 * small enough to reason about; a working set that fits against one that
 * does not; and single accesses on book and stripe layouts, against
 * hand-computed figures.
 */
#include "fam-test.h"

/* fam_test_text() plus a [cache] group (none if `cache` is NULL). */
static FamModel *load_with_cache(const char *cache, const char *attach,
                                 uint64_t granule, GError **errp)
{
    char *base = fam_test_text(attach, 1, "all", granule, 2 * MiB);
    char *text = cache ? g_strdup_printf("%s[cache]\n%s", base, cache)
                       : g_strdup(base);
    FamModel *m = fam_model_load_data(text, "test.ini", 16, 32 * MiB, errp);

    g_free(base);
    g_free(text);
    return m;
}

static FamModel *cache_model(const char *cache, uint64_t granule)
{
    GError *err = NULL;
    FamModel *m = load_with_cache(cache, "node", granule, &err);

    g_assert_no_error(err);
    return m;
}

static void expect_error(const char *cache, const char *what)
{
    GError *err = NULL;
    FamModel *m = load_with_cache(cache, "node", 0, &err);

    g_assert_null(m);
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_VALUE);
    if (!strstr(err->message, what)) {
        g_error("'%s' does not mention '%s'", err->message, what);
    }
    g_error_free(err);
}

static void test_parse(void)
{
    FamModel *m = cache_model(NULL, 0);
    GError *err = NULL;

    g_assert_cmpuint(m->cache_size, ==, FAM_CACHE_DEFAULT_SIZE);
    g_assert_cmpuint(m->cache_ways, ==, FAM_CACHE_DEFAULT_WAYS);
    g_assert_cmpuint(m->cache_sets, ==, 1024);
    g_assert_cmpuint(m->cache_hit_ns, ==, FAM_CACHE_DEFAULT_HIT_NS);
    fam_model_free(m);

    m = cache_model("size = 4K\nways = 2\nhit_latency_ns = 3\n", 0);
    {
        g_autofree char *sum = fam_model_summary(m);

        g_assert_true(g_str_has_suffix(sum, ", node cache 4 KiB 2-way "
                                       "(hit 3 ns)"));
    }
    g_assert_cmpuint(m->cache_size, ==, 4096);
    g_assert_cmpuint(m->cache_sets, ==, 32);
    g_assert_cmpuint(m->cache_hit_ns, ==, 3);
    fam_model_free(m);
    /* One set of 64 ways: fully associative */
    m = cache_model("size = 4K\nways = 64\n", 0);
    g_assert_cmpuint(m->cache_sets, ==, 1);
    fam_model_free(m);

    expect_error("size = 3000\n", "size");
    expect_error("size = 2K\n", "power of two from 4 KiB");
    expect_error("size = 2G\n", "power of two from 4 KiB");
    expect_error("ways = 3\n", "ways");
    expect_error("ways = 0\n", "ways");
    expect_error("ways = 65\n", "ways");
    expect_error("hit_latency_ns = 2000000000\n", "hit_latency_ns");
    m = load_with_cache("line = 128\n", "node", 0, &err);
    g_assert_null(m);
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_UNKNOWN);
    g_error_free(err);
}

/* 4 KiB, 2 ways: 32 sets; lines 2 KiB apart share a set. */
#define SET_STEP (32 * FAM_CACHE_LINE)

static void test_lru(void)
{
    g_autoptr(FamModel) m = cache_model("size = 4K\nways = 2\n", 0);
    g_autoptr(FamCache) c = fam_cache_new(m);
    const FamCacheStats *st = fam_cache_stats(c);

    g_assert_false(fam_cache_access(c, 0, FAM_ACCESS_READ).hit);
    g_assert_true(fam_cache_access(c, 8, FAM_ACCESS_READ).hit);  /* line 0 */
    g_assert_false(fam_cache_access(c, SET_STEP, FAM_ACCESS_READ).hit);
    /* Line 0 was touched before SET_STEP: it is the one to go */
    g_assert_true(fam_cache_access(c, 0, FAM_ACCESS_READ).hit);
    g_assert_false(fam_cache_access(c, 2 * SET_STEP, FAM_ACCESS_READ).hit);
    g_assert_true(fam_cache_present(c, 0));
    g_assert_false(fam_cache_present(c, SET_STEP));
    g_assert_true(fam_cache_present(c, 2 * SET_STEP));
    /* Another set is untouched by all this */
    g_assert_false(fam_cache_present(c, FAM_CACHE_LINE));
    g_assert_cmpuint(st->hits, ==, 2);
    g_assert_cmpuint(st->misses, ==, 3);
    g_assert_cmpuint(st->evictions, ==, 1);
    g_assert_cmpuint(st->writebacks, ==, 0);
}

static void test_writeback(void)
{
    g_autoptr(FamModel) m = cache_model("size = 4K\nways = 2\n", 0);
    g_autoptr(FamCache) c = fam_cache_new(m);
    const FamCacheStats *st = fam_cache_stats(c);
    FamCacheOutcome o;

    fam_cache_access(c, 100, FAM_ACCESS_WRITE);             /* line 1, dirty */
    fam_cache_access(c, FAM_CACHE_LINE + SET_STEP, FAM_ACCESS_READ);
    o = fam_cache_access(c, FAM_CACHE_LINE + 2 * SET_STEP, FAM_ACCESS_READ);
    g_assert_false(o.hit);
    g_assert_cmpuint(o.writeback, ==, FAM_CACHE_LINE);     /* its start */
    /* A clean victim writes nothing back */
    o = fam_cache_access(c, FAM_CACHE_LINE + 3 * SET_STEP, FAM_ACCESS_READ);
    g_assert_cmpuint(o.writeback, ==, UINT64_MAX);
    g_assert_cmpuint(st->writebacks, ==, 1);
    g_assert_cmpuint(st->evictions, ==, 2);

    /* clwb: written back once, the line stays */
    fam_cache_access(c, 0, FAM_ACCESS_WRITE);
    g_assert_true(fam_cache_flush(c, 0, false));
    g_assert_true(fam_cache_present(c, 0));
    g_assert_false(fam_cache_flush(c, 0, false));
    /* clflush: dropped; written back only if dirty */
    fam_cache_access(c, 0, FAM_ACCESS_WRITE);
    g_assert_true(fam_cache_flush(c, 0, true));
    g_assert_false(fam_cache_present(c, 0));
    g_assert_false(fam_cache_flush(c, 0, true));            /* not there */
    g_assert_cmpuint(st->flushes, ==, 4);
    g_assert_cmpuint(st->writebacks, ==, 3);

    /* wbinvd: every dirty line, then nothing is left */
    fam_cache_access(c, 0, FAM_ACCESS_WRITE);
    fam_cache_access(c, 5 * FAM_CACHE_LINE, FAM_ACCESS_WRITE);
    fam_cache_access(c, 6 * FAM_CACHE_LINE, FAM_ACCESS_READ);
    g_assert_cmpuint(fam_cache_flush_all(c), ==, 2);
    g_assert_false(fam_cache_present(c, 6 * FAM_CACHE_LINE));
    g_assert_cmpuint(fam_cache_flush_all(c), ==, 0);
    /* Fences are counted and change nothing */
    fam_cache_access(c, 0, FAM_ACCESS_WRITE);
    fam_cache_fence(c);
    fam_cache_fence(c);
    g_assert_cmpuint(st->fences, ==, 2);
    g_assert_true(fam_cache_present(c, 0));
    g_assert_true(fam_cache_flush(c, 0, false));
}

/* Sweeps over a working set: hits from the second pass if it fits. */
static uint64_t sweep_misses(FamCache *c, uint64_t bytes, unsigned passes)
{
    uint64_t before = fam_cache_stats(c)->misses;

    for (unsigned p = 0; p < passes; p++) {
        for (uint64_t a = 0; a < bytes; a += FAM_CACHE_LINE) {
            fam_cache_access(c, a, FAM_ACCESS_READ);
        }
    }
    return fam_cache_stats(c)->misses - before;
}

static void test_working_set(void)
{
    g_autoptr(FamModel) m = cache_model("size = 64K\nways = 8\n", 0);
    FamCache *c = fam_cache_new(m);

    /* Fits: only the first pass misses */
    g_assert_cmpuint(sweep_misses(c, 64 * 1024, 4), ==, 1024);
    fam_cache_free(c);
    /* Twice the cache, swept in order: LRU keeps nothing that is used */
    c = fam_cache_new(m);
    g_assert_cmpuint(sweep_misses(c, 128 * 1024, 4), ==, 4 * 2048);
    fam_cache_free(c);
}

static void test_access_time(void)
{
    /* 16 modules, one on each node, book mode: 2 MiB each */
    g_autoptr(FamModel) book = cache_model("hit_latency_ns = 4\n", 0);
    /* The same striped 256 bytes at a time */
    g_autoptr(FamModel) stripe = cache_model("hit_latency_ns = 4\n", 256);
    g_autoptr(FamCache) c = fam_cache_new(book);

    /* No cache: the line from its module, 64 bytes at 1 ns each */
    g_assert_cmpuint(fam_model_access_ns(book, NULL, 0, 8, 8,
                                         FAM_ACCESS_READ, 0),
                     ==, 100 + 1 * 10 + 64);
    g_assert_cmpuint(fam_model_access_ns(book, NULL, 0, 9 * 2 * MiB, 8,
                                         FAM_ACCESS_WRITE, 2),
                     ==, 150 + 4 * 10 + 64 + 2 * 7);
    /* Across a module boundary: the slower line (node 1: 2 hops) */
    g_assert_cmpuint(fam_model_access_ns(book, NULL, 0, 2 * MiB - 8, 16,
                                         FAM_ACCESS_READ, 0),
                     ==, 100 + 2 * 10 + 64);
    g_assert_cmpuint(fam_model_access_ns(stripe, NULL, 0, 250, 16,
                                         FAM_ACCESS_READ, 0),
                     ==, 100 + 2 * 10 + 64);
    /* Within one stripe unit of module 5: node 5 is in the next enclosure
     * of node 0's rack, 3 hops */
    g_assert_cmpuint(fam_model_access_ns(stripe, NULL, 0, 5 * 256 + 64, 8,
                                         FAM_ACCESS_READ, 0),
                     ==, 100 + 3 * 10 + 64);
    /* Outside the pool */
    g_assert_cmpuint(fam_model_access_ns(book, NULL, 0, 32 * MiB - 4, 8,
                                         FAM_ACCESS_READ, 0), ==, UINT64_MAX);

    /* Through the cache: a miss as above (a store fetches the line: the
     * read latency), then hits */
    g_assert_cmpuint(fam_model_access_ns(book, c, 0, 8, 8, FAM_ACCESS_WRITE,
                                         0), ==, 100 + 10 + 64);
    g_assert_cmpuint(fam_model_access_ns(book, c, 0, 16, 8, FAM_ACCESS_READ,
                                         0), ==, 4);
    g_assert_cmpuint(fam_model_access_ns(book, c, 0, 2 * MiB - 8, 16,
                                         FAM_ACCESS_READ, 0),
                     ==, 100 + 2 * 10 + 64);
    g_assert_cmpuint(fam_model_access_ns(book, c, 0, 2 * MiB - 8, 16,
                                         FAM_ACCESS_READ, 0), ==, 4);
    g_assert_cmpuint(fam_cache_stats(c)->misses, ==, 3);
    g_assert_cmpuint(fam_cache_stats(c)->hits, ==, 3);
    g_assert_true(fam_cache_flush(c, 8, true));
    g_assert_cmpuint(fam_model_access_ns(book, c, 0, 8, 8, FAM_ACCESS_READ,
                                         0), ==, 100 + 10 + 64);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fam-model/cache/parse", test_parse);
    g_test_add_func("/fam-model/cache/lru", test_lru);
    g_test_add_func("/fam-model/cache/writeback", test_writeback);
    g_test_add_func("/fam-model/cache/working-set", test_working_set);
    g_test_add_func("/fam-model/cache/access-time", test_access_time);
    return g_test_run();
}
