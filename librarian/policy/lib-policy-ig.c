/*
 * Interleave groups (IGs) as the policies see them. An IG is one
 * interleave set of the model: set s is modules s * ways .. s * ways +
 * ways - 1 and owns one contiguous slice of the pool (fam-map.c), and the
 * model guarantees that every book lies within one set. So "which IG holds
 * book b" and "how far is IG g from node n" are all a policy needs to
 * know about the fabric, and both come from the model's own functions, so
 * the planner agrees with the fam-fabric device by construction.
 */
#include "lib-policy-int.h"

uint32_t fam_policy_igs(const FamModel *model)
{
    return model->sets;
}

uint64_t fam_policy_ig_books(const FamModel *model)
{
    return model->set_size / model->book_size;
}

/* Through the address map rather than book / books-per-IG, so that the
 * answer stays right whatever layout the map adopts. FAM_POLICY_ANY_IG
 * (no IG) for a book outside the pool. */
uint32_t fam_policy_book_ig(const FamModel *model, uint64_t book)
{
    FamLocation loc;

    if (book >= model->books ||
        !fam_model_map(model, book * model->book_size, &loc)) {
        return FAM_POLICY_ANY_IG;
    }
    return loc.module / model->ways;
}

/* UINT32_MAX for a node or IG that does not exist (including
 * FAM_POLICY_NO_NODE, which has no place in the fabric). */
uint32_t fam_policy_ig_hops(const FamModel *model, uint32_t node,
                            uint32_t ig)
{
    uint32_t best = UINT32_MAX;

    if (node >= model->nodes || ig >= model->sets) {
        return UINT32_MAX;
    }
    for (uint32_t w = 0; w < model->ways; w++) {
        uint32_t h = fam_model_hops(model, node, ig * model->ways + w);

        if (h < best) {
            best = h;
        }
    }
    return best;
}

FamHopLevel fam_policy_ig_tier(const FamModel *model, uint32_t node,
                               uint32_t ig)
{
    FamHopLevel best = FAM_HOP_FABRIC;

    /* FAM_HOP_FABRIC sorts after every topological level, and the model
     * attaches all modules the same way, so the minimum is the nearest
     * level for node-, enclosure- and rack-attached memory and FABRIC for
     * fabric-attached memory. */
    for (uint32_t w = 0; w < model->ways; w++) {
        FamHopLevel l = fam_model_hop_level(model, node,
                                            ig * model->ways + w);

        if (l < best) {
            best = l;
        }
    }
    return best;
}
