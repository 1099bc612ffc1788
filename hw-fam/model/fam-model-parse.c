/*
 * Loading a fabric model: the file's schema, reading each group into a
 * FamModel, and the public load functions. The format is documented in
 * docs/fabric-model.md; keep the two in step.
 *
 * Everything is checked before anything is derived: an unknown group or key
 * is reported first (a typo otherwise shows up as a confusing "missing"
 * error), then each value in file order, then the sizes against the pool.
 */
#include "fam-model-int.h"

#include <inttypes.h>
#include <string.h>

/* Bounds that catch typos (a latency in ps, a bandwidth in bits) early. */
#define MAX_LATENCY_NS   UINT64_C(1000000000)    /* 1 s */
#define MAX_HOP_NS       UINT64_C(1000000)       /* 1 ms per hop */
#define MAX_BANDWIDTH    UINT64_C(1000000000000000) /* 1 PB/s */
#define MAX_FILE_SIZE    (1024 * 1024)

/* The keys each group may hold. [hop-override] keys are checked apart. */
static const char *const keys_model[] = { "name", "description", NULL };
static const char *const keys_topology[] = {
    "nodes_per_enclosure", "enclosures_per_rack", NULL
};
static const char *const keys_hops[] = {
    "local", "enclosure", "rack", "remote", "fabric", "latency_ns", NULL
};
static const char *const keys_media[] = {
    "attach", "count", "read_latency_ns", "write_latency_ns", "bandwidth",
    "contention_ns", NULL
};
static const char *const keys_interleave[] = {
    "mode", "ways", "granule", NULL
};
static const char *const keys_pool[] = { "book_size", NULL };
static const char *const keys_cache[] = {
    "size", "ways", "hit_latency_ns", NULL
};

typedef struct GroupSpec {
    const char *name;
    const char *const *keys;    /* NULL: keys checked by their own parser */
    bool required;
} GroupSpec;

static const GroupSpec schema[] = {
    { FAM_GROUP_MODEL, keys_model, true },
    { FAM_GROUP_TOPOLOGY, keys_topology, false },
    { FAM_GROUP_HOPS, keys_hops, true },
    { FAM_GROUP_MEDIA, keys_media, true },
    { FAM_GROUP_INTERLEAVE, keys_interleave, true },
    { FAM_GROUP_POOL, keys_pool, false },
    { FAM_GROUP_CACHE, keys_cache, false },
    { FAM_GROUP_OVERRIDE, NULL, false },
};

static const char *const attach_words[] = {
    "node", "enclosure", "rack", "fabric", NULL
};
static const char *const mode_words[] = { "book", "stripe", NULL };

G_DEFINE_QUARK(fam-model-error-quark, fam_model_error)

static const GroupSpec *find_group(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(schema); i++) {
        if (strcmp(schema[i].name, name) == 0) {
            return &schema[i];
        }
    }
    return NULL;
}

static bool in_list(const char *const *list, const char *word)
{
    for (; *list != NULL; list++) {
        if (strcmp(*list, word) == 0) {
            return true;
        }
    }
    return false;
}

/* Unknown groups and keys, in file order; then required groups. */
static bool check_schema(const FamIni *ini, GError **errp)
{
    size_t n;
    const FamIniEntry *e = fam_ini_entries(ini, &n);

    for (size_t i = 0; i < n; i++) {
        const GroupSpec *g = find_group(e[i].group);

        if (g == NULL) {
            char *known = NULL;
            GString *s = g_string_new(NULL);

            for (size_t j = 0; j < G_N_ELEMENTS(schema); j++) {
                g_string_append_printf(s, "%s[%s]", j ? ", " : "",
                                       schema[j].name);
            }
            known = g_string_free(s, FALSE);
            fam_ini_error(ini, errp, FAM_MODEL_ERROR_UNKNOWN, e[i].group,
                          NULL, "unknown group (known: %s)", known);
            g_free(known);
            return false;
        }
        if (e[i].key != NULL && g->keys != NULL &&
            !in_list(g->keys, e[i].key)) {
            char *known = g_strjoinv(", ", (char **)g->keys);

            fam_ini_error(ini, errp, FAM_MODEL_ERROR_UNKNOWN, e[i].group,
                          e[i].key, "unknown key (known here: %s)", known);
            g_free(known);
            return false;
        }
    }
    for (size_t j = 0; j < G_N_ELEMENTS(schema); j++) {
        if (schema[j].required && !fam_ini_has(ini, schema[j].name, NULL)) {
            g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_MISSING,
                        "%s: [%s]: required group missing",
                        fam_ini_file(ini), schema[j].name);
            return false;
        }
    }
    return true;
}

