/*
 * The names of the allocation policies, as users write them in
 * user.LFS.AllocationPolicy and read them in user.LFS.AllocationPolicyList.
 * They are tm-librarian's names, spelling and case included, so that
 * scripts written for The Machine keep working.
 */
#include <string.h>

#include "lib-policy.h"

static const char *const policy_names[FAM_POLICY_COUNT] = {
    [FAM_POLICY_RANDOM_BOOKS] = "RandomBooks",
    [FAM_POLICY_LOCAL_NODE] = "LocalNode",
    [FAM_POLICY_LOCAL_ENC] = "LocalEnc",
    [FAM_POLICY_NONLOCAL_ENC] = "NonLocal_Enc",
    [FAM_POLICY_NEAREST] = "Nearest",
    [FAM_POLICY_NEAREST_REMOTE] = "NearestRemote",
    [FAM_POLICY_NEAREST_ENC] = "NearestEnc",
    [FAM_POLICY_NEAREST_RACK] = "NearestRack",
    [FAM_POLICY_LZA_ASCENDING] = "LZAascending",
    [FAM_POLICY_LZA_DESCENDING] = "LZAdescending",
    [FAM_POLICY_REQUEST_IG] = "RequestIG",
};

/* NULL for a value outside the enum, so a corrupt value is never named. */
const char *fam_policy_name(FamPolicy policy)
{
    if ((unsigned)policy >= FAM_POLICY_COUNT) {
        return NULL;
    }
    return policy_names[policy];
}

/* Exact match only: the value is stored and compared as the user wrote it,
 * and a near miss ("nearest") is more likely a mistake than a request. */
int fam_policy_parse(const char *name)
{
    if (name == NULL) {
        return -1;
    }
    for (int p = 0; p < FAM_POLICY_COUNT; p++) {
        if (strcmp(name, policy_names[p]) == 0) {
            return p;
        }
    }
    return -1;
}
