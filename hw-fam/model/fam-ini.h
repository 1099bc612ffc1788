/*
 * A line-aware INI reader for the fabric model (internal).
 *
 * GKeyFile holds the values, but it forgets where they were and forgives
 * duplicates. This adds a line index built by scanning the text, so that
 * every error can say "FILE:LINE: [group] key: ...", and typed getters that
 * reject anything but a clean number.
 */
#ifndef FAM_INI_H
#define FAM_INI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

typedef struct FamIni FamIni;

/* How a number may be written. */
typedef enum FamIniUnit {
    FAM_INI_PLAIN,   /* digits only */
    FAM_INI_SIZE,    /* digits, then K M G T (binary, optional "iB" or "B") */
    FAM_INI_RATE,    /* digits, then K M G T (decimal, as link rates are) */
} FamIniUnit;

/* Parse `text`; `file` names it in messages. NULL and *errp on a bad line. */
FamIni *fam_ini_parse(const char *text, const char *file, GError **errp);
void fam_ini_free(FamIni *ini);

const char *fam_ini_file(const FamIni *ini);

/* The line of a key, or of a group header if key is NULL; 0 if absent. */
unsigned fam_ini_line(const FamIni *ini, const char *group, const char *key);

bool fam_ini_has(const FamIni *ini, const char *group, const char *key);

/* Every group header (key NULL) and key line, in file order. */
typedef struct FamIniEntry {
    const char *group;
    const char *key;
    unsigned line;
} FamIniEntry;

const FamIniEntry *fam_ini_entries(const FamIni *ini, size_t *count);

/*
 * Set *errp to "FILE:LINE: [group] key: message". Without a line (an absent
 * key) the line of the group is used, and without that none. key may be
 * NULL for a message about a whole group.
 */
void fam_ini_error(const FamIni *ini, GError **errp, int code,
                   const char *group, const char *key,
                   const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* The value as written, trimmed; NULL if absent. g_free() it. */
char *fam_ini_value(const FamIni *ini, const char *group, const char *key);

/*
 * Read an unsigned number in [min, max]. If the key is absent, store dflt
 * and succeed, unless required, which is an error.
 */
bool fam_ini_get_u64(const FamIni *ini, const char *group, const char *key,
                     FamIniUnit unit, uint64_t min, uint64_t max,
                     bool required, uint64_t dflt, uint64_t *out,
                     GError **errp);

/*
 * Read a keyword: the index of the value in the NULL-terminated `words`.
 * Absent: dflt, or an error if required.
 */
bool fam_ini_get_word(const FamIni *ini, const char *group, const char *key,
                      const char *const *words, bool required, int dflt,
                      int *out, GError **errp);

/* Parse a number as fam_ini_get_u64 does, without range checks. */
bool fam_ini_parse_number(const char *text, FamIniUnit unit, uint64_t *out);

/* "8 MiB", "1 GiB", "3000 B": exact binary sizes for messages. g_free(). */
char *fam_ini_format_size(uint64_t bytes);

#endif /* FAM_INI_H */
