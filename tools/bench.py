#!/usr/bin/env python3
"""Throughput and memory bench: this package vs chumicro-mqtt, paho-mqtt and a
raw-socket ceiling, against a private mosquitto on 127.0.0.1.

    .venv/bin/python tools/bench.py [--rounds N] [--quick] [--only ours,raw] [--json FILE]

Each measurement is one subprocess (tools/bench/*.py) printing one JSON line;
clients are interleaved round by round and medians are reported. Exit status
is 0 whenever the bench ran, targets met or not.
"""
import argparse
import importlib.util
import json
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import size  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "bench")
PAYLOAD = 64
WINDOW = 32

# name -> (runtime, script, throughput modes, minimum-heap script or None);
# heap held / alloc per publish are measured where there is a minimum-heap script.
CLIENTS = {
    "ours": ("mpy", "mp_ours", ("qos0", "qos1", "qos2", "recv"), "mp_ours_min"),
    "chumicro": ("mpy", "mp_chumicro", ("qos0", "qos1", "recv"), "mp_chumicro_min"),
    "paho": ("cpy", "cpy_paho.py", ("qos0", "qos1", "qos2", "recv"), None),
    "raw": ("mpy", "mp_raw", ("qos0", "recv"), None),
}
CHUMICRO_PKGS = ("chumicro_mqtt", "chumicro_sockets", "chumicro_timing", "chumicro_config")


