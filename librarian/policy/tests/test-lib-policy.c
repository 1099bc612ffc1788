/*
 * Unit tests of the allocation planner (lib-policy.h): every policy on
 * known layouts (the shipped models, and small inline models with several
 * enclosures and racks), exact plans where the answer is known by hand,
 * properties against an independent oracle on random free counts, every
 * error, the policy names, and the book -> IG map against the model's.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "lib-policy.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static const FamPolicy locality_policies[] = {
    FAM_POLICY_LOCAL_NODE, FAM_POLICY_LOCAL_ENC, FAM_POLICY_NONLOCAL_ENC,
    FAM_POLICY_NEAREST, FAM_POLICY_NEAREST_REMOTE, FAM_POLICY_NEAREST_ENC,
    FAM_POLICY_NEAREST_RACK,
};
#define N_LOCALITY G_N_ELEMENTS(locality_policies)

/* --- models -------------------------------------------------------------- */

static FamModel *load_shipped(const char *name, uint32_t nodes,
                              uint64_t pool)
{
    GError *err = NULL;
    char *path = fam_model_find(name, FAM_MODELS_DIR, &err);
    FamModel *m;

    g_assert_no_error(err);
    m = fam_model_load(path, nodes, pool, &err);
    g_assert_no_error(err);
    g_assert_nonnull(m);
    g_free(path);
    return m;
}

/*
 * A model with 2 nodes per enclosure and 2 enclosures per rack, hops
 * local 1, enclosure 2, rack 3, remote 4, fabric 5, 2 MiB books and
 * `books_per_module` books in every module. ways 0 means book interleave.
 * `extra` is appended (e.g. a [hop-override] group).
 */
static FamModel *load_grid(const char *attach, uint32_t count, uint32_t ways,
                           uint32_t nodes, uint64_t modules,
                           uint64_t books_per_module, const char *extra)
{
    char *interleave = ways
        ? g_strdup_printf("mode = stripe\nways = %u\ngranule = 4096\n", ways)
        : g_strdup("mode = book\n");
    char *text = g_strdup_printf(
        "[model]\nname = grid\n"
        "[topology]\nnodes_per_enclosure = 2\nenclosures_per_rack = 2\n"
        "[hops]\nlocal = 1\nenclosure = 2\nrack = 3\nremote = 4\n"
        "fabric = 5\nlatency_ns = 10\n"
        "[media]\nattach = %s\ncount = %u\nread_latency_ns = 100\n"
        "write_latency_ns = 100\nbandwidth = unlimited\n"
        "[interleave]\n%s"
        "[pool]\nbook_size = 2M\n%s",
        attach, count, interleave, extra ? extra : "");
    GError *err = NULL;
    FamModel *m = fam_model_load_data(text, "grid.ini", nodes,
                                      modules * books_per_module * 2 * MiB,
                                      &err);

    g_assert_no_error(err);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->modules, ==, modules);
    g_free(interleave);
    g_free(text);
    return m;
}

/* 8 nodes, 4 enclosures, 2 racks; 2 modules per node, book mode, so IG g
 * is module g on node g / 2; 4 books per IG. */
static FamModel *load_grid_nodes(const char *extra)
{
    return load_grid("node", 2, 0, 8, 16, 4, extra);
}

static uint64_t *free_all(const FamModel *m)
{
    uint32_t igs = fam_policy_igs(m);
    uint64_t *f = g_new(uint64_t, igs);

    for (uint32_t g = 0; g < igs; g++) {
        f[g] = m->set_size / m->book_size;
    }
    return f;
}

/* --- the oracle: distance of an IG, computed apart from the planner ------ */

static FamHopLevel oracle_tier(const FamModel *m, uint32_t node, uint32_t ig)
{
    FamHopLevel best = FAM_HOP_LEVELS;

    for (uint32_t k = ig * m->ways; k < (ig + 1) * m->ways; k++) {
        FamHopLevel l = fam_model_hop_level(m, node, k);

        best = MIN(best, l);
    }
    return best;
}

static uint32_t oracle_hops(const FamModel *m, uint32_t node, uint32_t ig)
{
    uint32_t best = UINT32_MAX;

    for (uint32_t k = ig * m->ways; k < (ig + 1) * m->ways; k++) {
        best = MIN(best, fam_model_hops(m, node, k));
    }
    return best;
}

/* Which tiers each locality policy may use, as the documentation says. */
static bool oracle_eligible(FamPolicy p, FamHopLevel t)
{
    switch (p) {
    case FAM_POLICY_LOCAL_NODE:
        return t == FAM_HOP_LOCAL;
    case FAM_POLICY_LOCAL_ENC:
    case FAM_POLICY_NEAREST_ENC:
        return t == FAM_HOP_LOCAL || t == FAM_HOP_ENCLOSURE;
    case FAM_POLICY_NONLOCAL_ENC:
        return t == FAM_HOP_ENCLOSURE;
    case FAM_POLICY_NEAREST:
        return true;
    case FAM_POLICY_NEAREST_REMOTE:
        return t != FAM_HOP_LOCAL;
    case FAM_POLICY_NEAREST_RACK:
        return t == FAM_HOP_RACK || t == FAM_HOP_REMOTE ||
               t == FAM_HOP_FABRIC;
    default:
        g_assert_not_reached();
    }
}

/* a before b in "nearest first" order. */
static bool oracle_before(const FamModel *m, uint32_t node, uint32_t a,
                          uint32_t b)
{
    uint32_t ha = oracle_hops(m, node, a), hb = oracle_hops(m, node, b);
    FamHopLevel ta = oracle_tier(m, node, a), tb = oracle_tier(m, node, b);

    if (ha != hb) {
        return ha < hb;
    }
    if (ta != tb) {
        return ta < tb;
    }
    return a < b;
}

/* --- helpers -------------------------------------------------------------- */

static int plan_for(const FamModel *m, FamPolicy policy, uint32_t node,
                    uint64_t books, const uint64_t *free_books,
                    FamPolicyPlan *plan)
{
    FamPolicyRequest req = {
        .policy = policy,
        .node = node,
        .books = books,
        .free_books = free_books,
    };

    return fam_policy_plan(m, &req, plan);
}

