/*
 * fam-lib --json: a small streaming JSON writer. It keeps only a comma
 * flag per nesting level, so output is produced as the Librarian's lists
 * are walked, however long they are.
 */
#ifndef FAME_CLI_JSON_H
#define FAME_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_JSON_DEPTH 8

typedef struct CliJson {
    FILE *out;
    unsigned depth;
    bool comma[CLI_JSON_DEPTH];   /* an item was written at this level */
    char close[CLI_JSON_DEPTH];   /* what ends this level: '}' or ']' */
} CliJson;

void cli_json_init(CliJson *j, FILE *out);

/* `key` names the member inside an object; NULL inside an array or at
 * the top. Ending the top-level value writes a newline. */
void cli_json_object(CliJson *j, const char *key);
void cli_json_array(CliJson *j, const char *key);
void cli_json_end(CliJson *j);          /* closes the innermost */

void cli_json_str(CliJson *j, const char *key, const char *value);
void cli_json_bytes(CliJson *j, const char *key, const void *value,
                    size_t len);
void cli_json_u64(CliJson *j, const char *key, uint64_t value);
void cli_json_i64(CliJson *j, const char *key, int64_t value);
void cli_json_bool(CliJson *j, const char *key, bool value);
void cli_json_null(CliJson *j, const char *key);

/*
 * A JSON string literal of `len` bytes, quotes included. Valid UTF-8 is
 * kept; control characters and bytes that are not valid UTF-8 are escaped
 * as \u00XX (a shelf name is any bytes but '/' and NUL, and JSON must be
 * UTF-8, so such bytes come out as the Latin-1 character of that value).
 */
void cli_json_write_string(FILE *out, const void *s, size_t len);

#endif /* FAME_CLI_JSON_H */