class Fail(Exception):
    pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Broker:
    def __init__(self, tmp, nodelay=True):
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.port = free_port()
        conf = os.path.join(tmp, "mosquitto.conf")
        with open(conf, "w") as f:
            # No inflight cap and a deep queue: the broker must never be the
            # limit nor drop a flood aimed at a slow subscriber. TCP_NODELAY:
            # without it the broker's Nagle holds back acks ~40 ms whenever a
            # client waits on its window, which measures the broker, not clients.
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_inflight_messages 0\nmax_queued_messages 100000\nmax_queued_bytes 0\n"
                    "set_tcp_nodelay %s\nlog_dest none\n" % (self.port, str(nodelay).lower()))
        self.log = open(os.path.join(tmp, "mosquitto.log"), "w+")
        self.proc = subprocess.Popen([exe, "-c", conf], stdout=self.log, stderr=subprocess.STDOUT)
        end = time.time() + 10
        while time.time() < end:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise SystemExit("mosquitto exited: " + self.log.read())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            self.stop()
            raise SystemExit("mosquitto did not listen on port %d" % self.port)
        v = subprocess.run([exe, "-h"], capture_output=True, text=True).stdout.split("\n")[0]
        self.version = v.replace("mosquitto version ", "")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Bench:
    def __init__(self, a, tmp):
        self.a = a
        self.tmp = tmp
        self.mpy = size.find_tool("micropython")
        self.stage = {}
        self.failures = []

    # -- staging: everything MicroPython runs is loaded as .mpy (x64)

    def prepare(self, names):
        scripts = os.path.join(self.tmp, "scripts")
        mp = [f for f in sorted(os.listdir(SCRIPTS)) if f.startswith("mp_") and f.endswith(".py")]
        size.compile_tree(SCRIPTS, mp, "x64", scripts)
        if "ours" in names:
            d = os.path.join(self.tmp, "ours")
            size.compile_tree(size.LIB, size.py_files(size.LIB), "x64", d)
            self.stage["ours"] = d + ":" + scripts
            # the minimum heap is that of a minimal board: its set only (no
            # background driver, which mqtt imports when it is there)
            d = os.path.join(self.tmp, "ours-min")
            size.compile_tree(size.LIB, size.MINIMAL_SET, "x64", d)
            self.stage["ours-min"] = d + ":" + scripts
        if "chumicro" in names:
            self.chu_root = chumicro_root()
            d = os.path.join(self.tmp, "chumicro")
            size.compile_tree(self.chu_root, chumicro_files(self.chu_root), "x64", d)
            self.stage["chumicro"] = d + ":" + scripts
        self.stage["raw"] = scripts

    def cmd(self, name, args, heap=None):
        rt, script = CLIENTS[name][:2]
        if heap:
            script = CLIENTS[name][3]
        if rt == "cpy":
            return [sys.executable, os.path.join(SCRIPTS, script)] + args, None
        st = self.stage.get(name + "-min") if heap else None
        env = dict(os.environ, MICROPYPATH=st or self.stage[name])
        h = ["-X", "heapsize=%d" % heap] if heap else []
        return [self.mpy] + h + ["-m", script] + args, env

    # -- one measurement in its own process, under a hard timeout

    def run(self, name, mode, n, heap=None, timeout=None):
        timeout = timeout or self.a.timeout
        argv, env = self.cmd(name, [mode, str(self.port), str(n), str(WINDOW)], heap)
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             cwd=self.tmp, text=True)
        lines = queue.Queue()
        err = []
        th = [threading.Thread(target=lambda: [lines.put(x) for x in p.stdout] + [lines.put(None)],
                               daemon=True),
              threading.Thread(target=lambda: err.extend(p.stderr), daemon=True)]
        for t in th:
            t.start()
        end = time.time() + timeout
        out = []
        try:
            while True:
                try:
                    ln = lines.get(timeout=max(0.01, end - time.time()))
                except queue.Empty:
                    raise Fail("timed out after %ds" % timeout)
                if ln is None:
                    break
                out.append(ln)
                if ln.startswith("READY "):  # subscribed: start the flood
                    fl = [sys.executable, os.path.join(SCRIPTS, "cpy_flood.py"),
                          str(self.port), ln.split()[1], str(n)]
                    r = subprocess.run(fl, capture_output=True, text=True,
                                       timeout=max(1, end - time.time()))
                    if r.returncode:
                        raise Fail("flood publisher failed: " + r.stderr[-500:])
            p.wait(max(0.1, end - time.time()))
        except (Fail, subprocess.TimeoutExpired) as e:
            p.kill()
            p.wait()
            for t in th:  # collect what was printed
                t.join(1)
            raise Fail("%s\n%s" % (e if isinstance(e, Fail) else "timed out", tail(out, err)))
        for t in th:
            t.join(1)
        res = None
        for ln in out:
            if ln.startswith("{"):
                try:
                    res = json.loads(ln)
                except ValueError:
                    pass
        if p.returncode or res is None:
            raise Fail("exit status %s\n%s" % (p.returncode, tail(out, err)))
        return res

    def rate(self, name, mode, n):
        r = self.run(name, mode, n)
        if r["n"] < n:
            raise Fail("received %d of %d messages" % (r["n"], n))
        return r["n"] * 1e6 / max(1, r["us"])

    def note(self, name, what, e):
        msg = "%s %s: %s" % (name, what, e)
        self.failures.append(msg)
        print("  FAILED " + msg.split("\n")[0], file=sys.stderr)

    # -- memory figures

    def min_heap(self, name):
        def ok(k):
            try:
                return self.run(name, "minheap", 20, heap=k * 1024, timeout=20).get("ok") == 1
            except Fail:
                return False

        lo, hi = 8, 256  # KiB; find the smallest passing heap, 1 KiB resolution
        if not ok(hi):
            raise Fail("does not pass even with %dK heap:\n%s" % (hi, self.last_minheap_error(name, hi)))
        if ok(lo):
            return lo * 1024
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ok(mid):
                hi = mid
            else:
                lo = mid
        return hi * 1024

    def last_minheap_error(self, name, k):
        try:
            self.run(name, "minheap", 20, heap=k * 1024, timeout=20)
        except Fail as e:
            return str(e)
        return ""


def tail(out, err, k=15):
    t = "".join(out[-k:]) + "".join(err[-k:])
    return t.rstrip() or "(no output)"


def chumicro_root():
    spec = importlib.util.find_spec("chumicro_mqtt")
    if not spec:
        raise Fail("chumicro-mqtt is not installed for " + sys.executable)
    return os.path.dirname(os.path.dirname(spec.origin))


