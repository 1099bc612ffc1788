/*
 * FAME fabric model: the topology, media modules, interleave and latency of
 * the fabric-attached memory pool, as plain C with no QEMU dependency.
 *
 * One model is loaded from an INI file (docs/fabric-model.md) for a given
 * node count and pool size, and then answers two questions, as pure
 * functions of the loaded model:
 *   - where does a pool offset live (module, offset in module), and back;
 *   - how long does an access take (node, module, read/write, size, load).
 * The fam-fabric device, the Librarian's placement policies and the timed
 * mode all call these same functions, so they agree by construction.
 *
 * A FamModel is immutable once loaded: every function here only reads it,
 * so any number of threads may share one.
 */
#ifndef FAM_MODEL_H
#define FAM_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "fame/fam-fabric-regs.h"   /* FAM_MAX_NODES */

/* Limits (the node limit, FAM_MAX_NODES, is the register map's). */
#define FAM_MODEL_MAX_MODULES      4096u
#define FAM_MODEL_MAX_HOPS         1000u
#define FAM_MODEL_MIN_GRANULE      (UINT64_C(256))
#define FAM_MODEL_MAX_GRANULE      (UINT64_C(1) << 30)
#define FAM_MODEL_MIN_BOOK         (UINT64_C(2) << 20)
#define FAM_MODEL_MAX_BOOK         (UINT64_C(8) << 30)
#define FAM_MODEL_DEFAULT_BOOK     (UINT64_C(8) << 20)

/* Each node's cache in front of the fabric ([cache], fam-cache.c). */
#define FAM_CACHE_LINE             64u
#define FAM_CACHE_MIN_SIZE         (UINT64_C(4) << 10)
#define FAM_CACHE_MAX_SIZE         (UINT64_C(1) << 30)
#define FAM_CACHE_MAX_WAYS         64u
#define FAM_CACHE_DEFAULT_SIZE     (UINT64_C(1) << 20)
#define FAM_CACHE_DEFAULT_WAYS     16u
#define FAM_CACHE_DEFAULT_HIT_NS   10u

/* "Not attached at this level", in FamModule. */
#define FAM_MODEL_NONE             UINT32_MAX

/* The file suffix of a model in a models directory: NAME.ini. */
#define FAM_MODEL_SUFFIX           ".ini"

/* Errors: every load error is in this domain. */
#define FAM_MODEL_ERROR (fam_model_error_quark())
typedef enum FamModelErrorCode {
    FAM_MODEL_ERROR_IO,        /* the file cannot be read */
    FAM_MODEL_ERROR_SYNTAX,    /* a line is not [group], key = value or # */
    FAM_MODEL_ERROR_UNKNOWN,   /* unknown group or key */
    FAM_MODEL_ERROR_MISSING,   /* a required group or key is absent */
    FAM_MODEL_ERROR_VALUE,     /* a value is malformed or out of range */
    FAM_MODEL_ERROR_SIZE,      /* the pool does not divide as the model says */
    FAM_MODEL_ERROR_PARAM,     /* node count or pool size given by the caller */
    FAM_MODEL_ERROR_NOT_FOUND, /* no model of that name */
} FamModelErrorCode;

/* Where media modules hang in the topology. */
typedef enum FamAttach {
    FAM_ATTACH_NODE,       /* `count` modules on every node (The Machine) */
    FAM_ATTACH_ENCLOSURE,  /* `count` modules in every enclosure */
    FAM_ATTACH_RACK,       /* `count` modules in every rack */
    FAM_ATTACH_FABRIC,     /* `count` modules in all, behind the fabric */
} FamAttach;

/* The distance classes between a node and a module, each with a hop count. */
typedef enum FamHopLevel {
    FAM_HOP_LOCAL,         /* the module is on the node itself */
    FAM_HOP_ENCLOSURE,     /* ... in or on a node of the same enclosure */
    FAM_HOP_RACK,          /* ... in or on something in the same rack */
    FAM_HOP_REMOTE,        /* ... in another rack */
    FAM_HOP_FABRIC,        /* ... behind the fabric, equally far from all */
    FAM_HOP_LEVELS
} FamHopLevel;

typedef enum FamInterleaveMode {
    FAM_INTERLEAVE_BOOK,   /* whole books, module after module */
    FAM_INTERLEAVE_STRIPE, /* granule-sized stripes across `ways` modules */
} FamInterleaveMode;

