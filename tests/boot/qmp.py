#!/usr/bin/python3
"""A minimal QMP client for the boot tests.

usage: qmp.py SOCKET COMMAND-JSON...
Connects to QEMU's QMP unix socket, negotiates capabilities, sends each
command (a JSON object, e.g. '{"execute": "qom-get", "arguments": {...}}')
and prints each reply's "return" value as JSON on its own line, or
"error: <desc>" for an error reply. Asynchronous events are skipped.
Exits 1 if the socket cannot be reached within 30 s.
"""

import json
import socket
import sys
import time


def connect(path):
    deadline = time.monotonic() + 30
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"qmp.py: cannot connect to {path}")
            time.sleep(0.2)


def replies(f):
    for line in f:
        msg = json.loads(line)
        if "event" not in msg:
            yield msg


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    s = connect(sys.argv[1])
    f = s.makefile("rw")
    json.loads(f.readline())                     # the greeting
    out = replies(f)
    f.write('{"execute": "qmp_capabilities"}\n')
    f.flush()
    next(out)
    for cmd in sys.argv[2:]:
        f.write(cmd + "\n")
        f.flush()
        reply = next(out)
        if "error" in reply:
            print("error:", reply["error"]["desc"])
        else:
            print(json.dumps(reply["return"]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