static bool read_model(FamModel *m, const FamIni *ini, GError **errp)
{
    char *v = fam_ini_value(ini, FAM_GROUP_MODEL, "name");

    if (v == NULL || v[0] == '\0') {
        fam_ini_error(ini, errp, v ? FAM_MODEL_ERROR_VALUE
                                   : FAM_MODEL_ERROR_MISSING,
                      FAM_GROUP_MODEL, "name",
                      v ? "must not be empty"
                        : "required key missing from this group");
        g_free(v);
        return false;
    }
    m->name = v;
    v = fam_ini_value(ini, FAM_GROUP_MODEL, "description");
    m->description = v ? v : g_strdup("");
    return true;
}

static bool read_topology(FamModel *m, const FamIni *ini, GError **errp)
{
    uint64_t npe, epr;

    if (!fam_ini_get_u64(ini, FAM_GROUP_TOPOLOGY, "nodes_per_enclosure",
                         FAM_INI_PLAIN, 1, FAM_MAX_NODES, false, 1,
                         &npe, errp) ||
        !fam_ini_get_u64(ini, FAM_GROUP_TOPOLOGY, "enclosures_per_rack",
                         FAM_INI_PLAIN, 1, FAM_MAX_NODES, false,
                         FAM_MAX_NODES, &epr, errp)) {
        return false;
    }
    m->nodes_per_enclosure = (uint32_t)npe;
    m->enclosures_per_rack = (uint32_t)epr;
    return true;
}

static bool read_hops(FamModel *m, const FamIni *ini, GError **errp)
{
    static const char *const level_keys[FAM_HOP_LEVELS] = {
        [FAM_HOP_LOCAL] = "local",
        [FAM_HOP_ENCLOSURE] = "enclosure",
        [FAM_HOP_RACK] = "rack",
        [FAM_HOP_REMOTE] = "remote",
        [FAM_HOP_FABRIC] = "fabric",
    };
    /* An unset level is as far as the one before it: a file names only the
     * distances that differ. */
    uint64_t prev = 0;

    for (int l = 0; l < FAM_HOP_LEVELS; l++) {
        uint64_t h;

        if (!fam_ini_get_u64(ini, FAM_GROUP_HOPS, level_keys[l],
                             FAM_INI_PLAIN, 0, FAM_MODEL_MAX_HOPS, false,
                             prev, &h, errp)) {
            return false;
        }
        m->hop_count[l] = (uint32_t)h;
        prev = h;
    }
    return fam_ini_get_u64(ini, FAM_GROUP_HOPS, "latency_ns", FAM_INI_PLAIN,
                           0, MAX_HOP_NS, true, 0, &m->hop_ns, errp);
}

