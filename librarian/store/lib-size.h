/*
 * Numbers on the command line of the Librarian's programs (fam-librarian,
 * fam-lib): sizes with binary suffixes and plain counts, parsed strictly
 * so that a typo is a usage error rather than a silently different pool.
 */
#ifndef FAME_LIB_SIZE_H
#define FAME_LIB_SIZE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * "4096", "8M", "1G", "2GiB", "512K", "1T": digits with an optional
 * binary suffix (K, M, G, T, each optionally followed by "iB", or a bare
 * "B"). Returns false on anything else, on overflow and on "MB" (the
 * fabric model refuses it as ambiguous, so do we).
 */
bool fam_lib_parse_size(const char *text, uint64_t *out);

/* Decimal digits only, at most `max`. */
bool fam_lib_parse_u64(const char *text, uint64_t max, uint64_t *out);
bool fam_lib_parse_u32(const char *text, uint32_t max, uint32_t *out);

/* "8 MiB", "1 GiB", "1536 KiB", "100 B": the largest exact unit. */
const char *fam_lib_format_size(uint64_t bytes, char *buf, unsigned cap);

#endif /* FAME_LIB_SIZE_H */
