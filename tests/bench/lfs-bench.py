#!/usr/bin/python3
"""LFS benchmark: /lfs against the same guest's tmpfs and RAM, in one run.

Boots the guest program lfs-bench (tests/guest/lfs-bench.c) twice on a
fame machine with the Librarian:

  1 node     create+close+unlink/s and stat/s (a cached path, and an
             uncached one: a name that does not exist) in /lfs and in a
             tmpfs; sequential write and read MB/s through write(2) and
             read(2); load/store bandwidth of a mapped /lfs file and of the
             node's RAM
  N nodes    (--nodes, default 8) the metadata runs on every node at once,
             each in its own directory; the table shows the sum
  scaling    (--scaling) the same metadata runs on 2 and 4 nodes too: where
             more nodes stop adding throughput on this host's cores

and prints the figures side by side with the ratios. Not a pass/fail
test; nothing else should be running.

usage: tests/bench/lfs-bench.py [--nodes 8] [--secs 3] [--mib 32] [--scaling]
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("FAME_BUILD", os.path.join(TOP, "build"))
QEMU = os.environ.get("FAME_QEMU", os.path.join(BUILD, "qemu-system-x86_64"))
GUEST = os.environ.get("FAME_GUEST", os.path.join(BUILD, "guest"))
LOGS = os.environ.get("FAME_TEST_LOGS", os.path.join(BUILD, "test-logs"))
TIMEOUT = 1200
RESULT = re.compile(r"fame-test lfs-bench: node=(\d+) fs=(\w+) test=([\w-]+) "
                    r"value=([\d.]+) unit=(\S+)")
META = ("create-close-unlink", "stat-cached", "stat-uncached")
PHASES = ("create-us", "close-us", "unlink-us")
DATA = ("seq-write", "seq-read", "mmap-store", "mmap-load")


def run(name, nodes, append, tmp):
    """Boot `nodes` nodes; return {(fs, test): [values per node]} or None."""
    log = os.path.join(LOGS, f"lfs-bench-{name}.log")
    pool = os.path.join(tmp, f"{name}.pool")
    cmd = [QEMU, "-machine",
           f"fame,nodes={nodes},fam-size=512M,fam-path={pool}",
           "-m", "512M", "-nographic",
           "-kernel", f"{GUEST}/vmlinuz",
           "-initrd", f"{GUEST}/initramfs.cpio.gz",
           "-append", "fame.run=lfs-bench " + append]
    print(f"  {name}: {nodes} node(s) running ...", end="", flush=True)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=TIMEOUT)
        out, rc = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode(errors="replace"), "timeout"
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + out)
    res = collections.defaultdict(list)
    for m in RESULT.finditer(out):
        res[(m.group(2), m.group(3))].append(float(m.group(4)))
    ok = rc == 0 and out.count("lfs-bench: PASS") == nodes
    print(f" {'ok' if ok else f'FAILED (exit {rc}, see {log})'}")
    return res if ok else None


def fmt(v):
    return f"{v:12.0f}" if v is not None else f"{'-':>12}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=8,
                    help="nodes of the concurrent metadata run (default 8)")
    ap.add_argument("--secs", type=int, default=3,
                    help="seconds of each timed run (default 3)")
    ap.add_argument("--mib", type=int, default=32,
                    help="file size of the data runs, MiB (default 32)")
    ap.add_argument("--scaling", action="store_true",
                    help="also run the metadata runs on 2 and 4 nodes")
    args = ap.parse_args()
    for f in (QEMU, f"{GUEST}/vmlinuz", f"{GUEST}/initramfs.cpio.gz"):
        if not os.path.exists(f):
            sys.exit(f"error: {f} is missing; build first "
                     "(./configure && meson compile -C build)")
    os.makedirs(LOGS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="lfs-bench.", dir=LOGS)
    common = f"fam.lfsb_secs={args.secs} fam.lfsb_mib={args.mib}"
    print(f"LFS benchmark: {args.secs} s per metadata run, {args.mib} MiB "
          f"files, -m 512M, {os.cpu_count()} host cores, TCG, load "
          f"{os.getloadavg()[0]:.2f}")
    try:
        one = run("1node", 1, common, tmp)
        many = run(f"{args.nodes}nodes", args.nodes,
                   common + " fam.lfsb_meta=1", tmp)
        counts = [k for k in (2, 4) if args.scaling and k < args.nodes]
        mid = {k: run(f"{k}nodes", k, common + " fam.lfsb_meta=1", tmp)
               for k in counts}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def total(res, fs, test):
        return sum(res[(fs, test)]) if res and res.get((fs, test)) else None

    print(f"\nmetadata (ops/s; {args.nodes} nodes: the sum over nodes)")
    print(f"{'test':<22}{'lfs 1':>12}{'tmpfs 1':>12}{'lfs/tmpfs':>10}"
          f"{'lfs ' + str(args.nodes):>12}{'tmpfs ' + str(args.nodes):>12}"
          f"{'lfs N/1':>9}")
    for t in META:
        l1, t1 = total(one, "lfs", t), total(one, "tmpfs", t)
        ln, tn = total(many, "lfs", t), total(many, "tmpfs", t)
        print(f"{t:<22}{fmt(l1)}{fmt(t1)}"
              f"{(l1 / t1 if l1 and t1 else 0):10.3f}{fmt(ln)}{fmt(tn)}"
              f"{(ln / l1 if ln and l1 else 0):9.2f}")
    if mid:
        print("\nscaling (ops/s, the sum over nodes)")
        print(f"{'nodes':<8}" + "".join(f"{fs + ' ' + t:>26}"
                                        for fs, t in (("lfs", META[0]),
                                                      ("tmpfs", META[0]),
                                                      ("lfs", META[2]))))
        for k, res in [(1, one)] + sorted(mid.items()) + [(args.nodes, many)]:
            print(f"{k:<8}" + "".join(f"{fmt(total(res, fs, t)):>26}"
                                      for fs, t in (("lfs", META[0]),
                                                    ("tmpfs", META[0]),
                                                    ("lfs", META[2]))))

    def mean(res, fs, test):
        v = res.get((fs, test)) if res else None
        return sum(v) / len(v) if v else None

    print(f"\nwhere a create+close+unlink spends its time (us per step; "
          f"{args.nodes} nodes: the mean of the nodes)")
    print(f"{'step':<22}{'lfs 1':>12}{'tmpfs 1':>12}{'':>10}"
          f"{'lfs ' + str(args.nodes):>12}{'tmpfs ' + str(args.nodes):>12}")
    for t in PHASES:
        print(f"{t:<22}{fmt(mean(one, 'lfs', t))}{fmt(mean(one, 'tmpfs', t))}"
              f"{'':>10}{fmt(mean(many, 'lfs', t))}"
              f"{fmt(mean(many, 'tmpfs', t))}")
    print("\ndata, node 0 (MB/s)")
    print(f"{'test':<22}{'lfs':>12}{'tmpfs/RAM':>12}{'lfs/other':>10}")
    for t in DATA:
        other = "ram" if t.startswith("mmap") else "tmpfs"
        a, b = total(one, "lfs", t), total(one, other, t)
        print(f"{t:<22}{fmt(a)}{fmt(b)}{(a / b if a and b else 0):10.3f}")
    print("\n(mmap-*: tmpfs/RAM is an anonymous mapping of the node's RAM)")
    if not (one and many):
        sys.exit(1)


if __name__ == "__main__":
    main()