static bool read_media(FamModel *m, const FamIni *ini, GError **errp)
{
    int attach;
    uint64_t count;
    char *bw;

    if (!fam_ini_get_word(ini, FAM_GROUP_MEDIA, "attach", attach_words,
                          true, 0, &attach, errp) ||
        !fam_ini_get_u64(ini, FAM_GROUP_MEDIA, "count", FAM_INI_PLAIN, 1,
                         FAM_MODEL_MAX_MODULES, true, 0, &count, errp) ||
        !fam_ini_get_u64(ini, FAM_GROUP_MEDIA, "read_latency_ns",
                         FAM_INI_PLAIN, 0, MAX_LATENCY_NS, true, 0,
                         &m->read_ns, errp) ||
        !fam_ini_get_u64(ini, FAM_GROUP_MEDIA, "write_latency_ns",
                         FAM_INI_PLAIN, 0, MAX_LATENCY_NS, true, 0,
                         &m->write_ns, errp) ||
        !fam_ini_get_u64(ini, FAM_GROUP_MEDIA, "contention_ns",
                         FAM_INI_PLAIN, 0, MAX_LATENCY_NS, false, 0,
                         &m->contention_ns, errp)) {
        return false;
    }
    m->attach = (FamAttach)attach;
    m->modules_per_attach = (uint32_t)count;

    /* Zero bandwidth would mean "never completes"; "unlimited" says what
     * the ideal model means instead. */
    bw = fam_ini_value(ini, FAM_GROUP_MEDIA, "bandwidth");
    if (bw != NULL && strcmp(bw, "unlimited") == 0) {
        m->bandwidth = 0;
        g_free(bw);
        return true;
    }
    g_free(bw);
    return fam_ini_get_u64(ini, FAM_GROUP_MEDIA, "bandwidth", FAM_INI_RATE,
                           1, MAX_BANDWIDTH, true, 0, &m->bandwidth, errp);
}

static bool is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static bool check_pow2(const FamIni *ini, const char *group, const char *key,
                       uint64_t v, uint64_t min, uint64_t max, GError **errp)
{
    char *lo, *hi, *got;

    if (is_pow2(v) && v >= min && v <= max) {
        return true;
    }
    lo = fam_ini_format_size(min);
    hi = fam_ini_format_size(max);
    got = fam_ini_format_size(v);
    fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE, group, key,
                  "%s is not a power of two from %s to %s", got, lo, hi);
    g_free(lo);
    g_free(hi);
    g_free(got);
    return false;
}

static bool read_interleave(FamModel *m, const FamIni *ini, GError **errp)
{
    static const char *const stripe_keys[] = { "ways", "granule" };
    int mode;
    char *ways;

    if (!fam_ini_get_word(ini, FAM_GROUP_INTERLEAVE, "mode", mode_words,
                          true, 0, &mode, errp)) {
        return false;
    }
    m->interleave = (FamInterleaveMode)mode;
    if (m->interleave == FAM_INTERLEAVE_BOOK) {
        for (size_t i = 0; i < G_N_ELEMENTS(stripe_keys); i++) {
            if (fam_ini_has(ini, FAM_GROUP_INTERLEAVE, stripe_keys[i])) {
                fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE,
                              FAM_GROUP_INTERLEAVE, stripe_keys[i],
                              "only for mode = stripe (mode = book puts "
                              "each book whole on one module)");
                return false;
            }
        }
        return true;
    }

    ways = fam_ini_value(ini, FAM_GROUP_INTERLEAVE, "ways");
    if (ways != NULL && strcmp(ways, "all") == 0) {
        m->ways = 0;            /* resolved by the layout */
    } else {
        uint64_t w;

        if (!fam_ini_get_u64(ini, FAM_GROUP_INTERLEAVE, "ways",
                             FAM_INI_PLAIN, 1, FAM_MODEL_MAX_MODULES, true, 0,
                             &w, errp)) {
            g_free(ways);
            return false;
        }
        m->ways = (uint32_t)w;
    }
    g_free(ways);
    return fam_ini_get_u64(ini, FAM_GROUP_INTERLEAVE, "granule",
                           FAM_INI_SIZE, 1, UINT64_MAX, true, 0, &m->granule,
                           errp) &&
           check_pow2(ini, FAM_GROUP_INTERLEAVE, "granule", m->granule,
                      FAM_MODEL_MIN_GRANULE, FAM_MODEL_MAX_GRANULE, errp);
}