def chumicro_files(root):
    out = []
    for pkg in CHUMICRO_PKGS:
        out += [pkg + "/" + f for f in size.py_files(os.path.join(root, pkg))]
    return out


def mod_file(root, mod):
    p = mod.replace(".", "/")
    return p + "/__init__.py" if os.path.isdir(os.path.join(root, p)) else p + ".py"


def fmt(v, kind="int"):
    if v is None:
        return "FAIL"
    if v == "":
        return "-"
    return "{:,.0f}".format(v) if kind != "f" else "%.1f" % v


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, help="rounds of interleaved runs (default 5, --quick 3)")
    ap.add_argument("--quick", action="store_true", help="2000 messages instead of 20000")
    ap.add_argument("--only", help="comma-separated subset of: " + ",".join(CLIENTS))
    ap.add_argument("-n", type=int, help="messages per throughput run")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per subprocess (default 60)")
    ap.add_argument("--json", metavar="FILE", help="also write all figures as JSON")
    ap.add_argument("--broker-nagle", action="store_true",
                    help="run mosquitto with its default Nagle (no set_tcp_nodelay)")
    a = ap.parse_args(argv)
    names = [x for x in CLIENTS if not a.only or x in a.only.split(",")]
    if not names:
        ap.error("--only names none of " + ",".join(CLIENTS))
    rounds = a.rounds or (3 if a.quick else 5)
    n = a.n or (2000 if a.quick else 20000)

    tmp = tempfile.mkdtemp(prefix="mqttbench-")
    broker = None
    try:
        b = Bench(a, tmp)
        try:
            b.prepare(names)
        except (RuntimeError, Fail) as e:
            print("staging failed: %s" % e, file=sys.stderr)
            return 2
        broker = Broker(tmp, not a.broker_nagle)
        b.port = broker.port
        print("mosquitto %s on 127.0.0.1:%d (TCP_NODELAY %s); %d-byte payloads, N=%d, "
              "QoS>0 window %d, %d rounds (medians)" % (broker.version, b.port,
              "off" if a.broker_nagle else "on", PAYLOAD, n, WINDOW, rounds))

        rates = {(c, m): [] for c in names for m in CLIENTS[c][2]}
        for r in range(rounds):
            order = names[r % len(names):] + names[:r % len(names)]  # rotate: no client always first
            print("round %d/%d: %s" % (r + 1, rounds, " ".join(order)), file=sys.stderr)
            for c in order:
                for m in CLIENTS[c][2]:
                    try:
                        rates[c, m].append(b.rate(c, m, n))
                    except Fail as e:
                        b.note(c, m + " (round %d)" % (r + 1), e)
        fig = {c: {} for c in names}
        for (c, m), v in rates.items():
            fig[c][m] = statistics.median(v) if v else None

        # memory and size figures: deterministic, measured once
        for c in names:
            if not CLIENTS[c][3]:
                continue
            print("memory: %s" % c, file=sys.stderr)
            for mode, key in (("heap", "held"), ("alloc", "per_publish")):
                try:
                    r = b.run(c, mode, 1000)
                    fig[c][key] = r[key]
                    for k in ("modules", "imported"):
                        if k in r:
                            fig[c][k] = r[k]
                except Fail as e:
                    fig[c][key] = None
                    b.note(c, mode, e)
            try:
                fig[c]["min_heap"] = b.min_heap(c)
            except Fail as e:
                fig[c]["min_heap"] = None
                b.note(c, "minimum heap", e)
        szd = os.path.join(tmp, "xtensawin")
        if "ours" in names:
            try:
                rep = size.report(size.compile_tree(size.LIB, size.py_files(size.LIB), "xtensawin",
                                                    os.path.join(szd, "ours")))
                fig["ours"]["mpy_min"] = rep["minimal_total"]
                fig["ours"]["mpy_all"] = rep["total"]
            except RuntimeError as e:
                b.note("ours", "mpy size", e)
        if "chumicro" in names and fig["chumicro"].get("modules"):
            files = [mod_file(b.chu_root, m) for m in fig["chumicro"]["modules"]]
            sz = size.compile_tree(b.chu_root, files, "xtensawin", os.path.join(szd, "chu"))
            fig["chumicro"]["mpy_min"] = fig["chumicro"]["mpy_all"] = sum(sz.values())
        report(names, fig, b.failures)
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"n": n, "rounds": rounds, "figures": fig, "samples":
                           {"%s.%s" % k: v for k, v in rates.items()},
                           "failures": b.failures}, f, indent=1)
        return 0
    finally:
        if broker:
            broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)


