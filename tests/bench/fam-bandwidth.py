#!/usr/bin/python3
"""Pool bandwidth benchmark: the fam-fabric pool vs RAM and vs ivshmem.

Runs the guest program fam-bw (tests/guest/fam-bw.c), which measures
sequential read, write and copy bandwidth over a buffer of --mib MiB,
--reps times, on this node's own RAM and on a BAR2 mapped through sysfs:

  fame       one `-machine fame,nodes=1` node: RAM, and the fam-fabric
             pool in direct mode (BAR2)
  ivshmem    one stock `-M q35` process of the same binary: RAM, and an
             `ivshmem-plain` BAR2 on a memory-backend-file with share=on
  q35-fam    (unless --no-q35-fam) one q35 process with `-device
             fam-fabric` on a memory-backend-file: the multi-process mode

and prints the best and the median of the repetitions in MB/s (10^6 bytes
per second of buffer; a copy reads and writes that much), with the
ratios pool/RAM and fame pool/ivshmem. All runs use the same kernel and
initramfs; nothing else should be running. Not a pass/fail test.

usage: tests/bench/fam-bandwidth.py [--mib 64] [--reps 5] [--mem 512M]
"""

import argparse
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
BIOS = os.environ.get("FAME_BIOS", os.path.join(BUILD, "qemu-bios"))
LOGS = os.environ.get("FAME_TEST_LOGS", os.path.join(BUILD, "test-logs"))
TIMEOUT = 900
RESULT = re.compile(r"fame-test fam-bw: dev=(\w+) target=(\w+) op=(\w+) "
                    r"mib=\d+ reps=\d+ best=([\d.]+) median=([\d.]+)")
OPS = ("read", "write", "copy")
# The fam pool keeps the benchmark's buffers from 16 MiB up (FAM_AREA_BW).
FAM_AREA_BW_MIB = 16


def pool_size(mib):
    """A power of two that holds two buffers above FAM_AREA_BW."""
    need = FAM_AREA_BW_MIB + 2 * mib
    size = 64
    while size < need:
        size *= 2
    return size


def guest_args(mem, append):
    return ["-m", mem, "-kernel", f"{GUEST}/vmlinuz",
            "-initrd", f"{GUEST}/initramfs.cpio.gz", "-append", append]


def q35(mem, append, devices):
    # -nodefaults: no CD-ROM for SeaBIOS to probe (30 s under TCG), no VGA
    # maxcpus=2 for parallel TCG, which -device fam-fabric requires; the
    # same for every q35 run so they compare like with like
    return ([QEMU, "-M", "q35", "-nodefaults", "-L", BIOS, "-display", "none",
             "-smp", "1,maxcpus=2", "-serial", "stdio"] + devices +
            guest_args(mem, "console=ttyS0 loglevel=3 fame.node=0 "
                            "fame.nodes=1 fame.boot=1 " + append))


def run(name, cmd):
    """Run one QEMU; return {(target, op): (best, median)} or None."""
    log = os.path.join(LOGS, f"fam-bandwidth-{name}.log")
    print(f"  {name}: running ...", end="", flush=True)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=TIMEOUT)
        out, rc = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode(errors="replace"), "timeout"
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + out)
    res = {}
    for m in RESULT.finditer(out):
        res[(m.group(2), m.group(3))] = (float(m.group(4)), float(m.group(5)))
    ok = rc == 0 and len(res) == 2 * len(OPS) and "fam-bw: PASS" in out
    print(f" {'ok' if ok else f'FAILED (exit {rc}, see {log})'}")
    return res if ok else None


def cell(v):
    return f"{v:10.0f}" if v is not None else f"{'-':>10}"


def ratio(a, b):
    return f"{a / b:8.2f}" if a is not None and b else f"{'-':>8}"


def table(runs, which, label):
    def get(run, target, op):
        r = runs.get(run)
        return r[(target, op)][which] if r else None

    cols = [("fame RAM", "fame", "ram"), ("fame pool", "fame", "pool"),
            ("q35 RAM", "ivshmem", "ram"), ("ivshmem", "ivshmem", "pool")]
    if "q35-fam" in runs:
        cols.append(("q35 pool", "q35-fam", "pool"))
    print(f"\n{label} (MB/s)")
    print(f"{'op':<6}" + "".join(f"{c[0]:>11}" for c in cols) +
          f"{'pool/RAM':>10}{'pool/ivsh':>10}{'ivsh/RAM':>10}")
    for op in OPS:
        v = {c[0]: get(c[1], c[2], op) for c in cols}
        print(f"{op:<6}" + "".join(" " + cell(v[c[0]]) for c in cols) +
              "  " + ratio(v["fame pool"], v["fame RAM"]) +
              "  " + ratio(v["fame pool"], v["ivshmem"]) +
              "  " + ratio(v["ivshmem"], v["q35 RAM"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=64,
                    help="buffer size in MiB (default 64)")
    ap.add_argument("--reps", type=int, default=5,
                    help="timed repetitions per operation (default 5)")
    ap.add_argument("--mem", default="512M",
                    help="RAM per node/process (-m), room for 2 buffers")
    ap.add_argument("--no-q35-fam", action="store_true",
                    help="skip the q35 run with -device fam-fabric")
    args = ap.parse_args()
    for f in (QEMU, f"{GUEST}/vmlinuz", f"{GUEST}/initramfs.cpio.gz"):
        if not os.path.exists(f):
            sys.exit(f"error: {f} is missing; build first "
                     "(./configure && meson compile -C build)")
    os.makedirs(LOGS, exist_ok=True)
    size = pool_size(args.mib)
    bw = f"fame.run=fam-bw fam.bw_mib={args.mib} fam.bw_reps={args.reps}"
    tmp = tempfile.mkdtemp(prefix="fam-bandwidth.", dir=LOGS)
    try:
        fam_pool = os.path.join(tmp, "fame.pool")
        ivsh_pool = os.path.join(tmp, "ivshmem.pool")
        q35_pool = os.path.join(tmp, "q35-fam.pool")
        for f in (ivsh_pool, q35_pool):
            with open(f, "wb") as fh:
                fh.truncate(size << 20)
        cmds = {
            "fame": [QEMU, "-machine",
                     f"fame,nodes=1,fam-size={size}M,fam-path={fam_pool},"
                     "librarian=off",
                     "-nographic"] + guest_args(args.mem, bw),
            "ivshmem": q35(args.mem, bw + " fam.bw_dev=ivshmem", [
                "-object", f"memory-backend-file,id=ivsh,mem-path={ivsh_pool},"
                           f"size={size}M,share=on",
                "-device", "ivshmem-plain,memdev=ivsh"]),
        }
        if not args.no_q35_fam:
            cmds["q35-fam"] = q35(args.mem, bw, [
                "-object", f"memory-backend-file,id=fam,mem-path={q35_pool},"
                           f"size={size}M,share=on",
                "-device", "fam-fabric,memdev=fam,node-id=0,nodes=1"])
        print(f"pool bandwidth, {args.mib} MiB buffers, {args.reps} "
              f"repetitions, -m {args.mem}, {size} MiB pools, "
              f"{os.cpu_count()} host cores, TCG")
        runs = {name: run(name, cmd) for name, cmd in cmds.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table(runs, 0, f"best of {args.reps}")
    table(runs, 1, f"median of {args.reps}")
    print("\npool/RAM: fame pool / fame RAM; pool/ivsh: fame pool / q35 "
          "ivshmem; ivsh/RAM: ivshmem / q35 RAM")
    if not all(runs.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