static bool read_pool(FamModel *m, const FamIni *ini, uint64_t caller_book,
                      GError **errp)
{
    if (caller_book != 0) {
        if (!is_pow2(caller_book) || caller_book < FAM_MODEL_MIN_BOOK ||
            caller_book > FAM_MODEL_MAX_BOOK) {
            g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_PARAM,
                        "%s: book size %" PRIu64 " is not a power of two "
                        "from 2 MiB to 8 GiB", fam_ini_file(ini),
                        caller_book);
            return false;
        }
        m->book_size = caller_book;
        return true;
    }
    return fam_ini_get_u64(ini, FAM_GROUP_POOL, "book_size", FAM_INI_SIZE, 1,
                           UINT64_MAX, false, FAM_MODEL_DEFAULT_BOOK,
                           &m->book_size, errp) &&
           check_pow2(ini, FAM_GROUP_POOL, "book_size", m->book_size,
                      FAM_MODEL_MIN_BOOK, FAM_MODEL_MAX_BOOK, errp);
}

/* [cache]: optional, with defaults; the sets must be a power of two. */
static bool read_cache(FamModel *m, const FamIni *ini, GError **errp)
{
    uint64_t ways, sets;

    if (!fam_ini_get_u64(ini, FAM_GROUP_CACHE, "size", FAM_INI_SIZE, 1,
                         UINT64_MAX, false, FAM_CACHE_DEFAULT_SIZE,
                         &m->cache_size, errp) ||
        !check_pow2(ini, FAM_GROUP_CACHE, "size", m->cache_size,
                    FAM_CACHE_MIN_SIZE, FAM_CACHE_MAX_SIZE, errp) ||
        !fam_ini_get_u64(ini, FAM_GROUP_CACHE, "ways", FAM_INI_PLAIN, 1,
                         FAM_CACHE_MAX_WAYS, false, FAM_CACHE_DEFAULT_WAYS,
                         &ways, errp) ||
        !fam_ini_get_u64(ini, FAM_GROUP_CACHE, "hit_latency_ns",
                         FAM_INI_PLAIN, 0, MAX_LATENCY_NS, false,
                         FAM_CACHE_DEFAULT_HIT_NS, &m->cache_hit_ns, errp)) {
        return false;
    }
    sets = m->cache_size / FAM_CACHE_LINE / ways;
    if (m->cache_size % (FAM_CACHE_LINE * ways) != 0 || !is_pow2(sets)) {
        fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE, FAM_GROUP_CACHE,
                      "ways", "%" PRIu64 " ways do not divide the cache "
                      "into a power of two of sets of %u-byte lines",
                      ways, FAM_CACHE_LINE);
        return false;
    }
    m->cache_ways = (uint32_t)ways;
    m->cache_sets = (uint32_t)sets;
    return true;
}

/* "node<N>.module<M>": false if the key is not of that form. */
static bool parse_override_key(const char *key, uint64_t *node,
                               uint64_t *module)
{
    const char *dot;
    char *num;
    bool ok;

    if (!g_str_has_prefix(key, "node")) {
        return false;
    }
    dot = strchr(key, '.');
    if (dot == NULL || !g_str_has_prefix(dot + 1, "module")) {
        return false;
    }
    num = g_strndup(key + 4, (gsize)(dot - key - 4));
    ok = fam_ini_parse_number(num, FAM_INI_PLAIN, node) &&
         fam_ini_parse_number(dot + 7, FAM_INI_PLAIN, module);
    g_free(num);
    return ok;
}

/* [hop-override] node<N>.module<M> = hops, after the derived table. */
static bool apply_overrides(FamModel *m, const FamIni *ini, GError **errp)
{
    size_t n;
    const FamIniEntry *e = fam_ini_entries(ini, &n);

    for (size_t i = 0; i < n; i++) {
        uint64_t node, module, hops;

        if (e[i].key == NULL ||
            strcmp(e[i].group, FAM_GROUP_OVERRIDE) != 0) {
            continue;
        }
        if (!parse_override_key(e[i].key, &node, &module)) {
            fam_ini_error(ini, errp, FAM_MODEL_ERROR_UNKNOWN,
                          FAM_GROUP_OVERRIDE, e[i].key,
                          "unknown key (keys here are node<N>.module<M>)");
            return false;
        }
        if (node >= m->nodes || module >= m->modules) {
            fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE,
                          FAM_GROUP_OVERRIDE, e[i].key,
                          "no such node or module: this pool has nodes "
                          "0..%u and modules 0..%u", m->nodes - 1,
                          m->modules - 1);
            return false;
        }
        if (!fam_ini_get_u64(ini, FAM_GROUP_OVERRIDE, e[i].key,
                             FAM_INI_PLAIN, 0, FAM_MODEL_MAX_HOPS, true, 0,
                             &hops, errp)) {
            return false;
        }
        m->hops[node * m->modules + module] = (uint16_t)hops;
    }
    return true;
}

