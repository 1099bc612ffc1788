# Helpers shared by the Librarian's test scripts (crash-safety.sh,
# zeroing.sh): a scratch directory, a daemon to start, stop and kill, and
# JSON from `fam-lib --json` read with python3. Sourced, not run.
#
# The sourcing script sets: NAME (for messages), DAEMON, CLI, POOL_BOOKS
# (the binaries), and calls lib_setup first.

# Where the current step is, for fail(): set by the script as it goes.
STEP=""

lib_setup() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$NAME-XXXXXX") || exit 1
    POOL=$WORK/pool
    DB=$POOL.librarian.db
    SOCK=$WORK/socket
    PIDFILE=$WORK/daemon.pid
    DLOG=$WORK/daemon.log
    DPID=""
    trap lib_cleanup EXIT
    for b in "$DAEMON" "$CLI" "$POOL_BOOKS"; do
        [ -x "$b" ] || { echo "$NAME: $b is missing" >&2; exit 1; }
    done
}

lib_cleanup() {
    if [ -n "$DPID" ] && daemon_running; then
        kill -9 "$DPID" 2>/dev/null
    fi
    if [ -n "${KEEP:-}" ]; then
        echo "$NAME: kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}

fail() {
    echo "$NAME: FAILED${STEP:+ at $STEP}: $*" >&2
    if [ -s "$DLOG" ]; then
        echo "--- last lines of the daemon's log ($DLOG):" >&2
        tail -n 20 "$DLOG" >&2
    fi
    exit 1
}

# fam-lib with the given arguments; its output in $OUT, its stderr in
# $WORK/cli.err; returns its status.
cli() {
    OUT=$("$CLI" "$@" 2>"$WORK/cli.err")
}

cli_ok() {
    cli "$@" || fail "fam-lib $* exited $?: $(cat "$WORK/cli.err")"
}

# The system's python3 first: a python3 earlier in PATH may be a version
# manager's shim that takes half a second to start, several times per
# crash iteration.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

# One value out of JSON on stdin: json EXPR, with the document as `d`
# (e.g. json 'd["found"]["zombie_books"]'). Lists print one item a line.
json() {
    "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1], {"d": d})
if isinstance(v, list):
    print("\n".join(str(x) for x in v))
else:
    print(v)
' "$1"
}

daemon_start() {
    rm -f "$PIDFILE"
    # returns once the socket listens; the daemon detaches
    "$DAEMON" --pool "$POOL" --socket "$SOCK" --pid-file "$PIDFILE" \
        2>>"$DLOG" || fail "fam-librarian did not start (status $?)"
    DPID=$(cat "$PIDFILE" 2>/dev/null)
    [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null ||
        fail "fam-librarian started but its pid file $PIDFILE is wrong"
}

# Whether the daemon still runs. A killed daemon is a zombie until its
# adopter (init, or whatever reaps orphans here) collects it, which can
# take a second: a zombie has stopped, which is all that matters here.
daemon_running() {
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
            "/proc/$DPID/status" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Wait up to 10 s for the daemon to be gone.
daemon_wait_gone() {
    for _ in $(seq 200); do
        daemon_running || { DPID=""; return 0; }
        sleep 0.05
    done
    fail "fam-librarian (pid $DPID) is still running"
}

daemon_stop() {
    kill -TERM "$DPID" 2>/dev/null || fail "fam-librarian (pid $DPID) died"
    daemon_wait_gone
}

daemon_kill() {
    kill -9 "$DPID" 2>/dev/null || fail "fam-librarian (pid $DPID) died early"
    daemon_wait_gone
}

# The book numbers fam-lib lists for its arguments (after `books`), e.g.
# books_of --state free; or books_of /a. Uses $WHERE (--socket S, or
# --db DB to read without zeroing anything).
books_of() {
    cli_ok $WHERE --json books "$@"
    printf '%s\n' "$OUT" | json '[b["book"] for b in d]'
}

book_size() {
    cli_ok $WHERE --json df
    printf '%s\n' "$OUT" | json 'd["book_size"]'
}