/* Expect exactly these (ig, count) steps, all ASCENDING. */
static void expect_steps(const FamPolicyPlan *plan, const uint32_t *igs,
                         const uint64_t *counts, size_t n)
{
    g_assert_cmpuint(plan->n_steps, ==, n);
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpuint(plan->steps[i].ig, ==, igs[i]);
        g_assert_cmpuint(plan->steps[i].count, ==, counts[i]);
        g_assert_cmpint(plan->steps[i].order, ==, FAM_ORDER_ASCENDING);
    }
}

/* Plan a locality policy and expect those steps. */
static void expect_plan(const FamModel *m, FamPolicy policy,
                        uint32_t node, uint64_t books,
                        const uint64_t *free_books, const uint32_t *igs,
                        const uint64_t *counts, size_t n)
{
    FamPolicyPlan plan;

    g_assert_cmpint(plan_for(m, policy, node, books, free_books, &plan),
                    ==, 0);
    expect_steps(&plan, igs, counts, n);
    fam_policy_plan_free(&plan);
}

static void expect_error(const FamModel *m, FamPolicy policy,
                         uint32_t node, uint64_t books,
                         const uint64_t *free_books, int err)
{
    FamPolicyPlan plan = { .steps = (void *)&plan, .n_steps = 99 };

    g_assert_cmpint(plan_for(m, policy, node, books, free_books, &plan),
                    ==, err);
    g_assert_null(plan.steps);
    g_assert_cmpuint(plan.n_steps, ==, 0);
    fam_policy_plan_free(&plan);
}

/*
 * Check a locality plan against the oracle: ENOSPC exactly when the
 * eligible IGs are short; otherwise only eligible IGs, each at most once,
 * nearest first, each but the last emptied, none nearer skipped, and the
 * counts summing to the request.
 */
static void check_locality(const FamModel *m, FamPolicy policy,
                           uint32_t node, uint64_t books,
                           const uint64_t *free_books)
{
    uint32_t igs = fam_policy_igs(m);
    uint64_t have = 0, sum = 0;
    g_autofree bool *used = g_new0(bool, igs);
    FamPolicyPlan plan;
    int ret;

    for (uint32_t g = 0; g < igs; g++) {
        if (oracle_eligible(policy, oracle_tier(m, node, g))) {
            have += free_books[g];
        }
    }
    ret = plan_for(m, policy, node, books, free_books, &plan);
    if (have < books) {
        g_assert_cmpint(ret, ==, -ENOSPC);
        g_assert_null(plan.steps);
        return;
    }
    g_assert_cmpint(ret, ==, 0);
    g_assert_cmpuint(plan.n_steps, >, 0);
    for (size_t i = 0; i < plan.n_steps; i++) {
        const FamPolicyStep *s = &plan.steps[i];

        g_assert_cmpuint(s->ig, <, igs);
        g_assert_false(used[s->ig]);
        used[s->ig] = true;
        g_assert_true(oracle_eligible(policy, oracle_tier(m, node, s->ig)));
        g_assert_cmpuint(s->count, >, 0);
        g_assert_cmpuint(s->count, <=, free_books[s->ig]);
        g_assert_cmpint(s->order, ==, FAM_ORDER_ASCENDING);
        if (i + 1 < plan.n_steps) {
            g_assert_cmpuint(s->count, ==, free_books[s->ig]);
            g_assert_true(oracle_before(m, node, s->ig,
                                        plan.steps[i + 1].ig));
        }
        sum += s->count;
    }
    g_assert_cmpuint(sum, ==, books);
    /* Nothing eligible, free and nearer than the last IG was passed over. */
    for (uint32_t g = 0; g < igs; g++) {
        uint32_t last = plan.steps[plan.n_steps - 1].ig;

        if (!used[g] && free_books[g] > 0 &&
            oracle_eligible(policy, oracle_tier(m, node, g))) {
            g_assert_false(oracle_before(m, node, g, last));
        }
    }
    g_assert_cmpuint(plan.request_pos, ==, 0);
    fam_policy_plan_free(&plan);
}

/* --- names ---------------------------------------------------------------- */

static void test_names(void)
{
    static const char *const expected[FAM_POLICY_COUNT] = {
        "RandomBooks", "LocalNode", "LocalEnc", "NonLocal_Enc", "Nearest",
        "NearestRemote", "NearestEnc", "NearestRack", "LZAascending",
        "LZAdescending", "RequestIG",
    };
    static const char *const unknown[] = {
        "", "nearest", "NEAREST", "Random", "RandomBooks ", " Nearest",
        "NonLocalEnc", "LZA", "RequestIG\n", "LocalNodes",
    };

    for (int p = 0; p < FAM_POLICY_COUNT; p++) {
        const char *name = fam_policy_name(p);

        g_assert_cmpstr(name, ==, expected[p]);
        g_assert_cmpint(fam_policy_parse(name), ==, p);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(unknown); i++) {
        g_assert_cmpint(fam_policy_parse(unknown[i]), ==, -1);
    }
    g_assert_cmpint(fam_policy_parse(NULL), ==, -1);
    g_assert_null(fam_policy_name(FAM_POLICY_COUNT));
    g_assert_null(fam_policy_name((FamPolicy)-1));
}

/* --- the IG map ----------------------------------------------------------- */

static void check_book_ig(const FamModel *m)
{
    uint32_t igs = fam_policy_igs(m);
    g_autofree uint64_t *per_ig = g_new0(uint64_t, igs);

    g_assert_cmpuint(igs, ==, m->sets);
    for (uint64_t b = 0; b < m->books; b++) {
        FamLocation loc;
        uint32_t ig = fam_policy_book_ig(m, b);

        g_assert_true(fam_model_map(m, b * m->book_size, &loc));
        g_assert_cmpuint(ig, ==, loc.module / m->ways);
        /* The whole book lies in that IG. */
        g_assert_true(fam_model_map(m, (b + 1) * m->book_size - 1, &loc));
        g_assert_cmpuint(loc.module / m->ways, ==, ig);
        per_ig[ig]++;
    }
    for (uint32_t g = 0; g < igs; g++) {
        g_assert_cmpuint(per_ig[g], ==, m->set_size / m->book_size);
    }
    g_assert_cmpuint(fam_policy_book_ig(m, m->books), ==, FAM_POLICY_ANY_IG);
    g_assert_cmpuint(fam_policy_book_ig(m, UINT64_MAX), ==,
                     FAM_POLICY_ANY_IG);
}

