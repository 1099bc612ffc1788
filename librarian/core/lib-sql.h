/*
 * Named constants in SQL text: the one place where the schema and the
 * statements of the core get the values the C code uses, so that no
 * statement spells a book state, a file type or a fixed shelf as a bare
 * number.
 *
 * SQL_X is a string literal holding the value of the C constant X, made
 * at compile time, so statements stay static strings (lib_sql() keys its
 * cache by their address):
 *
 *     "SELECT id FROM books WHERE state = " SQL_BOOK_ZOMBIE
 *
 * is "SELECT id FROM books WHERE state = 2". A constant whose C spelling
 * is a plain decimal number is stringified as it is (LIB_SQL_TEXT). One
 * that SQL cannot read (octal, a 'u' suffix, a shift) has a decimal twin
 * here, which the compiler checks against the C constant. Twins stay
 * decimal without leading zeros: C reads 010 as eight, SQL as ten.
 *
 * The values are on disk (books.state, shelves.mode), so none of them
 * may change without a schema migration.
 *
 * Part of lib-int.h, which includes it after the constants it spells.
 */
#ifndef FAME_LIB_SQL_H
#define FAME_LIB_SQL_H

#include "librarian.h"

#ifndef LIB_ROOT_ID
#error "include lib-int.h, not lib-sql.h"
#endif

/* The text of a macro's value: LIB_SQL_TEXT(FAM_LIB_BOOK_ZOMBIE) is "2". */
#define LIB_SQL_STR_(x)     #x
#define LIB_SQL_TEXT(x)     LIB_SQL_STR_(x)

/* Book states: books.state, book_counts.state. */
#define SQL_BOOK_FREE       LIB_SQL_TEXT(FAM_LIB_BOOK_FREE)
#define SQL_BOOK_INUSE      LIB_SQL_TEXT(FAM_LIB_BOOK_INUSE)
#define SQL_BOOK_ZOMBIE     LIB_SQL_TEXT(FAM_LIB_BOOK_ZOMBIE)
#define SQL_BOOK_OFFLINE    LIB_SQL_TEXT(FAM_LIB_BOOK_OFFLINE)

/* The fixed shelves: shelves.id, shelves.parent. */
#define SQL_ROOT_ID         LIB_SQL_TEXT(LIB_ROOT_ID)
#define SQL_LOST_FOUND_ID   LIB_SQL_TEXT(LIB_LOST_FOUND_ID)

/* Search permission in a shifted permission triplet of shelves.mode. */
#define SQL_MAY_EXEC        LIB_SQL_TEXT(LIB_MAY_EXEC)

/* File types in shelves.mode (FAM_LIB_S_IF*, octal in C). */
#define LIB_SQL_S_IFMT_DEC  61440
#define LIB_SQL_S_IFDIR_DEC 16384
#define LIB_SQL_S_IFREG_DEC 32768
#define LIB_SQL_S_IFLNK_DEC 40960
#define SQL_S_IFMT          LIB_SQL_TEXT(LIB_SQL_S_IFMT_DEC)
#define SQL_S_IFDIR         LIB_SQL_TEXT(LIB_SQL_S_IFDIR_DEC)
#define SQL_S_IFREG         LIB_SQL_TEXT(LIB_SQL_S_IFREG_DEC)
#define SQL_S_IFLNK         LIB_SQL_TEXT(LIB_SQL_S_IFLNK_DEC)
_Static_assert(LIB_SQL_S_IFMT_DEC == FAM_LIB_S_IFMT, "SQL_S_IFMT");
_Static_assert(LIB_SQL_S_IFDIR_DEC == FAM_LIB_S_IFDIR, "SQL_S_IFDIR");
_Static_assert(LIB_SQL_S_IFREG_DEC == FAM_LIB_S_IFREG, "SQL_S_IFREG");
_Static_assert(LIB_SQL_S_IFLNK_DEC == FAM_LIB_S_IFLNK, "SQL_S_IFLNK");

/* A writable open handle: opens.flags (FAM_LIB_OPEN_*, shifts in C). */
#define LIB_SQL_OPEN_WRITE_DEC 2
#define SQL_OPEN_WRITE      LIB_SQL_TEXT(LIB_SQL_OPEN_WRITE_DEC)
_Static_assert(LIB_SQL_OPEN_WRITE_DEC == FAM_LIB_OPEN_WRITE,
               "SQL_OPEN_WRITE");

#endif /* FAME_LIB_SQL_H */
