#!/usr/bin/python3
"""Boot-scaling benchmark: N nodes in one fame process vs N q35 processes.

For N = 1, 2, 4, 8 it boots the same kernel and initramfs
  - once as `-machine fame,nodes=N` (one QEMU process), and
  - as N separate stock `-M q35` processes of the same binary,
and prints, for each, the wall time from start until every node has printed
its `fame-node i/N ready` line, the wall time until every process has
exited, and the peak resident memory of all QEMU processes together (sampled
every 50 ms from /proc). Both run on the same cores at the same time of day;
nothing else should be running.

usage: tests/bench/boot-scaling.py [--nodes 1,2,4,8] [--mem 256M]
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("FAME_BUILD", os.path.join(TOP, "build"))
QEMU = os.environ.get("FAME_QEMU", os.path.join(BUILD, "qemu-system-x86_64"))
GUEST = os.environ.get("FAME_GUEST", os.path.join(BUILD, "guest"))
BIOS = os.environ.get("FAME_BIOS", os.path.join(BUILD, "qemu-bios"))
READY = re.compile(rb"fame-node (\d+)/(\d+) ready")
TIMEOUT = 900


def rss_kib(pids):
    """Resident set size of the given processes, in KiB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run(cmds):
    """Start every command; return (ready_s, exit_s, peak_rss_kib, ok)."""
    start = time.monotonic()
    procs = [subprocess.Popen(c, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for c in cmds]
    ready = set()
    ready_at = [None]
    lock = threading.Lock()
    expected = None

    def reader(p):
        nonlocal expected
        for line in p.stdout:
            m = READY.search(line)
            if m:
                with lock:
                    ready.add(int(m.group(1)))
                    expected = int(m.group(2))
                    if len(ready) == expected and ready_at[0] is None:
                        ready_at[0] = time.monotonic() - start

    threads = [threading.Thread(target=reader, args=(p,)) for p in procs]
    for t in threads:
        t.start()
    peak = 0
    while any(p.poll() is None for p in procs):
        peak = max(peak, rss_kib([p.pid for p in procs if p.poll() is None]))
        if time.monotonic() - start > TIMEOUT:
            for p in procs:
                p.kill()
            break
        time.sleep(0.05)
    exit_s = time.monotonic() - start
    for t in threads:
        t.join()
    ok = all(p.returncode == 0 for p in procs) and ready_at[0] is not None
    return ready_at[0], exit_s, peak, ok


def fame_cmd(n, mem):
    # librarian=off: the default pool's Librarian database would hold
    # another node count from the previous size
    return [[QEMU, "-machine", f"fame,nodes={n},librarian=off", "-m", mem,
             "-kernel", f"{GUEST}/vmlinuz",
             "-initrd", f"{GUEST}/initramfs.cpio.gz", "-nographic"]]


def q35_cmds(n, mem):
    # -nodefaults: no CD-ROM for SeaBIOS to probe (30 s under TCG), no VGA
    return [[QEMU, "-M", "q35", "-nodefaults", "-L", BIOS, "-m", mem,
             "-display", "none", "-serial", "stdio",
             "-kernel", f"{GUEST}/vmlinuz",
             "-initrd", f"{GUEST}/initramfs.cpio.gz",
             "-append", f"console=ttyS0 loglevel=3 fame.node={i} "
                        f"fame.nodes={n} fame.boot=1"]
            for i in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", default="1,2,4,8",
                    help="comma-separated node counts (default 1,2,4,8)")
    ap.add_argument("--mem", default="256M", help="RAM per node (-m)")
    args = ap.parse_args()
    for f in (QEMU, f"{GUEST}/vmlinuz", f"{GUEST}/initramfs.cpio.gz"):
        if not os.path.exists(f):
            sys.exit(f"error: {f} is missing; build first "
                     "(./configure && meson compile -C build)")

    print(f"boot scaling, {os.cpu_count()} host cores, -m {args.mem} per "
          "node, same kernel and initramfs")
    print(f"{'nodes':>5}  {'setup':<14} {'all ready (s)':>13} "
          f"{'all exited (s)':>14} {'peak RSS (MiB)':>14}  result")
    for n in [int(x) for x in args.nodes.split(",")]:
        for name, cmds in (("fame, 1 proc", fame_cmd(n, args.mem)),
                           (f"q35, {n} proc", q35_cmds(n, args.mem))):
            ready, done, peak, ok = run(cmds)
            ready_s = f"{ready:.1f}" if ready is not None else "-"
            print(f"{n:>5}  {name:<14} {ready_s:>13} {done:>14.1f} "
                  f"{peak / 1024:>14.0f}  {'ok' if ok else 'FAILED'}",
                  flush=True)


if __name__ == "__main__":
    main()