static void test_book_ig_shipped(void)
{
    char **names = fam_model_list(FAM_MODELS_DIR);
    static const uint32_t node_counts[] = { 1, 8 };
    unsigned loaded = 0;
    FamModel *m;

    g_assert_nonnull(names);
    for (char **n = names; *n; n++) {
        for (size_t i = 0; i < G_N_ELEMENTS(node_counts); i++) {
            m = load_shipped(*n, node_counts[i], GiB);
            check_book_ig(m);
            fam_model_free(m);
            loaded++;
        }
    }
    g_assert_cmpuint(loaded, >=, 8);  /* the 4 shipped models, twice */
    g_strfreev(names);

    /* tm-2016 as The Machine had it: 64 nodes, one book per module. */
    m = load_shipped("tm-2016", 64, 2 * GiB);
    g_assert_cmpuint(fam_policy_igs(m), ==, 256);
    check_book_ig(m);
    fam_model_free(m);
}

static void test_book_ig_inline(void)
{
    /* Stripes over 2 modules, 4 sets; and 3 ways, 2 sets. */
    FamModel *m = load_grid("node", 1, 2, 8, 8, 4, NULL);

    g_assert_cmpuint(fam_policy_igs(m), ==, 4);
    check_book_ig(m);
    g_assert_cmpuint(fam_policy_book_ig(m, 0), ==, 0);
    /* 8 books per set (2 modules of 4). */
    g_assert_cmpuint(fam_policy_book_ig(m, 7), ==, 0);
    g_assert_cmpuint(fam_policy_book_ig(m, 8), ==, 1);
    g_assert_cmpuint(fam_policy_book_ig(m, 31), ==, 3);
    fam_model_free(m);

    m = load_grid("node", 1, 3, 6, 6, 2, NULL);
    g_assert_cmpuint(fam_policy_igs(m), ==, 2);
    check_book_ig(m);
    fam_model_free(m);

    m = load_grid_nodes(NULL);
    check_book_ig(m);
    g_assert_cmpuint(fam_policy_book_ig(m, 5), ==, 1);
    fam_model_free(m);
}

static void test_ig_hops(void)
{
    FamModel *m = load_shipped("tm-2016", 8, GiB);

    g_assert_cmpuint(fam_policy_ig_hops(m, 0, 0), ==, 1);
    g_assert_cmpuint(fam_policy_ig_hops(m, 0, 3), ==, 1);
    g_assert_cmpuint(fam_policy_ig_hops(m, 0, 4), ==, 3);
    g_assert_cmpuint(fam_policy_ig_hops(m, 7, 31), ==, 1);
    g_assert_cmpuint(fam_policy_ig_hops(m, FAM_POLICY_NO_NODE, 0), ==,
                     UINT32_MAX);
    g_assert_cmpuint(fam_policy_ig_hops(m, 8, 0), ==, UINT32_MAX);
    g_assert_cmpuint(fam_policy_ig_hops(m, 0, 32), ==, UINT32_MAX);
    fam_model_free(m);

    m = load_shipped("cxl-switched", 8, GiB);
    g_assert_cmpuint(fam_policy_igs(m), ==, 1);
    g_assert_cmpuint(fam_policy_ig_hops(m, 5, 0), ==, 2);
    fam_model_free(m);

    /* A set over two nodes is as near as its nearest module. */
    m = load_grid("node", 1, 2, 8, 8, 4, NULL);
    g_assert_cmpuint(fam_policy_ig_hops(m, 3, 1), ==, 1);
    g_assert_cmpuint(fam_policy_ig_hops(m, 3, 0), ==, 3);
    g_assert_cmpuint(fam_policy_ig_hops(m, 3, 2), ==, 4);
    fam_model_free(m);
}

/* --- placement-free policies ---------------------------------------------- */

static void test_anywhere(void)
{
    static const struct {
        FamPolicy policy;
        FamPolicyOrder order;
    } cases[] = {
        { FAM_POLICY_RANDOM_BOOKS, FAM_ORDER_RANDOM },
        { FAM_POLICY_LZA_ASCENDING, FAM_ORDER_ASCENDING },
        { FAM_POLICY_LZA_DESCENDING, FAM_ORDER_DESCENDING },
    };
    FamModel *m = load_shipped("tm-2016", 8, GiB);
    g_autofree uint64_t *f = free_all(m);
    static const uint32_t nodes[] = { 0, 7, FAM_POLICY_NO_NODE };

    FamPolicyPlan plan;

    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        for (size_t i = 0; i < G_N_ELEMENTS(nodes); i++) {
            g_assert_cmpint(plan_for(m, cases[c].policy, nodes[i], 128, f,
                                     &plan), ==, 0);
            g_assert_cmpuint(plan.n_steps, ==, 1);
            g_assert_cmpuint(plan.steps[0].ig, ==, FAM_POLICY_ANY_IG);
            g_assert_cmpuint(plan.steps[0].count, ==, 128);
            g_assert_cmpint(plan.steps[0].order, ==, cases[c].order);
            fam_policy_plan_free(&plan);
            g_assert_null(plan.steps);
            expect_error(m, cases[c].policy, nodes[i], 129, f, -ENOSPC);
        }
        /* Free books anywhere count, however they are spread. */
        memset(f, 0, sizeof(*f) * fam_policy_igs(m));
        f[3] = 2;
        f[30] = 1;
        g_assert_cmpint(plan_for(m, cases[c].policy, 2, 3, f, &plan), ==, 0);
        g_assert_cmpuint(plan.steps[0].count, ==, 3);
        fam_policy_plan_free(&plan);
        expect_error(m, cases[c].policy, 2, 4, f, -ENOSPC);
        g_free(f);
        f = free_all(m);
    }
    fam_model_free(m);
}

/* --- locality policies: exact plans --------------------------------------- */

/* The grid seen from node 3 (enclosure 1, rack 0): LOCAL IGs 6, 7;
 * ENCLOSURE 4, 5; RACK 0..3; REMOTE 8..15. */
