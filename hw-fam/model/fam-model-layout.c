/*
 * The layout of the pool: how many modules there are for this node count,
 * how they form interleave sets, and whether the pool the user asked for
 * divides into them. The model file describes a pattern (per node, per
 * enclosure...) and the user gives the node count and pool size at load
 * time, so this is where the two meet, and where a mismatch must be
 * explained in terms of both.
 */
#include "fam-model-int.h"

#include <inttypes.h>

static uint32_t div_round_up(uint32_t a, uint32_t b)
{
    return (a + b - 1) / b;
}

static const char *attach_point(FamAttach a)
{
    switch (a) {
    case FAM_ATTACH_NODE:
        return "node";
    case FAM_ATTACH_ENCLOSURE:
        return "enclosure";
    case FAM_ATTACH_RACK:
        return "rack";
    default:
        return "fabric";
    }
}

/* Attachment points for this node count: nodes, enclosures, racks or 1. */
static uint32_t attach_points(const FamModel *m)
{
    switch (m->attach) {
    case FAM_ATTACH_NODE:
        return m->nodes;
    case FAM_ATTACH_ENCLOSURE:
        return m->enclosures;
    case FAM_ATTACH_RACK:
        return m->racks;
    default:
        return 1;
    }
}

static bool build_modules(FamModel *m, const FamIni *ini, GError **errp)
{
    uint32_t points = attach_points(m);
    uint64_t total = (uint64_t)m->modules_per_attach * points;

    if (total > FAM_MODEL_MAX_MODULES) {
        fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE, FAM_GROUP_MEDIA,
                      "count", "%" PRIu32 " modules per %s x %" PRIu32
                      " = %" PRIu64 " modules, more than the %u supported",
                      m->modules_per_attach, attach_point(m->attach), points,
                      total, FAM_MODEL_MAX_MODULES);
        return false;
    }
    m->modules = (uint32_t)total;
    return true;
}

static bool build_interleave(FamModel *m, const FamIni *ini, GError **errp)
{
    if (m->interleave == FAM_INTERLEAVE_BOOK) {
        /* One way with a book-sized unit: book b of a module's share is
         * the b-th book of that module, modules one after another. */
        m->ways = 1;
        m->granule = m->book_size;
    } else if (m->ways == 0) {
        m->ways = m->modules;
    } else if (m->ways > m->modules) {
        fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE, FAM_GROUP_INTERLEAVE,
                      "ways", "%" PRIu32 " ways, but with %" PRIu32
                      " nodes the model has only %" PRIu32 " modules",
                      m->ways, m->nodes, m->modules);
        return false;
    } else if (m->modules % m->ways != 0) {
        fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE, FAM_GROUP_INTERLEAVE,
                      "ways", "%" PRIu32 " ways do not divide the %" PRIu32
                      " modules (%" PRIu32 " nodes) into whole interleave "
                      "sets", m->ways, m->modules, m->nodes);
        return false;
    }
    m->sets = m->modules / m->ways;
    return true;
}

/* The ways the pool can fail to divide, each blamed on one key. */
typedef enum SizeFault {
    POOL_NOT_BOOKS,         /* [pool] book_size */
    POOL_NOT_MODULES,       /* [media] count */
    MODULE_NOT_GRANULES,    /* [interleave] granule */
    MODULE_NOT_BOOKS,       /* [pool] book_size, book mode */
    SET_NOT_BOOKS,          /* [pool] book_size, stripe mode */
} SizeFault;

/* What is wrong, with the pool and the sizes spelled out. g_free() it. */
static char *size_fault_text(const FamModel *m, SizeFault f, uint64_t have,
                             uint64_t unit)
{
    char *pool = fam_ini_format_size(m->pool_size);
    char *h = fam_ini_format_size(have);
    char *u = fam_ini_format_size(unit);
    char *text;

    switch (f) {
    case POOL_NOT_BOOKS:
        text = g_strdup_printf("fam-size %s is not a whole number of %s "
                               "books", pool, u);
        break;
    case POOL_NOT_MODULES:
        text = g_strdup_printf("fam-size %s does not divide into %" PRIu32
                               " equal modules (%" PRIu32 " per %s, %"
                               PRIu32 " nodes)", pool, m->modules,
                               m->modules_per_attach,
                               attach_point(m->attach), m->nodes);
        break;
    case MODULE_NOT_GRANULES:
        text = g_strdup_printf("fam-size %s gives each of the %" PRIu32
                               " modules %s, not a whole number of %s "
                               "granules", pool, m->modules, h, u);
        break;
    case MODULE_NOT_BOOKS:
        text = g_strdup_printf("fam-size %s gives each of the %" PRIu32
                               " modules %s, not a whole number of %s "
                               "books", pool, m->modules, h, u);
        break;
    default:
        text = g_strdup_printf("fam-size %s gives each interleave set of %"
                               PRIu32 " modules %s, not a whole number of "
                               "%s books", pool, m->ways, h, u);
        break;
    }
    g_free(pool);
    g_free(h);
    g_free(u);
    return text;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;

        a = b;
        b = t;
    }
    return a;
}

