/*
 * The allocation planner: from a policy, a node, a book count and the free
 * books of every interleave group (IG), the steps the core runs to take
 * the books. What each policy means:
 *
 * Distance. Seen from a node, an IG has a tier, the nearest FamHopLevel of
 * its modules (LOCAL: on the node itself, ENCLOSURE: elsewhere in the
 * node's enclosure, RACK: elsewhere in its rack, REMOTE: another rack),
 * and a hop count, the fewest fam_model_hops() of its modules.
 * Fabric-attached memory (the CXL models, ideal) is equally far from every
 * node: its tier is FABRIC, which is never local, enclosure or rack, so
 * the policies that want memory on or beside the node find none there.
 *
 * Placement-free policies, usable without a node (and by the host):
 *   RandomBooks     free books anywhere, uniformly at random (the core
 *                   seeds the generator);
 *   LZAascending    free books anywhere, lowest book numbers first;
 *   LZAdescending   ... highest first;
 *   RequestIG       book i of the request goes to IG
 *                   request[(request_pos + i) % request_len]: the IG
 *                   sequence of user.LFS.InterleaveRequest, resumed where
 *                   the previous allocation stopped. The plan returns the
 *                   position after it. Every entry must be an IG of the
 *                   model (else -EINVAL) and each IG must hold all the
 *                   books the sequence sends it (else -ENOSPC): a request
 *                   is honoured exactly or not at all.
 *
 * Locality policies, which need the allocating node (-EINVAL for the host):
 *   LocalNode       LOCAL IGs only;
 *   LocalEnc        LOCAL and ENCLOSURE IGs: the node's enclosure
 *                   (tm-librarian listed it but never implemented it);
 *   NonLocal_Enc    ENCLOSURE IGs only: the node's enclosure, not the node;
 *   Nearest         every IG;
 *   NearestRemote   every IG but the LOCAL ones;
 *   NearestEnc      LOCAL and ENCLOSURE IGs, nothing further;
 *   NearestRack     RACK, REMOTE and FABRIC IGs: never the node's own
 *                   enclosure.
 * So LocalEnc and NearestEnc draw from the same IGs in the same order;
 * both names exist because tm-librarian users know both.
 *
 * A locality policy fills the nearest of its IGs before it touches the
 * next: fewest hops first, a tie in hops going to the nearer tier and then
 * to the lower IG number. That is what "nearest" promises (spreading over
 * IGs would hand out farther memory while nearer memory is free). With
 * the shipped models hops grow with the tier, so NearestRack takes the
 * rack before other racks; a [hop-override] that makes some module nearer
 * is honoured, since hops are what an access costs.
 *
 * Within an IG a locality policy takes the lowest free book numbers:
 * the result is reproducible (tests, crash replays), a growing shelf gets
 * runs of adjacent books (each a contiguous piece of a module), and the
 * core finds them with one ordered, indexed query.
 *
 * For every policy: books == 0, an unknown policy or a node that is
 * neither in the model nor FAM_POLICY_NO_NODE is -EINVAL, and if the IGs
 * the policy may use hold fewer free books than requested it is -ENOSPC
 * with no plan, so the core never allocates part of a request. A plan's
 * step counts sum to exactly the books requested, and no step asks an IG
 * for more than its free books.
 *
 * Also -EINVAL: a free count above what one IG holds (the caller's counts
 * are wrong, and trusting them could over-ask an IG). -ENOMEM if the plan
 * cannot be allocated. A RequestIG position past the end of the sequence
 * is taken modulo its length; other policies return request_pos as given.
 */
#include <errno.h>
#include <stdlib.h>

#include "lib-policy-int.h"

#define TIER(level)     (1u << (level))
#define TIERS_ALL       (TIER(FAM_HOP_LEVELS) - 1)

/* The tiers a locality policy may use; 0 for the others. */
static unsigned locality_tiers(FamPolicy policy)
{
    switch (policy) {
    case FAM_POLICY_LOCAL_NODE:
        return TIER(FAM_HOP_LOCAL);
    case FAM_POLICY_LOCAL_ENC:
    case FAM_POLICY_NEAREST_ENC:
        return TIER(FAM_HOP_LOCAL) | TIER(FAM_HOP_ENCLOSURE);
    case FAM_POLICY_NONLOCAL_ENC:
        return TIER(FAM_HOP_ENCLOSURE);
    case FAM_POLICY_NEAREST:
        return TIERS_ALL;
    case FAM_POLICY_NEAREST_REMOTE:
        return TIERS_ALL & ~TIER(FAM_HOP_LOCAL);
    case FAM_POLICY_NEAREST_RACK:
        return TIER(FAM_HOP_RACK) | TIER(FAM_HOP_REMOTE) |
               TIER(FAM_HOP_FABRIC);
    default:
        return 0;
    }
}