ROWS = (
    ("qos0", "QoS 0 publish msg/s", "int"),
    ("qos1", "QoS 1 publish msg/s (window %d)" % WINDOW, "int"),
    ("qos2", "QoS 2 publish msg/s (window %d)" % WINDOW, "int"),
    ("recv", "QoS 0 receive msg/s", "int"),
    ("min_heap", "minimum heap (board set), bytes", "int"),
    ("imported", "heap taken by the import, bytes", "int"),
    ("held", "heap held when connected, bytes", "int"),
    ("per_publish", "alloc per QoS 0 publish, bytes", "f"),
    ("mpy_min", ".mpy bytes, board set (xtensawin)", "int"),
    ("mpy_all", ".mpy bytes, all board modules", "int"),
)
TITLES = {"ours": "ours (mpy)", "chumicro": "chumicro (mpy)", "paho": "paho (CPython)",
          "raw": "raw ceiling (mpy)"}


def report(names, fig, failures):
    w = max(len(r[1]) for r in ROWS) + 2
    print()
    print("%-*s" % (w, "") + "".join("%18s" % TITLES[c] for c in names))
    for key, label, kind in ROWS:
        cells = ["%18s" % fmt(fig[c].get(key, "") if key in fig[c] else "", kind) for c in names]
        if any(x.strip() != "-" for x in cells):
            print("%-*s" % (w, label) + "".join(cells))
    if "chumicro" in fig and fig["chumicro"].get("modules"):
        print("chumicro board set = the modules it imported: " + ", ".join(fig["chumicro"]["modules"]))
    o = fig.get("ours", {})

    def ratio(x, cy, y):
        v1, v2 = o.get(x), fig.get(cy, {}).get(y)
        return v1 / v2 if v1 and v2 else None

    targets = (
        ("ours QoS0 / raw QoS0", ratio("qos0", "raw", "qos0"), ">=", 0.5, "%.2f"),
        ("ours QoS0 / chumicro QoS0", ratio("qos0", "chumicro", "qos0"), ">=", 2, "%.2f"),
        ("ours QoS1 / chumicro QoS1", ratio("qos1", "chumicro", "qos1"), ">=", 1.6, "%.2f"),
        ("ours QoS2 / ours QoS1", ratio("qos2", "ours", "qos1"), ">=", 0.6, "%.2f"),
        ("ours receive / chumicro receive", ratio("recv", "chumicro", "recv"), ">=", 1.3, "%.2f"),
        ("ours minimum heap", o.get("min_heap"), "<=", 20 * 1024, "%d"),
        ("ours heap held", o.get("held"), "<=", 1536, "%d"),
        ("ours alloc per QoS 0 publish", o.get("per_publish"), "<=", 32, "%.1f"),
        ("ours minimal-set .mpy bytes", o.get("mpy_min"), "<=", 9000, "%d"),
    )
    print("\ntargets" if "ours" in names else "")
    for label, v, op, lim, f in targets if "ours" in names else ():
        if v is None:
            verdict, vs = "n/a", "-"
        else:
            verdict = "PASS" if (v >= lim if op == ">=" else v <= lim) else "FAIL"
            vs = f % v
        print("  %-34s %10s  %s %-6s %s" % (label, vs, op, (f % lim), verdict))
    if failures:
        print("\nfailures (%d):" % len(failures))
        for m in failures:
            print("  " + m.replace("\n", "\n    "))


if __name__ == "__main__":
    sys.exit(main())
