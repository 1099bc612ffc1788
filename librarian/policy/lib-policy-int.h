/*
 * Inside the policy planner: how far an interleave group is from a node,
 * by topology (the tier) as well as by hops.
 */
#ifndef FAME_LIB_POLICY_INT_H
#define FAME_LIB_POLICY_INT_H

#include "lib-policy.h"

/* Books in one IG: every IG holds the same number. */
uint64_t fam_policy_ig_books(const FamModel *model);

/*
 * The tier of IG `ig` seen from `node`: the nearest FamHopLevel of its
 * modules. Fabric-attached memory is FAM_HOP_FABRIC for every node. The
 * caller checks node and ig.
 */
FamHopLevel fam_policy_ig_tier(const FamModel *model, uint32_t node,
                               uint32_t ig);

#endif /* FAME_LIB_POLICY_INT_H */
