#!/usr/bin/python3
"""Doorbell latency benchmark: round trips between two nodes.

Node 0 rings node 1, node 1 rings back, --rounds times; the figure is the
mean round trip in microseconds as node 0 measures it. Four set-ups, all
with the same kernel and initramfs:

  fame/driver    `-machine fame,nodes=2`: the guest driver takes each
                 doorbell as an MSI-X interrupt and wakes the process
                 asleep in FAM_IOC_WAIT (tests/guest/fam-driver.c)
  fame/polled    the same machine, driver unbound: the program polls the
                 DB_PENDING register (tests/guest/fam-doorbell.c)
  q35/driver     two stock `-M q35` processes, one node each, sharing the
                 pool file and a doorbells= file: interrupts, as above
  q35/polled     the same two processes, polling

Not a pass/fail test; nothing else should be running (TCG vCPUs share the
host's cores, which is most of what a round trip costs).

usage: tests/bench/doorbell-latency.py [--rounds 1000] [--mem 256M]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("FAME_BUILD", os.path.join(TOP, "build"))
QEMU = os.environ.get("FAME_QEMU", os.path.join(BUILD, "qemu-system-x86_64"))
GUEST = os.environ.get("FAME_GUEST", os.path.join(BUILD, "guest"))
BIOS = os.environ.get("FAME_BIOS", os.path.join(BUILD, "qemu-bios"))
TIMEOUT = 600
POOL = "64M"

# What node 0 prints, per program
FIGURES = {
    "fam-driver": re.compile(r"node 0: \d+ doorbell round trips through the "
                             r"driver's interrupts, ([\d.]+) us each"),
    "fam-doorbell": re.compile(r"node 0: \d+ round trips with node 1 in "
                               r"[\d.]+ s \(([\d.]+) us"),
}


def guest(mem, append):
    return ["-m", mem, "-kernel", f"{GUEST}/vmlinuz",
            "-initrd", f"{GUEST}/initramfs.cpio.gz", "-append", append]


def fame_cmd(tmp, prog, rounds, mem):
    librarian = "on" if prog == "fam-driver" else "off"
    return [[QEMU, "-machine",
             f"fame,nodes=2,fam-size={POOL},fam-path={tmp}/fame.pool,"
             f"librarian={librarian}", "-nographic"] +
            guest(mem, f"fame.run={prog} fam.db_rounds={rounds}")]


def q35_cmds(tmp, prog, rounds, mem):
    pool = f"{tmp}/q35-{prog}.pool"
    with open(pool, "wb") as f:
        f.truncate(64 << 20)
    cmds = []
    for node in (0, 1):
        cmds.append([QEMU, "-M", "q35", "-nodefaults", "-L", BIOS,
                     "-display", "none", "-smp", "1,maxcpus=2",
                     "-serial", "stdio",
                     "-object", f"memory-backend-file,id=fam,mem-path={pool},"
                                f"size={POOL},share=on",
                     "-device", f"fam-fabric,memdev=fam,node-id={node},"
                                f"nodes=2,doorbells={pool}.doorbells"] +
                    guest(mem, f"console=ttyS0 loglevel=3 fame.node={node} "
                               f"fame.nodes=2 fame.boot=1 fame.run={prog} "
                               f"fam.db_rounds={rounds}"))
    return cmds


def run(name, prog, cmds):
    """Start the processes together; node 0's round trip in us, or None."""
    print(f"  {name}: running ...", end="", flush=True)
    procs = [subprocess.Popen(c, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for c in cmds]
    out = ""
    for p in procs:
        try:
            out += p.communicate(timeout=TIMEOUT)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            p.kill()
            out += p.communicate()[0].decode(errors="replace")
    m = FIGURES[prog].search(out)
    if not m or "FAIL" in out:
        print(" failed")
        fails = [l for l in out.splitlines() if "FAIL" in l]
        print("\n".join(fails[-5:] or out.splitlines()[-10:]),
              file=sys.stderr)
        return None
    print(" ok")
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser(
        description="Doorbell round-trip latency: driver interrupts vs "
                    "polled registers, one fame process vs two q35 "
                    "processes.")
    ap.add_argument("--rounds", type=int, default=1000,
                    help="round trips per set-up (default 1000)")
    ap.add_argument("--mem", default="256M", help="RAM per node (-m)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    for f in (QEMU, f"{GUEST}/vmlinuz", f"{GUEST}/initramfs.cpio.gz"):
        if not os.path.exists(f):
            sys.exit(f"error: {f} is missing: run meson compile -C build")

    print(f"doorbell round trips, {args.rounds} per set-up, "
          f"{os.cpu_count()} host cores, TCG")
    results = {}
    with tempfile.TemporaryDirectory(prefix="fame-db-") as tmp:
        for machine in ("fame", "q35"):
            for prog, how in (("fam-driver", "driver"),
                              ("fam-doorbell", "polled")):
                make = fame_cmd if machine == "fame" else q35_cmds
                name = f"{machine}/{how}"
                results[name] = run(name, prog,
                                    make(tmp, prog, args.rounds, args.mem))
    print("\nmean round trip (us), as node 0 measures it")
    for name, us in results.items():
        print(f"  {name:12} {us:10.1f}" if us is not None
              else f"  {name:12}     failed")
    return 0 if all(v is not None for v in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