static void test_grid_node3(void)
{
    FamModel *m = load_grid_nodes(NULL);
    g_autofree uint64_t *f = free_all(m);

    expect_plan(m, FAM_POLICY_LOCAL_NODE, 3, 6, f,
                (uint32_t[]){ 6, 7 }, (uint64_t[]){ 4, 2 }, 2);
    expect_plan(m, FAM_POLICY_LOCAL_NODE, 3, 8, f,
                (uint32_t[]){ 6, 7 }, (uint64_t[]){ 4, 4 }, 2);
    expect_error(m, FAM_POLICY_LOCAL_NODE, 3, 9, f, -ENOSPC);

    expect_plan(m, FAM_POLICY_LOCAL_ENC, 3, 13, f,
                (uint32_t[]){ 6, 7, 4, 5 }, (uint64_t[]){ 4, 4, 4, 1 }, 4);
    expect_error(m, FAM_POLICY_LOCAL_ENC, 3, 17, f, -ENOSPC);

    expect_plan(m, FAM_POLICY_NONLOCAL_ENC, 3, 5, f,
                (uint32_t[]){ 4, 5 }, (uint64_t[]){ 4, 1 }, 2);
    expect_error(m, FAM_POLICY_NONLOCAL_ENC, 3, 9, f, -ENOSPC);

    expect_plan(m, FAM_POLICY_NEAREST, 3, 64, f,
                (uint32_t[]){ 6, 7, 4, 5, 0, 1, 2, 3,
                              8, 9, 10, 11, 12, 13, 14, 15 },
                (uint64_t[]){ 4, 4, 4, 4, 4, 4, 4, 4,
                              4, 4, 4, 4, 4, 4, 4, 4 }, 16);
    expect_plan(m, FAM_POLICY_NEAREST, 3, 1, f,
                (uint32_t[]){ 6 }, (uint64_t[]){ 1 }, 1);
    expect_error(m, FAM_POLICY_NEAREST, 3, 65, f, -ENOSPC);

    expect_plan(m, FAM_POLICY_NEAREST_REMOTE, 3, 11, f,
                (uint32_t[]){ 4, 5, 0 }, (uint64_t[]){ 4, 4, 3 }, 3);
    expect_plan(m, FAM_POLICY_NEAREST_REMOTE, 3, 56, f,
                (uint32_t[]){ 4, 5, 0, 1, 2, 3,
                              8, 9, 10, 11, 12, 13, 14, 15 },
                (uint64_t[]){ 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4 },
                14);
    expect_error(m, FAM_POLICY_NEAREST_REMOTE, 3, 57, f, -ENOSPC);

    expect_plan(m, FAM_POLICY_NEAREST_ENC, 3, 16, f,
                (uint32_t[]){ 6, 7, 4, 5 }, (uint64_t[]){ 4, 4, 4, 4 }, 4);
    expect_error(m, FAM_POLICY_NEAREST_ENC, 3, 17, f, -ENOSPC);

    expect_plan(m, FAM_POLICY_NEAREST_RACK, 3, 18, f,
                (uint32_t[]){ 0, 1, 2, 3, 8 }, (uint64_t[]){ 4, 4, 4, 4, 2 },
                5);
    expect_error(m, FAM_POLICY_NEAREST_RACK, 3, 49, f, -ENOSPC);

    /* Partly used IGs: empty ones are skipped, part-full ones emptied. */
    f[6] = 0;
    f[7] = 1;
    f[4] = 2;
    expect_plan(m, FAM_POLICY_LOCAL_NODE, 3, 1, f,
                (uint32_t[]){ 7 }, (uint64_t[]){ 1 }, 1);
    expect_error(m, FAM_POLICY_LOCAL_NODE, 3, 2, f, -ENOSPC);
    expect_plan(m, FAM_POLICY_NEAREST, 3, 5, f,
                (uint32_t[]){ 7, 4, 5 }, (uint64_t[]){ 1, 2, 2 }, 3);
    expect_error(m, FAM_POLICY_NEAREST_ENC, 3, 8, f, -ENOSPC);
    fam_model_free(m);
}

/* From node 5 (enclosure 2, rack 1): the rack is enclosure 3 (IGs 12..15),
 * other racks IGs 0..7, and the node's own enclosure (8..11) never. */
static void test_grid_node5(void)
{
    FamModel *m = load_grid_nodes(NULL);
    g_autofree uint64_t *f = free_all(m);

    expect_plan(m, FAM_POLICY_NEAREST_RACK, 5, 20, f,
                (uint32_t[]){ 12, 13, 14, 15, 0 },
                (uint64_t[]){ 4, 4, 4, 4, 4 }, 5);
    expect_plan(m, FAM_POLICY_NONLOCAL_ENC, 5, 8, f,
                (uint32_t[]){ 8, 9 }, (uint64_t[]){ 4, 4 }, 2);
    expect_plan(m, FAM_POLICY_LOCAL_NODE, 5, 3, f,
                (uint32_t[]){ 10 }, (uint64_t[]){ 3 }, 1);
    /* Rack memory used up: straight on to the other rack. */
    f[12] = f[13] = f[14] = f[15] = 0;
    expect_plan(m, FAM_POLICY_NEAREST_RACK, 5, 5, f,
                (uint32_t[]){ 0, 1 }, (uint64_t[]){ 4, 1 }, 2);
    expect_plan(m, FAM_POLICY_NEAREST_REMOTE, 5, 10, f,
                (uint32_t[]){ 8, 9, 0 }, (uint64_t[]){ 4, 4, 2 }, 3);
    fam_model_free(m);
}

/* Hops decide the order: node 3 reaches module 10 (another rack) in one
 * hop and module 4 (its enclosure) in 5. */
static void test_hop_override(void)
{
    FamModel *m = load_grid_nodes("[hop-override]\nnode3.module10 = 1\n"
                                  "node3.module4 = 5\n");
    g_autofree uint64_t *f = free_all(m);

    g_assert_cmpuint(fam_policy_ig_hops(m, 3, 10), ==, 1);
    /* A tie at one hop goes to the nearer tier: local 6, 7 first. */
    expect_plan(m, FAM_POLICY_NEAREST, 3, 18, f,
                (uint32_t[]){ 6, 7, 10, 5, 0 }, (uint64_t[]){ 4, 4, 4, 4, 2 },
                5);
    expect_plan(m, FAM_POLICY_NEAREST_RACK, 3, 6, f,
                (uint32_t[]){ 10, 0 }, (uint64_t[]){ 4, 2 }, 2);
    /* The tier still decides eligibility. */
    expect_plan(m, FAM_POLICY_NONLOCAL_ENC, 3, 8, f,
                (uint32_t[]){ 5, 4 }, (uint64_t[]){ 4, 4 }, 2);
    expect_error(m, FAM_POLICY_NEAREST_ENC, 3, 17, f, -ENOSPC);
    fam_model_free(m);

    /* Module 2 (rack tier) and 9 (remote) at one hop too: the tie goes to
     * the nearer tier, not to the lower IG number. */
    m = load_grid_nodes("[hop-override]\nnode3.module2 = 1\n"
                        "node3.module9 = 3\n");
    expect_plan(m, FAM_POLICY_NEAREST, 3, 10, f,
                (uint32_t[]){ 6, 7, 2 }, (uint64_t[]){ 4, 4, 2 }, 3);
    /* Rack IGs 0, 1, 3 and remote IG 9 all at 3 hops: rack first. */
    expect_plan(m, FAM_POLICY_NEAREST_RACK, 3, 18, f,
                (uint32_t[]){ 2, 0, 1, 3, 9 }, (uint64_t[]){ 4, 4, 4, 4, 2 },
                5);
    fam_model_free(m);
}

