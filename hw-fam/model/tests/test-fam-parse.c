/*
 * Unit tests of the model-file parser: a good file read field by field,
 * the shipped models for several node counts, finding models by name, and
 * bad files, each of which must fail with the file, the line and the key
 * in its message.
 */
#include "fam-test.h"
#include "fam-ini.h"

#include <glib/gstdio.h>
#include <string.h>

#ifndef FAM_MODELS_DIR
#error "FAM_MODELS_DIR must name hw-fam/models"
#endif

/* A good model; the bad ones below are this with one line changed. */
static const char *const good_lines[] = {
    /*  1 */ "# a test model",
    /*  2 */ "[model]",
    /*  3 */ "name = good",
    /*  4 */ "[topology]",
    /*  5 */ "nodes_per_enclosure = 4",
    /*  6 */ "[hops]",
    /*  7 */ "local = 1",
    /*  8 */ "remote = 3",
    /*  9 */ "latency_ns = 20",
    /* 10 */ "[media]",
    /* 11 */ "attach = node",
    /* 12 */ "count = 2",
    /* 13 */ "read_latency_ns = 100",
    /* 14 */ "write_latency_ns = 120",
    /* 15 */ "bandwidth = 10G",
    /* 16 */ "[interleave]",
    /* 17 */ "mode = stripe",
    /* 18 */ "ways = 2",
    /* 19 */ "granule = 4K",
    /* 20 */ "[pool]",
    /* 21 */ "book_size = 2M",
};

/* The good text with line `line` (1-based) replaced by `with` (which may
 * hold several lines, or be NULL to keep the text as it is). */
static char *good_text_with(unsigned line, const char *with,
                            const char *eol)
{
    GString *s = g_string_new(NULL);

    for (unsigned i = 0; i < G_N_ELEMENTS(good_lines); i++) {
        const char *l = (with != NULL && i + 1 == line) ? with
                                                        : good_lines[i];

        g_string_append(s, l);
        if (l[0] != '\0') {
            g_string_append(s, eol);
        }
    }
    return g_string_free(s, FALSE);
}

static void check_good(const FamModel *m)
{
    g_assert_cmpstr(m->name, ==, "good");
    g_assert_cmpstr(m->description, ==, "");
    g_assert_cmpstr(m->source, ==, "good.ini");
    g_assert_cmpuint(m->nodes, ==, 2);
    g_assert_cmpuint(m->nodes_per_enclosure, ==, 4);
    g_assert_cmpuint(m->enclosures_per_rack, ==, 64);
    g_assert_cmpuint(m->hop_count[FAM_HOP_LOCAL], ==, 1);
    g_assert_cmpuint(m->hop_count[FAM_HOP_ENCLOSURE], ==, 1);
    g_assert_cmpuint(m->hop_count[FAM_HOP_RACK], ==, 1);
    g_assert_cmpuint(m->hop_count[FAM_HOP_REMOTE], ==, 3);
    g_assert_cmpuint(m->hop_count[FAM_HOP_FABRIC], ==, 3);
    g_assert_cmpuint(m->hop_ns, ==, 20);
    g_assert_cmpuint(m->attach, ==, FAM_ATTACH_NODE);
    g_assert_cmpuint(m->modules_per_attach, ==, 2);
    g_assert_cmpuint(m->modules, ==, 4);
    g_assert_cmpuint(m->module_size, ==, MiB);
    g_assert_cmpuint(m->read_ns, ==, 100);
    g_assert_cmpuint(m->write_ns, ==, 120);
    g_assert_cmpuint(m->bandwidth, ==, UINT64_C(10000000000));
    g_assert_cmpuint(m->contention_ns, ==, 0);
    g_assert_cmpuint(m->interleave, ==, FAM_INTERLEAVE_STRIPE);
    g_assert_cmpuint(m->ways, ==, 2);
    g_assert_cmpuint(m->granule, ==, 4096);
    g_assert_cmpuint(m->sets, ==, 2);
    g_assert_cmpuint(m->set_size, ==, 2 * MiB);
    g_assert_cmpuint(m->pool_size, ==, 4 * MiB);
    g_assert_cmpuint(m->book_size, ==, 2 * MiB);
    g_assert_cmpuint(m->books, ==, 2);
    g_assert_cmpuint(m->module[3].node, ==, 1);
}

