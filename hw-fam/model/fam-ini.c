/*
 * A line-aware INI reader for the fabric model: GKeyFile for the values,
 * plus our own scan of the text for line numbers, which GKeyFile does not
 * keep. The scan follows GKeyFile's own rules (leading blanks ignored, '#'
 * comments on their own line, "[group]", "key = value") and is stricter
 * where GKeyFile is silent: a repeated group or key is an error here,
 * because a model in which a later line quietly wins is a model nobody
 * reviewed.
 */
#include "fam-ini.h"
#include "fam-model.h"

#include <inttypes.h>
#include <string.h>

struct FamIni {
    char *file;
    GKeyFile *kf;
    GArray *entries;        /* FamIniEntry, strings owned by `strings` */
    GStringChunk *strings;
};

/* The bytes of one line, without its end of line. */
typedef struct Line {
    const char *start;
    size_t len;
} Line;

static void ini_error_at(GError **errp, int code, const char *file,
                         unsigned line, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

static void ini_error_at(GError **errp, int code, const char *file,
                         unsigned line, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(errp, FAM_MODEL_ERROR, code, "%s:%u: %s", file, line, msg);
    g_free(msg);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trim blanks (and a final '\r' from CRLF files) off both ends. */
static Line trim(Line l)
{
    while (l.len > 0 && is_blank(l.start[0])) {
        l.start++;
        l.len--;
    }
    while (l.len > 0 && (is_blank(l.start[l.len - 1]) ||
                         l.start[l.len - 1] == '\r')) {
        l.len--;
    }
    return l;
}

static const FamIniEntry *find_entry(const FamIni *ini, const char *group,
                                     const char *key)
{
    for (guint i = 0; i < ini->entries->len; i++) {
        const FamIniEntry *e = &g_array_index(ini->entries, FamIniEntry, i);

        if (strcmp(e->group, group) != 0) {
            continue;
        }
        if (key == NULL ? e->key == NULL
                        : (e->key != NULL && strcmp(e->key, key) == 0)) {
            return e;
        }
    }
    return NULL;
}

static void add_entry(FamIni *ini, const char *group, const Line *key,
                      unsigned line)
{
    FamIniEntry e = {
        .group = group,
        .key = key ? g_string_chunk_insert_len(ini->strings, key->start,
                                               (gssize)key->len)
                   : NULL,
        .line = line,
    };

    g_array_append_val(ini->entries, e);
}

/* A "[group]" line: returns the group name, or NULL (error set). */
static const char *scan_group(FamIni *ini, Line l, unsigned n,
                              GError **errp)
{
    const char *close = memchr(l.start, ']', l.len);
    Line name;

    if (close == NULL) {
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "group header has no closing ']'");
        return NULL;
    }
    if ((size_t)(close - l.start) != l.len - 1) {
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "text after the group header's ']'");
        return NULL;
    }
    name.start = l.start + 1;
    name.len = l.len - 2;
    if (name.len == 0 || memchr(name.start, '[', name.len) != NULL) {
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "bad group name");
        return NULL;
    }
    for (size_t i = 0; i < name.len; i++) {
        if ((unsigned char)name.start[i] < 0x20) {
            ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                         "control character in group name");
            return NULL;
        }
    }
    return g_string_chunk_insert_len(ini->strings, name.start,
                                     (gssize)name.len);
}

/* GKeyFile's rule: brackets only as a final "[locale]" suffix. Checked
 * here so that the error has a line. */
static bool valid_key(Line key)
{
    const char *open = memchr(key.start, '[', key.len);
    const char *close = memchr(key.start, ']', key.len);

    if (open == NULL && close == NULL) {
        return true;
    }
    return open != NULL && open != key.start &&
           close == key.start + key.len - 1 && close > open + 1 &&
           memchr(open + 1, '[', (size_t)(close - open - 1)) == NULL;
}