/*
 * The free counts come from the core's database; one larger than an IG
 * can hold means the caller is confused, and planning on it could ask an
 * IG for books it does not have. Returns the total, which cannot overflow
 * once every count is bounded (it is at most the pool's book count).
 */
static int check_free_books(const FamModel *model, const uint64_t *free_books,
                            uint64_t *total)
{
    uint64_t cap = fam_policy_ig_books(model);
    uint64_t sum = 0;

    if (free_books == NULL) {
        return -EINVAL;
    }
    for (uint32_t g = 0; g < fam_policy_igs(model); g++) {
        if (free_books[g] > cap) {
            return -EINVAL;
        }
        sum += free_books[g];
    }
    *total = sum;
    return 0;
}

static FamPolicyStep *new_steps(size_t n)
{
    return calloc(n, sizeof(FamPolicyStep));
}

/* RandomBooks and LZA*: one step from anywhere. */
static int plan_anywhere(uint64_t free_total, const FamPolicyRequest *req,
                         FamPolicyOrder order, FamPolicyPlan *plan)
{
    if (free_total < req->books) {
        return -ENOSPC;
    }
    plan->steps = new_steps(1);
    if (plan->steps == NULL) {
        return -ENOMEM;
    }
    plan->steps[0] = (FamPolicyStep){
        .ig = FAM_POLICY_ANY_IG,
        .count = req->books,
        .order = order,
    };
    plan->n_steps = 1;
    return 0;
}

typedef struct IgRank {
    uint32_t ig;
    uint32_t hops;
    FamHopLevel tier;
} IgRank;

/* Nearest first: hops, then tier, then IG number (a total order, so the
 * plan does not depend on qsort's stability). */
static int ig_rank_cmp(const void *a, const void *b)
{
    const IgRank *x = a, *y = b;

    if (x->hops != y->hops) {
        return x->hops < y->hops ? -1 : 1;
    }
    if (x->tier != y->tier) {
        return x->tier < y->tier ? -1 : 1;
    }
    return x->ig < y->ig ? -1 : x->ig > y->ig;
}

/* The locality policies: fill the policy's IGs nearest first. */
static int plan_nearest(const FamModel *model, const FamPolicyRequest *req,
                        unsigned tiers, FamPolicyPlan *plan)
{
    uint32_t igs = fam_policy_igs(model);
    IgRank *rank = calloc(igs, sizeof(*rank));
    uint64_t have = 0, left = req->books;
    size_t n = 0, used = 0;
    int ret = 0;

    if (rank == NULL) {
        return -ENOMEM;
    }
    for (uint32_t g = 0; g < igs; g++) {
        FamHopLevel tier = fam_policy_ig_tier(model, req->node, g);

        if ((tiers & TIER(tier)) && req->free_books[g] > 0) {
            rank[n++] = (IgRank){
                .ig = g,
                .hops = fam_policy_ig_hops(model, req->node, g),
                .tier = tier,
            };
            have += req->free_books[g];
        }
    }
    if (have < req->books) {
        ret = -ENOSPC;
        goto out;
    }
    qsort(rank, n, sizeof(*rank), ig_rank_cmp);
    /* Only as many steps as the nearest IGs that cover the request. */
    for (have = 0; have < req->books; used++) {
        have += req->free_books[rank[used].ig];
    }
    plan->steps = new_steps(used);
    if (plan->steps == NULL) {
        ret = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < used; i++) {
        uint64_t take = req->free_books[rank[i].ig];

        if (take > left) {
            take = left;
        }
        plan->steps[i] = (FamPolicyStep){
            .ig = rank[i].ig,
            .count = take,
            .order = FAM_ORDER_ASCENDING,
        };
        left -= take;
    }
    plan->n_steps = used;
out:
    free(rank);
    return ret;
}

/*
 * RequestIG. First what the sequence asks of each IG (full turns of the
 * sequence plus the part turn from the start position), so that a
 * shortfall is found before anything is built; then the steps, merging
 * consecutive books for the same IG.
 */