/* Memory in the enclosures: no node has local memory. */
static void test_enclosure_attached(void)
{
    /* 8 nodes, 4 enclosures with 2 modules each: IG g in enclosure g / 2. */
    FamModel *m = load_grid("enclosure", 2, 0, 8, 8, 4, NULL);
    g_autofree uint64_t *f = free_all(m);

    expect_error(m, FAM_POLICY_LOCAL_NODE, 3, 1, f, -ENOSPC);
    expect_plan(m, FAM_POLICY_LOCAL_ENC, 3, 6, f,
                (uint32_t[]){ 2, 3 }, (uint64_t[]){ 4, 2 }, 2);
    expect_plan(m, FAM_POLICY_NONLOCAL_ENC, 3, 8, f,
                (uint32_t[]){ 2, 3 }, (uint64_t[]){ 4, 4 }, 2);
    expect_plan(m, FAM_POLICY_NEAREST_REMOTE, 3, 9, f,
                (uint32_t[]){ 2, 3, 0 }, (uint64_t[]){ 4, 4, 1 }, 3);
    expect_plan(m, FAM_POLICY_NEAREST_RACK, 3, 10, f,
                (uint32_t[]){ 0, 1, 4 }, (uint64_t[]){ 4, 4, 2 }, 3);
    fam_model_free(m);
}

/* A set striped over two nodes is local to both, and is their enclosure. */
static void test_stripe_over_nodes(void)
{
    FamModel *m = load_grid("node", 1, 2, 8, 8, 4, NULL);
    g_autofree uint64_t *f = free_all(m);

    g_assert_cmpuint(fam_policy_igs(m), ==, 4);
    expect_plan(m, FAM_POLICY_LOCAL_NODE, 2, 8, f,
                (uint32_t[]){ 1 }, (uint64_t[]){ 8 }, 1);
    expect_plan(m, FAM_POLICY_LOCAL_NODE, 3, 8, f,
                (uint32_t[]){ 1 }, (uint64_t[]){ 8 }, 1);
    expect_error(m, FAM_POLICY_NONLOCAL_ENC, 3, 1, f, -ENOSPC);
    expect_plan(m, FAM_POLICY_NEAREST, 3, 20, f,
                (uint32_t[]){ 1, 0, 2 }, (uint64_t[]){ 8, 8, 4 }, 3);
    fam_model_free(m);
}

/* The Machine: 8 nodes in one enclosure, 4 IGs of 4 books per node. */
static void test_tm2016(void)
{
    FamModel *m = load_shipped("tm-2016", 8, GiB);
    g_autofree uint64_t *f = free_all(m);
    uint32_t igs[28], all[32];
    uint64_t counts[28], fours[32];

    g_assert_cmpuint(fam_policy_igs(m), ==, 32);
    g_assert_cmpuint(m->book_size, ==, 8 * MiB);
    expect_plan(m, FAM_POLICY_LOCAL_NODE, 2, 16, f,
                (uint32_t[]){ 8, 9, 10, 11 }, (uint64_t[]){ 4, 4, 4, 4 }, 4);
    expect_error(m, FAM_POLICY_LOCAL_NODE, 2, 17, f, -ENOSPC);
    for (uint32_t i = 0; i < 28; i++) {
        igs[i] = i < 8 ? i : i + 4;
        counts[i] = 4;
    }
    expect_plan(m, FAM_POLICY_NONLOCAL_ENC, 2, 112, f, igs, counts, 28);
    expect_plan(m, FAM_POLICY_NEAREST_REMOTE, 2, 112, f, igs, counts, 28);
    expect_plan(m, FAM_POLICY_NEAREST, 2, 20, f,
                (uint32_t[]){ 8, 9, 10, 11, 0 },
                (uint64_t[]){ 4, 4, 4, 4, 4 }, 5);
    /* The whole pool is the node's enclosure: local IGs, then the rest. */
    for (uint32_t i = 0; i < 32; i++) {
        all[i] = i < 4 ? 8 + i : i < 12 ? i - 4 : i;
        fours[i] = 4;
    }
    expect_plan(m, FAM_POLICY_NEAREST_ENC, 2, 128, f, all, fours, 32);
    expect_plan(m, FAM_POLICY_LOCAL_ENC, 2, 128, f, all, fours, 32);
    expect_error(m, FAM_POLICY_NEAREST_RACK, 2, 1, f, -ENOSPC);
    fam_model_free(m);
}

/* 64 nodes in 7 enclosures of one rack, one 8 MiB book per module: from
 * node 0, NearestRack is every IG outside enclosure 0. */
static void test_tm2016_64(void)
{
    FamModel *m = load_shipped("tm-2016", 64, 2 * GiB);
    g_autofree uint64_t *f64 = free_all(m);
    FamPolicyPlan plan;

    g_assert_cmpint(plan_for(m, FAM_POLICY_NEAREST_RACK, 0, 216, f64, &plan),
                    ==, 0);
    g_assert_cmpuint(plan.n_steps, ==, 216);
    for (uint32_t i = 0; i < 216; i++) {
        g_assert_cmpuint(plan.steps[i].ig, ==, 40 + i);
        g_assert_cmpuint(plan.steps[i].count, ==, 1);
    }
    fam_policy_plan_free(&plan);
    expect_error(m, FAM_POLICY_NEAREST_RACK, 0, 217, f64, -ENOSPC);
    expect_plan(m, FAM_POLICY_NONLOCAL_ENC, 63, 2, f64,
                (uint32_t[]){ 240, 241 }, (uint64_t[]){ 1, 1 }, 2);
    fam_model_free(m);
}

