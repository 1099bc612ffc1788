/*
 * The address map: pool offset <-> (module, offset within the module).
 *
 * The modules form `sets` interleave sets of `ways` consecutive modules;
 * set s owns the s-th `set_size` bytes of the pool. Inside a set the pool
 * is cut into units of `granule` bytes dealt round-robin over the set's
 * modules:
 *
 *   s = off / set_size               r = off % set_size
 *   g = r / granule                  (the unit's index in the set)
 *   module = s * ways + g % ways
 *   module offset = (g / ways) * granule + r % granule
 *
 * Book mode is the same with ways = 1 and granule = book size, so each
 * module is one contiguous run of whole books (see fam-model-layout.c).
 * Only integer division is used, so any number of ways works (3, 6, 12 as
 * well as powers of two) and both directions are exact inverses.
 */
#include "fam-model-int.h"

bool fam_model_map(const FamModel *m, uint64_t pool_offset,
                   FamLocation *loc)
{
    uint64_t set, r, unit, within;

    if (pool_offset >= m->pool_size) {
        return false;
    }
    set = pool_offset / m->set_size;
    r = pool_offset % m->set_size;
    unit = r / m->granule;
    within = r % m->granule;

    loc->module = (uint32_t)(set * m->ways + unit % m->ways);
    loc->offset = (unit / m->ways) * m->granule + within;
    /* With one way a whole module is contiguous, not just one unit. */
    loc->run = m->ways == 1 ? m->module_size - loc->offset
                            : m->granule - within;
    return true;
}

bool fam_model_unmap(const FamModel *m, uint32_t module,
                     uint64_t module_offset, uint64_t *pool_offset)
{
    uint64_t set, way, unit;

    if (module >= m->modules || module_offset >= m->module_size) {
        return false;
    }
    set = module / m->ways;
    way = module % m->ways;
    unit = (module_offset / m->granule) * m->ways + way;
    *pool_offset = set * m->set_size + unit * m->granule +
                   module_offset % m->granule;
    return true;
}