/* a * b, or 0 if it does not fit. */
static uint64_t mul_or_zero(uint64_t a, uint64_t b)
{
    return (a != 0 && b > UINT64_MAX / a) ? 0 : a * b;
}

/*
 * The step of valid pool sizes for this node count: every check below
 * holds exactly when the pool is a multiple of it. Book mode needs whole
 * books in every module: modules * book. Stripe mode needs whole granules
 * in every module (modules * granule) and whole books in every set
 * (sets * book). 0 if it does not fit in 64 bits.
 */
static uint64_t pool_quantum(const FamModel *m)
{
    uint64_t a, b;

    if (m->interleave == FAM_INTERLEAVE_BOOK) {
        return mul_or_zero(m->modules, m->book_size);
    }
    a = mul_or_zero(m->modules, m->granule);
    b = mul_or_zero(m->sets, m->book_size);
    if (a == 0 || b == 0) {
        return 0;
    }
    return mul_or_zero(a / gcd64(a, b), b);
}

static void size_error(const FamModel *m, const FamIni *ini, GError **errp,
                       const char *group, const char *key, SizeFault f,
                       uint64_t have, uint64_t unit, bool from_caller)
{
    char *text = size_fault_text(m, f, have, unit);
    uint64_t q = pool_quantum(m);
    char *hint = NULL;

    if (q != 0) {
        char *qs = fam_ini_format_size(q);

        hint = g_strdup_printf("; with %" PRIu32 " nodes fam-size must be "
                               "a multiple of %s", m->nodes, qs);
        g_free(qs);
    }
    fam_ini_error(ini, errp, FAM_MODEL_ERROR_SIZE, group, key, "%s%s%s",
                  text, from_caller ? " (book size given at load time)" : "",
                  hint ? hint : "");
    g_free(hint);
    g_free(text);
}

/*
 * Every module gets the same share, made of whole units (granules, or
 * books in book mode), and every book lies within one interleave set, so
 * the Librarian can say which modules hold a book.
 */
static bool check_sizes(FamModel *m, const FamIni *ini, bool book_from_caller,
                        GError **errp)
{
    if (m->pool_size % m->book_size != 0) {
        size_error(m, ini, errp, FAM_GROUP_POOL, "book_size", POOL_NOT_BOOKS,
                   m->pool_size, m->book_size, book_from_caller);
        return false;
    }
    if (m->pool_size % m->modules != 0) {
        size_error(m, ini, errp, FAM_GROUP_MEDIA, "count", POOL_NOT_MODULES,
                   m->pool_size, m->modules, false);
        return false;
    }
    m->module_size = m->pool_size / m->modules;
    m->set_size = m->module_size * m->ways;
    m->books = m->pool_size / m->book_size;
    if (m->interleave == FAM_INTERLEAVE_BOOK) {
        if (m->module_size % m->book_size != 0) {
            size_error(m, ini, errp, FAM_GROUP_POOL, "book_size",
                       MODULE_NOT_BOOKS, m->module_size, m->book_size,
                       book_from_caller);
            return false;
        }
        return true;
    }
    if (m->module_size % m->granule != 0) {
        size_error(m, ini, errp, FAM_GROUP_INTERLEAVE, "granule",
                   MODULE_NOT_GRANULES, m->module_size, m->granule, false);
        return false;
    }
    if (m->set_size % m->book_size != 0) {
        size_error(m, ini, errp, FAM_GROUP_POOL, "book_size", SET_NOT_BOOKS,
                   m->set_size, m->book_size, book_from_caller);
        return false;
    }
    return true;
}

bool fam_layout_build(FamModel *m, const FamIni *ini, bool book_from_caller,
                      GError **errp)
{
    m->enclosures = div_round_up(m->nodes, m->nodes_per_enclosure);
    m->racks = div_round_up(m->enclosures, m->enclosures_per_rack);
    return build_modules(m, ini, errp) &&
           build_interleave(m, ini, errp) &&
           check_sizes(m, ini, book_from_caller, errp);
}