/* Fabric-attached memory is nobody's local, enclosure or rack memory. */
static void test_fabric(void)
{
    static const char *const models[] = { "cxl-direct", "cxl-switched",
                                          "ideal" };

    for (size_t i = 0; i < G_N_ELEMENTS(models); i++) {
        FamModel *m = load_shipped(models[i], 8, GiB);
        g_autofree uint64_t *f = free_all(m);
        uint64_t all = f[0];

        g_assert_cmpuint(fam_policy_igs(m), ==, 1);
        g_assert_cmpuint(all, ==, m->books);
        for (uint32_t node = 0; node < 8; node++) {
            expect_error(m, FAM_POLICY_LOCAL_NODE, node, 1, f, -ENOSPC);
            expect_error(m, FAM_POLICY_LOCAL_ENC, node, 1, f, -ENOSPC);
            expect_error(m, FAM_POLICY_NONLOCAL_ENC, node, 1, f, -ENOSPC);
            expect_error(m, FAM_POLICY_NEAREST_ENC, node, 1, f, -ENOSPC);
            expect_plan(m, FAM_POLICY_NEAREST, node, all, f,
                        (uint32_t[]){ 0 }, (uint64_t[]){ all }, 1);
            expect_plan(m, FAM_POLICY_NEAREST_REMOTE, node, 10, f,
                        (uint32_t[]){ 0 }, (uint64_t[]){ 10 }, 1);
            expect_plan(m, FAM_POLICY_NEAREST_RACK, node, 10, f,
                        (uint32_t[]){ 0 }, (uint64_t[]){ 10 }, 1);
            expect_error(m, FAM_POLICY_NEAREST, node, all + 1, f, -ENOSPC);
        }
        fam_model_free(m);
    }
}

/* --- locality policies: properties on random free counts ----------------- */

/* Deterministic pseudo-random numbers (64-bit LCG), so a failure
 * reproduces exactly. */
static uint64_t next_rand(uint64_t *state)
{
    *state = *state * UINT64_C(6364136223846793005) +
             UINT64_C(1442695040888963407);
    return *state >> 11;
}

static void check_random_frees(const FamModel *m, uint64_t seed)
{
    uint32_t igs = fam_policy_igs(m);
    uint64_t cap = m->set_size / m->book_size;
    g_autofree uint64_t *f = g_new(uint64_t, igs);

    for (int round = 0; round < 20; round++) {
        uint64_t total = 0;

        for (uint32_t g = 0; g < igs; g++) {
            /* A third of the IGs empty, a third full, the rest partial. */
            switch (next_rand(&seed) % 3) {
            case 0:
                f[g] = 0;
                break;
            case 1:
                f[g] = cap;
                break;
            default:
                f[g] = next_rand(&seed) % (cap + 1);
                break;
            }
            total += f[g];
        }
        for (uint32_t node = 0; node < m->nodes; node++) {
            for (size_t p = 0; p < N_LOCALITY; p++) {
                uint64_t books[] = { 1, cap, cap + 1,
                                     1 + next_rand(&seed) % (total + 1),
                                     total, total + 1 };

                for (size_t b = 0; b < G_N_ELEMENTS(books); b++) {
                    if (books[b] == 0) {
                        continue;   /* -EINVAL, tested apart */
                    }
                    check_locality(m, locality_policies[p], node, books[b],
                                   f);
                }
            }
        }
    }
}

static void test_locality_random(void)
{
    FamModel *m = load_grid_nodes(NULL);

    check_random_frees(m, 1);
    fam_model_free(m);
    m = load_grid_nodes("[hop-override]\nnode0.module15 = 1\n"
                        "node5.module11 = 0\nnode6.module0 = 9\n"
                        "node5.module2 = 1\nnode1.module8 = 3\n");
    check_random_frees(m, 2);
    fam_model_free(m);
    m = load_grid("enclosure", 2, 0, 8, 8, 4, NULL);
    check_random_frees(m, 3);
    fam_model_free(m);
    m = load_grid("rack", 3, 0, 8, 6, 4, NULL);
    check_random_frees(m, 4);
    fam_model_free(m);
    /* 7 nodes: the last enclosure and rack are not full. */
    m = load_grid("node", 1, 0, 7, 7, 3, NULL);
    check_random_frees(m, 5);
    fam_model_free(m);
    m = load_grid("node", 1, 2, 8, 8, 4, NULL);
    check_random_frees(m, 6);
    fam_model_free(m);
    m = load_shipped("tm-2016", 8, GiB);
    check_random_frees(m, 7);
    fam_model_free(m);
    m = load_shipped("cxl-switched", 4, GiB);
    check_random_frees(m, 8);
    fam_model_free(m);
}

/* --- RequestIG ------------------------------------------------------------ */

static int plan_request(const FamModel *m, uint32_t node, uint64_t books,
                        const uint64_t *free_books, const uint8_t *request,
                        size_t len, uint32_t pos, FamPolicyPlan *plan)
{
    FamPolicyRequest req = {
        .policy = FAM_POLICY_REQUEST_IG,
        .node = node,
        .books = books,
        .free_books = free_books,
        .request = request,
        .request_len = len,
        .request_pos = pos,
    };

    return fam_policy_plan(m, &req, plan);
}

