#!/usr/bin/env python3
"""The loop's cost per step as the client count grows (make bench-clients).

    .venv/bin/python tools/bench_clients.py                     # 10, 100, 1000 clients, CPython
    .venv/bin/python tools/bench_clients.py --runtime micropython --clients 10,100
    .venv/bin/python tools/bench_clients.py --seconds 10 --json /tmp/clients.json

Starts a private mosquitto (tests/broker.py) with the file descriptor limit
raised for it and for the clients, then for each count N runs the command
line client's `bench conn -c N` (idle connections: what one step of the loop
costs with N clients) and `bench pub -c N -im 1000` (each client publishes
one QoS 0 message a second), all N clients in one process on the one loop,
and reads its progress lines: once all N are connected, the median of the
loop's steps per second and its CPU time per step (CPython: process_time;
the unix port: /proc/self/stat, 10 ms resolution). Not part of `make test`:
CI runs bench with 100 clients in tests/test_cli.py.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from broker import Broker, micropython_path  # noqa: E402

LINE = re.compile(r"^\[(\d+)s\] connected (\d+)/(\d+), sent (\d+) msg/s, received (\d+) msg/s, errors (\d+), "
                  r"loop (\d+) steps/s(?:, (\d+) us/step)?")


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


def bench(runtime, port, mode, n, seconds):
    env = dict(os.environ)
    env.pop("MQTT_URL", None)
    if runtime == "cpython":
        cmd = [sys.executable]
        env["PYTHONPATH"] = os.path.join(ROOT, "lib")
    else:
        cmd = [micropython_path(), "-X", "heapsize=64M"]  # (its default 2 MB holds some 500 clients)
        env["MICROPYPATH"] = os.path.join(ROOT, "lib") + ":.frozen"
    # connections 5 ms apart, then `seconds` with all of them connected
    d = int(n * 0.005) + 3 + seconds
    cmd += ["-m", "mqtt", "bench", mode, "-h", "127.0.0.1", "-p", str(port), "-c", str(n), "-I", "5", "-d", str(d),
            "-i", "b%s%d" % (mode, n)]
    if mode == "pub":
        cmd += ["-im", "1000"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=d + 60)
    full = [m for m in map(LINE.match, r.stdout.splitlines()) if m and m.group(2) == m.group(3)]
    full = full[1:]  # (the second in which the last ones connected)
    ok = r.returncode == 0 and full
    return {"runtime": runtime, "mode": mode, "clients": n, "ok": bool(ok), "seconds": len(full),
            "steps_per_s": median([int(m.group(7)) for m in full]),
            "us_per_step": median([int(m.group(8)) for m in full if m.group(8)]),
            "sent_per_s": median([int(m.group(4)) for m in full]), "errors": max([int(m.group(6)) for m in full] or [0]),
            "tail": "" if ok else (r.stdout[-1500:] + r.stderr[-1500:])}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runtime", choices=("cpython", "micropython"), default="cpython")
    ap.add_argument("--clients", default="10,100,1000", help="counts, comma-separated")
    ap.add_argument("--seconds", type=int, default=6, help="seconds measured with every client connected")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    a = ap.parse_args(argv)
    counts = [int(x) for x in a.clients.split(",")]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(counts) * 2 + 256  # mosquitto's sockets and the clients' (inherited by both)
    if soft != resource.RLIM_INFINITY and soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            raise SystemExit("the file descriptor limit is %d: %d clients need %d (ulimit -Hn)" % (hard, max(counts),
                                                                                                   want))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    b = Broker(extra=["max_connections -1", "max_queued_messages 100000"]).start()
    rows = []
    try:
        for mode in ("conn", "pub"):
            for n in counts:
                r = bench(a.runtime, b.port, mode, n, a.seconds)
                rows.append(r)
                print("%-11s bench %-4s %5d clients: %s" % (a.runtime, mode, n, "%s steps/s, %s us/step (CPU), "
                      "%s msg/s sent, %d errors" % (r["steps_per_s"], r["us_per_step"], r["sent_per_s"], r["errors"])
                      if r["ok"] else "FAILED\n" + r["tail"]), flush=True)
    finally:
        b.stop()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
