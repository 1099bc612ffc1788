/*
 * Unit tests of the topology: node -> enclosure -> rack, where modules are
 * attached for each kind of attachment, the hop table, and overrides.
 * fam_test_text() uses 4 nodes per enclosure, 2 enclosures per rack and
 * hops local 1, enclosure 2, rack 3, remote 4, fabric 5.
 */
#include "fam-test.h"

static void test_nodes(void)
{
    FamModel *m = fam_test_model("fabric", 1, NULL, 0, 19, 8 * MiB);

    g_assert_cmpuint(m->enclosures, ==, 5);     /* 4+4+4+4+3 nodes */
    g_assert_cmpuint(m->racks, ==, 3);          /* 2+2+1 enclosures */
    g_assert_cmpuint(fam_model_node_enclosure(m, 0), ==, 0);
    g_assert_cmpuint(fam_model_node_enclosure(m, 3), ==, 0);
    g_assert_cmpuint(fam_model_node_enclosure(m, 4), ==, 1);
    g_assert_cmpuint(fam_model_node_enclosure(m, 18), ==, 4);
    g_assert_cmpuint(fam_model_node_rack(m, 7), ==, 0);
    g_assert_cmpuint(fam_model_node_rack(m, 8), ==, 1);
    g_assert_cmpuint(fam_model_node_rack(m, 18), ==, 2);
    fam_model_free(m);
}

static void test_attach_node(void)
{
    /* 2 modules per node, 10 nodes: module i is on node i / 2. */
    FamModel *m = fam_test_model("node", 2, NULL, 0, 10, 20 * 2 * MiB);

    g_assert_cmpuint(m->modules, ==, 20);
    g_assert_cmpuint(m->module[0].node, ==, 0);
    g_assert_cmpuint(m->module[1].node, ==, 0);
    g_assert_cmpuint(m->module[19].node, ==, 9);
    g_assert_cmpuint(m->module[19].enclosure, ==, 2);
    g_assert_cmpuint(m->module[19].rack, ==, 1);

    g_assert_cmpuint(fam_model_hop_level(m, 0, 1), ==, FAM_HOP_LOCAL);
    g_assert_cmpuint(fam_model_hop_level(m, 0, 2), ==, FAM_HOP_ENCLOSURE);
    g_assert_cmpuint(fam_model_hop_level(m, 0, 8), ==, FAM_HOP_RACK);
    g_assert_cmpuint(fam_model_hop_level(m, 0, 16), ==, FAM_HOP_REMOTE);
    g_assert_cmpuint(fam_model_hops(m, 0, 1), ==, 1);
    g_assert_cmpuint(fam_model_hops(m, 0, 2), ==, 2);
    g_assert_cmpuint(fam_model_hops(m, 0, 8), ==, 3);
    g_assert_cmpuint(fam_model_hops(m, 0, 16), ==, 4);
    g_assert_cmpuint(fam_model_hops(m, 9, 19), ==, 1);
    g_assert_cmpuint(fam_model_hops(m, 9, 0), ==, 4);
    fam_model_free(m);
}

static void test_attach_enclosure(void)
{
    /* 10 nodes -> 3 enclosures (4, 4, 2 nodes), one module each. */
    FamModel *m = fam_test_model("enclosure", 1, NULL, 0, 10, 3 * 2 * MiB);

    g_assert_cmpuint(m->modules, ==, 3);
    g_assert_cmpuint(m->module[2].node, ==, FAM_MODEL_NONE);
    g_assert_cmpuint(m->module[2].enclosure, ==, 2);
    g_assert_cmpuint(m->module[2].rack, ==, 1);
    g_assert_cmpuint(fam_model_hops(m, 0, 0), ==, 2);
    g_assert_cmpuint(fam_model_hops(m, 0, 1), ==, 3);
    g_assert_cmpuint(fam_model_hops(m, 0, 2), ==, 4);
    g_assert_cmpuint(fam_model_hops(m, 9, 2), ==, 2);
    fam_model_free(m);
}

static void test_attach_rack_and_fabric(void)
{
    FamModel *m = fam_test_model("rack", 2, NULL, 0, 10, 4 * 2 * MiB);

    g_assert_cmpuint(m->modules, ==, 4);        /* 2 racks x 2 */
    g_assert_cmpuint(m->module[3].rack, ==, 1);
    g_assert_cmpuint(m->module[3].enclosure, ==, FAM_MODEL_NONE);
    g_assert_cmpuint(fam_model_hops(m, 0, 1), ==, 3);
    g_assert_cmpuint(fam_model_hops(m, 0, 2), ==, 4);
    g_assert_cmpuint(fam_model_hops(m, 8, 2), ==, 3);
    fam_model_free(m);

    m = fam_test_model("fabric", 3, NULL, 0, 10, 3 * 2 * MiB);
    g_assert_cmpuint(m->modules, ==, 3);
    for (uint32_t n = 0; n < 10; n++) {
        for (uint32_t i = 0; i < 3; i++) {
            g_assert_cmpuint(fam_model_hop_level(m, n, i), ==,
                             FAM_HOP_FABRIC);
            g_assert_cmpuint(fam_model_hops(m, n, i), ==, 5);
        }
    }
    fam_model_free(m);
}