static void test_request_known(void)
{
    FamModel *m = load_grid_nodes(NULL);
    g_autofree uint64_t *f = free_all(m);
    FamPolicyPlan plan;

    /* Books go to request[1], [2], [0], [1], [2] = 3, 5, 3, 3, 5. */
    g_assert_cmpint(plan_request(m, 0, 5, f, (uint8_t[]){ 3, 3, 5 }, 3, 1,
                                 &plan), ==, 0);
    expect_steps(&plan, (uint32_t[]){ 3, 5, 3, 5 },
                 (uint64_t[]){ 1, 1, 2, 1 }, 4);
    g_assert_cmpuint(plan.request_pos, ==, 0);
    fam_policy_plan_free(&plan);

    /* A position past the end wraps round; the host may ask. */
    g_assert_cmpint(plan_request(m, FAM_POLICY_NO_NODE, 5, f,
                                 (uint8_t[]){ 3, 3, 5 }, 3, 4, &plan), ==, 0);
    expect_steps(&plan, (uint32_t[]){ 3, 5, 3, 5 },
                 (uint64_t[]){ 1, 1, 2, 1 }, 4);
    g_assert_cmpuint(plan.request_pos, ==, 0);
    fam_policy_plan_free(&plan);

    /* One IG over and over: one step, whatever the sequence length. */
    g_assert_cmpint(plan_request(m, 7, 3, f, (uint8_t[]){ 15, 15 }, 2, 0,
                                 &plan), ==, 0);
    expect_steps(&plan, (uint32_t[]){ 15 }, (uint64_t[]){ 3 }, 1);
    g_assert_cmpuint(plan.request_pos, ==, 1);
    fam_policy_plan_free(&plan);

    /* Locality does not matter: IGs far from the node are fine. */
    g_assert_cmpint(plan_request(m, 0, 8, f, (uint8_t[]){ 14, 0 }, 2, 1,
                                 &plan), ==, 0);
    g_assert_cmpuint(plan.n_steps, ==, 8);
    for (size_t i = 0; i < 8; i++) {
        g_assert_cmpuint(plan.steps[i].ig, ==, i % 2 ? 14 : 0);
        g_assert_cmpuint(plan.steps[i].count, ==, 1);
    }
    g_assert_cmpuint(plan.request_pos, ==, 1);
    fam_policy_plan_free(&plan);

    /* IG 3 has 4 books: a fifth for it is -ENOSPC, though others are free. */
    g_assert_cmpint(plan_request(m, 0, 4, f, (uint8_t[]){ 3 }, 1, 0, &plan),
                    ==, 0);
    fam_policy_plan_free(&plan);
    plan = (FamPolicyPlan){ .steps = (void *)&plan, .n_steps = 5,
                            .request_pos = 77 };
    g_assert_cmpint(plan_request(m, 0, 5, f, (uint8_t[]){ 3 }, 1, 0, &plan),
                    ==, -ENOSPC);
    g_assert_null(plan.steps);
    g_assert_cmpuint(plan.n_steps, ==, 0);
    g_assert_cmpuint(plan.request_pos, ==, 0);
    f[5] = 1;
    g_assert_cmpint(plan_request(m, 0, 4, f, (uint8_t[]){ 3, 5 }, 2, 0,
                                 &plan), ==, -ENOSPC);
    g_assert_cmpint(plan_request(m, 0, 3, f, (uint8_t[]){ 3, 5 }, 2, 0,
                                 &plan), ==, 0);
    g_assert_cmpuint(plan.request_pos, ==, 1);
    fam_policy_plan_free(&plan);
    /* Starting at IG 5's slot asks it for 2 books of 3: too many. */
    g_assert_cmpint(plan_request(m, 0, 3, f, (uint8_t[]){ 3, 5 }, 2, 1,
                                 &plan), ==, -ENOSPC);

    /* Bad sequences. */
    g_assert_cmpint(plan_request(m, 0, 1, f, (uint8_t[]){ 16 }, 1, 0,
                                 &plan), ==, -EINVAL);
    g_assert_cmpint(plan_request(m, 0, 1, f, (uint8_t[]){ 0, 1, 255 }, 3, 0,
                                 &plan), ==, -EINVAL);
    g_assert_cmpint(plan_request(m, 0, 1, f, (uint8_t[]){ 0 }, 0, 0,
                                 &plan), ==, -EINVAL);
    g_assert_cmpint(plan_request(m, 0, 1, f, NULL, 2, 0, &plan), ==,
                    -EINVAL);
    /* A bad sequence is -EINVAL even when space is short too. */
    g_assert_cmpint(plan_request(m, 0, 1000, f, (uint8_t[]){ 16 }, 1, 0,
                                 &plan), ==, -EINVAL);
    g_assert_null(plan.steps);
    fam_model_free(m);
}

/* The shipped fabric models have one IG: only 0 is valid. */
static void test_request_fabric(void)
{
    FamModel *m = load_shipped("cxl-direct", 2, GiB);
    g_autofree uint64_t *fc = free_all(m);
    FamPolicyPlan plan;

    g_assert_cmpint(plan_request(m, 1, 7, fc, (uint8_t[]){ 0, 0, 0 }, 3, 2,
                                 &plan), ==, 0);
    expect_steps(&plan, (uint32_t[]){ 0 }, (uint64_t[]){ 7 }, 1);
    g_assert_cmpuint(plan.request_pos, ==, 0);
    fam_policy_plan_free(&plan);
    g_assert_cmpint(plan_request(m, 1, 1, fc, (uint8_t[]){ 1 }, 1, 0,
                                 &plan), ==, -EINVAL);
    fam_model_free(m);
}

/* Random sequences against the definition, book by book. */
static void test_request_random(void)
{
    FamModel *m = load_grid_nodes(NULL);
    uint32_t igs = fam_policy_igs(m);
    g_autofree uint64_t *f = g_new(uint64_t, igs);
    g_autofree uint64_t *want = g_new(uint64_t, igs);
    uint64_t seed = 42;

    for (int round = 0; round < 2000; round++) {
        size_t len = 1 + next_rand(&seed) % 6;
        uint8_t request[6];
        uint32_t pos = (uint32_t)(next_rand(&seed) % 10);
        uint64_t books = 1 + next_rand(&seed) % 24;
        bool fits = true;
        FamPolicyPlan plan;
        uint64_t i = 0;
        uint32_t node;
        int ret;

        for (uint32_t g = 0; g < igs; g++) {
            f[g] = next_rand(&seed) % 5;
            want[g] = 0;
        }
        for (size_t k = 0; k < len; k++) {
            /* Few distinct IGs, so that runs merge. */
            request[k] = (uint8_t)(next_rand(&seed) % 3 * 5);
        }
        for (uint64_t b = 0; b < books; b++) {
            want[request[(pos + b) % len]]++;
        }
        for (uint32_t g = 0; g < igs; g++) {
            fits = fits && want[g] <= f[g];
        }
        node = round % 9 == 8 ? FAM_POLICY_NO_NODE : (uint32_t)(round % 8);
        ret = plan_request(m, node, books, f, request, len, pos, &plan);
        if (!fits) {
            g_assert_cmpint(ret, ==, -ENOSPC);
            g_assert_null(plan.steps);
            continue;
        }
        g_assert_cmpint(ret, ==, 0);
        for (size_t s = 0; s < plan.n_steps; s++) {
            g_assert_cmpuint(plan.steps[s].count, >, 0);
            g_assert_cmpint(plan.steps[s].order, ==, FAM_ORDER_ASCENDING);
            if (s > 0) {
                g_assert_cmpuint(plan.steps[s].ig, !=, plan.steps[s - 1].ig);
            }
            for (uint64_t c = 0; c < plan.steps[s].count; c++, i++) {
                g_assert_cmpuint(plan.steps[s].ig, ==,
                                 request[(pos + i) % len]);
            }
        }
        g_assert_cmpuint(i, ==, books);
        g_assert_cmpuint(plan.request_pos, ==, (pos + books) % len);
        fam_policy_plan_free(&plan);
    }
    fam_model_free(m);
}

