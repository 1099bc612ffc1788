#!/bin/bash
# fam-lib and fam-librarian together: format a pool, use it offline, start
# the real daemon on it, use it online, check that both views agree, and
# check every documented exit status and error message on the way.
#
# Environment (set by meson): FAM_LIB, FAM_LIBRARIAN (the programs),
# FAM_MODELS_DIR. Needs python3 (meson's own) to check --json output.
set -euo pipefail

: "${FAM_LIB:?}" "${FAM_LIBRARIAN:?}" "${FAM_MODELS_DIR:?}"

dir=$(mktemp -d /tmp/fam-lib-test.XXXXXX)
pool=$dir/pool
sock=$dir/sock
pidfile=$dir/pid
daemon_pid=

cleanup() {
    if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -KILL "$daemon_pid" || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

step=0
fail() {
    echo "FAIL: $*" >&2
    if [[ -s $dir/daemon.log ]]; then echo "--- daemon log:" >&2; cat "$dir/daemon.log" >&2; fi
    if [[ -s $dir/out ]]; then echo "--- stdout:" >&2; cat "$dir/out" >&2; fi
    if [[ -s $dir/err ]]; then echo "--- stderr:" >&2; cat "$dir/err" >&2; fi
    exit 1
}

# expect STATUS PROGRAM ARG...: run it, its output in $dir/out and
# $dir/err, and fail unless it exits with STATUS.
expect() {
    local want=$1 got=0
    shift
    step=$((step + 1))
    "$@" >"$dir/out" 2>"$dir/err" || got=$?
    if [[ $got != "$want" ]]; then
        fail "step $step: '$*' exited $got, expected $want"
    fi
}

# Output checks on the last command.
out_has() { grep -qE -- "$1" "$dir/out" || fail "step $step: stdout lacks /$1/"; }
err_has() { grep -qE -- "$1" "$dir/err" || fail "step $step: stderr lacks /$1/"; }
out_line() { # KEY VALUE: "key: value" line of df/stat output
    grep -Fqx -- "$1: $2" "$dir/out" || fail "step $step: no line '$1: $2'"
}
# json PYTHON-EXPR: the last stdout parsed as JSON (j) makes EXPR true.
json() {
    python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    sys.exit("JSON check failed: " + sys.argv[2] + "\n" + json.dumps(j))
' "$dir/out" "$1" || fail "step $step: JSON check"
}

root=0
[[ $(id -u) == 0 ]] && root=1
lib() { "$FAM_LIB" "$@"; }
off() { "$FAM_LIB" --pool "$pool" "$@"; }
on() { "$FAM_LIB" --socket "$sock" "$@"; }

# --- help, usage errors --------------------------------------------------
expect 0 lib --help
out_has '^Commands:'
out_has 'fsck'
expect 0 lib ls --help
out_has 'Usage: fam-lib .* ls'
expect 0 lib --version
expect 2 lib
err_has 'no command'
expect 2 lib frobnicate
err_has 'frobnicate: no such command'
expect 2 lib --bogus ls
expect 2 lib ls
err_has 'say where the Librarian is'
expect 2 lib --socket "$sock" --pool "$pool" ls
expect 2 off stat
err_has 'missing operand'
expect 2 off ls / /extra
expect 2 off books --state sleeping
expect 2 lib format --pool "$pool" --model ideal
err_has 'required'
expect 2 lib --socket "$sock" format --model ideal --nodes 2
err_has 'not through a daemon'
expect 0 "$FAM_LIBRARIAN" --help
out_has 'Exit status'
expect 2 "$FAM_LIBRARIAN" --pool "$pool"
expect 2 "$FAM_LIBRARIAN" --pool "$pool" --socket "$sock" --nodes 0
expect 2 "$FAM_LIBRARIAN" --pool "$pool" --socket "$sock" --what

# --- format ----------------------------------------------------------------
# Nothing yet: offline use says what is missing.
expect 1 off df
err_has "$pool: No such file or directory"
expect 1 lib --db "$dir/none.db" df
err_has 'no such database'
# A model that does not fit the size touches nothing.
expect 1 lib --models-dir "$FAM_MODELS_DIR" format --pool "$pool" \
    --model tm-2016 --nodes 64 --size 64M
[[ ! -e $pool ]] || fail "a failed format left $pool"
expect 1 lib --models-dir "$FAM_MODELS_DIR" format --pool "$pool" \
    --model no-such-model --nodes 2 --size 64M
[[ ! -e $pool ]] || fail "a failed format left $pool"

expect 0 lib --models-dir "$FAM_MODELS_DIR" format --pool "$pool" \
    --model ideal --nodes 2 --size 64M --book-size 2M
out_has '32 books of 2 MiB, model ideal, 2 nodes'
[[ $(stat -c %s "$pool") == 67108864 ]] || fail "pool size"
[[ $(stat -c %a "$pool") == 600 ]] || fail "pool mode: not 0600"
[[ -s $pool.librarian.db ]] || fail "no database beside the pool"
expect 1 lib --models-dir "$FAM_MODELS_DIR" format --pool "$pool" \
    --model ideal --nodes 2
err_has 'a database exists'
expect 1 lib --models-dir "$FAM_MODELS_DIR" format --pool "$pool" \
    --model ideal --nodes 2 --size 128M --force
err_has 'exists with'
# Replacing keeps the pool's size and zeroes it.
printf 'old data' | dd of="$pool" bs=1 seek=4096 conv=notrunc status=none
expect 0 lib --models-dir "$FAM_MODELS_DIR" --json format --pool "$pool" \
    --model ideal --nodes 2 --book-size 2M --force
json 'j["books"] == 32 and j["book_size"] == 2097152 and j["nodes"] == 2'
[[ $(tr -d '\0' <"$pool" | wc -c) == 0 ]] || fail "format did not zero the pool"

# --- offline ---------------------------------------------------------------
expect 0 off df
out_line model ideal
out_line books 32
out_line free 32
expect 0 off --json df
json 'j["free"] == 32 and j["inuse"] == 0 and j["model"] == "ideal"'

expect 0 off mkdir /d
expect 0 off create --size 5M /d/f
expect 0 off create --mode 0600 /d/empty
expect 0 off ln -s /d/f /link
expect 0 off ls
out_has '^d$'
out_has '^link$'
expect 0 off ls -l /d
out_has '^-rw-r--r-- .* f$'
out_has '^-rw------- .* empty$'
expect 0 off ls -l /
out_has '^l.* link -> /d/f$'
expect 0 off --json ls -l /d
json 'sorted(e["name"] for e in j) == ["empty", "f"]'
json '[e for e in j if e["name"] == "f"][0]["books"] == 3'
# Any bytes but '/' and NUL make a name; --json stays valid JSON.
weird=$'we"ird\\\xff\x01\n'
expect 0 off create "/$weird"
expect 0 off --json ls /
json 'any(e["name"] == "we\"ird\\\u00ff\u0001\n" for e in j)'
expect 0 off rm "/$weird"
expect 0 off stat /d/f
out_line type file
out_line books 3
out_line mode "0644 (-rw-r--r--)"
expect 0 off stat d/f
out_line path /d/f
expect 0 off --json stat /link
json 'j["type"] == "symlink" and j["target"] == "/d/f"'
expect 0 off books /d/f
out_has 'inuse'
[[ $(grep -c inuse "$dir/out") == 3 ]] || fail "books /d/f: not 3 books in use"
expect 0 off books --state free
[[ $(grep -c free "$dir/out") == 29 ]] || fail "books --state free: not 29"
expect 0 off --json books --state inuse
json 'len(j) == 3 and all(b["state"] == "inuse" for b in j)'
json 'all(b["offset"] == b["book"] * 2097152 for b in j)'
expect 0 off books --module 0
[[ $(grep -cE 'free|inuse' "$dir/out") == 32 ]] || fail "books --module 0"
expect 1 off books --module 1
expect 0 off df
out_line free 29
out_line inuse 3

# Sizes are strict: "MB" is ambiguous, junk is junk, overflow is caught.
expect 2 off truncate /d/f 8MB
err_has '8MB: a size'
expect 2 off truncate /d/f 8.5M
expect 2 off truncate /d/f 99999999999999999999
expect 2 off truncate /d/f 17179869184T
expect 0 off truncate /d/f 9MiB
expect 0 off stat /d/f
out_line books 5
expect 0 off setxattr /d/f user.color blue
expect 0 off getxattr /d/f user.color
[[ $(cat "$dir/out") == blue ]] || fail "getxattr value"
expect 0 off xattrs /d/f
out_has '^user.color=blue$'
expect 0 off --json xattrs /d/f
json '{"name": "user.color", "value": "blue", "hex": "626c7565"} in j'
expect 0 off policy /d/f LZAascending
expect 0 off policy /d/f
[[ $(cat "$dir/out") == LZAascending ]] || fail "policy value"
expect 2 off policy /d/f NoSuchPolicy
expect 0 off chmod 0640 /d/f
expect 0 off stat /d/f
out_line mode "0640 (-rw-r-----)"
expect 0 off chmod 0644 /d/f
# Root's business (the tests run as root; as anyone else, it is refused).
if ((root)); then
    expect 0 off policy --default /d LZAdescending
    expect 0 off create /d/new
    expect 0 off policy /d/new
    [[ $(cat "$dir/out") == LZAdescending ]] || fail "new shelf's policy"
    expect 0 off --json policy --default /
    json 'j["policy"] == "LZAdescending"'
    expect 0 off policy --default / RandomBooks
    expect 1 off policy --default / RequestIG
    err_has 'Invalid argument'
    expect 0 off rm /d/new
    expect 0 off chown 12:34 /d/f
    expect 0 off stat /d/f
    out_line uid 12
    out_line gid 34
    expect 0 off chown "$(id -u):$(id -g)" /d/f
else
    expect 1 off policy --default / LZAdescending
    err_has 'Operation not permitted'
fi
expect 2 off chmod 0999 /d/f
expect 0 off mv /d/f /d/g
expect 1 off stat /d/f
expect 0 off mv /d/g /d/f
expect 0 off create /d/other
expect 0 off --json stat /d/f
id_f=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$dir/out")
expect 1 off mv -n /d/f /d/other
err_has 'File exists'
expect 0 off --json stat /d/f
json "j['id'] == $id_f"
expect 0 off mv --exchange /d/f /d/other
expect 0 off --json stat /d/other
json "j['id'] == $id_f"
expect 0 off --json stat /d/f
json "j['id'] != $id_f"
expect 0 off mv --exchange /d/other /d/f
expect 1 off mv --exchange /d/f /d/none
err_has 'No such file'
expect 2 off mv -n --exchange /d/f /d/other
err_has 'exclude each other'
expect 0 off rm /d/other
# Hard links: two names of one shelf, ls -l counts them, the last rm
# destroys it.
expect 0 off ln /d/f /d/second
expect 0 off --json stat /d/second
json "j['id'] == $id_f and j['nlink'] == 2"
expect 0 off ls -l /d
out_has '^-rw-r--r-- *2 .* second$'
expect 1 off ln /d /d2
err_has 'Operation not permitted'
expect 1 off ln /d/f /d/second
err_has '^fam-lib: /d/second => /d/f: File exists$'
expect 1 off ln /d/none /d/third
err_has '^fam-lib: /d/third => /d/none: No such file or directory$'
expect 0 off rm /d/f
expect 0 off --json stat /d/second
json "j['id'] == $id_f and j['nlink'] == 1 and j['books'] == 5"
expect 0 off mv /d/second /d/f
expect 1 off setxattr --create /d/f user.color red
err_has 'File exists'
expect 0 off setxattr /d/f user.gone x
expect 0 off rmxattr /d/f user.gone
expect 1 off getxattr /d/f user.gone
err_has 'No data available'
expect 0 off opens
expect 0 off --json opens
json 'j == []'
expect 0 off version
proto=$(sed -n 's/^#define FAM_LIB_VERSION *\([0-9]*\).*/\1/p' \
	"$(dirname "$0")/../../../guest-driver/uapi/fame/fam-librarian-proto.h")
out_has "protocol $proto, schema"

# Errors: message "fam-lib: PATH: reason", status 1.
expect 1 off stat /nope
err_has '^fam-lib: /nope: No such file or directory$'
expect 1 off mkdir /d
err_has '^fam-lib: /d: File exists$'
expect 1 off rmdir /d
err_has 'Directory not empty'
expect 1 off create --size 1G /big
err_has 'No space left on device'
expect 1 off rm /nope /d/empty
err_has '/nope: No such file'
expect 1 off stat /d/empty
expect 1 off mv /nope /x

expect 0 off fsck
out_has 'consistent'
expect 0 off --json fsck
json 'j["problems"] == 0'
expect 0 lib --db "$pool.librarian.db" fsck
expect 0 off fsck --repair
expect 2 on fsck
err_has 'offline'

# On the database alone nothing can be zeroed: a destroyed shelf's books
# stay zombie, fsck reports them (1) and cannot repair them (1, saying
# why); opening with the pool zeroes them, and fsck is clean again (0).
db=$pool.librarian.db
expect 0 lib --db "$db" create --size 4M /z
expect 0 lib --db "$db" rm /z
expect 0 lib --db "$db" df
out_line zombie 2
expect 1 lib --db "$db" fsck
out_has 'zombie_books +2'
expect 1 lib --db "$db" --json fsck
json 'j["problems"] == 2 and j["found"]["zombie_books"] == 2'
expect 1 lib --db "$db" fsck --repair
err_has 'use --pool'
expect 0 off fsck
expect 0 off df
out_line zombie 0
out_line inuse 5

# --- the daemon -------------------------------------------------------------
expect 1 "$FAM_LIBRARIAN" --pool "$dir/missing" --socket "$sock"
err_has 'missing'
# What the user gives must agree with the database.
expect 1 "$FAM_LIBRARIAN" --pool "$pool" --socket "$sock" --nodes 3
err_has 'made for 2 nodes, not 3'
expect 1 "$FAM_LIBRARIAN" --pool "$pool" --socket "$sock" \
    --models-dir "$FAM_MODELS_DIR" --model tm-2016
err_has 'made for model ideal, not tm-2016'
expect 1 "$FAM_LIBRARIAN" --pool "$pool" --socket "$sock" --book-size 4M
err_has 'books of'
# A non-socket in the way is never removed.
touch "$dir/notasocket"
expect 1 "$FAM_LIBRARIAN" --pool "$pool" --socket "$dir/notasocket"
err_has 'not a socket'

# Detached start: returns once listening, with the startup line. Its log
# goes on to its own file, so that it never mixes with later commands'.
step=$((step + 1))
"$FAM_LIBRARIAN" --pool "$pool" --socket "$sock" --nodes 2 \
    --models-dir "$FAM_MODELS_DIR" --model ideal --pid-file "$pidfile" \
    2>"$dir/daemon.log" || { cat "$dir/daemon.log" >&2; fail "daemon start"; }
grep -q 'fam-librarian: 32 books of 2 MiB, model ideal, 2 nodes, listening on ' \
    "$dir/daemon.log" || { cat "$dir/daemon.log" >&2; fail "no startup line"; }
daemon_pid=$(cat "$pidfile")
kill -0 "$daemon_pid" || fail "daemon not running"
[[ -S $sock ]] || fail "no socket"
# A second daemon on the same socket is refused.
expect 1 "$FAM_LIBRARIAN" --pool "$pool" --socket "$sock"
err_has 'another fam-librarian'

# Online and offline see the same namespace.
expect 0 on --json df
json 'j["inuse"] == 5 and j["free"] == 27 and j["nodes"] == 2'
expect 0 on ls -l /d
out_has ' f$'
expect 0 on create --size 2M /online
expect 0 lib --db "$pool.librarian.db" stat /online
out_line books 1
expect 0 on stat /online
out_line uid "$(id -u)"
expect 1 on stat /nope
err_has '^fam-lib: /nope: No such file or directory$'
expect 0 on getxattr /d/f user.color
expect 0 on zero
out_has '^0 zombie book'
# A module taken offline takes its free books with it (root only).
if ((root)); then
    expect 0 on module 0 offline
    expect 0 on --json df
    json 'j["free"] == 0 and j["offline"] == 26'
    expect 1 on create --size 2M /nospace
    err_has 'No space left on device'
    expect 0 on rm /nospace
    expect 0 on module 0 online
    expect 0 on --json df
    json 'j["free"] == 26 and j["offline"] == 0'
else
    expect 1 on module 0 offline
    err_has 'Operation not permitted'
fi
expect 2 on module 0 sideways
expect 0 on books /online
[[ $(grep -c inuse "$dir/out") == 1 ]] || fail "online books"

# Destroying a shelf zeroes its books: write into the pool where /online's
# book is, destroy it, and the bytes are zero again.
expect 0 on --json books /online
book=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["offset"])' "$dir/out")
printf 'secret' | dd of="$pool" bs=1 seek="$book" conv=notrunc status=none
expect 0 on rm /online
[[ $(dd if="$pool" bs=1 skip="$book" count=6 status=none | tr -d '\0' | wc -c) == 0 ]] ||
    fail "a destroyed shelf's book was not zeroed"
expect 0 on df
out_line zombie 0
out_line free 27

# The daemon survives garbage on its socket.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"GET / HTTP/1.0\r\n\r\n" + bytes(range(256)) * 4)
s.settimeout(5)
try:
    while s.recv(4096): pass
except OSError: pass
' "$sock"
expect 0 on version

# SIGTERM: exit 0, socket and pid file gone.
kill -TERM "$daemon_pid"
for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$daemon_pid" 2>/dev/null && fail "daemon still running after SIGTERM"
daemon_pid=
[[ ! -e $sock ]] || fail "socket left after SIGTERM"
[[ ! -e $pidfile ]] || fail "pid file left after SIGTERM"
expect 1 on df
expect 0 off fsck

echo "ok: fam-lib and fam-librarian, $step steps"
