#!/usr/bin/python3
"""Librarian benchmark: operations per second, in-process and over the socket.

Runs the program librarian-ops (tests/bench/librarian-ops.c, built by meson
into build/librarian/tests/) for each way of reaching the Librarian:

  core     direct calls into the core (librarian.h), in this process
  proto    (with --proto) the same through fam_lib_handle(): every
           request encoded, validated and decoded, still in-process
  socket   a fam-librarian daemon on a unix socket, on a pool made by
           `fam-lib format`, through the client library

Each runs create, open-close (open + close), resize (grow to one book,
shrink to none, alternately: every shrink zeroes a 2 MiB book), getattr of
a path of 1 and of 8 components, and destroy (unlink of an empty shelf),
first with one client and then with --clients clients (threads, each with
its own connection and names) at once. The pool is tm-2016 for 8 nodes,
256 MiB of 2 MiB books; the databases live in a temporary directory
(--dir, default $TMPDIR or /tmp). Prints operations per second. Not a
pass/fail test; nothing else should be running.

usage: tests/bench/librarian-ops.py [--ops 2000] [--clients 8] [--proto]
                                    [--dir DIR]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("FAME_BUILD", os.path.join(TOP, "build"))
BENCH = os.path.join(BUILD, "librarian", "tests", "librarian-ops")
DAEMON = os.path.join(BUILD, "librarian", "daemon", "fam-librarian")
CLI = os.path.join(BUILD, "librarian", "cli", "fam-lib")
MODEL, NODES, POOL, BOOK = "tm-2016", 8, "256M", "2M"
OPS = ("create", "open-close", "resize", "getattr-1", "getattr-8", "destroy")


def need(path, target):
    if not os.access(path, os.X_OK):
        print(f"error: {path} is missing\n"
              f"fix: meson compile -C {BUILD} {target}", file=sys.stderr)
        sys.exit(1)


def run_bench(args, mode_args, label):
    """One librarian-ops run; return {(clients, op): ops_per_second}."""
    cmd = [BENCH] + mode_args + ["--ops", str(args.ops),
                                 "--clients", str(args.clients), "--tsv"]
    print(f"  {label}: running ...", end="", flush=True)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        print(" failed")
        sys.stderr.write(p.stderr)
        sys.exit(1)
    print(f" {time.monotonic() - t0:.1f} s")
    result = {}
    for line in p.stdout.splitlines():
        f = line.split("\t")
        if len(f) == 6 and f[0] == "result":
            clients, op, ops, secs = int(f[2]), f[3], int(f[4]), float(f[5])
            result[(clients, op)] = ops / secs if secs > 0 else float("inf")
    return result


class Daemon:
    """fam-librarian on a fresh pool in `work`, stopped on exit."""

    def __init__(self, work):
        self.pool = os.path.join(work, "pool")
        self.socket = os.path.join(work, "socket")
        self.pid_file = os.path.join(work, "daemon.pid")
        self.log = os.path.join(work, "daemon.log")
        self.pid = None

    def __enter__(self):
        subprocess.run([CLI, "--pool", self.pool, "format", "--model", MODEL,
                        "--nodes", str(NODES), "--size", POOL,
                        "--book-size", BOOK], check=True,
                       stdout=subprocess.DEVNULL)
        with open(self.log, "w") as log:
            # returns once the socket listens (the daemon detaches)
            subprocess.run([DAEMON, "--pool", self.pool, "--socket",
                            self.socket, "--pid-file", self.pid_file],
                           check=True, stdout=subprocess.DEVNULL, stderr=log)
        with open(self.pid_file) as f:
            self.pid = int(f.read().strip())
        return self

    def __exit__(self, *exc):
        if self.pid is None:
            return
        os.kill(self.pid, signal.SIGTERM)
        for _ in range(100):
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=2000,
                    help="operations per client and per operation")
    ap.add_argument("--clients", type=int, default=8,
                    help="clients of the parallel runs")
    ap.add_argument("--proto", action="store_true",
                    help="also measure the in-process protocol path")
    ap.add_argument("--dir", default=None,
                    help="where the databases go (default: a temporary "
                         "directory in $TMPDIR)")
    args = ap.parse_args()
    if args.ops < 1 or not 1 <= args.clients <= 64:
        ap.error("--ops must be >= 1 and --clients 1..64")
    need(BENCH, "librarian/tests/librarian-ops")
    need(DAEMON, "librarian/daemon/fam-librarian")
    need(CLI, "librarian/cli/fam-lib")

    work = tempfile.mkdtemp(prefix="librarian-ops-", dir=args.dir)
    columns = []
    try:
        print(f"Librarian benchmark: {MODEL}, {NODES} nodes, {POOL} pool of "
              f"{BOOK} books, {args.ops} ops per client, databases in {work}")
        modes = [("core", ["--core", "--dir", work])]
        if args.proto:
            modes.append(("proto", ["--proto", "--dir", work]))
        for name, mode_args in modes:
            columns.append((name, run_bench(args, mode_args, name)))
        with Daemon(work) as d:
            columns.append(("socket", run_bench(
                args, ["--socket", d.socket], "socket")))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    clients = [1] + ([args.clients] if args.clients > 1 else [])
    heads = [f"{name} x{c}" for name, _ in columns for c in clients]
    width = max(12, max(len(h) for h in heads) + 2)
    print("\noperations per second (x N: N clients at once; open-close "
          "counts one per pair)\n")
    print(f"{'operation':<12}" + "".join(f"{h:>{width}}" for h in heads))
    for op in OPS:
        row = f"{op:<12}"
        for _, result in columns:
            for c in clients:
                v = result.get((c, op))
                row += f"{v:>{width}.0f}" if v is not None else \
                       f"{'-':>{width}}"
        print(row)


if __name__ == "__main__":
    main()
