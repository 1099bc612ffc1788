#!/bin/bash
# Crash safety of the Librarian: kill -9 fam-librarian in the middle of an
# allocation storm, 20 times, and check after each crash that nothing was
# lost, leaked or left unzeroed.
#
# usage: crash-safety.sh FAM-LIBRARIAN FAM-LIB LIB-STORM LIB-POOL-BOOKS
#        (meson passes the built programs; FAM_CRASH_ITERATIONS=N and
#        FAM_CRASH_SEED=N change the defaults 20 and the pid)
#
# The pool: tm-2016 for 4 nodes, 128 MiB of 2 MiB books (64 books, 4 per
# media module), made by `fam-lib format`. Each iteration:
#
#  1. start fam-librarian (after a crash this is the restart: it must zero
#     every ZOMBIE book the crash left, before it serves anyone);
#  2. run 4 lib-storm clients, nodes 0..3, each creating, growing,
#     writing a pattern into its books through its own mapping of the pool
#     file (as a node would), shrinking, renaming and destroying shelves;
#  3. once every client storms, kill -9 the daemon 0.2 to 1.5 s later
#     (random), and wait for the clients, which end when they find the
#     connection gone;
#  4. count the ZOMBIE books the crash left (fam-lib --db, which opens the
#     database without the pool and so zeroes nothing);
#  5. restart the daemon, check online that no ZOMBIE is left and stop it
#     cleanly (SIGTERM): this is "after the restart";
#  6. fam-lib --db ... --json fsck, offline, again without the pool so that
#     fam-lib zeroes nothing itself: it must find nothing at all (no
#     leaked, doubly-owned, free-yet-owned or ZOMBIE book, no orphan, no
#     wrong size, no half-done delete, no stale handle). Then the open
#     handles the killed clients held are dropped with `fsck --repair`
#     (their nodes died with them, as in a cluster restart; the daemon
#     only drops a node's handles when the node disconnects, which a
#     killed daemon never sees), which must find nothing else;
#  7. every FREE book (fam-lib --json books --state free) reads as zero
#     in the pool file, every byte (lib-pool-books zero).
# A failure names the iteration and the step.

NAME=crash-safety
DAEMON=$1
CLI=$2
STORM=$3
POOL_BOOKS=$4
ITERATIONS=${FAM_CRASH_ITERATIONS:-20}
CLIENTS=4
. "$(dirname "$0")/lib-script.sh"

[ -x "$STORM" ] || { echo "$NAME: $STORM is missing" >&2; exit 1; }
SEED=${FAM_CRASH_SEED:-$$}
RANDOM=$SEED
lib_setup
echo "$NAME: $ITERATIONS crashes, $CLIENTS storm clients, seed $SEED" \
     "(FAM_CRASH_SEED=$SEED repeats the kill times), in $WORK"

STEP="format"
cli_ok --pool "$POOL" format --model tm-2016 --nodes 4 --size 128M \
    --book-size 2M
WHERE="--db $DB"
BOOK_SIZE=$(book_size)

