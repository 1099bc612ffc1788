/*
 * Allocation policies of the Librarian, as pure functions of the fabric
 * model: where the books of a growing shelf should come from.
 *
 * The unit of placement is the interleave group (IG): one interleave set
 * of the model (model->sets of them; with book interleave an IG is one
 * media module). A policy turns "n books for node N" and the free-book
 * count of every IG into a plan: an ordered list of steps, each "take k
 * books from IG g (or from anywhere), lowest / highest / random book
 * numbers first". The Librarian core runs the plan against its database
 * in one transaction; if the plan cannot cover n books it is -ENOSPC and
 * nothing is allocated. No SQLite and no state here: unit-tested alone.
 */
#ifndef FAME_LIB_POLICY_H
#define FAME_LIB_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fam-model.h"

#define FAM_POLICY_ANY_IG   UINT32_MAX
/* A request with no allocating node: no locality. */
#define FAM_POLICY_NO_NODE  UINT32_MAX

/* The shipped allocation policies (user.LFS.AllocationPolicy values). */
typedef enum FamPolicy {
    FAM_POLICY_RANDOM_BOOKS,        /* "RandomBooks" (the default) */
    FAM_POLICY_LOCAL_NODE,          /* "LocalNode" */
    FAM_POLICY_LOCAL_ENC,           /* "LocalEnc" */
    FAM_POLICY_NONLOCAL_ENC,        /* "NonLocal_Enc" */
    FAM_POLICY_NEAREST,             /* "Nearest" */
    FAM_POLICY_NEAREST_REMOTE,      /* "NearestRemote" */
    FAM_POLICY_NEAREST_ENC,         /* "NearestEnc" */
    FAM_POLICY_NEAREST_RACK,        /* "NearestRack" */
    FAM_POLICY_LZA_ASCENDING,       /* "LZAascending" */
    FAM_POLICY_LZA_DESCENDING,      /* "LZAdescending" */
    FAM_POLICY_REQUEST_IG,          /* "RequestIG" */
    FAM_POLICY_COUNT
} FamPolicy;

/* The name of a policy, and back (-1 if unknown). lib-policy-names.c */
const char *fam_policy_name(FamPolicy policy);
int fam_policy_parse(const char *name);

typedef enum FamPolicyOrder {
    FAM_ORDER_ASCENDING,    /* lowest book numbers first */
    FAM_ORDER_DESCENDING,   /* highest first */
    FAM_ORDER_RANDOM,       /* uniformly at random (seeded by the core) */
} FamPolicyOrder;

typedef struct FamPolicyStep {
    uint32_t ig;            /* an IG, or FAM_POLICY_ANY_IG */
    uint64_t count;         /* books to take, > 0 */
    FamPolicyOrder order;
} FamPolicyStep;

typedef struct FamPolicyRequest {
    FamPolicy policy;
    uint32_t node;              /* the allocating node (FAM_POLICY_NO_NODE:
                                 * no locality; local policies -EINVAL) */
    uint64_t books;             /* books to place, > 0 */
    const uint64_t *free_books; /* free books per IG, fam_policy_igs() */
    /* RequestIG: the IG sequence (user.LFS.InterleaveRequest) and where
     * in it to continue (user.LFS.InterleaveRequestPos). */
    const uint8_t *request;
    size_t request_len;
    uint32_t request_pos;
} FamPolicyRequest;

typedef struct FamPolicyPlan {
    FamPolicyStep *steps;       /* malloc()ed; fam_policy_plan_free() */
    size_t n_steps;
    uint32_t request_pos;       /* RequestIG: the position after the plan */
} FamPolicyPlan;

/* IGs in the model, and the IG of a book / of a pool offset. */
uint32_t fam_policy_igs(const FamModel *model);
uint32_t fam_policy_book_ig(const FamModel *model, uint64_t book);

/* Hops from `node` to IG `ig` (the nearest module of the set). */
uint32_t fam_policy_ig_hops(const FamModel *model, uint32_t node,
                            uint32_t ig);

/*
 * Make the plan. Returns 0, -ENOSPC (the policy's IGs hold too few free
 * books), or -EINVAL (bad request: unknown policy, RequestIG without a
 * valid request, a local policy without a node).
 */
int fam_policy_plan(const FamModel *model, const FamPolicyRequest *req,
                    FamPolicyPlan *plan);
void fam_policy_plan_free(FamPolicyPlan *plan);

#endif /* FAME_LIB_POLICY_H */