/* Index one line of the text; false (error set) if it is malformed. */
static bool scan_line(FamIni *ini, Line raw, unsigned n, const char **group,
                      GError **errp)
{
    Line l = trim(raw);
    const char *eq;
    Line key;
    const FamIniEntry *prev;

    if (!g_utf8_validate(raw.start, (gssize)raw.len, NULL)) {
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "not valid UTF-8");
        return false;
    }
    if (l.len == 0 || l.start[0] == '#') {
        return true;
    }
    if (l.start[0] == ';') {
        /* Many INI dialects allow it; GKeyFile would take "; x" as a key. */
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "';' does not start a comment here: use '#'");
        return false;
    }
    if (l.start[0] == '[') {
        const char *name = scan_group(ini, l, n, errp);

        if (name == NULL) {
            return false;
        }
        prev = find_entry(ini, name, NULL);
        if (prev != NULL) {
            ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                         "[%s]: group repeated (first at line %u)",
                         name, prev->line);
            return false;
        }
        add_entry(ini, name, NULL, n);
        *group = name;
        return true;
    }
    eq = memchr(l.start, '=', l.len);
    if (eq == NULL) {
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "not a [group], a 'key = value' or a '#' comment "
                     "(comments must be on lines of their own)");
        return false;
    }
    key.start = l.start;
    key.len = (size_t)(eq - l.start);
    key = trim(key);
    if (key.len == 0) {
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "'=' with no key before it");
        return false;
    }
    if (!valid_key(key)) {
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "%.*s: bad key name ('[' and ']' only as in "
                     "key[locale])", (int)key.len, key.start);
        return false;
    }
    if (*group == NULL) {
        ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                     "%.*s: key before any [group]", (int)key.len, key.start);
        return false;
    }
    for (guint i = 0; i < ini->entries->len; i++) {
        prev = &g_array_index(ini->entries, FamIniEntry, i);
        if (prev->key != NULL && strcmp(prev->group, *group) == 0 &&
            strlen(prev->key) == key.len &&
            memcmp(prev->key, key.start, key.len) == 0) {
            ini_error_at(errp, FAM_MODEL_ERROR_SYNTAX, ini->file, n,
                         "[%s] %s: key repeated (first at line %u)",
                         *group, prev->key, prev->line);
            return false;
        }
    }
    add_entry(ini, *group, &key, n);
    return true;
}

static bool scan_text(FamIni *ini, const char *text, GError **errp)
{
    const char *group = NULL;
    const char *p = text;
    unsigned n = 1;

    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        Line l = { p, nl ? (size_t)(nl - p) : strlen(p) };

        if (!scan_line(ini, l, n, &group, errp)) {
            return false;
        }
        if (nl == NULL) {
            break;
        }
        p = nl + 1;
        n++;
    }
    return true;
}

FamIni *fam_ini_parse(const char *text, const char *file, GError **errp)
{
    FamIni *ini = g_new0(FamIni, 1);
    GError *err = NULL;

    ini->file = g_strdup(file);
    ini->entries = g_array_new(FALSE, FALSE, sizeof(FamIniEntry));
    ini->strings = g_string_chunk_new(256);
    ini->kf = g_key_file_new();

    /* Some editors start UTF-8 files with a byte order mark; GKeyFile
     * would reject line 1 for it. */
    if (g_str_has_prefix(text, "\xef\xbb\xbf")) {
        text += 3;
    }
    if (!scan_text(ini, text, errp)) {
        fam_ini_free(ini);
        return NULL;
    }
    /* Our scan accepted it, so GKeyFile should too; if not (bad UTF-8, for
     * one), its own message is the best there is. */
    if (!g_key_file_load_from_data(ini->kf, text, (gsize)-1,
                                   G_KEY_FILE_NONE, &err)) {
        g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_SYNTAX, "%s: %s",
                    file, err->message);
        g_error_free(err);
        fam_ini_free(ini);
        return NULL;
    }
    return ini;
}

void fam_ini_free(FamIni *ini)
{
    if (ini == NULL) {
        return;
    }
    g_key_file_free(ini->kf);
    g_array_free(ini->entries, TRUE);
    g_string_chunk_free(ini->strings);
    g_free(ini->file);
    g_free(ini);
}

const char *fam_ini_file(const FamIni *ini)
{
    return ini->file;
}

unsigned fam_ini_line(const FamIni *ini, const char *group, const char *key)
{
    const FamIniEntry *e = find_entry(ini, group, key);

    return e ? e->line : 0;
}

bool fam_ini_has(const FamIni *ini, const char *group, const char *key)
{
    return find_entry(ini, group, key) != NULL;
}

const FamIniEntry *fam_ini_entries(const FamIni *ini, size_t *count)
{
    *count = ini->entries->len;
    return (const FamIniEntry *)(void *)ini->entries->data;
}

