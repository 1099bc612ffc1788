#!/bin/bash
# Zeroing, end to end over the daemon: data a node wrote into its books
# never reaches the next owner of those books.
#
# usage: zeroing.sh FAM-LIBRARIAN FAM-LIB LIB-POOL-BOOKS
#
# The pool: tm-2016 for 4 nodes, 64 MiB of 2 MiB books (32 books). The
# default policy is set to LZAascending (user.LFS.AllocationPolicyDefault
# on /, which persists), so a new shelf takes the lowest free books and
# a destroyed shelf's books come back to the next one: the test knows
# which books to look at.
#
#  1. destroy: /a gets 4 books, they are filled with a pattern through
#     the pool file, /a is destroyed; its books are FREE and zero, and a
#     new shelf /b gets the very same books, still zero;
#  2. shrink: /b's books are filled, /b shrinks to one book; the three
#     freed books are zero, the one kept still holds its data;
#  3. ZOMBIE at start: /b is filled and destroyed offline with
#     `fam-lib --db` (the database without the pool: its books cannot be
#     zeroed and stay ZOMBIE, as after a crash in the middle of a free);
#     they hold the pattern until the daemon starts, which must zero them
#     and free them before serving;
#  4. the default policy survived the restarts.
# Every step checks that the pattern really was there first, so that a
# "zero" read means zeroing happened.

NAME=zeroing
DAEMON=$1
CLI=$2
POOL_BOOKS=$3
. "$(dirname "$0")/lib-script.sh"
lib_setup

# Books must read as zero / must not (proving the pattern is there).
expect_zero() {
    printf '%s\n' $1 | "$POOL_BOOKS" zero "$POOL" "$BOOK_SIZE" \
        >/dev/null 2>"$WORK/zero.err" ||
        fail "books $1 $2: $(cat "$WORK/zero.err")"
}
expect_data() {
    printf '%s\n' $1 | "$POOL_BOOKS" zero "$POOL" "$BOOK_SIZE" \
        >/dev/null 2>&1 && fail "books $1 $2 read as zero"
}
mark() {
    printf '%s\n' $1 | "$POOL_BOOKS" mark "$POOL" "$BOOK_SIZE" >/dev/null ||
        fail "cannot write into books $1"
}
same() {
    [ "$(echo $1)" = "$(echo $2)" ] || fail "$3: books $1, expected $2"
}

STEP="format"
cli_ok --pool "$POOL" format --model tm-2016 --nodes 4 --size 64M \
    --book-size 2M
daemon_start
WHERE="--socket $SOCK"
BOOK_SIZE=$(book_size)
[ "$BOOK_SIZE" = $((2 << 20)) ] || fail "book size $BOOK_SIZE, not 2 MiB"

STEP="default policy"
cli_ok --socket "$SOCK" policy --default / LZAascending
cli_ok --socket "$SOCK" getxattr / user.LFS.AllocationPolicyDefault
[ "$OUT" = LZAascending ] || fail "the default policy reads \"$OUT\""

STEP="destroy"
cli_ok --socket "$SOCK" create --size 8M /a
a=$(books_of /a)
same "$a" "0 1 2 3" "/a (LZAascending on an empty pool)"
expect_zero "$a" "of a new shelf"
mark "$a"
expect_data "$a" "just written"
cli_ok --socket "$SOCK" rm /a
free=$(books_of --state free)
same "$(sed -n 1,4p <<<"$free")" "$a" "the first FREE books"
expect_zero "$a" "of destroyed /a"
cli_ok --socket "$SOCK" create --size 8M /b
b=$(books_of /b)
same "$b" "$a" "/b (should reuse /a's books)"
expect_zero "$b" "of /b, reused from /a"

STEP="shrink"
mark "$b"
cli_ok --socket "$SOCK" truncate /b 2M
kept=$(books_of /b)
same "$kept" "$(echo $b | cut -d' ' -f1)" "/b after the shrink"
freed=$(echo $b | cut -d' ' -f2-)
expect_zero "$freed" "freed by shrinking /b"
expect_data "$kept" "kept by /b"

STEP="zombie at start"
cli_ok --socket "$SOCK" truncate /b 8M
b=$(books_of /b)
mark "$b"
daemon_stop
cli_ok --db "$DB" rm /b
WHERE="--db $DB"
same "$(books_of --state zombie)" "$b" "ZOMBIE books after an offline rm"
expect_data "$b" "left ZOMBIE"
daemon_start
WHERE="--socket $SOCK"
cli_ok --socket "$SOCK" --json df
[ "$(printf '%s\n' "$OUT" | json 'd["zombie"]')" = 0 ] ||
    fail "ZOMBIE books left after the daemon started"
expect_zero "$b" "left ZOMBIE, after the daemon started"

STEP="default policy after restarts"
cli_ok --socket "$SOCK" create --size 4M /c
same "$(books_of /c)" "0 1" "/c after restarts (LZAascending persisted?)"
daemon_stop
echo "$NAME: passed: destroyed, shrunk and ZOMBIE books all zeroed" \
     "before reuse; the default policy persisted"