/* Unset hop levels take the value of the level before them. */
static void test_hop_defaults(void)
{
    static const char text[] =
        "[model]\nname = d\n[topology]\nnodes_per_enclosure = 2\n"
        "enclosures_per_rack = 1\n"
        "[hops]\nlocal = 2\nrack = 6\nlatency_ns = 1\n"
        "[media]\nattach = node\ncount = 1\nread_latency_ns = 1\n"
        "write_latency_ns = 1\nbandwidth = 1\n[interleave]\nmode = book\n";
    FamModel *m = fam_test_load(text, 6, 6 * 8 * MiB);

    g_assert_cmpuint(m->hop_count[FAM_HOP_LOCAL], ==, 2);
    g_assert_cmpuint(m->hop_count[FAM_HOP_ENCLOSURE], ==, 2);
    g_assert_cmpuint(m->hop_count[FAM_HOP_RACK], ==, 6);
    g_assert_cmpuint(m->hop_count[FAM_HOP_REMOTE], ==, 6);
    g_assert_cmpuint(m->hop_count[FAM_HOP_FABRIC], ==, 6);
    g_assert_cmpuint(m->nodes_per_enclosure, ==, 2);
    g_assert_cmpuint(m->racks, ==, 3);
    g_assert_cmpuint(fam_model_hops(m, 0, 5), ==, 6);
    g_assert_cmpuint(m->contention_ns, ==, 0);
    g_assert_cmpuint(m->book_size, ==, FAM_MODEL_DEFAULT_BOOK);
    fam_model_free(m);
}

/* Without [topology]: every node its own enclosure, all in one rack. */
static void test_topology_defaults(void)
{
    static const char text[] =
        "[model]\nname = d\n"
        "[hops]\nlocal = 1\nenclosure = 2\nrack = 3\nlatency_ns = 1\n"
        "[media]\nattach = node\ncount = 1\nread_latency_ns = 1\n"
        "write_latency_ns = 1\nbandwidth = 1\n[interleave]\nmode = book\n";
    FamModel *m = fam_test_load(text, 64, 64 * 8 * MiB);

    g_assert_cmpuint(m->nodes_per_enclosure, ==, 1);
    g_assert_cmpuint(m->enclosures_per_rack, ==, 64);
    g_assert_cmpuint(m->enclosures, ==, 64);
    g_assert_cmpuint(m->racks, ==, 1);
    g_assert_cmpuint(fam_model_hops(m, 0, 0), ==, 1);
    g_assert_cmpuint(fam_model_hops(m, 0, 63), ==, 3);
    fam_model_free(m);
}

static void test_override(void)
{
    char *base = fam_test_text("node", 1, NULL, 0, 2 * MiB);
    char *text = g_strconcat(base, "[hop-override]\nnode0.module3 = 9\n"
                             "node3.module0 = 0\n", NULL);
    FamModel *m = fam_test_load(text, 4, 4 * 2 * MiB);

    g_assert_cmpuint(fam_model_hops(m, 0, 3), ==, 9);
    g_assert_cmpuint(fam_model_hops(m, 3, 0), ==, 0);
    g_assert_cmpuint(fam_model_hops(m, 0, 2), ==, 2);   /* untouched */
    /* The distance class stays the derived one. */
    g_assert_cmpuint(fam_model_hop_level(m, 0, 3), ==, FAM_HOP_ENCLOSURE);
    g_assert_cmpuint(fam_model_latency(m, 0, 3, FAM_ACCESS_READ, 0, 0), ==,
                     100 + 9 * 10);
    fam_model_free(m);
    g_free(text);
    g_free(base);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fam-model/topology/nodes", test_nodes);
    g_test_add_func("/fam-model/topology/attach-node", test_attach_node);
    g_test_add_func("/fam-model/topology/attach-enclosure",
                    test_attach_enclosure);
    g_test_add_func("/fam-model/topology/attach-rack-and-fabric",
                    test_attach_rack_and_fabric);
    g_test_add_func("/fam-model/topology/hop-defaults", test_hop_defaults);
    g_test_add_func("/fam-model/topology/topology-defaults",
                    test_topology_defaults);
    g_test_add_func("/fam-model/topology/override", test_override);
    return g_test_run();
}