typedef enum FamAccess {
    FAM_ACCESS_READ,
    FAM_ACCESS_WRITE,
} FamAccess;

/* One media module: where it is attached (FAM_MODEL_NONE where it is not). */
typedef struct FamModule {
    uint32_t node;
    uint32_t enclosure;
    uint32_t rack;
} FamModule;

/*
 * A loaded model. Read its fields freely; only fam_model_load*() creates
 * one and only fam_model_free() changes it.
 */
typedef struct FamModel {
    char *name;                 /* [model] name */
    char *description;          /* [model] description, "" if none */
    char *source;               /* the file (or test name) it came from */

    /* Topology: node n is in enclosure n / nodes_per_enclosure, enclosure e
     * in rack e / enclosures_per_rack. */
    uint32_t nodes;
    uint32_t nodes_per_enclosure;
    uint32_t enclosures_per_rack;
    uint32_t enclosures;        /* enclosures holding at least one node */
    uint32_t racks;             /* racks holding at least one enclosure */
    uint32_t hop_count[FAM_HOP_LEVELS];
    uint64_t hop_ns;            /* latency one hop adds to an access */

    /* Media modules, all the same size. */
    FamAttach attach;
    uint32_t modules_per_attach; /* [media] count */
    uint32_t modules;
    uint64_t module_size;       /* pool_size / modules */
    uint64_t read_ns;
    uint64_t write_ns;
    uint64_t bandwidth;         /* bytes per second per module; 0 = unlimited */
    uint64_t contention_ns;     /* added per request queued ahead */
    FamModule *module;          /* [modules] */

    /* Interleave. Book mode is stored as one way with a book-sized unit, so
     * that one map formula serves both (see fam-map.c). */
    FamInterleaveMode interleave;
    uint32_t ways;              /* modules in one interleave set */
    uint64_t granule;           /* stripe unit; book_size in book mode */
    uint32_t sets;              /* modules / ways */
    uint64_t set_size;          /* pool_size / sets */

    /* The pool. */
    uint64_t pool_size;
    uint64_t book_size;
    uint64_t books;

    /* hops[node * modules + module], after any [hop-override]. */
    uint16_t *hops;

    /* The cache each node has in front of the fabric: cache_size bytes in
     * lines of FAM_CACHE_LINE, cache_ways per set; a hit costs cache_hit_ns. */
    uint64_t cache_size;
    uint32_t cache_ways;
    uint32_t cache_sets;        /* cache_size / (FAM_CACHE_LINE * ways) */
    uint64_t cache_hit_ns;
} FamModel;

/* What the caller decides at load time, rather than the model file. */
typedef struct FamModelParams {
    uint32_t nodes;             /* 1..FAM_MAX_NODES */
    uint64_t pool_size;         /* bytes (fam-size) */
    uint64_t book_size;         /* 0: the file's [pool] book_size */
} FamModelParams;

GQuark fam_model_error_quark(void);

/*
 * Load a model for `nodes` nodes and a pool of `pool_size` bytes. On error
 * return NULL and set *errp; messages name the file, the line and the key,
 * as "FILE:LINE: [group] key: what is wrong".
 */
FamModel *fam_model_load(const char *path, uint32_t nodes,
                         uint64_t pool_size, GError **errp);
FamModel *fam_model_load_params(const char *path,
                                const FamModelParams *params, GError **errp);

/* The same from text in memory; `name` stands for the file in messages. */
FamModel *fam_model_load_data(const char *text, const char *name,
                              uint32_t nodes, uint64_t pool_size,
                              GError **errp);
FamModel *fam_model_load_data_params(const char *text, const char *name,
                                     const FamModelParams *params,
                                     GError **errp);

