/*
 * Strict parsing of sizes and counts for the Librarian's programs.
 */
#include "lib-size.h"

#include <stdio.h>
#include <string.h>

bool fam_lib_parse_u64(const char *text, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (text == NULL || *text == '\0') {
        return false;
    }
    for (const char *p = text; *p != '\0'; p++) {
        unsigned d;

        if (*p < '0' || *p > '9') {
            return false;
        }
        d = (unsigned)(*p - '0');
        if (v > (max - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool fam_lib_parse_u32(const char *text, uint32_t max, uint32_t *out)
{
    uint64_t v;

    if (!fam_lib_parse_u64(text, max, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* The power of 1024 a suffix stands for, or -1. */
static int suffix_shift(const char *s)
{
    static const char units[] = "KMGT";
    const char *u;

    if (*s == '\0' || strcmp(s, "B") == 0) {
        return 0;
    }
    u = strchr(units, s[0]);
    if (u == NULL) {
        return -1;
    }
    if (s[1] != '\0' && strcmp(s + 1, "iB") != 0) {
        return -1;
    }
    return (int)(u - units + 1) * 10;
}

bool fam_lib_parse_size(const char *text, uint64_t *out)
{
    char digits[24];
    size_t n = 0;
    uint64_t v;
    int shift;

    if (text == NULL) {
        return false;
    }
    while (text[n] >= '0' && text[n] <= '9') {
        n++;
    }
    if (n == 0 || n >= sizeof(digits)) {
        return false;
    }
    memcpy(digits, text, n);
    digits[n] = '\0';
    shift = suffix_shift(text + n);
    if (shift < 0 || !fam_lib_parse_u64(digits, UINT64_MAX, &v)) {
        return false;
    }
    if (shift > 0 && v > (UINT64_MAX >> shift)) {
        return false;
    }
    *out = v << shift;
    return true;
}

const char *fam_lib_format_size(uint64_t bytes, char *buf, unsigned cap)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
                                         "PiB", "EiB" };
    unsigned u = 0;

    while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes != 0 &&
           (bytes & 1023) == 0) {
        bytes >>= 10;
        u++;
    }
    snprintf(buf, cap, "%llu %s", (unsigned long long)bytes, units[u]);
    return buf;
}
