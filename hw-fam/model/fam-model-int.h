/*
 * Internal interfaces between the fabric model's source files. Not for
 * callers of the model: they use fam-model.h only.
 */
#ifndef FAM_MODEL_INT_H
#define FAM_MODEL_INT_H

#include "fam-ini.h"
#include "fam-model.h"

/* Section names of the model file, shared by the parser and the checks. */
#define FAM_GROUP_MODEL      "model"
#define FAM_GROUP_TOPOLOGY   "topology"
#define FAM_GROUP_HOPS       "hops"
#define FAM_GROUP_MEDIA      "media"
#define FAM_GROUP_INTERLEAVE "interleave"
#define FAM_GROUP_POOL       "pool"
#define FAM_GROUP_OVERRIDE   "hop-override"
#define FAM_GROUP_CACHE      "cache"

/*
 * Derive the module count, interleave sets and sizes from what the parser
 * read (m->ways == 0 meaning "all"), and check that the pool divides as the
 * model says. Errors point at the key in `ini` that the pool contradicts;
 * `book_from_caller` says the book size came from the caller, not the file.
 */
bool fam_layout_build(FamModel *m, const FamIni *ini, bool book_from_caller,
                      GError **errp);

/* Fill m->module[] and m->hops[] from the topology (after the layout). */
void fam_topology_build(FamModel *m);

#endif /* FAM_MODEL_INT_H */