static int plan_request(const FamModel *model, const FamPolicyRequest *req,
                        FamPolicyPlan *plan)
{
    uint32_t igs = fam_policy_igs(model);
    size_t len = req->request_len;
    uint64_t *want;
    size_t start, n_steps = 0;
    uint64_t turns, rest;
    int ret = 0;

    /* The position after the plan must fit in request_pos. */
    if (req->request == NULL || len == 0 || len > UINT32_MAX) {
        return -EINVAL;
    }
    for (size_t k = 0; k < len; k++) {
        if (req->request[k] >= igs) {
            return -EINVAL;
        }
    }
    want = calloc(igs, sizeof(*want));
    if (want == NULL) {
        return -ENOMEM;
    }
    start = req->request_pos % len;
    turns = req->books / len;
    rest = req->books % len;
    for (size_t k = 0; k < len; k++) {
        want[req->request[k]] += turns;
    }
    for (uint64_t i = 0; i < rest; i++) {
        want[req->request[(start + i) % len]]++;
    }
    for (uint32_t g = 0; g < igs; g++) {
        if (want[g] > req->free_books[g]) {
            ret = -ENOSPC;
            goto out;
        }
    }

    /* The wants sum to books and each is within its IG's free books, so
     * both walks are bounded by the pool's size in books. */
    for (uint64_t i = 0; i < req->books; i++) {
        if (i == 0 || req->request[(start + i) % len] !=
                      req->request[(start + i - 1) % len]) {
            n_steps++;
        }
    }
    plan->steps = new_steps(n_steps);
    if (plan->steps == NULL) {
        ret = -ENOMEM;
        goto out;
    }
    for (uint64_t i = 0; i < req->books; i++) {
        uint32_t ig = req->request[(start + i) % len];
        FamPolicyStep *last = plan->n_steps
            ? &plan->steps[plan->n_steps - 1] : NULL;

        if (last != NULL && last->ig == ig) {
            last->count++;
        } else {
            plan->steps[plan->n_steps++] = (FamPolicyStep){
                .ig = ig,
                .count = 1,
                .order = FAM_ORDER_ASCENDING,
            };
        }
    }
    plan->request_pos = (uint32_t)((start + rest) % len);
out:
    free(want);
    return ret;
}

int fam_policy_plan(const FamModel *model, const FamPolicyRequest *req,
                    FamPolicyPlan *plan)
{
    unsigned tiers;
    uint64_t free_total;
    int ret;

    if (plan == NULL) {
        return -EINVAL;
    }
    *plan = (FamPolicyPlan){ .steps = NULL };
    if (model == NULL || req == NULL) {
        return -EINVAL;
    }
    /* Unless RequestIG moves it, the sequence stays where it was. */
    plan->request_pos = req->request_pos;
    if ((unsigned)req->policy >= FAM_POLICY_COUNT || req->books == 0 ||
        (req->node >= model->nodes && req->node != FAM_POLICY_NO_NODE)) {
        return -EINVAL;
    }
    ret = check_free_books(model, req->free_books, &free_total);
    if (ret < 0) {
        return ret;
    }

    switch (req->policy) {
    case FAM_POLICY_RANDOM_BOOKS:
        ret = plan_anywhere(free_total, req, FAM_ORDER_RANDOM, plan);
        break;
    case FAM_POLICY_LZA_ASCENDING:
        ret = plan_anywhere(free_total, req, FAM_ORDER_ASCENDING, plan);
        break;
    case FAM_POLICY_LZA_DESCENDING:
        ret = plan_anywhere(free_total, req, FAM_ORDER_DESCENDING, plan);
        break;
    case FAM_POLICY_REQUEST_IG:
        /* Its own check for space, after checking the sequence. */
        ret = plan_request(model, req, plan);
        break;
    default:
        tiers = locality_tiers(req->policy);
        ret = req->node == FAM_POLICY_NO_NODE
            ? -EINVAL : plan_nearest(model, req, tiers, plan);
        break;
    }
    if (ret < 0) {
        fam_policy_plan_free(plan);
        plan->request_pos = req->request_pos;
    }
    return ret;
}

void fam_policy_plan_free(FamPolicyPlan *plan)
{
    if (plan == NULL) {
        return;
    }
    free(plan->steps);
    plan->steps = NULL;
    plan->n_steps = 0;
}