void fam_ini_error(const FamIni *ini, GError **errp, int code,
                   const char *group, const char *key, const char *fmt, ...)
{
    unsigned line = 0;
    GString *where = g_string_new(ini->file);
    va_list ap;
    char *msg;

    if (group != NULL) {
        line = key ? fam_ini_line(ini, group, key) : 0;
        if (line == 0) {
            line = fam_ini_line(ini, group, NULL);
        }
    }
    if (line != 0) {
        g_string_append_printf(where, ":%u", line);
    }
    if (group != NULL) {
        g_string_append_printf(where, ": [%s]", group);
    }
    if (key != NULL) {
        g_string_append_printf(where, " %s", key);
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(errp, FAM_MODEL_ERROR, code, "%s: %s", where->str, msg);
    g_free(msg);
    g_string_free(where, TRUE);
}

char *fam_ini_value(const FamIni *ini, const char *group, const char *key)
{
    char *v;

    if (!fam_ini_has(ini, group, key)) {
        return NULL;
    }
    v = g_key_file_get_value(ini->kf, group, key, NULL);
    return v ? g_strstrip(v) : NULL;
}

/* A multiplier suffix, after optional blanks; false if not one of ours. */
static bool parse_suffix(const char *s, FamIniUnit unit, uint64_t *mult)
{
    static const char letters[] = "KMGT";
    const char *l;
    unsigned power;

    while (is_blank(*s)) {
        s++;
    }
    if (*s == '\0') {
        *mult = 1;
        return true;
    }
    if (unit == FAM_INI_PLAIN) {
        return false;
    }
    l = strchr(letters, *s);
    if (l == NULL) {
        /* Bare units: "B" for sizes, "B/s" for rates. */
        *mult = 1;
        return unit == FAM_INI_SIZE ? strcmp(s, "B") == 0
                                    : strcmp(s, "B/s") == 0;
    }
    power = (unsigned)(l - letters) + 1;
    s++;
    *mult = 1;
    for (unsigned i = 0; i < power; i++) {
        *mult *= unit == FAM_INI_SIZE ? 1024 : 1000;
    }
    if (unit == FAM_INI_SIZE) {
        return *s == '\0' || strcmp(s, "iB") == 0;
    }
    return *s == '\0' || strcmp(s, "B/s") == 0;
}

bool fam_ini_parse_number(const char *text, FamIniUnit unit, uint64_t *out)
{
    uint64_t v = 0, mult;
    const char *p = text;

    if (!g_ascii_isdigit(*p)) {
        return false;
    }
    for (; g_ascii_isdigit(*p); p++) {
        unsigned d = (unsigned)(*p - '0');

        if (v > (UINT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (!parse_suffix(p, unit, &mult)) {
        return false;
    }
    if (v != 0 && mult > UINT64_MAX / v) {
        return false;
    }
    *out = v * mult;
    return true;
}

char *fam_ini_format_size(uint64_t bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
                                         "PiB", "EiB" };
    unsigned i = 0;

    while (bytes != 0 && i + 1 < G_N_ELEMENTS(units) && bytes % 1024 == 0) {
        bytes /= 1024;
        i++;
    }
    return g_strdup_printf("%" PRIu64 " %s", bytes, units[i]);
}

static const char *unit_hint(FamIniUnit unit)
{
    switch (unit) {
    case FAM_INI_SIZE:
        return " (a whole number of bytes, optionally with K, M, G or T: "
               "binary multiples)";
    case FAM_INI_RATE:
        return " (a whole number of bytes per second, optionally with K, M, "
               "G or T: decimal multiples)";
    default:
        return " (a whole number)";
    }
}

bool fam_ini_get_u64(const FamIni *ini, const char *group, const char *key,
                     FamIniUnit unit, uint64_t min, uint64_t max,
                     bool required, uint64_t dflt, uint64_t *out,
                     GError **errp)
{
    char *v = fam_ini_value(ini, group, key);
    uint64_t n;

    if (v == NULL) {
        if (required) {
            fam_ini_error(ini, errp, FAM_MODEL_ERROR_MISSING, group, key,
                          "required key missing from this group");
            return false;
        }
        *out = dflt;
        return true;
    }
    if (!fam_ini_parse_number(v, unit, &n)) {
        fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE, group, key,
                      "'%s' is not a number%s", v, unit_hint(unit));
        g_free(v);
        return false;
    }
    if (n < min || n > max) {
        fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE, group, key,
                      "%s is out of range: %" PRIu64 " to %" PRIu64,
                      v, min, max);
        g_free(v);
        return false;
    }
    g_free(v);
    *out = n;
    return true;
}

bool fam_ini_get_word(const FamIni *ini, const char *group, const char *key,
                      const char *const *words, bool required, int dflt,
                      int *out, GError **errp)
{
    char *v = fam_ini_value(ini, group, key);
    char *list;

    if (v == NULL) {
        if (required) {
            fam_ini_error(ini, errp, FAM_MODEL_ERROR_MISSING, group, key,
                          "required key missing from this group");
            return false;
        }
        *out = dflt;
        return true;
    }
    for (int i = 0; words[i] != NULL; i++) {
        if (strcmp(v, words[i]) == 0) {
            *out = i;
            g_free(v);
            return true;
        }
    }
    list = g_strjoinv(", ", (char **)words);
    fam_ini_error(ini, errp, FAM_MODEL_ERROR_VALUE, group, key,
                  "'%s' is not one of: %s", v, list);
    g_free(list);
    g_free(v);
    return false;
}
