/*
 * A one-line description of a loaded model, for `info fam`, logs and
 * trace output: enough to tell which model and which layout a run used.
 */
#include "fam-model-int.h"

#include <inttypes.h>

static const char *const attach_names[] = {
    [FAM_ATTACH_NODE] = "node",
    [FAM_ATTACH_ENCLOSURE] = "enclosure",
    [FAM_ATTACH_RACK] = "rack",
    [FAM_ATTACH_FABRIC] = "fabric",
};

char *fam_model_summary(const FamModel *m)
{
    GString *s = g_string_new(NULL);
    char *module = fam_ini_format_size(m->module_size);
    char *book = fam_ini_format_size(m->book_size);
    char *granule = fam_ini_format_size(m->granule);
    char *cache;

    g_string_append_printf(s, "%s: nodes %" PRIu32 " (enclosures %" PRIu32
                           ", racks %" PRIu32 "), modules %" PRIu32 " x %s"
                           " (%" PRIu32 " %s %s), ",
                           m->name, m->nodes, m->enclosures, m->racks,
                           m->modules, module, m->modules_per_attach,
                           m->attach == FAM_ATTACH_FABRIC ? "in the"
                                                          : "per",
                           attach_names[m->attach]);
    if (m->interleave == FAM_INTERLEAVE_BOOK) {
        g_string_append(s, "book interleave");
    } else {
        g_string_append_printf(s, "%" PRIu32 "-way %s interleave in %"
                               PRIu32 " sets", m->ways, granule, m->sets);
    }
    g_string_append_printf(s, ", books %" PRIu64 " x %s, read %" PRIu64
                           " ns, write %" PRIu64 " ns, ", m->books, book,
                           m->read_ns, m->write_ns);
    if (m->bandwidth == 0) {
        g_string_append(s, "unlimited bandwidth");
    } else {
        g_string_append_printf(s, "%" PRIu64 " B/s", m->bandwidth);
    }
    g_string_append_printf(s, ", %" PRIu64 " ns/hop (hops %" PRIu32 "/%"
                           PRIu32 "/%" PRIu32 "/%" PRIu32 "/%" PRIu32
                           " local/enclosure/rack/remote/fabric), %" PRIu64
                           " ns per queued request", m->hop_ns,
                           m->hop_count[FAM_HOP_LOCAL],
                           m->hop_count[FAM_HOP_ENCLOSURE],
                           m->hop_count[FAM_HOP_RACK],
                           m->hop_count[FAM_HOP_REMOTE],
                           m->hop_count[FAM_HOP_FABRIC], m->contention_ns);
    cache = fam_ini_format_size(m->cache_size);
    g_string_append_printf(s, ", node cache %s %" PRIu32 "-way (hit %"
                           PRIu64 " ns)", cache, m->cache_ways,
                           m->cache_hit_ns);
    g_free(cache);
    g_free(module);
    g_free(book);
    g_free(granule);
    return g_string_free(s, FALSE);
}
