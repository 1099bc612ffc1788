#!/bin/bash
# node-control.sh: control single nodes from QMP. Three nodes sit in a
# shell (fame.shell=1); through qom-set on /machine/node[N]/state the test
# reboots node 1 (it boots again, fame.boot=2, while the others keep
# running), powers node 2 off, checks every node's state and boot count,
# checks that a bad state is refused, then powers nodes 0 and 1 off: QEMU
# must then exit 0 by itself.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

boot_init node-control
sock=$FAME_TEST_LOGS/node-control.qmp
rm -f "$sock"
qmp() { /usr/bin/python3 "$(dirname "$0")/qmp.py" "$sock" "$@"; }
prop() {
	printf '{"execute": "qom-%s", "arguments": {"path": "/machine/node[%s]", "property": "%s"%s}}' \
		"$1" "$2" "$3" "${4:+, \"value\": \"$4\"}"
}
# wait_for SECONDS COUNT REGEX: wait until COUNT console lines match
wait_for() {
	local limit=$((SECONDS + $1))
	until [ "$(tr -d '\r' <"$console" | grep -cE "$3")" -ge "$2" ]; do
		[ $SECONDS -lt $limit ] || fail "fewer than $2 console lines match '$3' after $1 s"
		sleep 1
	done
}

args=(-machine "fame,nodes=3,$(fame_librarian_db)" -m "${FAME_TEST_MEM}M"
	-kernel "$FAME_GUEST/vmlinuz" -initrd "$FAME_GUEST/initramfs.cpio.gz"
	-nographic -append "fame.shell=1" -qmp "unix:$sock,server=on,wait=off")
printf '%q ' "$FAME_QEMU" "${args[@]}" >"$cmdfile"
timeout -k 10 300 "$FAME_QEMU" "${args[@]}" </dev/null >"$console" 2>"$stderr" &
qemu=$!
trap 'kill $qemu 2>/dev/null' EXIT

for i in 0 1 2; do
	wait_for 150 1 "^\[node0$i\] fame-node $i/3 ready"
done

got=$(qmp "$(prop get 1 state)" "$(prop get 1 boots)" "$(prop set 1 state reset)")
[ "$got" = $'"running"\n1\n{}' ] || fail "before the reset, node 1 answered: $got"
wait_for 150 2 '^\[node01\] fame-node 1/3 ready'
[ "$(qmp "$(prop get 1 boots)")" = 2 ] || fail "node 1 does not count its second boot"

# A change of state happens on the node's own CPU, a moment later: poll.
[ "$(qmp "$(prop set 2 state off)")" = "{}" ] || fail "node 2 refused to power off"
limit=$((SECONDS + 30))
until [ "$(qmp "$(prop get 2 state)")" = '"off"' ]; do
	[ $SECONDS -lt $limit ] || fail "node 2 is not off 30 s after qom-set state off"
	sleep 1
done
got=$(qmp "$(prop get 0 state)" "$(prop get 0 boots)" "$(prop set 0 state sideways)")
expected=$'"running"\n1\nerror: node 0: state \'sideways\' is not one of running, reset, off'
[ "$got" = "$expected" ] || fail "after powering node 2 off, the nodes answered: $got"
for i in 0 2; do
	n=$(tr -d '\r' <"$console" | grep -c "^\[node0$i\] fame-node $i/3 ready")
	[ "$n" -eq 1 ] || fail "node $i was reset with node 1 ($n ready lines)"
done

qmp "$(prop set 0 state off)" "$(prop set 1 state off)" >/dev/null
wait $qemu
rc=$?
trap - EXIT
tr -d '\r' <"$console" >"$lines"
[ $rc -eq 0 ] || fail "QEMU exited with status $rc once every node was off, not 0"
pass "reset node 1 alone, powered nodes off one by one over QMP, exit 0"