zombies_total=0
free_checked=0
requests_total=0
written_total=0
for iter in $(seq "$ITERATIONS"); do
    STEP="iteration $iter, start"
    daemon_start

    STEP="iteration $iter, storm"
    pids=()
    for node in $(seq 0 $((CLIENTS - 1))); do
        "$STORM" --socket "$SOCK" --pool "$POOL" --node "$node" \
            --seed $((RANDOM * 32768 + RANDOM)) --files 8 --max-books 4 \
            --seconds 30 >"$WORK/storm$node.out" 2>"$WORK/storm$node.err" &
        pids+=($!)
    done
    # The kill timer starts when every client storms.
    for i in "${!pids[@]}"; do
        for _ in $(seq 500); do
            grep -q storming "$WORK/storm$i.out" && break
            kill -0 "${pids[$i]}" 2>/dev/null ||
                fail "lib-storm node $i ended before storming:" \
                     "$(cat "$WORK/storm$i.out" "$WORK/storm$i.err")"
            sleep 0.02
        done
        grep -q storming "$WORK/storm$i.out" ||
            fail "lib-storm node $i did not start within 10 s"
    done
    ms=$((200 + RANDOM % 1301))
    sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"

    STEP="iteration $iter, kill -9 after $ms ms"
    daemon_kill
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" ||
            fail "lib-storm node $i exited $?: $(cat "$WORK/storm$i.err")"
        grep -q "the daemon went away" "$WORK/storm$i.out" ||
            fail "lib-storm node $i did not see the daemon go:" \
                 "$(cat "$WORK/storm$i.out" "$WORK/storm$i.err")"
        read -r req wr <<<"$(sed -n \
            's/.*: \([0-9]*\) requests, \([0-9]*\) books written.*/\1 \2/p' \
            "$WORK/storm$i.out")"
        requests_total=$((requests_total + ${req:-0}))
        written_total=$((written_total + ${wr:-0}))
    done

    STEP="iteration $iter, after the crash"
    cli_ok --db "$DB" --json df
    zombies=$(printf '%s\n' "$OUT" | json 'd["zombie"]')
    zombies_total=$((zombies_total + zombies))

    STEP="iteration $iter, restart"
    daemon_start
    cli_ok --socket "$SOCK" --json df
    left=$(printf '%s\n' "$OUT" | json 'd["zombie"]')
    [ "$left" = 0 ] ||
        fail "the restarted daemon still has $left ZOMBIE books" \
             "(the crash left $zombies)"
    daemon_stop

    STEP="iteration $iter, fsck"
    cli --db "$DB" --json fsck
    status=$?
    [ "$status" -le 1 ] ||
        fail "fam-lib fsck could not check (status $status):" \
             "$(cat "$WORK/cli.err")"
    bad=$(printf '%s\n' "$OUT" | json \
        '" ".join(f"{k}={v}" for k, v in d["found"].items() if v)')
    [ -z "$bad" ] || fail "fsck found: $bad"
    # The killed clients' handles: their nodes are gone with them, as after
    # a cluster restart, so drop them (what --repair does to opens), or they
    # would pin their shelves through every later iteration.
    cli_ok --db "$DB" --json fsck --repair
    stale=$(printf '%s\n' "$OUT" | json 'd["found"]["stale_opens"]')
    bad=$(printf '%s\n' "$OUT" | json \
        '" ".join(f"{k}={v}" for k, v in d["found"].items()
                  if v and k != "stale_opens")')
    [ -z "$bad" ] || fail "fsck --repair found: $bad"

    STEP="iteration $iter, zero check"
    books_of --state free >"$WORK/free"
    free_checked=$((free_checked + $(wc -l <"$WORK/free")))
    "$POOL_BOOKS" zero "$POOL" "$BOOK_SIZE" <"$WORK/free" \
        >/dev/null 2>"$WORK/zero.err" ||
        fail "a FREE book is not zero after the crash:" \
             "$(cat "$WORK/zero.err")"
    echo "$NAME: iteration $iter: killed after $ms ms; $zombies ZOMBIE" \
         "books zeroed by the restart; fsck clean ($stale open handles of" \
         "the killed clients dropped); $(wc -l <"$WORK/free") FREE books" \
         "all zero"
done

# The storm must have done something worth crashing.
[ "$requests_total" -gt $((ITERATIONS * 10)) ] ||
    fail "the storm clients made only $requests_total requests in all"
[ "$written_total" -gt 0 ] || fail "the storm clients wrote no book"
[ "$free_checked" -gt 0 ] || fail "no iteration ended with a FREE book"
echo "$NAME: passed: $ITERATIONS crashes, $requests_total storm requests," \
     "$written_total books written, $zombies_total ZOMBIE books left by" \
     "crashes and zeroed by restarts"