static FamModel *load_ini(const FamIni *ini, const FamModelParams *p,
                          GError **errp)
{
    FamModel *m = g_new0(FamModel, 1);

    m->source = g_strdup(fam_ini_file(ini));
    m->nodes = p->nodes;
    m->pool_size = p->pool_size;
    if (!check_schema(ini, errp) ||
        !read_model(m, ini, errp) ||
        !read_topology(m, ini, errp) ||
        !read_hops(m, ini, errp) ||
        !read_media(m, ini, errp) ||
        !read_interleave(m, ini, errp) ||
        !read_pool(m, ini, p->book_size, errp) ||
        !read_cache(m, ini, errp) ||
        !fam_layout_build(m, ini, p->book_size != 0, errp)) {
        fam_model_free(m);
        return NULL;
    }
    fam_topology_build(m);
    if (!apply_overrides(m, ini, errp)) {
        fam_model_free(m);
        return NULL;
    }
    return m;
}

FamModel *fam_model_load_data_params(const char *text, const char *name,
                                     const FamModelParams *params,
                                     GError **errp)
{
    FamIni *ini;
    FamModel *m;

    if (name == NULL) {
        name = "<model>";
    }
    if (params->nodes < 1 || params->nodes > FAM_MAX_NODES) {
        g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_PARAM,
                    "%s: %" PRIu32 " nodes: the model supports 1 to %u",
                    name, params->nodes, FAM_MAX_NODES);
        return NULL;
    }
    if (params->pool_size == 0) {
        g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_PARAM,
                    "%s: the pool size must not be zero", name);
        return NULL;
    }
    ini = fam_ini_parse(text, name, errp);
    if (ini == NULL) {
        return NULL;
    }
    m = load_ini(ini, params, errp);
    fam_ini_free(ini);
    return m;
}

FamModel *fam_model_load_data(const char *text, const char *name,
                              uint32_t nodes, uint64_t pool_size,
                              GError **errp)
{
    FamModelParams p = { .nodes = nodes, .pool_size = pool_size };

    return fam_model_load_data_params(text, name, &p, errp);
}

FamModel *fam_model_load_params(const char *path,
                                const FamModelParams *params, GError **errp)
{
    char *text = NULL;
    gsize len = 0;
    GError *err = NULL;
    FamModel *m;

    if (!g_file_get_contents(path, &text, &len, &err)) {
        g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_IO,
                    "%s: cannot read the model: %s", path, err->message);
        g_error_free(err);
        return NULL;
    }
    /* A model is a page of text; anything bigger is the wrong file. */
    if (len > MAX_FILE_SIZE || memchr(text, '\0', len) != NULL) {
        g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_IO,
                    "%s: not a model file (binary or over 1 MiB)", path);
        g_free(text);
        return NULL;
    }
    m = fam_model_load_data_params(text, path, params, errp);
    g_free(text);
    return m;
}

FamModel *fam_model_load(const char *path, uint32_t nodes,
                         uint64_t pool_size, GError **errp)
{
    FamModelParams p = { .nodes = nodes, .pool_size = pool_size };

    return fam_model_load_params(path, &p, errp);
}

void fam_model_free(FamModel *model)
{
    if (model == NULL) {
        return;
    }
    g_free(model->name);
    g_free(model->description);
    g_free(model->source);
    g_free(model->module);
    g_free(model->hops);
    g_free(model);
}
