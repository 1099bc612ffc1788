#!/bin/bash
# fam-churn.sh: memory-map changes while every node runs must not crash QEMU.
#
# Every memory transaction in the process (a node's guest mapping a BAR, a
# grant or revoke of the pool, ...) gives every address space of every
# node a new dispatch table and frees the old ones through RCU, while the
# other nodes' vCPU threads keep translating guest addresses. QEMU 10.0.2
# had each vCPU cache its dispatch pointer until it ran a queued update,
# and a vCPU delivering an interrupt could walk the guest's page tables
# through a dispatch that RCU had just freed: an intermittent SIGSEGV in
# address_space_translate_internal, rare in the other tests (a few dozen
# transactions per run). qemu-patches/0016 fixes it.
#
# Here the host makes transactions as fast as QMP allows, for the whole
# run: `fam-grant` of the whole pool to node 0, 1, ... in turn. Without
# the Librarian every node holds the whole pool already (grant-all), so a
# grant changes nothing the guests can see, but it is a memory transaction
# like any other. Meanwhile eight nodes boot and run `fam-atomic`
# (tests/guest/fam-atomic.c). QEMU must exit 0 by itself, every node must
# pass, and enough grants must have been made for the run to mean
# something. Before the fix, five runs in six died of signal 11.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=${FAM_CHURN_NODES:-8}
iters=${FAM_CHURN_ITERS:-50000}
min_grants=${FAM_CHURN_MIN_GRANTS:-500}
fam_init fam-churn
sock=$FAME_TEST_LOGS/fam-churn.qmp
churnlog=$FAME_TEST_LOGS/fam-churn.grants
rm -f "$sock" "$churnlog"

# The QMP client: once QEMU listens, grant the whole pool again and again
# until QEMU goes away, then print how many grants QEMU accepted.
/usr/bin/python3 - "$sock" "$nodes" "$FAM_TEST_POOL_BYTES" >"$churnlog" 2>&1 <<'EOF' &
import json, socket, sys, time
path, nodes, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + 60
while True:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"cannot connect to {path}")
        time.sleep(0.1)
f = s.makefile("rw")
replies = 0
try:
    f.readline()                                # the greeting
    f.write('{"execute": "qmp_capabilities"}\n')
    f.flush()
    for line in f:
        msg = json.loads(line)
        if "event" in msg:
            continue
        if "error" in msg:
            sys.exit("fam-grant refused: " + msg["error"]["desc"])
        replies += 1                # the first one answers qmp_capabilities
        f.write(json.dumps({"execute": "fam-grant", "arguments": {
            "node": replies % nodes, "offset": 0, "size": size,
            "writable": True}}) + "\n")
        f.flush()
except (OSError, ValueError):
    pass                                        # QEMU exited
print(max(replies - 1, 0))
EOF
churn=$!
trap 'kill $churn 2>/dev/null' EXIT

fam_boot "$nodes" $((120 + 60 * nodes)) \
	"fame.run=fam-atomic fam.atomic_iters=$iters fam.cas_iters=$iters" \
	-qmp "unix:$sock,server=on,wait=off"
wait $churn
trap - EXIT

expect_clean_exit
expect_verdicts fam-atomic "$nodes"
grants=$(tail -n1 "$churnlog")
[[ "$grants" =~ ^[0-9]+$ ]] || fail "the QMP client failed: $(cat "$churnlog")"
[ "$grants" -ge "$min_grants" ] ||
	fail "only $grants grants were made during the run, fewer than $min_grants"
want=$((nodes * iters))
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-test fam-atomic: node $i: $iters locked increments .* the counter holds $want of $want;")" -eq 1 ] ||
		fail "node $i did not report the counter at exactly $want"
done
pass "$nodes nodes ran fam-atomic through $grants memory transactions" \
	"(fam-grant over QMP), ${elapsed} s"