static void test_good(void)
{
    char *text = good_text_with(0, NULL, "\n");
    char *bom;
    GError *err = NULL;
    FamModel *m = fam_model_load_data(text, "good.ini", 2, 4 * MiB, &err);

    g_assert_no_error(err);
    check_good(m);
    fam_model_free(m);
    g_free(text);

    /* CRLF line ends, and blanks around everything, read the same. */
    text = good_text_with(12, "  \tcount\t=   2 \t", "\r\n");
    m = fam_model_load_data(text, "good.ini", 2, 4 * MiB, &err);
    g_assert_no_error(err);
    check_good(m);
    fam_model_free(m);
    g_free(text);

    /* A UTF-8 byte order mark from an editor is not an error. */
    bom = good_text_with(0, NULL, "\n");
    text = g_strconcat("\xef\xbb\xbf", bom, NULL);
    m = fam_model_load_data(text, "good.ini", 2, 4 * MiB, &err);
    g_assert_no_error(err);
    check_good(m);
    fam_model_free(m);
    g_free(text);
    g_free(bom);
}

/* The caller's book size wins over the file's, and is checked too. */
static void test_book_size_param(void)
{
    char *text = good_text_with(0, NULL, "\n");
    FamModelParams p = { .nodes = 2, .pool_size = 8 * MiB,
                         .book_size = 4 * MiB };
    GError *err = NULL;
    FamModel *m = fam_model_load_data_params(text, "good.ini", &p, &err);

    g_assert_no_error(err);
    g_assert_cmpuint(m->book_size, ==, 4 * MiB);
    g_assert_cmpuint(m->books, ==, 2);
    fam_model_free(m);

    p.book_size = 3 * MiB;
    g_assert_null(fam_model_load_data_params(text, "good.ini", &p, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_PARAM);
    g_clear_error(&err);

    /* 4 MiB books do not fit 2 MiB interleave sets. */
    p.book_size = 4 * MiB;
    p.pool_size = 4 * MiB;
    g_assert_null(fam_model_load_data_params(text, "good.ini", &p, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_SIZE);
    g_assert_cmpstr(err->message, ==,
                    "good.ini:21: [pool] book_size: fam-size 4 MiB gives "
                    "each interleave set of 2 modules 2 MiB, not a whole "
                    "number of 4 MiB books (book size given at load time); "
                    "with 2 nodes fam-size must be a multiple of 8 MiB");
    g_clear_error(&err);
    g_free(text);
}

typedef struct BadCase {
    unsigned line;          /* line of the good text to replace */
    const char *with;
    uint32_t nodes;
    uint64_t pool;
    int code;
    const char *message;    /* exact */
} BadCase;

#define RANGE_NOTE " (a whole number)"

static const BadCase bad_cases[] = {
    { 13, "read_latncy_ns = 100", 2, 4 * MiB, FAM_MODEL_ERROR_UNKNOWN,
      "bad.ini:13: [media] read_latncy_ns: unknown key (known here: "
      "attach, count, read_latency_ns, write_latency_ns, bandwidth, "
      "contention_ns)" },
    { 3, "name[de] = gut", 2, 4 * MiB, FAM_MODEL_ERROR_UNKNOWN,
      "bad.ini:3: [model] name[de]: unknown key (known here: name, "
      "description)" },
    { 20, "[poool]", 2, 4 * MiB, FAM_MODEL_ERROR_UNKNOWN,
      "bad.ini:20: [poool]: unknown group (known: [model], [topology], "
      "[hops], [media], [interleave], [pool], [cache], [hop-override])" },
    { 12, "count = two", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:12: [media] count: 'two' is not a number" RANGE_NOTE },
    { 12, "count = -1", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:12: [media] count: '-1' is not a number" RANGE_NOTE },
    { 12, "count =", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:12: [media] count: '' is not a number" RANGE_NOTE },
    { 13, "read_latency_ns = 100 # ns", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:13: [media] read_latency_ns: '100 # ns' is not a number"
      RANGE_NOTE },
    { 13, "read_latency_ns = 0x64", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:13: [media] read_latency_ns: '0x64' is not a number"
      RANGE_NOTE },
    { 14, "write_latency_ns = 18446744073709551616", 2, 4 * MiB,
      FAM_MODEL_ERROR_VALUE,
      "bad.ini:14: [media] write_latency_ns: '18446744073709551616' is not "
      "a number" RANGE_NOTE },
    { 14, "write_latency_ns = 1000000001", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:14: [media] write_latency_ns: 1000000001 is out of range: "
      "0 to 1000000000" },
    { 15, "bandwidth = 0", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:15: [media] bandwidth: 0 is out of range: 1 to "
      "1000000000000000" },
    { 15, "bandwidth = 10GiB", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:15: [media] bandwidth: '10GiB' is not a number (a whole "
      "number of bytes per second, optionally with K, M, G or T: decimal "
      "multiples)" },
    { 11, "attach = socket", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:11: [media] attach: 'socket' is not one of: node, "
      "enclosure, rack, fabric" },
    { 12, "count = 100", 64, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:12: [media] count: 100 modules per node x 64 = 6400 "
      "modules, more than the 4096 supported" },
    { 7, "local = 1001", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:7: [hops] local: 1001 is out of range: 0 to 1000" },
    { 5, "nodes_per_enclosure = 0", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:5: [topology] nodes_per_enclosure: 0 is out of range: "
      "1 to 64" },
    { 19, "granule = 3000", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:19: [interleave] granule: 3000 B is not a power of two "
      "from 256 B to 1 GiB" },
    { 19, "granule = 128", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:19: [interleave] granule: 128 B is not a power of two "
      "from 256 B to 1 GiB" },
    { 19, "granule = 2G", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:19: [interleave] granule: 2 GiB is not a power of two "
      "from 256 B to 1 GiB" },
    { 21, "book_size = 3M", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:21: [pool] book_size: 3 MiB is not a power of two from "
      "2 MiB to 8 GiB" },
    { 21, "book_size = 1M", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:21: [pool] book_size: 1 MiB is not a power of two from "
      "2 MiB to 8 GiB" },
    { 18, "ways = 8", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:18: [interleave] ways: 8 ways, but with 2 nodes the model "
      "has only 4 modules" },
    { 18, "ways = 3", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:18: [interleave] ways: 3 ways do not divide the 4 modules "
      "(2 nodes) into whole interleave sets" },
    { 17, "mode = book", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:18: [interleave] ways: only for mode = stripe (mode = book "
      "puts each book whole on one module)" },
    { 17, "mode = raid", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:17: [interleave] mode: 'raid' is not one of: book, stripe" },
    { 3, "name =", 2, 4 * MiB, FAM_MODEL_ERROR_VALUE,
      "bad.ini:3: [model] name: must not be empty" },
    /* Missing keys: the line is the group's. */
    { 13, "", 2, 4 * MiB, FAM_MODEL_ERROR_MISSING,
      "bad.ini:10: [media] read_latency_ns: required key missing from "
      "this group" },
    { 19, "", 2, 4 * MiB, FAM_MODEL_ERROR_MISSING,
      "bad.ini:16: [interleave] granule: required key missing from this "
      "group" },
    { 9, "", 2, 4 * MiB, FAM_MODEL_ERROR_MISSING,
      "bad.ini:6: [hops] latency_ns: required key missing from this "
      "group" },
    { 2, "[modell]", 2, 4 * MiB, FAM_MODEL_ERROR_UNKNOWN,
      "bad.ini:2: [modell]: unknown group (known: [model], [topology], "
      "[hops], [media], [interleave], [pool], [cache], [hop-override])" },
    /* Syntax. */
    { 3, "name good", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:3: not a [group], a 'key = value' or a '#' comment "
      "(comments must be on lines of their own)" },
    { 3, "; name = good", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:3: ';' does not start a comment here: use '#'" },
    { 20, "[pool", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:20: group header has no closing ']'" },
    { 20, "[pool] x", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:20: text after the group header's ']'" },
    { 3, "= good", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:3: '=' with no key before it" },
    { 1, "name = early", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:1: name: key before any [group]" },
    { 14, "write_latency_ns = 120\nread_latency_ns = 5", 2, 4 * MiB,
      FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:15: [media] read_latency_ns: key repeated (first at line "
      "13)" },
    { 12, "co]unt = 2", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:12: co]unt: bad key name ('[' and ']' only as in "
      "key[locale])" },
    { 3, "name = g\xff", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:3: not valid UTF-8" },
    { 20, "[media]", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:20: [media]: group repeated (first at line 10)" },
    /* Sizes that do not divide. Valid pools here are multiples of 4 MiB
     * (2 nodes) or of 6 MiB (3 nodes). */
    { 0, NULL, 2, 5 * MiB, FAM_MODEL_ERROR_SIZE,
      "bad.ini:21: [pool] book_size: fam-size 5 MiB is not a whole number "
      "of 2 MiB books; with 2 nodes fam-size must be a multiple of "
      "4 MiB" },
    { 0, NULL, 2, 6 * MiB, FAM_MODEL_ERROR_SIZE,
      "bad.ini:21: [pool] book_size: fam-size 6 MiB gives each interleave "
      "set of 2 modules 3 MiB, not a whole number of 2 MiB books; with 2 "
      "nodes fam-size must be a multiple of 4 MiB" },
    { 0, NULL, 3, 8 * MiB, FAM_MODEL_ERROR_SIZE,
      "bad.ini:12: [media] count: fam-size 8 MiB does not divide into 6 "
      "equal modules (2 per node, 3 nodes); with 3 nodes fam-size must be "
      "a multiple of 6 MiB" },
    { 19, "granule = 2M", 2, 4 * MiB, FAM_MODEL_ERROR_SIZE,
      "bad.ini:19: [interleave] granule: fam-size 4 MiB gives each of the "
      "4 modules 1 MiB, not a whole number of 2 MiB granules; with 2 nodes "
      "fam-size must be a multiple of 8 MiB" },
    { 18, "ways = 1\nmode = book", 2, 4 * MiB, FAM_MODEL_ERROR_SYNTAX,
      "bad.ini:19: [interleave] mode: key repeated (first at line 17)" },
    /* [hop-override]. */
    { 21, "book_size = 2M\n[hop-override]\nnode0.mod1 = 3", 2, 4 * MiB,
      FAM_MODEL_ERROR_UNKNOWN,
      "bad.ini:23: [hop-override] node0.mod1: unknown key (keys here are "
      "node<N>.module<M>)" },
    { 21, "book_size = 2M\n[hop-override]\nnode2.module0 = 3", 2, 4 * MiB,
      FAM_MODEL_ERROR_VALUE,
      "bad.ini:23: [hop-override] node2.module0: no such node or module: "
      "this pool has nodes 0..1 and modules 0..3" },
    { 21, "book_size = 2M\n[hop-override]\nnode1.module0 = x", 2, 4 * MiB,
      FAM_MODEL_ERROR_VALUE,
      "bad.ini:23: [hop-override] node1.module0: 'x' is not a number"
      RANGE_NOTE },
    /* What the caller gives. */
    { 0, NULL, 0, 4 * MiB, FAM_MODEL_ERROR_PARAM,
      "bad.ini: 0 nodes: the model supports 1 to 64" },
    { 0, NULL, 65, 4 * MiB, FAM_MODEL_ERROR_PARAM,
      "bad.ini: 65 nodes: the model supports 1 to 64" },
    { 0, NULL, 2, 0, FAM_MODEL_ERROR_PARAM,
      "bad.ini: the pool size must not be zero" },
};

static void test_bad(gconstpointer data)
{
    const BadCase *c = data;
    char *text = good_text_with(c->line, c->with, "\n");
    GError *err = NULL;
    FamModel *m = fam_model_load_data(text, "bad.ini", c->nodes, c->pool,
                                      &err);

    g_assert_null(m);
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, c->message);
    g_assert_error(err, FAM_MODEL_ERROR, c->code);
    g_error_free(err);
    g_free(text);
}

static void test_missing_group(void)
{
    /* The good text without [interleave] (lines 16-19). */
    GString *s = g_string_new(NULL);
    GError *err = NULL;

    for (unsigned i = 0; i < G_N_ELEMENTS(good_lines); i++) {
        if (i + 1 < 16 || i + 1 > 19) {
            g_string_append_printf(s, "%s\n", good_lines[i]);
        }
    }
    g_assert_null(fam_model_load_data(s->str, "bad.ini", 2, 4 * MiB, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_MISSING);
    g_assert_cmpstr(err->message, ==,
                    "bad.ini: [interleave]: required group missing");
    g_clear_error(&err);
    g_string_free(s, TRUE);

    g_assert_null(fam_model_load_data("", "empty.ini", 2, 4 * MiB, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_MISSING);
    g_assert_cmpstr(err->message, ==,
                    "empty.ini: [model]: required group missing");
    g_clear_error(&err);
}

/* Book mode whose modules do not hold whole books. */
static void test_book_mode_size(void)
{
    static const char text[] =
        "[model]\nname = b\n[hops]\nlatency_ns = 0\n"
        "[media]\nattach = node\ncount = 4\nread_latency_ns = 1\n"
        "write_latency_ns = 1\nbandwidth = unlimited\n"
        "[interleave]\nmode = book\n";
    GError *err = NULL;

    g_assert_null(fam_model_load_data(text, "b.ini", 64, GiB, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_SIZE);
    /* book_size is not in the file (the default 8 MiB applies), so there
     * is no line to name; the message still names the key. */
    g_assert_cmpstr(err->message, ==,
                    "b.ini: [pool] book_size: fam-size 1 GiB gives each of "
                    "the 256 modules 4 MiB, not a whole number of 8 MiB "
                    "books; with 64 nodes fam-size must be a multiple of "
                    "2 GiB");
    g_clear_error(&err);
}

/* A real file: the path given is the name in the message. */
static void test_bad_file_on_disk(void)
{
    char *dir = g_dir_make_tmp("fam-model-XXXXXX", NULL);
    char *path;
    char *text = good_text_with(15, "bandwith = 10G", "\n");
    char *expect, *missing;
    GError *err = NULL;

    g_assert_nonnull(dir);
    path = g_build_filename(dir, "typo.ini", NULL);
    missing = g_build_filename(dir, "none.ini", NULL);
    expect = g_strdup_printf("%s:15: [media] bandwith: unknown key", path);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_assert_null(fam_model_load(path, 2, 4 * MiB, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_UNKNOWN);
    g_assert_true(g_str_has_prefix(err->message, expect));
    g_clear_error(&err);

    g_assert_null(fam_model_load(missing, 2, 4 * MiB, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_IO);
    g_assert_true(g_str_has_prefix(err->message, missing));
    g_clear_error(&err);

    g_assert_true(g_file_set_contents(path, "[model]\n\0x", 10, NULL));
    g_assert_null(fam_model_load(path, 2, 4 * MiB, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_IO);
    g_clear_error(&err);

    g_remove(path);
    g_rmdir(dir);
    g_free(missing);
    g_free(expect);
    g_free(text);
    g_free(path);
    g_free(dir);
}

static void test_numbers(void)
{
    static const struct {
        const char *text;
        FamIniUnit unit;
        bool ok;
        uint64_t value;
    } cases[] = {
        { "0", FAM_INI_PLAIN, true, 0 },
        { "18446744073709551615", FAM_INI_PLAIN, true, UINT64_MAX },
        { "18446744073709551616", FAM_INI_PLAIN, false, 0 },
        { "12K", FAM_INI_PLAIN, false, 0 },
        { "", FAM_INI_PLAIN, false, 0 },
        { " 1", FAM_INI_PLAIN, false, 0 },
        { "+1", FAM_INI_PLAIN, false, 0 },
        { "8M", FAM_INI_SIZE, true, 8 * MiB },
        { "8MiB", FAM_INI_SIZE, true, 8 * MiB },
        { "8 MiB", FAM_INI_SIZE, true, 8 * MiB },
        { "1K", FAM_INI_SIZE, true, 1024 },
        { "2T", FAM_INI_SIZE, true, UINT64_C(2) << 40 },
        { "256", FAM_INI_SIZE, true, 256 },
        { "256 B", FAM_INI_SIZE, true, 256 },
        { "8MB", FAM_INI_SIZE, false, 0 },      /* MB or MiB? refuse */
        { "8m", FAM_INI_SIZE, false, 0 },
        { "16777216T", FAM_INI_SIZE, false, 0 }, /* 2^64 */
        { "32G", FAM_INI_RATE, true, UINT64_C(32000000000) },
        { "32 GB/s", FAM_INI_RATE, true, UINT64_C(32000000000) },
        { "500 B/s", FAM_INI_RATE, true, 500 },
        { "1K", FAM_INI_RATE, true, 1000 },
        { "32GiB", FAM_INI_RATE, false, 0 },
        { "32 G B/s", FAM_INI_RATE, false, 0 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t v = 12345;
        bool ok = fam_ini_parse_number(cases[i].text, cases[i].unit, &v);

        g_test_message("'%s'", cases[i].text);
        g_assert_cmpint(ok, ==, cases[i].ok);
        g_assert_cmpuint(v, ==, ok ? cases[i].value : 12345);
    }
}

static char *shipped_path(const char *name)
{
    return g_strdup_printf("%s/%s.ini", FAM_MODELS_DIR, name);
}

static const char *const shipped_names[] = {
    "cxl-direct", "cxl-switched", "ideal", "tm-2016",
};

/* Every shipped model loads for 1, 2, 8 and 64 nodes and maps sanely. */
static void test_shipped_load(void)
{
    static const uint32_t node_counts[] = { 1, 2, 8, 64 };

    for (size_t f = 0; f < G_N_ELEMENTS(shipped_names); f++) {
        char *path = shipped_path(shipped_names[f]);

        for (size_t n = 0; n < G_N_ELEMENTS(node_counts); n++) {
            GError *err = NULL;
            FamModel *m = fam_model_load(path, node_counts[n], 16 * GiB,
                                         &err);
            char *summary;
            FamLocation loc;
            uint64_t back;

            g_test_message("%s, %u nodes", path, node_counts[n]);
            g_assert_no_error(err);
            g_assert_cmpstr(m->name, ==, shipped_names[f]);
            g_assert_cmpstr(m->source, ==, path);
            g_assert_cmpstr(m->description, !=, "");
            g_assert_cmpuint(m->nodes, ==, node_counts[n]);
            g_assert_cmpuint(m->book_size, ==, 8 * MiB);
            g_assert_cmpuint(m->books, ==, 16 * GiB / (8 * MiB));
            g_assert_cmpuint((uint64_t)m->modules * m->module_size, ==,
                             16 * GiB);
            summary = fam_model_summary(m);
            g_assert_true(g_str_has_prefix(summary, shipped_names[f]));
            g_free(summary);
            g_assert_true(fam_model_map(m, 16 * GiB - 1, &loc));
            g_assert_cmpuint(loc.module, ==, m->modules - 1);
            g_assert_true(fam_model_unmap(m, loc.module, loc.offset,
                                          &back));
            g_assert_cmpuint(back, ==, 16 * GiB - 1);
            fam_model_free(m);
        }
        g_free(path);
    }
}

/*
 * With the default 1 GiB pool and every node count from 1 to 64: the
 * fabric-attached models always fit; tm-2016 (4 modules of whole 8 MiB
 * books per node) fits exactly when 1 GiB is a multiple of 32 MiB x nodes,
 * and otherwise says what would.
 */
static void test_shipped_default_pool(void)
{
    unsigned tm_fits = 0;

    for (size_t f = 0; f < G_N_ELEMENTS(shipped_names); f++) {
        char *path = shipped_path(shipped_names[f]);
        bool tm = strcmp(shipped_names[f], "tm-2016") == 0;

        for (uint32_t n = 1; n <= FAM_MAX_NODES; n++) {
            GError *err = NULL;
            FamModel *m = fam_model_load(path, n, GiB, &err);

            if (!tm || GiB % (32 * MiB * n) == 0) {
                g_assert_no_error(err);
                g_assert_cmpuint(m->nodes, ==, n);
                tm_fits += tm;
                fam_model_free(m);
                continue;
            }
            g_assert_null(m);
            g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_SIZE);
            g_assert_true(g_str_has_prefix(err->message, path));
            g_clear_error(&err);
        }
        g_free(path);
    }
    g_assert_cmpuint(tm_fits, ==, 6);           /* 1, 2, 4, 8, 16, 32 */
}

/* The message for the commonest case, 64 nodes with the default pool. */
static void test_shipped_tm_64(void)
{
    char *path = shipped_path("tm-2016");
    char *expect = g_strdup_printf(
        "%s:54: [pool] book_size: fam-size 1 GiB gives each of the 256 "
        "modules 4 MiB, not a whole number of 8 MiB books; with 64 nodes "
        "fam-size must be a multiple of 2 GiB", path);
    FamModelParams p = { .nodes = 64, .pool_size = GiB,
                         .book_size = 2 * MiB };
    GError *err = NULL;
    FamModel *m;

    g_assert_null(fam_model_load(path, 64, GiB, &err));
    g_assert_cmpstr(err->message, ==, expect);
    g_clear_error(&err);

    /* The two ways out: a bigger pool, or smaller books. */
    m = fam_model_load(path, 64, 2 * GiB, &err);
    g_assert_no_error(err);
    fam_model_free(m);
    m = fam_model_load_params(path, &p, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(m->books, ==, 512);
    fam_model_free(m);
    g_free(expect);
    g_free(path);
}

/* The shipped models' key figures, so an edit to a file is deliberate. */
static void test_shipped_values(void)
{
    char *path = shipped_path("tm-2016");
    FamModel *m = fam_model_load(path, 20, 20 * 4 * 8 * MiB, NULL);

    g_assert_nonnull(m);
    g_assert_cmpuint(m->nodes_per_enclosure, ==, 10);
    g_assert_cmpuint(m->enclosures, ==, 2);
    g_assert_cmpuint(m->hop_count[FAM_HOP_LOCAL], ==, 1);
    g_assert_cmpuint(m->hop_count[FAM_HOP_ENCLOSURE], ==, 3);
    g_assert_cmpuint(m->hop_count[FAM_HOP_REMOTE], ==, 5);
    g_assert_cmpuint(m->modules, ==, 80);
    g_assert_cmpuint(m->interleave, ==, FAM_INTERLEAVE_BOOK);
    fam_model_free(m);
    g_free(path);

    path = shipped_path("cxl-direct");
    m = fam_model_load(path, 8, GiB, NULL);
    g_assert_cmpuint(m->attach, ==, FAM_ATTACH_FABRIC);
    g_assert_cmpuint(m->modules, ==, 4);
    g_assert_cmpuint(m->ways, ==, 4);
    g_assert_cmpuint(m->granule, ==, 256);
    fam_model_free(m);
    g_free(path);

    path = shipped_path("ideal");
    m = fam_model_load(path, 3, 24 * MiB, NULL);
    g_assert_cmpuint(m->read_ns + m->write_ns + m->hop_ns + m->bandwidth +
                     m->contention_ns, ==, 0);
    fam_model_free(m);
    g_free(path);
}

static void test_find(void)
{
    GError *err = NULL;
    char **names = fam_model_list(FAM_MODELS_DIR);
    char *path = fam_model_find("tm-2016", FAM_MODELS_DIR, &err);
    char *expect = g_build_filename(FAM_MODELS_DIR, "tm-2016.ini", NULL);

    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, expect);
    g_free(path);
    g_free(expect);

    g_assert_cmpuint(g_strv_length(names), ==, 4);
    for (size_t i = 0; i < G_N_ELEMENTS(shipped_names); i++) {
        g_assert_cmpstr(names[i], ==, shipped_names[i]);
    }
    g_strfreev(names);

    /* A path is used as given. */
    expect = shipped_path("ideal");
    path = fam_model_find(expect, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, expect);
    g_free(path);
    g_free(expect);

    g_assert_null(fam_model_find("tm-2017", FAM_MODELS_DIR, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_NOT_FOUND);
    expect = g_strdup_printf("no fabric model 'tm-2017' in %s (models "
                             "there: cxl-direct, cxl-switched, ideal, "
                             "tm-2016)", FAM_MODELS_DIR);
    g_assert_cmpstr(err->message, ==, expect);
    g_free(expect);
    g_clear_error(&err);

    /* Names cannot climb out of the directory. */
    g_assert_null(fam_model_find("..", FAM_MODELS_DIR, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_null(fam_model_find("/no/such/model.ini", FAM_MODELS_DIR,
                                 &err));
    g_assert_cmpstr(err->message, ==,
                    "/no/such/model.ini: no such fabric model file");
    g_clear_error(&err);
    g_assert_null(fam_model_find("ideal", NULL, &err));
    g_assert_error(err, FAM_MODEL_ERROR, FAM_MODEL_ERROR_NOT_FOUND);
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fam-model/parse/good", test_good);
    g_test_add_func("/fam-model/parse/book-size-param",
                    test_book_size_param);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        char *name = g_strdup_printf("/fam-model/parse/bad/%02zu-line%u", i,
                                     bad_cases[i].line);

        g_test_add_data_func(name, &bad_cases[i], test_bad);
        g_free(name);
    }
    g_test_add_func("/fam-model/parse/missing-group", test_missing_group);
    g_test_add_func("/fam-model/parse/book-mode-size", test_book_mode_size);
    g_test_add_func("/fam-model/parse/bad-file-on-disk",
                    test_bad_file_on_disk);
    g_test_add_func("/fam-model/parse/numbers", test_numbers);
    g_test_add_func("/fam-model/parse/shipped-load", test_shipped_load);
    g_test_add_func("/fam-model/parse/shipped-default-pool",
                    test_shipped_default_pool);
    g_test_add_func("/fam-model/parse/shipped-tm-64", test_shipped_tm_64);
    g_test_add_func("/fam-model/parse/shipped-values", test_shipped_values);
    g_test_add_func("/fam-model/parse/find", test_find);
    return g_test_run();
}
