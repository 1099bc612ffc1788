/*
 * The JSON writer of fam-lib --json.
 */
#include "cli-json.h"

#include <inttypes.h>
#include <string.h>

void cli_json_init(CliJson *j, FILE *out)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if (s[0] < 0x80) {
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* No overlong forms, no surrogates, nothing past U+10FFFF. */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

void cli_json_write_string(FILE *out, const void *str, size_t len)
{
    const unsigned char *s = str;
    size_t i = 0;

    fputc('"', out);
    while (i < len) {
        unsigned char c = s[i];
        size_t n;

        switch (c) {
        case '"':
            fputs("\\\"", out);
            i++;
            continue;
        case '\\':
            fputs("\\\\", out);
            i++;
            continue;
        case '\n':
            fputs("\\n", out);
            i++;
            continue;
        case '\t':
            fputs("\\t", out);
            i++;
            continue;
        case '\r':
            fputs("\\r", out);
            i++;
            continue;
        default:
            break;
        }
        n = c < 0x20 || c == 0x7f ? 0 : utf8_len(s + i, len - i);
        if (n == 0) {
            fprintf(out, "\\u%04x", c);
            i++;
        } else {
            fwrite(s + i, 1, n, out);
            i += n;
        }
    }
    fputc('"', out);
}

/* The separator and key before a value. */
static void begin_value(CliJson *j, const char *key)
{
    if (j->comma[j->depth]) {
        fputc(',', j->out);
    }
    j->comma[j->depth] = true;
    if (key != NULL) {
        cli_json_write_string(j->out, key, strlen(key));
        fputc(':', j->out);
    }
}

/* fam-lib nests three levels at most; deeper would be a bug here, and
 * is then flattened rather than overrunning the stack of levels. */
static void open_container(CliJson *j, const char *key, char open,
                           char close)
{
    begin_value(j, key);
    fputc(open, j->out);
    if (j->depth + 1 < CLI_JSON_DEPTH) {
        j->depth++;
        j->comma[j->depth] = false;
        j->close[j->depth] = close;
    }
}

void cli_json_object(CliJson *j, const char *key)
{
    open_container(j, key, '{', '}');
}

void cli_json_array(CliJson *j, const char *key)
{
    open_container(j, key, '[', ']');
}

void cli_json_end(CliJson *j)
{
    if (j->depth == 0) {
        return;
    }
    fputc(j->close[j->depth], j->out);
    j->depth--;
    if (j->depth == 0) {
        fputc('\n', j->out);
    }
}

void cli_json_str(CliJson *j, const char *key, const char *value)
{
    if (value == NULL) {
        cli_json_null(j, key);
        return;
    }
    begin_value(j, key);
    cli_json_write_string(j->out, value, strlen(value));
}

void cli_json_bytes(CliJson *j, const char *key, const void *value,
                    size_t len)
{
    begin_value(j, key);
    cli_json_write_string(j->out, value, len);
}

void cli_json_u64(CliJson *j, const char *key, uint64_t value)
{
    begin_value(j, key);
    fprintf(j->out, "%" PRIu64, value);
}

void cli_json_i64(CliJson *j, const char *key, int64_t value)
{
    begin_value(j, key);
    fprintf(j->out, "%" PRId64, value);
}

void cli_json_bool(CliJson *j, const char *key, bool value)
{
    begin_value(j, key);
    fputs(value ? "true" : "false", j->out);
}

void cli_json_null(CliJson *j, const char *key)
{
    begin_value(j, key);
    fputs("null", j->out);
}