void fam_model_free(FamModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(FamModel, fam_model_free)

/*
 * Resolve a model name such as "tm-2016" to DIR/tm-2016.ini. A name that
 * contains '/' or ends in ".ini" is taken as a path as it is. Returns a
 * newly allocated path, or NULL with an error that lists the models in DIR.
 */
char *fam_model_find(const char *name, const char *dir, GError **errp);

/* The model names in DIR, sorted; free with g_strfreev(). */
char **fam_model_list(const char *dir);

/* One line describing the model, for logs and `info fam`; g_free() it. */
char *fam_model_summary(const FamModel *model);

/* Topology. */
uint32_t fam_model_node_enclosure(const FamModel *model, uint32_t node);
uint32_t fam_model_node_rack(const FamModel *model, uint32_t node);
FamHopLevel fam_model_hop_level(const FamModel *model, uint32_t node,
                                uint32_t module);
uint32_t fam_model_hops(const FamModel *model, uint32_t node,
                        uint32_t module);

/*
 * The address map. A pool offset lives at `offset` in `module`, and the
 * next `run` bytes of the pool stay contiguous in that module (so an access
 * can be split into per-module pieces). Both directions are exact inverses.
 */
typedef struct FamLocation {
    uint32_t module;
    uint64_t offset;
    uint64_t run;
} FamLocation;

/* False (and *loc untouched) if pool_offset >= pool_size. */
bool fam_model_map(const FamModel *model, uint64_t pool_offset,
                   FamLocation *loc);
/* False if module or module_offset is out of range. */
bool fam_model_unmap(const FamModel *model, uint32_t module,
                     uint64_t module_offset, uint64_t *pool_offset);

/*
 * Latency in nanoseconds of one access of `size` bytes from `node` to
 * `module` while `load` other requests are queued at that module:
 *
 *   media(op) + hops(node, module) * hop_ns
 *             + ceil(size * 1e9 / bandwidth) + load * contention_ns
 *
 * Deterministic and exact (integer arithmetic), saturating at UINT64_MAX.
 */
uint64_t fam_model_latency(const FamModel *model, uint32_t node,
                           uint32_t module, FamAccess op, uint64_t size,
                           uint64_t load);
/* The same for the module holding `pool_offset` (UINT64_MAX if outside). */
uint64_t fam_model_latency_at(const FamModel *model, uint32_t node,
                              uint64_t pool_offset, FamAccess op,
                              uint64_t size, uint64_t load);

/*
 * A node's cache (fam-cache.c): set-associative, write-back, least
 * recently used line evicted, as the model's [cache] says. It tracks
 * which pool lines are present and dirty, not their bytes: data always
 * lives in the pool. One per node, used by that node's vCPU alone: not
 * thread-safe.
 */
typedef struct FamCache FamCache;

typedef struct FamCacheStats {
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;         /* valid lines replaced by a miss */
    uint64_t writebacks;        /* dirty lines written to the pool */
    uint64_t flushes;           /* flush requests (clflush, clwb, ...) */
    uint64_t fences;            /* mfence, sfence, lfence */
} FamCacheStats;

/* What fam_cache_access() found and did. */
typedef struct FamCacheOutcome {
    bool hit;
    /* A dirty line evicted to make room: its pool offset, else UINT64_MAX */
    uint64_t writeback;
} FamCacheOutcome;

FamCache *fam_cache_new(const FamModel *model);
void fam_cache_free(FamCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(FamCache, fam_cache_free)

/* One access to the line holding pool offset `addr`; a miss fills it. */
FamCacheOutcome fam_cache_access(FamCache *cache, uint64_t addr,
                                 FamAccess op);
/*
 * Flush the line holding `addr`: write it back if dirty; `invalidate`
 * (clflush, clflushopt) drops it too, otherwise (clwb) it stays, clean.
 * True if it was written back.
 */
bool fam_cache_flush(FamCache *cache, uint64_t addr, bool invalidate);
/* Write back and drop every line (wbinvd); the number written back. */
uint64_t fam_cache_flush_all(FamCache *cache);
/*
 * A fence: counted. A coherent cache has nothing to order; a later
 * non-coherent mode would publish this node's written lines here.
 */
void fam_cache_fence(FamCache *cache);
bool fam_cache_present(const FamCache *cache, uint64_t addr);
const FamCacheStats *fam_cache_stats(const FamCache *cache);

/*
 * The modelled time of one access of `size` bytes at `pool_offset` from
 * `node`, through its cache if `cache` is not NULL: per line touched, a
 * hit costs cache_hit_ns and a miss fam_model_latency() of one line from
 * the line's module; the lines of one access are fetched in parallel, so
 * the access takes the slowest line's time. `load` is as for
 * fam_model_latency(). UINT64_MAX if any byte is outside the pool.
 */
uint64_t fam_model_access_ns(const FamModel *model, FamCache *cache,
                             uint32_t node, uint64_t pool_offset,
                             uint64_t size, FamAccess op, uint64_t load);

#endif /* FAM_MODEL_H */
