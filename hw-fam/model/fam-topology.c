/*
 * Topology: where nodes and modules sit (node -> enclosure -> rack) and how
 * many hops lie between a node and a module.
 *
 * Nodes are numbered densely and fill enclosures in order, enclosures fill
 * racks in order, as The Machine numbered them; so the structure follows
 * from two numbers and the node count, and one model file fits any count.
 * The distance class is the innermost thing a node and a module share; the
 * hop table caches it per pair so that [hop-override] can change single
 * pairs and the latency function does one lookup.
 */
#include "fam-model-int.h"

uint32_t fam_model_node_enclosure(const FamModel *m, uint32_t node)
{
    return node / m->nodes_per_enclosure;
}

uint32_t fam_model_node_rack(const FamModel *m, uint32_t node)
{
    return fam_model_node_enclosure(m, node) / m->enclosures_per_rack;
}

/* Module i of an attachment point p, for each kind of attachment. */
static FamModule module_at(const FamModel *m, uint32_t p)
{
    FamModule mod = { FAM_MODEL_NONE, FAM_MODEL_NONE, FAM_MODEL_NONE };

    switch (m->attach) {
    case FAM_ATTACH_NODE:
        mod.node = p;
        mod.enclosure = fam_model_node_enclosure(m, p);
        mod.rack = fam_model_node_rack(m, p);
        break;
    case FAM_ATTACH_ENCLOSURE:
        mod.enclosure = p;
        mod.rack = p / m->enclosures_per_rack;
        break;
    case FAM_ATTACH_RACK:
        mod.rack = p;
        break;
    case FAM_ATTACH_FABRIC:
        break;
    }
    return mod;
}

FamHopLevel fam_model_hop_level(const FamModel *m, uint32_t node,
                                uint32_t module)
{
    const FamModule *mod;

    g_return_val_if_fail(node < m->nodes && module < m->modules,
                         FAM_HOP_REMOTE);
    mod = &m->module[module];
    if (m->attach == FAM_ATTACH_FABRIC) {
        return FAM_HOP_FABRIC;
    }
    if (mod->node == node) {
        return FAM_HOP_LOCAL;
    }
    if (mod->enclosure == fam_model_node_enclosure(m, node)) {
        return FAM_HOP_ENCLOSURE;
    }
    if (mod->rack == fam_model_node_rack(m, node)) {
        return FAM_HOP_RACK;
    }
    return FAM_HOP_REMOTE;
}

uint32_t fam_model_hops(const FamModel *m, uint32_t node, uint32_t module)
{
    g_return_val_if_fail(node < m->nodes && module < m->modules, 0);
    return m->hops[(size_t)node * m->modules + module];
}

void fam_topology_build(FamModel *m)
{
    /* Modules are numbered point by point: the `count` modules of node 0
     * (or enclosure 0...) first. With book or set interleave this keeps a
     * point's memory contiguous in the pool, as The Machine laid out one
     * interleave group per node. */
    m->module = g_new(FamModule, m->modules);
    for (uint32_t i = 0; i < m->modules; i++) {
        m->module[i] = module_at(m, i / m->modules_per_attach);
    }
    m->hops = g_new(uint16_t, (size_t)m->nodes * m->modules);
    for (uint32_t n = 0; n < m->nodes; n++) {
        for (uint32_t i = 0; i < m->modules; i++) {
            FamHopLevel l = fam_model_hop_level(m, n, i);

            m->hops[(size_t)n * m->modules + i] = (uint16_t)m->hop_count[l];
        }
    }
}
