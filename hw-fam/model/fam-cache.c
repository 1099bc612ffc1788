/*
 * A node's cache in front of the fabric (fam-model.h): which pool lines
 * the node holds and which of them it has written, so that timed mode
 * charges a hit for what a CPU would have in its caches and the fabric's
 * latency for the rest, and so that flushes have something to write
 * back. Data never lives here.
 *
 * Set-associative with true LRU: each line remembers the access count
 * when it was last touched, and a miss takes an empty way or else the
 * least recently touched one. Deterministic: the same accesses always
 * give the same hits, misses and write-backs.
 */
#include "fam-model.h"

typedef struct FamCacheLine {
    uint64_t tag;               /* pool offset / FAM_CACHE_LINE */
    uint64_t used;              /* cache->clock at the last touch */
    bool valid;
    bool dirty;
} FamCacheLine;

struct FamCache {
    uint32_t sets;              /* a power of two */
    uint32_t ways;
    uint64_t clock;             /* accesses so far */
    FamCacheStats stats;
    FamCacheLine *line;         /* sets * ways: set s is line[s * ways...] */
};

FamCache *fam_cache_new(const FamModel *model)
{
    FamCache *c = g_new0(FamCache, 1);

    c->sets = model->cache_sets;
    c->ways = model->cache_ways;
    c->line = g_new0(FamCacheLine, (size_t)c->sets * c->ways);
    return c;
}

void fam_cache_free(FamCache *cache)
{
    if (cache != NULL) {
        g_free(cache->line);
        g_free(cache);
    }
}

static FamCacheLine *set_of(const FamCache *c, uint64_t tag)
{
    return &c->line[(size_t)(tag & (c->sets - 1)) * c->ways];
}

static FamCacheLine *lookup(const FamCache *c, uint64_t tag)
{
    FamCacheLine *set = set_of(c, tag);

    for (uint32_t w = 0; w < c->ways; w++) {
        if (set[w].valid && set[w].tag == tag) {
            return &set[w];
        }
    }
    return NULL;
}

FamCacheOutcome fam_cache_access(FamCache *cache, uint64_t addr,
                                 FamAccess op)
{
    uint64_t tag = addr / FAM_CACHE_LINE;
    FamCacheOutcome out = { .hit = true, .writeback = UINT64_MAX };
    FamCacheLine *l = lookup(cache, tag);

    cache->clock++;
    if (l != NULL) {
        cache->stats.hits++;
    } else {
        FamCacheLine *set = set_of(cache, tag);

        out.hit = false;
        cache->stats.misses++;
        l = &set[0];
        for (uint32_t w = 0; w < cache->ways && l->valid; w++) {
            if (!set[w].valid || set[w].used < l->used) {
                l = &set[w];
            }
        }
        if (l->valid) {
            cache->stats.evictions++;
            if (l->dirty) {
                cache->stats.writebacks++;
                out.writeback = l->tag * FAM_CACHE_LINE;
            }
        }
        *l = (FamCacheLine){ .tag = tag, .valid = true };
    }
    l->used = cache->clock;
    l->dirty |= op == FAM_ACCESS_WRITE;
    return out;
}

bool fam_cache_flush(FamCache *cache, uint64_t addr, bool invalidate)
{
    FamCacheLine *l = lookup(cache, addr / FAM_CACHE_LINE);
    bool written = l != NULL && l->dirty;

    cache->stats.flushes++;
    if (written) {
        cache->stats.writebacks++;
        l->dirty = false;
    }
    if (l != NULL && invalidate) {
        l->valid = false;
    }
    return written;
}

uint64_t fam_cache_flush_all(FamCache *cache)
{
    uint64_t written = 0;

    cache->stats.flushes++;
    for (size_t i = 0; i < (size_t)cache->sets * cache->ways; i++) {
        written += cache->line[i].valid && cache->line[i].dirty;
        cache->line[i].valid = false;
        cache->line[i].dirty = false;
    }
    cache->stats.writebacks += written;
    return written;
}

void fam_cache_fence(FamCache *cache)
{
    cache->stats.fences++;
}

bool fam_cache_present(const FamCache *cache, uint64_t addr)
{
    return lookup(cache, addr / FAM_CACHE_LINE) != NULL;
}

const FamCacheStats *fam_cache_stats(const FamCache *cache)
{
    return &cache->stats;
}

uint64_t fam_model_access_ns(const FamModel *model, FamCache *cache,
                             uint32_t node, uint64_t pool_offset,
                             uint64_t size, FamAccess op, uint64_t load)
{
    uint64_t first, last, worst = 0;

    if (size == 0) {
        size = 1;
    }
    if (pool_offset >= model->pool_size ||
        size > model->pool_size - pool_offset) {
        return UINT64_MAX;
    }
    first = pool_offset / FAM_CACHE_LINE;
    last = (pool_offset + size - 1) / FAM_CACHE_LINE;
    for (uint64_t line = first; line <= last; line++) {
        uint64_t addr = line * FAM_CACHE_LINE, ns;

        if (cache != NULL && fam_cache_access(cache, addr, op).hit) {
            ns = model->cache_hit_ns;
        } else {
            /* A miss fetches the whole line, for a store as for a load */
            ns = fam_model_latency_at(model, node, addr,
                                      cache ? FAM_ACCESS_READ : op,
                                      FAM_CACHE_LINE, load);
        }
        worst = MAX(worst, ns);
    }
    return worst;
}