/* --- errors ---------------------------------------------------------------- */

static void test_errors(void)
{
    FamModel *m = load_grid_nodes(NULL);
    g_autofree uint64_t *f = free_all(m);
    FamPolicyRequest req = {
        .policy = FAM_POLICY_NEAREST,
        .node = 0,
        .books = 1,
        .free_books = f,
    };
    FamPolicyPlan plan;

    /* No books, a node outside the model, for every policy. */
    for (int p = 0; p < FAM_POLICY_COUNT; p++) {
        uint8_t request[] = { 1 };
        FamPolicyRequest r = {
            .policy = p,
            .node = 0,
            .books = 0,
            .free_books = f,
            .request = request,
            .request_len = 1,
            .request_pos = 9,
        };

        g_assert_cmpint(fam_policy_plan(m, &r, &plan), ==, -EINVAL);
        g_assert_null(plan.steps);
        g_assert_cmpuint(plan.request_pos, ==, 9);
        r.books = 1;
        r.node = 8;
        g_assert_cmpint(fam_policy_plan(m, &r, &plan), ==, -EINVAL);
        r.node = FAM_POLICY_NO_NODE - 1;
        g_assert_cmpint(fam_policy_plan(m, &r, &plan), ==, -EINVAL);
        r.node = 7;
        r.free_books = NULL;
        g_assert_cmpint(fam_policy_plan(m, &r, &plan), ==, -EINVAL);
        /* More free books than an IG holds: the caller is confused. */
        r.free_books = f;
        f[9] = 5;
        g_assert_cmpint(fam_policy_plan(m, &r, &plan), ==, -EINVAL);
        f[9] = 4;
        g_assert_cmpint(fam_policy_plan(m, &r, &plan), ==, 0);
        g_assert_cmpuint(plan.request_pos, ==,
                         p == FAM_POLICY_REQUEST_IG ? 0 : 9);
        fam_policy_plan_free(&plan);
    }

    /* A locality policy needs a node; the host has none. */
    for (size_t p = 0; p < N_LOCALITY; p++) {
        expect_error(m, locality_policies[p], FAM_POLICY_NO_NODE, 1, f,
                     -EINVAL);
        /* Even when space is short as well. */
        expect_error(m, locality_policies[p], FAM_POLICY_NO_NODE, 1000, f,
                     -EINVAL);
    }

    /* Unknown policies. */
    req.policy = FAM_POLICY_COUNT;
    g_assert_cmpint(fam_policy_plan(m, &req, &plan), ==, -EINVAL);
    req.policy = (FamPolicy)-1;
    g_assert_cmpint(fam_policy_plan(m, &req, &plan), ==, -EINVAL);
    req.policy = FAM_POLICY_NEAREST;

    /* Missing arguments. */
    g_assert_cmpint(fam_policy_plan(NULL, &req, &plan), ==, -EINVAL);
    g_assert_null(plan.steps);
    g_assert_cmpint(fam_policy_plan(m, NULL, &plan), ==, -EINVAL);
    g_assert_cmpint(fam_policy_plan(m, &req, NULL), ==, -EINVAL);
    fam_policy_plan_free(NULL);

    /* No free books at all. */
    memset(f, 0, sizeof(*f) * fam_policy_igs(m));
    for (int p = 0; p < FAM_POLICY_COUNT; p++) {
        if (p != FAM_POLICY_REQUEST_IG) {
            expect_error(m, p, 0, 1, f, -ENOSPC);
        }
    }
    /* The largest request cannot overflow anything. */
    f[0] = 4;
    for (int p = 0; p < FAM_POLICY_COUNT; p++) {
        if (p != FAM_POLICY_REQUEST_IG) {
            expect_error(m, p, 0, UINT64_MAX, f, -ENOSPC);
        }
    }
    g_assert_cmpint(plan_request(m, 0, UINT64_MAX, f, (uint8_t[]){ 0, 1 },
                                 2, 1, &plan), ==, -ENOSPC);
    fam_model_free(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lib-policy/names", test_names);
    g_test_add_func("/lib-policy/book-ig/shipped", test_book_ig_shipped);
    g_test_add_func("/lib-policy/book-ig/inline", test_book_ig_inline);
    g_test_add_func("/lib-policy/ig-hops", test_ig_hops);
    g_test_add_func("/lib-policy/anywhere", test_anywhere);
    g_test_add_func("/lib-policy/locality/grid-node3", test_grid_node3);
    g_test_add_func("/lib-policy/locality/grid-node5", test_grid_node5);
    g_test_add_func("/lib-policy/locality/hop-override", test_hop_override);
    g_test_add_func("/lib-policy/locality/enclosure-attached",
                    test_enclosure_attached);
    g_test_add_func("/lib-policy/locality/stripe-over-nodes",
                    test_stripe_over_nodes);
    g_test_add_func("/lib-policy/locality/tm-2016", test_tm2016);
    g_test_add_func("/lib-policy/locality/tm-2016-64", test_tm2016_64);
    g_test_add_func("/lib-policy/locality/fabric", test_fabric);
    g_test_add_func("/lib-policy/locality/random", test_locality_random);
    g_test_add_func("/lib-policy/request-ig/known", test_request_known);
    g_test_add_func("/lib-policy/request-ig/fabric", test_request_fabric);
    g_test_add_func("/lib-policy/request-ig/random", test_request_random);
    g_test_add_func("/lib-policy/errors", test_errors);
    return g_test_run();
}
