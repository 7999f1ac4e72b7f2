#!/usr/bin/env python3
"""Throughput and memory bench: this package beside its umqtt drop-in, the
original umqtt.simple (micropython-lib's current one from MICROPY_DIR's
checkout, and PyPI's 1.3.4), chumicro-mqtt, paho-mqtt and raw-socket
ceilings, against a private mosquitto on 127.0.0.1.

    .venv/bin/python tools/bench.py [--rounds N] [--quick] [--growth] [--only ours,raw] [--json FILE]
    .venv/bin/python tools/bench.py --only ours,ours-umqtt --base b652add

Each measurement is one subprocess (tools/bench/*.py) printing one JSON line.
Rounds are interleaved (every figure of every client, then the next round);
tables give the median and the spread (min-max) over the rounds, and every
ratio is taken within a round, then medianed. Exit status is 0 whenever the
bench ran, targets met or not (2: staging failed, or --base's REV is not a
commit with a lib/).

--base REV (a git revision of this repository) also stages lib/ as it was at
REV (git archive, compiled to .mpy as the ours column is) and runs the same
scripts over it in the same rounds: the columns ours@REV and ours-umqtt@REV,
throughput figures only, one for each of ours and ours-umqtt that --only
selects (all of them without --only; naming ours@REV or ours-umqtt@REV in
--only picks those alone, and implies --base REV). The table "against REV"
gives, for each figure, the median (min-max) of the per-round ratio
current / REV's and a verdict: ok at >= 0.95, DROP below (--json: "against").
"""
import argparse
import hashlib
import importlib.util
import io
import json
import os
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import size  # noqa: E402
import mqtt_as_src  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPTS = os.path.join(HERE, "bench")
PAYLOAD = 64
WINDOW = 20
K = 1024

# The original umqtt.simple. The column "umqtt.simple" is micropython-lib's
# current one (what `mip install umqtt.simple` gives, 1.8.0 as of 2026),
# taken from UMQTT_SIMPLE=/path/to/umqtt/simple.py or from a MicroPython
# checkout (MICROPY_DIR), whose lib/micropython-lib submodule has it at
# UMQTT_IN_CHECKOUT; its version is its package's manifest.py's. Without
# either it is PyPI's micropython-umqtt.simple 1.3.4, micropython-lib's last
# upload there, which otherwise runs as the second column "umqtt.simple-pypi".
# That sdist has no setup.py, so pip cannot install it: the bench downloads
# that one pinned file from PyPI (checked against its sha256) into .venv/ once.
UMQTT_PYPI = ("micropython-umqtt.simple", "1.3.4",
              "b6a2520239e3992c63a7de9370ee9b3d9d27819a90359c521f1c0f7ccab8d12f")
UMQTT_CACHE = os.path.join(ROOT, ".venv", "bench", "umqtt.simple-" + UMQTT_PYPI[1])
UMQTT_IN_CHECKOUT = "lib/micropython-lib/micropython/umqtt.simple/umqtt/simple.py"

FROZEN_DEFAULT = os.path.join(ROOT, "firmware", "UNIX", "micropython")
# the same unix port built for i686 (make firmware BOARD=UNIX BITS=32): a board's
# word size, so its objects and dictionaries take what they take on ESP32 or HaaS
FROZEN32_DEFAULT = os.path.join(ROOT, "firmware", "UNIX32", "micropython")
FROZEN_KINDS = (("frozen", "FROZEN_MICROPYTHON", FROZEN_DEFAULT, "make firmware BOARD=UNIX MICROPY_DIR=..."),
                ("frozen32", "FROZEN32_MICROPYTHON", FROZEN32_DEFAULT,
                 "make firmware BOARD=UNIX BITS=32 MICROPY_DIR=..."))
CHUMICRO_PKGS = ("chumicro_mqtt", "chumicro_sockets", "chumicro_timing", "chumicro_config")

# Figures: key -> (label, modes' file suffix). "qos1@1024": mode qos1 with a
# 1024-byte payload. Growth figures run only with --growth.
FIGS = {
    "qos0": "QoS 0 publish msg/s, broker-confirmed",
    "qos0w": "QoS 0 publish msg/s, written (the client's own cost)",
    "recv": "receive msg/s, burst queued at the broker",
    "qos1one": "QoS 1 one at a time msg/s",
    "qos1busy": "QoS 1 one at a time msg/s, busy-poll",
    "qos1": "QoS 1 pipelined msg/s (window %d)" % WINDOW,
    "qos2": "QoS 2 pipelined msg/s (window %d)" % WINDOW,
    "recvbuf": "receive msg/s, burst already in the socket buffer",
}
GROWTH = {
    "qos1@16": "QoS 1 pipelined msg/s, 16 B payload",
    "qos1@1024": "QoS 1 pipelined msg/s, 1 KB payload",
    "qos1@16384": "QoS 1 pipelined msg/s, 16 KB payload",
    "recv@1024": "receive msg/s, 1 KB payload",
}


class Client:
    def __init__(self, title, rt, script, figs, growth=(), minscript=None, frozen=False, ws=False):
        self.title, self.rt, self.script = title, rt, script
        self.figs, self.growth, self.minscript, self.frozen = figs, growth, minscript, frozen
        self.ws = ws  # to the broker's WebSocket listener (ws://), the same script


CLIENTS = {
    "ours": Client("ours (.mpy)", "mpy", "mp_ours", ("qos0", "qos0w", "recv", "qos1one", "qos1", "qos2"),
                   ("qos1@16", "qos1@1024", "qos1@16384", "recv@1024"), "mp_ours_min", True),
    "ours-ws": Client("ours, ws:// (.mpy)", "mpy", "mp_ours", ("qos0", "qos0w", "recv", "qos1one", "qos1"), (),
                      "mp_ours_min", True, ws=True),
    "ours-aio": Client("ours, mqtt.aio (.mpy)", "mpy", "mp_aio", ("recv", "qos1one", "qos1")),
    "ours-store": Client("ours + FileStore (.mpy)", "mpy", "mp_store", ("qos1one", "qos1")),
    "ours-store-fsync": Client("ours + FileStore, fsync (.mpy)", "mpy", "mp_store_fsync", ("qos1one", "qos1")),
    "ours-umqtt": Client("ours-umqtt (.mpy)", "mpy", "mp_umqtt", ("qos0", "recv", "qos1one"),
                         ("recv@1024",), "mp_umqtt_min", True),
    "umqtt.simple": Client("umqtt.simple (.mpy)", "mpy", "mp_umqtt", ("qos0", "recv", "qos1one"),
                           ("recv@1024",), "mp_umqtt_min"),
    "umqtt.simple-pypi": Client("umqtt.simple %s, PyPI (.mpy)" % UMQTT_PYPI[1], "mpy", "mp_umqtt",
                                ("qos0", "recv", "qos1one"), ("recv@1024",), "mp_umqtt_min"),
    "ours-mqtt_as": Client("ours-mqtt_as (.mpy)", "mpy", "mp_mqttas", ("recv", "qos1one")),
    "mqtt_as": Client("mqtt_as 0.8.3 (.mpy)", "mpy", "mp_mqttas", ("recv", "qos1one")),
    "chumicro": Client("chumicro (.mpy)", "mpy", "mp_chumicro", ("qos0", "recv", "qos1one", "qos1"),
                       ("qos1@16", "qos1@1024", "qos1@16384", "recv@1024"), "mp_chumicro_min"),
    "paho": Client("paho (CPython)", "cpy", "cpy_paho.py", ("qos0", "recv", "qos1one", "qos1", "qos2"),
                   ("qos1@16", "qos1@1024", "qos1@16384", "recv@1024")),
    "raw": Client("raw (mpy socket)", "mpy", "mp_raw",
                  ("qos0", "qos0w", "recv", "recvbuf", "qos1one", "qos1busy", "qos1"),
                  ("qos1@16", "qos1@1024", "qos1@16384", "recv@1024")),
    "raw-ws": Client("raw ws:// (mpy socket)", "mpy", "mp_raw", ("qos0", "qos0w", "qos1"), ws=True),
}


# --base REV: a column over lib/ as it was at REV beside each of these, the
# same script and throughput figures (no growth, no memory figures)
BASE_OF = {}  # base column -> its current one ("ours@b652add" -> "ours")
BASE_COLUMNS = ("ours", "ours-umqtt")
BASE_OK = 0.95  # current / base at or above this: "ok"; below: "DROP"


def add_base(rev):
    """Register the columns ours@REV and ours-umqtt@REV in CLIENTS; their names."""
    out = []
    for c in BASE_COLUMNS:
        b = c + "@" + rev
        if b not in CLIENTS:
            k = CLIENTS[c]
            CLIENTS[b] = Client("%s@%s (.mpy)" % (c, rev), k.rt, k.script, k.figs)
            BASE_OF[b] = c
        out.append(b)
    return out


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
        self.ws_port = free_port()  # its WebSocket listener (mosquitto binds it on every address)
        conf = os.path.join(tmp, "mosquitto.conf")
        with open(conf, "w") as f:
            # No in-flight cap and deep queues: the broker must never drop a
            # burst. queue_qos0_messages: the receive burst waits, QoS 0, in a
            # persistent session. TCP_NODELAY: without it the broker's Nagle
            # holds back acks ~40 ms whenever a client waits on them, which
            # measures the broker, not the client.
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_inflight_messages 0\nmax_queued_messages 0\nmax_queued_bytes 0\n"
                    "queue_qos0_messages true\nset_tcp_nodelay %s\nlog_dest none\n"
                    "listener %d 127.0.0.1\nprotocol websockets\n"
                    % (self.port, str(nodelay).lower(), self.ws_port))
        self.log = open(os.path.join(tmp, "mosquitto.log"), "w+")
        self.proc = subprocess.Popen([exe, "-c", conf], stdout=self.log, stderr=subprocess.STDOUT)
        end = time.time() + 10
        while time.time() < end:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise SystemExit("mosquitto exited: " + self.log.read())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                socket.create_connection(("127.0.0.1", self.ws_port), 0.2).close()
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


def flood(port, topic, n, sz):
    """bench/cpy_flood.py, in this process: n QoS 0 messages, routed once it returns."""
    if not hasattr(flood, "main"):
        spec = importlib.util.spec_from_file_location("cpy_flood", os.path.join(SCRIPTS, "cpy_flood.py"))
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        flood.main = m.main
    return flood.main(port, topic, n, sz)


# -- where the other clients come from


def umqtt_version(src):
    """The version in the manifest.py of the micropython-lib package that src
    (.../umqtt.simple/umqtt/simple.py) belongs to, or None."""
    m = os.path.join(os.path.dirname(os.path.dirname(src)), "manifest.py")
    try:
        with open(m) as f:
            text = f.read()
    except OSError:
        return None
    v = re.search(r"""\bversion\s*=\s*["']([^"']+)["']""", text)
    return v.group(1) if v else None


def umqtt_current():
    """(path, how, version) of micropython-lib's umqtt/simple.py from
    UMQTT_SIMPLE or from MICROPY_DIR's submodule; None when neither is set;
    Fail when the one set has no such file."""
    p = os.environ.get("UMQTT_SIMPLE")
    if p:
        if not os.path.isfile(p):
            raise Fail("UMQTT_SIMPLE=%s: no such file" % p)
        return p, "UMQTT_SIMPLE=" + p, umqtt_version(p)
    top = os.environ.get("MICROPY_DIR")
    if not top:
        return None
    p = os.path.join(top, UMQTT_IN_CHECKOUT)
    if not os.path.isfile(p):
        raise Fail("MICROPY_DIR=%s has no %s (git submodule update --init lib/micropython-lib)"
                   % (top, UMQTT_IN_CHECKOUT))
    return p, "MICROPY_DIR=%s (its micropython-lib submodule)" % top, umqtt_version(p)


def umqtt_pypi():
    """(path, how, version) of PyPI's umqtt/simple.py, downloaded once; Fail if it can't be."""
    name, ver, sha = UMQTT_PYPI
    dst = os.path.join(UMQTT_CACHE, "umqtt", "simple.py")
    how = "%s %s (PyPI sdist, sha256 checked)" % (name, ver)
    if os.path.isfile(dst):
        return dst, how, ver
    try:
        with urllib.request.urlopen("https://pypi.org/pypi/%s/json" % name, timeout=30) as r:
            meta = json.load(r)
        url = [u for u in meta["releases"][ver] if u["packagetype"] == "sdist"][0]["url"]
        with urllib.request.urlopen(url, timeout=60) as r:
            data = r.read()
    except Exception as e:  # offline, PyPI unreachable
        raise Fail("could not download %s %s from PyPI: %s" % (name, ver, e))
    if hashlib.sha256(data).hexdigest() != sha:
        raise Fail("%s %s from PyPI: sha256 mismatch" % (name, ver))
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        m = [x for x in t.getmembers() if x.name.endswith("/umqtt/simple.py")]
        if not m:
            raise Fail("%s %s: no umqtt/simple.py in the sdist" % (name, ver))
        src = t.extractfile(m[0]).read()
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst + ".tmp", "wb") as f:
        f.write(src)
    os.replace(dst + ".tmp", dst)
    return dst, how, ver


def umqtt_sources(names):
    """({column: (path, how, version)}, [what was skipped, why]) for the
    umqtt.simple columns among names: umqtt.simple is micropython-lib's
    current copy when one is given (umqtt_current), else PyPI's;
    umqtt.simple-pypi is PyPI's beside another umqtt.simple."""
    out, skipped = {}, []
    cur = pypi = None
    why = ""
    if "umqtt.simple" in names:
        try:
            cur = umqtt_current()
        except Fail as e:
            why = "%s; " % e
    if "umqtt.simple-pypi" in names or ("umqtt.simple" in names and not cur):
        try:
            pypi = umqtt_pypi()
        except Fail as e:
            why += str(e)
    if cur and pypi and not cur[2] and same_file(cur[0], pypi[0]):  # PyPI's, named by UMQTT_SIMPLE
        cur = cur[:2] + (pypi[2],)
    if "umqtt.simple" in names:
        if cur or pypi:
            out["umqtt.simple"] = cur or pypi
            if not cur and why:
                skipped.append("umqtt.simple: %sPyPI's %s instead" % (why, UMQTT_PYPI[1]))
        else:
            skipped.append("umqtt.simple: " + why.rstrip("; "))
    if "umqtt.simple-pypi" in names:
        if not pypi:
            skipped.append("umqtt.simple-pypi: " + why.rstrip("; "))
        elif "umqtt.simple" in out and same_file(out["umqtt.simple"][0], pypi[0]):
            skipped.append("umqtt.simple-pypi: PyPI's %s is the umqtt.simple column (micropython-lib's "
                           "current one: MICROPY_DIR=checkout or UMQTT_SIMPLE=.../umqtt/simple.py)"
                           % UMQTT_PYPI[1])
        else:
            out["umqtt.simple-pypi"] = pypi
    return out, skipped


def base_commit(rev):
    """(full sha, "sha date") of REV in this repository; Fail if it names no commit."""
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", "--quiet", rev + "^{commit}"],
                       capture_output=True, text=True)
    if r.returncode or not r.stdout.strip():
        raise Fail("--base %s: not a commit of this repository (%s)" % (rev, ROOT))
    sha = r.stdout.strip()
    d = subprocess.run(["git", "-C", ROOT, "show", "-s", "--format=%h %cd", "--date=short", sha],
                       capture_output=True, text=True).stdout.strip()
    return sha, d or sha[:12]


def base_lib(sha, dst):
    """lib/ as it was at commit sha, extracted under dst; its path. Fail if it can't be."""
    r = subprocess.run(["git", "-C", ROOT, "archive", "--format=tar", sha, "lib"], capture_output=True)
    if r.returncode:
        raise Fail("git archive %s lib: %s" % (sha[:12], r.stderr.decode(errors="replace").strip()))
    with tarfile.open(fileobj=io.BytesIO(r.stdout)) as t:
        t.extractall(dst, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    lib = os.path.join(dst, "lib")
    if not os.path.isfile(os.path.join(lib, "mqtt", "__init__.py")):
        raise Fail("%s has no lib/mqtt/__init__.py" % sha[:12])
    return lib


def same_file(a, b):
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        with open(a, "rb") as f, open(b, "rb") as g:
            return f.read() == g.read()
    except OSError:
        return False


def umqtt_title(version, column="umqtt.simple"):
    pypi = ", PyPI" if column == "umqtt.simple-pypi" else ""
    return "umqtt.simple %s%s (.mpy)" % (version or "(version unknown)", pypi)


TITLES = {}  # column -> its title where it is not CLIENTS' (the umqtt.simple columns: their versions)


def title(c):
    return TITLES.get(c) or CLIENTS[c].title


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


def loaded_from_disk(f):
    # a module's __file__: frozen ones carry their manifest path ("mqtt/__init__.py",
    # or under ".frozen"), modules found on MICROPYPATH an absolute .py/.mpy path
    return bool(f) and not f.startswith(".frozen") and (os.path.isabs(f) or f.endswith(".mpy"))


def frozen_binary(tmp, var, default, how):
    """(path, None) of a unix binary with mqtt frozen in, or (None, why not)."""
    p = os.environ.get(var) or default
    if not (os.path.isfile(p) and os.access(p, os.X_OK)):
        return None, ("no frozen unix binary at %s (%s, or %s=/path)" % (os.path.relpath(p, ROOT), how, var))
    try:  # nothing but .frozen on the path, in an empty folder
        r = subprocess.run([p, "-c", "import mqtt; print('FILE', getattr(mqtt, '__file__', ''))"],
                           capture_output=True, text=True, timeout=20, cwd=tmp,
                           env=dict(os.environ, MICROPYPATH=".frozen"))
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "%s does not run: %s" % (p, e)
    f = [ln[5:] for ln in r.stdout.splitlines() if ln.startswith("FILE")]
    if r.returncode or not f:
        return None, "%s: `import mqtt` fails without lib/ (not frozen in?): %s" % (
            p, (r.stdout + r.stderr).strip()[-300:])
    if loaded_from_disk(f[0]):
        return None, "%s: mqtt comes from %s, not from .frozen" % (p, f[0])
    return p, None


class Bench:
    def __init__(self, a, tmp, n, limit):
        self.a, self.tmp, self.n, self.limit = a, tmp, n, limit
        self.mpy = size.find_tool("micropython")
        self.stage = {}
        self.failures = []
        self.skipped = []
        self.info = {}
        self.frozen = None  # the 64-bit frozen binary
        self.frozens = {}  # kind (FROZEN_KINDS) -> (binary, MICROPYPATH of the scripts)
        self.base = {}  # --base REV -> (its lib/ extracted, its .mpy tree, commit)

    # -- staging: everything MicroPython runs is loaded as .mpy (x64)

    def prepare(self, names):
        sc = os.path.join(self.tmp, "scripts")
        mp = [f for f in sorted(os.listdir(SCRIPTS)) if f.startswith("mp_") and f.endswith(".py")]
        size.compile_tree(SCRIPTS, mp, "x64", sc)
        self.scripts = sc
        # mqtt_as wants a board's network module: the tests' stand-in (always connected)
        env = os.path.join(self.tmp, "mqtt_as-env")
        size.compile_tree(os.path.join(ROOT, "tests", "mqtt_as_env"), ["network.py"], "x64", env)
        if set(names) & set(("ours", "ours-umqtt", "ours-aio", "ours-mqtt_as", "ours-ws", "ours-store",
                             "ours-store-fsync")):
            d = os.path.join(self.tmp, "ours")  # the whole of lib/, as installed
            size.compile_tree(size.LIB, size.py_files(size.LIB), "x64", d)
            self.stage["ours"] = self.stage["ours-umqtt"] = self.stage["ours-ws"] = d + ":" + sc
            self.stage["ours-store"] = self.stage["ours-store-fsync"] = d + ":" + sc
            self.stage["ours-aio"] = d + ":" + sc + ":.frozen"  # (the unix port's asyncio is frozen)
            self.stage["ours-mqtt_as"] = d + ":" + sc + ":" + env + ":.frozen"
            # minimum heap and heap figures: what a minimal board carries (its
            # set only: no background driver, which mqtt imports when there)
            d = os.path.join(self.tmp, "ours-min")
            size.compile_tree(size.LIB, size.MINIMAL_SET + ["umqtt/simple.py"], "x64", d)
            self.stage["ours-min"] = self.stage["ours-umqtt-min"] = d + ":" + sc
            d = os.path.join(self.tmp, "ours-ws-min")  # the same, and the WebSocket transport
            size.compile_tree(size.LIB, size.MINIMAL_SET + ["mqtt/ws.py"], "x64", d)
            self.stage["ours-ws-min"] = d + ":" + sc
        for b in [x for x in names if x in BASE_OF]:  # --base: lib/ at REV, staged as ours is
            rev = b.partition("@")[2]
            if rev not in self.base:
                sha, how = base_commit(rev)
                lib = base_lib(sha, os.path.join(self.tmp, "base-src-" + sha[:12]))
                d = os.path.join(self.tmp, "base-" + sha[:12])
                size.compile_tree(lib, size.py_files(lib), "x64", d)
                self.base[rev] = (lib, d, sha)
                self.info["base " + rev] = "lib/ at %s, .mpy" % how
            lib, d, sha = self.base[rev]
            if BASE_OF[b] == "ours-umqtt" and not os.path.isfile(os.path.join(lib, "umqtt", "simple.py")):
                raise Fail("%s has no lib/umqtt/simple.py (for %s)" % (sha[:12], b))
            self.stage[b] = d + ":" + sc
        umqtt, skipped = umqtt_sources(names)
        self.skipped += skipped
        self.umqtt_src = {}  # column -> the folder its umqtt/simple.py is in
        for name in list(names):
            try:
                if name in ("umqtt.simple", "umqtt.simple-pypi"):
                    if name not in umqtt:  # (skipped, and said why)
                        names.remove(name)
                        continue
                    src, how, ver = umqtt[name]
                    self.info[name] = "umqtt.simple %s from %s" % (ver or "(version unknown)", how)
                    TITLES[name] = umqtt_title(ver, name)
                    d = os.path.join(self.tmp, name)
                    self.umqtt_src[name] = os.path.dirname(os.path.dirname(src))
                    size.compile_tree(self.umqtt_src[name], ["umqtt/simple.py"], "x64", d)
                    self.stage[name] = self.stage[name + "-min"] = d + ":" + sc
                elif name == "mqtt_as":
                    try:
                        src, how = mqtt_as_src.source(self.tmp)
                    except mqtt_as_src.Unavailable as e:
                        raise Fail(str(e))
                    self.info["mqtt_as"] = how
                    self.mqttas_src = src
                    d = os.path.join(self.tmp, "mqtt_as-release")  # (not "mqtt_as": the cwd is on the path)
                    size.compile_tree(src, ["mqtt_as/__init__.py", "mqtt_as/mqtt_v5_properties.py"], "x64", d)
                    self.stage[name] = d + ":" + sc + ":" + env + ":.frozen"
                elif name == "chumicro":
                    self.chu_root = chumicro_root()
                    d = os.path.join(self.tmp, "chumicro")
                    size.compile_tree(self.chu_root, chumicro_files(self.chu_root), "x64", d)
                    self.stage[name] = self.stage[name + "-min"] = d + ":" + sc
            except Fail as e:
                self.skipped.append("%s: %s" % (name, e))
                names.remove(name)
        self.stage["raw"] = self.stage["raw-ws"] = sc
        pd = os.path.join(self.tmp, "probe")
        os.makedirs(pd)
        with open(os.path.join(pd, "mp_probe.py"), "w") as f:
            f.write("print('PROBE')\n")
        size.compile_tree(pd, ["mp_probe.py"], "x64", pd)
        for kind, var, default, how in FROZEN_KINDS:
            exe, why = frozen_binary(self.tmp, var, default, how)
            bits = None
            if exe:
                r = subprocess.run([exe, "-c", "import sys; print(sys.maxsize > 1 << 32)"],
                                   capture_output=True, text=True, timeout=20)
                bits = 64 if "True" in r.stdout else 32
                if kind == "frozen32" and bits != 32:
                    why = "%s is a 64-bit binary" % exe
            if why:
                self.skipped.append("%s column: %s" % ("frozen" if kind == "frozen" else "frozen 32-bit", why))
                continue
            self.info[kind] = "%s (%d-bit)" % (exe, bits)
            # .mpy scripts must match the frozen binary's bytecode version;
            # fall back to the .py sources where they don't
            scripts = sc
            r = subprocess.run([exe, "-c", "import mp_probe"], capture_output=True, text=True,
                               env=dict(os.environ, MICROPYPATH=pd), timeout=20)
            if "PROBE" not in r.stdout:
                scripts = SCRIPTS
                self.info[kind] += " (scripts as .py: it does not load mpy-cross's .mpy)"
            self.frozens[kind] = (exe, scripts)
        self.frozen = self.frozens.get("frozen", (None,))[0]
        return names

    def cmd(self, name, argv, heap=None, minimal=False, frozen=False):
        c = CLIENTS[name]
        script = c.minscript if heap else c.script
        if c.rt == "cpy":
            return [sys.executable, os.path.join(SCRIPTS, script)] + argv, None
        if frozen:  # (a FROZEN_KINDS kind) modules from .frozen only: lib/ must not be on the path
            exe, scripts = self.frozens[frozen]
            env = dict(os.environ, MICROPYPATH=".frozen:" + scripts)
        else:
            st = self.stage.get(name + "-min") if minimal or heap else None
            env = dict(os.environ, MICROPYPATH=st or self.stage[name])
            exe = self.mpy
        env["BENCH_SCHEME"] = "ws" if c.ws else "mqtt"  # (the scripts that take it: mp_ours, mp_ours_min)
        h = ["-X", "heapsize=%d" % heap] if heap else []
        return [exe] + h + ["-m", script] + argv, env

    # -- one measurement in its own process, under a hard timeout

    def run(self, name, mode, n, sz=PAYLOAD, heap=None, minimal=False, frozen=False, timeout=None):
        timeout = timeout or self.a.timeout
        port = self.ws_port if CLIENTS[name].ws else self.port
        argv, env = self.cmd(name, [mode, str(port), str(n), str(sz), str(WINDOW),
                                    str(self.limit)], heap, minimal, frozen)
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, cwd=self.tmp, text=True)
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
                if ln.startswith("READY "):
                    # the reader is subscribed (and off line, or not reading):
                    # queue the whole burst at the broker, then let it read
                    try:
                        flood(self.port, ln.split()[1], n, sz)
                    except (OSError, AssertionError) as e:
                        raise Fail("flood publisher failed: %r" % e)
                    p.stdin.write("GO\n")
                    p.stdin.flush()
            p.wait(max(0.1, end - time.time()))
        except (Fail, subprocess.TimeoutExpired, OSError) as e:
            p.kill()
            p.wait()
            for t in th:  # collect what was printed
                t.join(1)
            raise Fail("%s\n%s" % (e if isinstance(e, Fail) else "timed out", tail(out, err)))
        finally:
            try:
                p.stdin.close()
            except OSError:
                pass
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

    def rate(self, name, fig):
        mode, _, sz = fig.partition("@")
        sz = int(sz or PAYLOAD)
        n = self.n
        if sz >= 16384:
            n = max(200, n // 10)
        elif sz >= 1024:
            n = max(200, n // 2)
        r = self.run(name, mode, n, sz)
        if r["n"] < n and mode not in ("qos1one", "qos1busy") and not r.get("timed"):
            raise Fail("%d of %d messages" % (r["n"], n))
        if r["n"] < 1 or r["us"] <= 0:
            raise Fail("too few messages to time: %r" % r)
        return r["n"] * 1e6 / r["us"]

    def wakeups(self, name, mode, ms):
        # poll/select system calls a second of a client idle for ms (strace -c):
        # the calls of a run idle for ms less those of one idle for none
        # (connecting and ending), over the ms
        st = shutil.which("strace")
        if not st:
            raise Fail("strace is not installed (Debian: apt-get install strace)")
        calls = ("poll", "ppoll", "epoll_wait", "epoll_pwait", "select", "pselect6")
        n = []
        for t in (0, ms):
            argv, env = self.cmd(name, [mode, str(self.port), "1", str(PAYLOAD), str(WINDOW), str(t)])
            out = os.path.join(self.tmp, "strace-%s-%d.txt" % (mode, t))
            r = subprocess.run([st, "-f", "-c", "-o", out, "-e", "trace=" + ",".join(calls)] + argv, env=env,
                               cwd=self.tmp, capture_output=True, text=True, timeout=t / 1000 + 60)
            if r.returncode:
                raise Fail("%s exited %d: %s" % (mode, r.returncode, (r.stdout + r.stderr).strip()[-300:]))
            k = 0
            with open(out) as f:
                for ln in f:
                    w = ln.split()
                    if w and w[-1] in calls and len(w) >= 5:
                        k += int(w[3])
            n.append(k)
        return max(0, n[1] - n[0]) * 1000 / ms

    def note(self, name, what, e):
        msg = "%s %s: %s" % (name, what, e)
        self.failures.append(msg)
        print("  FAILED " + msg.split("\n")[0], file=sys.stderr)

    # -- memory figures

    def min_heap(self, name, frozen=False):
        def ok(k):
            try:
                return self.run(name, "minheap", 20, heap=k * K, frozen=frozen, timeout=20).get("ok") == 1
            except Fail:
                return False

        lo, hi = 2, 256  # KiB; find the smallest passing heap, 1 KiB resolution
        if not ok(hi):
            try:
                self.run(name, "minheap", 20, heap=hi * K, frozen=frozen, timeout=20)
            except Fail as e:
                raise Fail("does not pass even with %dK heap:\n%s" % (hi, e))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ok(mid):
                hi = mid
            else:
                lo = mid
        # what a heap needs varies a little with timing (how reads split the
        # input): the figure is the smallest that passes three times running
        while hi < 256 and not (ok(hi) and ok(hi)):
            hi += 1
        return hi * K


def tail(out, err, k=15):
    t = "".join(out[-k:]) + "".join(err[-k:])
    return t.rstrip() or "(no output)"


# -- statistics and formatting


def summary(vals):
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def fmt_rate(s):
    if s is None:
        return "FAIL"

    def k(v):
        return "%.0f" % v if v < 1000 else ("%.1fk" % (v / 1000) if v < 100000 else "%.0fk" % (v / 1000))
    if s["n"] == 1:
        return k(s["median"])
    return "%s (%s–%s)" % (k(s["median"]), k(s["min"]), k(s["max"]))


def fmt_ratio(s):
    if s is None:
        return "-"
    if s["n"] == 1:
        return "%.2f" % s["median"]
    return "%.2f (%.2f–%.2f)" % (s["median"], s["min"], s["max"])


def fmt_bytes(v):
    if v is None:
        return "FAIL"
    if v == "":
        return "–"
    if isinstance(v, float) and v != int(v):
        return "%.1f" % v
    return "{:,}".format(int(v))


def table(head, rows):
    w = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i])  # noqa: E731
                                       for i, c in enumerate(r)) + " |"
    print(line(head))
    print("|" + "|".join("-" * (x + 1) + ("-" if i == 0 else ":") for i, x in enumerate(w)) + "|")
    for r in rows:
        print(line(r))


def select(only, base=None):
    """The columns to run, in order: --only's (all without it), each --base
    column right after its current one. ValueError says what is wrong."""
    only = only or []
    revs = set([base] if base else []) | set(x.partition("@")[2] for x in only if "@" in x)
    if len(revs) > 1:
        raise ValueError("--base and --only name more than one base revision: " + ", ".join(sorted(revs)))
    if revs:
        base = revs.pop()
        if not base:
            raise ValueError("--base: an empty revision")
        add_base(base)
    if not set(only) <= set(CLIENTS):
        raise ValueError("--only: unknown %s (choose from %s%s)" % (
            ",".join(sorted(set(only) - set(CLIENTS))), ",".join(x for x in CLIENTS if x not in BASE_OF),
            ", ours@REV, ours-umqtt@REV with --base REV" if not base else ""))
    names = [x for x in CLIENTS if x not in BASE_OF and (not only or x in only)]
    if base:
        explicit = [x for x in only if x in BASE_OF]
        for b in [x for x in explicit if BASE_OF[x] not in names]:
            raise ValueError("--only: %s without %s, nothing to compare it with" % (b, BASE_OF[b]))
        for c in BASE_COLUMNS:
            b = c + "@" + base
            if c in names and (b in explicit or not explicit):
                names.insert(names.index(c) + 1, b)
        if not [1 for x in names if x in BASE_OF]:
            raise ValueError("--base: it compares ours and ours-umqtt with REV's, and --only selects neither")
    return names


def main(argv=None):
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--rounds", type=int,
                    help="interleaved rounds (default 7, --quick 2; 0: memory and size only)")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 2000 messages, 2 rounds")
    ap.add_argument("--growth", action="store_true",
                    help="also the cost-growth figures (1 KB and 16 KB payloads, heap over 100,000 messages)")
    ap.add_argument("--only", help="comma-separated subset of: " + ",".join(CLIENTS)
                    + " (with --base REV also ours@REV, ours-umqtt@REV)")
    ap.add_argument("--base", metavar="REV",
                    help="also lib/ as it was at git revision REV: columns ours@REV and ours-umqtt@REV "
                         "(throughput only; one for each of ours, ours-umqtt that --only selects, or "
                         "those --only names) in the same rounds, and a table \"against REV\": per-round "
                         "ratio current / REV's, ok at >= %.2f, DROP below" % BASE_OK)
    ap.add_argument("-n", type=int, help="messages per throughput run (default 20000, --quick 2000)")
    ap.add_argument("--ms", type=int, help="time limit of a one-at-a-time run, ms (default 1000)")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per subprocess (default 60)")
    ap.add_argument("--json", metavar="FILE", help="also write every sample and figure as JSON")
    ap.add_argument("--broker-nagle", action="store_true",
                    help="run mosquitto with its default Nagle (no set_tcp_nodelay)")
    ap.add_argument("--from", dest="pool", nargs="+", metavar="JSON",
                    help="measure nothing: print the tables of earlier --json runs, their rounds pooled")
    a = ap.parse_args(argv)
    if a.pool:
        return pooled(a.pool, a.json)
    only = a.only.split(",") if a.only else None
    try:
        names = select(only, a.base)
    except ValueError as e:
        ap.error(str(e))
    for rev in set(x.partition("@")[2] for x in names if x in BASE_OF):  # (before anything runs)
        try:
            base_commit(rev)
        except Fail as e:
            print("staging failed: %s" % e, file=sys.stderr)
            return 2
    rounds = a.rounds if a.rounds is not None else (2 if a.quick else 7)
    n = a.n or (2000 if a.quick else 20000)
    limit = a.ms or (250 if a.quick else 1000)

    tmp = tempfile.mkdtemp(prefix="mqttbench-")
    broker = None
    t_start = time.time()
    try:
        b = Bench(a, tmp, n, limit)
        try:
            names = b.prepare(names)
        except (RuntimeError, Fail) as e:
            print("staging failed: %s" % e, file=sys.stderr)
            return 2
        broker = Broker(tmp, not a.broker_nagle)
        b.port = broker.port
        b.ws_port = broker.ws_port
        print("mosquitto %s on 127.0.0.1 (TCP_NODELAY %s); %s; %d-byte payloads, N=%d, "
              "window %d, one-at-a-time runs %d ms; %d interleaved rounds: median (min–max)" % (
                  broker.version, "off" if a.broker_nagle else "on", mp_version(b.mpy), PAYLOAD, n,
                  WINDOW, limit, rounds))
        for k, v in sorted(b.info.items()):
            print("  %s: %s" % (k, v))

        figs = [f for f in list(FIGS) + (list(GROWTH) if a.growth else [])]
        samples = {c: {f: [None] * rounds for f in figs} for c in names}
        for r in range(rounds):
            order = names[r % len(names):] + names[:r % len(names)]  # rotate: no client always first
            print("round %d/%d: %s" % (r + 1, rounds, " ".join(order)), file=sys.stderr)
            for f in figs:
                for c in order:
                    if f not in CLIENTS[c].figs + CLIENTS[c].growth:
                        continue
                    try:
                        samples[c][f][r] = b.rate(c, f)
                    except Fail as e:
                        b.note(c, "%s (round %d)" % (f, r + 1), e)
        fig = {c: {f: summary([v for v in samples[c][f] if v is not None])
                   for f in figs if f in CLIENTS[c].figs + CLIENTS[c].growth} for c in names}

        mem = {c: {} for c in names}
        for c in names:
            if not CLIENTS[c].minscript:
                continue
            print("memory: %s" % c, file=sys.stderr)
            m = mem[c]
            minimal = c in ("ours", "ours-umqtt", "ours-ws")
            for mode, cnt in (("heap", 1), ("alloc", 1000), ("ralloc", 1100)) + ((("held", 20),) if c in (
                    "ours", "ours-ws") else ()):
                try:
                    r = b.run(c, mode, cnt, minimal=minimal)
                    for k in ("imported", "connect", "total", "per_publish", "per_message", "floor", "held",
                              "transport_imported"):
                        if k in r:
                            m[k] = r[k]
                    if "modules" in r and c != "ours":
                        m["modules"] = r["modules"]
                except Fail as e:
                    b.note(c, mode, e)
            if c == "ours":  # what `import mqtt` pulls in when all of lib/ is there
                try:
                    r = b.run(c, "heap", 1)
                    m["modules"] = r["modules"]
                    m["imported_all"] = r["imported"]
                except Fail as e:
                    b.note(c, "heap (all modules)", e)
            try:
                m["min_heap"] = b.min_heap(c)
            except Fail as e:
                b.note(c, "minimum heap", e)
            for kind in b.frozens if CLIENTS[c].frozen else ():
                print("memory: %s, %s" % (c, kind), file=sys.stderr)
                try:
                    r = b.run(c, "heap", 1, frozen=kind)
                    if loaded_from_disk(r.get("file")):
                        raise Fail("mqtt was loaded from %s, not .frozen" % r["file"])
                    if c in ("ours", "ours-ws"):
                        m[kind + "_held"] = b.run(c, "held", 20, frozen=kind)["held"]
                    m[kind + "_imported"] = r["imported"]
                    m[kind + "_connect"] = r["connect"]
                    m[kind + "_total"] = r["total"]
                    m[kind + "_modules"] = r["modules"]
                    m[kind + "_min_heap"] = b.min_heap(c, frozen=kind)
                except Fail as e:
                    b.note(c, kind, e)
        if a.growth and "ours" in names:
            print("growth: heap over 100,000 messages", file=sys.stderr)
            try:
                r = b.run("ours", "flat", 10000 if a.quick else 100000, timeout=max(a.timeout, 120))
                mem["ours"]["heap_1000"] = r["heap_1000"]
                mem["ours"]["heap_last"] = r["heap_%d" % (10000 if a.quick else 100000)]
                mem["ours"]["flat_n"] = r["n"]
            except (Fail, KeyError) as e:
                b.note("ours", "flat", e)

        if "ours-store" in names:  # mqtt.store: its heap, bytes written per message, a wake's time
            m = mem["ours-store"]
            print("memory: ours-store", file=sys.stderr)
            for kind in [None] + list(b.frozens):
                try:
                    m[(kind or "mpy") + "_extra"] = (b.run("ours-store", "work", 20, frozen=kind)["heap"]
                                                    - b.run("ours-store", "workrun", 20, frozen=kind)["heap"])
                except (Fail, KeyError) as e:
                    b.note("ours-store", "heap %s" % (kind or ".mpy"), e)
            try:
                r = b.run("ours-store", "qos1", max(n, 20000), timeout=max(a.timeout, 120))
                m["written"] = r["written"] / r["n"]
                m["packet"] = 2 + 2 + len("bench/store/qos1") + 2 + PAYLOAD
                for mode in ("wake", "wakeno"):
                    m[mode] = sorted(b.run("ours-store", mode, 1)["us"] for _ in range(5))[2]
            except (Fail, KeyError) as e:
                b.note("ours-store", "written, wake", e)
        if "ours-aio" in names:  # mqtt.aio: heap over mqtt.run() for the same work; idle wake-ups
            m = mem["ours-aio"]
            for kind in (None,) + tuple(b.frozens):
                print("memory: ours-aio %s" % (kind or ".mpy"), file=sys.stderr)
                try:
                    m[(kind or "mpy") + "_extra"] = (b.run("ours-aio", "work", 20, frozen=kind)["heap"]
                                                    - b.run("ours-aio", "workrun", 20, frozen=kind)["heap"])
                except Fail as e:
                    b.note("ours-aio", "heap %s" % (kind or ".mpy"), e)
            for mode in ("idle", "idlerun", "idlereadme"):
                print("idle: %s, 10 s" % mode, file=sys.stderr)
                try:
                    m[mode] = b.wakeups("ours-aio", mode, 3000 if a.quick else 10000)
                except Fail as e:
                    b.note("ours-aio", mode, e)

        szd = os.path.join(tmp, "xtensawin")
        try:
            if [1 for x in ("ours", "ours-umqtt", "ours-mqtt_as", "ours-ws") if x in names]:
                rep = size.report(size.compile_tree(size.LIB, size.py_files(size.LIB), "xtensawin",
                                                    os.path.join(szd, "ours")))
                for c in ("ours", "ours-umqtt", "ours-ws"):
                    if c in names:
                        mem[c]["mpy_min"] = rep["minimal_total"] + (
                            rep["modules"]["umqtt/simple.py"] if c == "ours-umqtt" else
                            rep["modules"]["mqtt/ws.py"] if c == "ours-ws" else 0)
                        mem[c]["mpy_all"] = rep["total"]
            for c in ("umqtt.simple", "umqtt.simple-pypi"):
                if c in names:
                    sz = size.compile_tree(b.umqtt_src[c], ["umqtt/simple.py"], "xtensawin", os.path.join(szd, c))
                    mem[c]["mpy_min"] = mem[c]["mpy_all"] = sum(sz.values())
            if "ours-mqtt_as" in names:  # its minimal set: the client's, mqtt.aio, the adapter
                m = rep["modules"]
                mem["ours-mqtt_as"]["mpy_min"] = rep["minimal_total"] + m["mqtt/aio.py"] + m["mqtt_as/__init__.py"]
                mem["ours-mqtt_as"]["mpy_all"] = mem["ours-mqtt_as"]["mpy_min"] + m["mqtt_as/v5.py"] + m["mqtt/v5.py"]
            if "mqtt_as" in names:
                sz = size.compile_tree(b.mqttas_src, ["mqtt_as/__init__.py", "mqtt_as/mqtt_v5_properties.py"],
                                       "xtensawin", os.path.join(szd, "mqtt_as"))
                mem["mqtt_as"]["mpy_min"] = sz["mqtt_as/__init__.py"]
                mem["mqtt_as"]["mpy_all"] = sum(sz.values())
            if "chumicro" in names and mem["chumicro"].get("modules"):
                files = [mod_file(b.chu_root, x) for x in mem["chumicro"]["modules"]]
                sz = size.compile_tree(b.chu_root, files, "xtensawin", os.path.join(szd, "chu"))
                mem["chumicro"]["mpy_min"] = mem["chumicro"]["mpy_all"] = sum(sz.values())
        except RuntimeError as e:
            b.note("size", "mpy-cross", e)

        if "ours" in names:  # the emulated Cortex-M board's own heap, when its firmware and tools are here
            mcu = mcu_heap(broker)
            if isinstance(mcu, dict):
                mem["ours"].update(mcu)
            elif mcu.startswith("not measured"):  # (no MICROPY_DIR, qemu or firmware: make test-mcu builds it)
                print("  emulated board's heap %s" % mcu)
            else:
                b.note("ours", "heap on the emulated board", mcu)
        vs = against(names, samples)
        targets = report(names, samples, fig, mem, b.frozen, b.skipped, b.failures, a.growth, vs)
        print("\n(%d s)" % (time.time() - t_start))
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"date": time.strftime("%Y-%m-%d %H:%M:%S"), "mosquitto": broker.version,
                           "micropython": mp_version(b.mpy), "n": n, "rounds": rounds,
                           "payload": PAYLOAD, "window": WINDOW, "one_at_a_time_ms": limit,
                           "sources": b.info, "titles": TITLES, "samples": samples, "figures": fig, "memory": mem,
                           "targets": targets, "against": vs, "failures": b.failures, "skipped": b.skipped},
                          f, indent=1)
        return 0
    finally:
        if broker:
            broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def close(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 0.01 * max(abs(a), abs(b), 1)
    return a == b


def pooled(files, out=None):
    """The tables of several --json runs, their rounds put together (ratios
    still taken within each round). Memory figures are the first run's."""
    ds = []
    for fn in files:
        with open(fn) as f:
            ds.append(json.load(f))
    for d in ds:  # (--base columns: registered from their names)
        for c in d["samples"]:
            if c.partition("@")[0] in BASE_COLUMNS and c.partition("@")[2]:
                add_base(c.partition("@")[2])
    names = [c for c in CLIENTS if c not in BASE_OF and any(c in d["samples"] for d in ds)]
    for b in [c for c in CLIENTS if c in BASE_OF and any(c in d["samples"] for d in ds)]:
        names.insert(names.index(BASE_OF[b]) + 1 if BASE_OF[b] in names else len(names), b)
    figs = [f for f in list(FIGS) + list(GROWTH) if any(f in d["samples"].get(c, {})
                                                          for d in ds for c in names)]
    samples = {c: {f: [] for f in figs if f in CLIENTS[c].figs + CLIENTS[c].growth} for c in names}
    mem = {c: {} for c in names}
    failures, skipped, frozen = [], [], False
    for fn, d in zip(files, ds):
        for c in names:
            for f in samples[c]:
                samples[c][f] += d["samples"].get(c, {}).get(f) or [None] * d["rounds"]
            for k, v in d["memory"].get(c, {}).items():
                if k not in mem[c]:
                    mem[c][k] = v
                elif k not in ("heap_1000", "heap_last") and not close(mem[c][k], v):
                    failures.append("%s %s: %s in %s, %s before" % (c, k, v, fn, mem[c][k]))
        failures += ["%s: %s" % (fn, m) for m in d["failures"]]
        skipped += [m for m in d["skipped"] if m not in skipped]
        frozen = frozen or "frozen" in d["sources"]
    fig = {c: {f: summary([v for v in samples[c][f] if v is not None]) for f in samples[c]} for c in names}
    d = ds[0]
    for x in ds:  # (the umqtt.simple columns' versions; runs of older benches have none)
        TITLES.update(x.get("titles") or {})
    print("%d runs pooled (%s): %d rounds; mosquitto %s, %s; %d-byte payloads, N=%d, window %d, "
          "one-at-a-time runs %d ms: median (min–max)" % (
              len(ds), ", ".join(os.path.basename(x) for x in files), sum(x["rounds"] for x in ds),
              d["mosquitto"], d["micropython"], d["payload"], d["n"], d["window"], d["one_at_a_time_ms"]))
    for k, v in sorted(d["sources"].items()):
        print("  %s: %s" % (k, v))
    growth = any(f in GROWTH for f in figs)
    vs = against(names, samples)
    targets = report(names, samples, fig, mem, frozen, skipped, failures, growth, vs)
    if out:
        with open(out, "w") as f:
            json.dump(dict(d, pooled=files, rounds=sum(x["rounds"] for x in ds), samples=samples,
                           figures=fig, memory=mem, targets=targets, against=vs, failures=failures,
                           skipped=skipped), f, indent=1)
    return 0


def mp_version(exe):
    try:
        r = subprocess.run([exe, "-c", "import sys; print(sys.version.split('; ')[1])"],
                           capture_output=True, text=True, timeout=10)
        return r.stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def ratio(samples, c1, f1, c2, f2):
    """Per-round ratios samples[c1][f1] / samples[c2][f2], summarised."""
    a = samples.get(c1, {}).get(f1)
    b = samples.get(c2, {}).get(f2)
    if not a or not b:
        return None
    return summary([x / y for x, y in zip(a, b) if x and y])


def against(names, samples):
    """For each --base column among names and each of its figures: the
    per-round ratio current / base summarised (None when no round has both),
    and its verdict: ok at >= BASE_OK, DROP below, n/a without a ratio."""
    out = []
    for b in names:
        c = BASE_OF.get(b)
        if c not in names:
            continue
        for f in CLIENTS[b].figs:
            v = ratio(samples, c, f, b, f)
            out.append({"column": c, "base": b, "rev": b.partition("@")[2], "figure": f, "ratio": v,
                        "verdict": "n/a" if v is None else "ok" if v["median"] >= BASE_OK else "DROP"})
    return out


def against_table(vs):
    """Print against()'s rows, one table per base revision."""
    for rev in sorted(set(x["rev"] for x in vs)):
        rows = [["%s: %s" % (x["column"], FIGS[x["figure"]]), fmt_ratio(x["ratio"]), x["verdict"]]
                for x in vs if x["rev"] == rev]
        print()
        table(["against %s (DROP below %.2f)" % (rev, BASE_OK), "current / " + rev, "verdict"], rows)


def mcu_heap(broker):
    """The heap on the emulated bare-metal board (make test-mcu's firmware,
    frozen package, 32-bit, its own 140 KB heap): tests/mcu/uart_client.py's
    figures, the broker over its UART1. A dict, or why not (a str)."""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    try:
        import test_mcu
    except ImportError as e:
        return "not measured: %s" % e
    if test_mcu.why:
        return "not measured: " + test_mcu.why
    print("memory: the emulated board", file=sys.stderr)
    rc, out, err = test_mcu.device(os.path.join(test_mcu.MCU, "uart_client.py"), broker)
    m = re.search(r"heap: before import \d+, import (\d+), connected (\d+), after 100 QoS 1 round trips (\d+)", out)
    if rc or not m:
        return "failed: " + tail(out.splitlines(), err.splitlines())
    return {"mcu_imported": int(m.group(1)), "mcu_connect": int(m.group(2)), "mcu_after100": int(m.group(3))}


def held_over(k, mem):
    """Heap a ws:// client holds over an mqtt:// one for the same work (mem[c][k]), or None."""
    a, b = mem.get("ours-ws", {}).get(k), mem.get("ours", {}).get(k)
    return None if a is None or b is None else a - b


def report(names, samples, fig, mem, frozen, skipped, failures, growth, vs=()):
    rows = []
    for f, label in list(FIGS.items()) + (list(GROWTH.items()) if growth else []):
        cells = [fmt_rate(fig[c][f]) if f in fig[c] else "–" for c in names]
        if any(x != "–" for x in cells):
            rows.append([label] + cells)
    if any(v for c in samples for v in samples[c].values()):  # not --rounds 0
        print()
        table(["figure"] + [title(c) for c in names], rows)

    mrows = []
    K1 = [("total", "heap: import + connect, .mpy, B"), ("imported", "heap taken by the import, .mpy, B"),
          ("connect", "heap taken by connect alone, B"), ("min_heap", "minimum heap, .mpy, B"),
          ("frozen_total", "heap: import + connect, frozen, B"),
          ("frozen_imported", "heap taken by the import, frozen, B"),
          ("frozen_connect", "heap taken by connect alone, frozen, B"),
          ("frozen_min_heap", "minimum heap, frozen, B"),
          ("frozen32_total", "heap: import + connect, frozen 32-bit, B"),
          ("frozen32_imported", "heap taken by the import, frozen 32-bit, B"),
          ("frozen32_connect", "heap taken by connect alone, frozen 32-bit, B"),
          ("frozen32_min_heap", "minimum heap, frozen 32-bit, B"),
          ("mcu_imported", "heap taken by the import, emulated Cortex-M (frozen), B"),
          ("mcu_connect", "heap taken by connect alone, emulated Cortex-M, B"),
          ("mcu_after100", "heap above the import after 100 QoS 1 round trips, emulated Cortex-M, B"),
          ("held", "heap held, connected, after 20 QoS 1 round trips, .mpy, B"),
          ("transport_imported", "heap taken by importing the transport's module, .mpy, B"),
          ("frozen_held", "heap held, connected, after 20 QoS 1 round trips, frozen, B"),
          ("frozen32_held", "heap held, connected, after 20 QoS 1 round trips, frozen 32-bit, B"),
          ("per_publish", "bytes allocated per QoS 0 publish"),
          ("per_message", "bytes allocated per received QoS 0 message"),
          ("mpy_min", ".mpy bytes (xtensawin), minimal set"),
          ("mpy_all", ".mpy bytes (xtensawin), all modules")]
    if growth:
        K1 += [("heap_1000", "heap after 1,000 QoS 1 round trips, B"),
               ("heap_last", "heap after 100,000 QoS 1 round trips, B")]
    mnames = [c for c in names if CLIENTS[c].minscript or mem.get(c)]
    for k, label in K1:
        cells = [fmt_bytes(mem[c].get(k, "")) for c in mnames]
        if any(x != "–" for x in cells):
            mrows.append([label] + cells)
    if mrows:
        print()
        table(["memory and size"] + [title(c) for c in mnames], mrows)
    o = mem.get("ours", {})
    notes = []
    if o.get("floor") is not None:
        notes.append("received message: the topic str and payload bytes alone take %s B "
                     "(%d-byte payload)" % (fmt_bytes(o["floor"]), PAYLOAD))
    if "modules" in o:
        notes.append("`import mqtt` with all of lib/ present imports: " + ", ".join(o["modules"])
                     + " (%s B)" % fmt_bytes(o.get("imported_all")))
    if "frozen_modules" in o:
        notes.append("frozen `import mqtt` imports: " + ", ".join(o["frozen_modules"]))
    ai = mem.get("ours-aio", {})
    if "idle" in ai or "idlerun" in ai or "idlereadme" in ai:
        notes.append("idle, keepalive 60 (poll calls a second, strace -c): mqtt.aio %s, mqtt.run() %s, "
                     "mqtt.run(timeout_ms=0) + asyncio.sleep(0.01) in a loop %s" % tuple(
                         "%.1f" % ai[k] if k in ai else "–" for k in ("idle", "idlerun", "idlereadme")))
    if "mpy_extra" in ai or "frozen32_extra" in ai:
        notes.append("mqtt.aio: heap after connect, subscribe and 20 QoS 1 round trips, over mqtt.run()'s: "
                     + ", ".join("%s %s B" % (k, fmt_bytes(ai[k + "_extra"]))
                                 for k in ("mpy", "frozen", "frozen32") if k + "_extra" in ai)
                     + " (`import mqtt.aio` included; asyncio itself, which the program has either way, not)")
    so = mem.get("ours-store", {})
    if "written" in so:
        notes.append("mqtt.store: %.1f bytes written to the store per QoS 1 message of %d bytes (its PUBLISH: %d B; "
                     "compactions included)" % (so["written"], PAYLOAD, so["packet"]))
    if "wake" in so:
        notes.append("mqtt.store: a wake (script start to the PUBACK of one QoS 1 publish, clean False, median of 5): "
                     "%.1f ms with a FileStore (fsync), %.1f ms without" % (so["wake"] / 1000, so["wakeno"] / 1000))
    if any(k + "_extra" in so for k in ("mpy", "frozen", "frozen32")):
        notes.append("mqtt.store: heap after connect and 20 QoS 1 round trips, over the same without a store: "
                     + ", ".join("%s %s B" % (k, fmt_bytes(so[k + "_extra"]))
                                 for k in ("mpy", "frozen", "frozen32") if k + "_extra" in so)
                     + " (`import mqtt.store` included)")
    if mem.get("chumicro", {}).get("modules"):
        notes.append("chumicro's set = the modules it imported: " + ", ".join(mem["chumicro"]["modules"]))
    notes.append("minimum heap: smallest -X heapsize (1 KiB steps) that connects, subscribes at "
                 "QoS 1, makes 20 QoS 1 round trips and disconnects; ours with its minimal set only")
    for x in notes:
        print("  " + x)

    # targets: (label, summary or value, op, limit, kind)
    mins = set(m[:-3].replace("/", ".").replace(".__init__", "") for m in size.MINIMAL_SET)
    mods = o.get("modules")
    fro = bool(frozen)
    conn = o.get("frozen_connect") if fro else o.get("connect")
    u = title("umqtt.simple")[:-7]  # (its version: "umqtt.simple 1.8.0")
    T = [
        ("receive ≥ 1.5 × " + u, ratio(samples, "ours", "recv", "umqtt.simple", "recv"), ">=", 1.5, "r"),
        ("receive ≥ 0.3 × raw", ratio(samples, "ours", "recv", "raw", "recv"), ">=", 0.3, "r"),
        ("receive: no allocation beyond topic + payload (B/msg)", o.get("per_message"), "<=",
         o.get("floor"), "b"),
        ("QoS 0 publish ≥ 0.85 × raw", ratio(samples, "ours", "qos0", "raw", "qos0"), ">=", 0.85, "r"),
        ("QoS 1 one at a time ≥ 0.5 × raw busy-poll",
         ratio(samples, "ours", "qos1one", "raw", "qos1busy"), ">=", 0.5, "r"),
        ("drop-in QoS 0 publish ≥ 1 × " + u,
         ratio(samples, "ours-umqtt", "qos0", "umqtt.simple", "qos0"), ">=", 1.0, "r"),
        ("drop-in receive ≥ 1 × " + u,
         ratio(samples, "ours-umqtt", "recv", "umqtt.simple", "recv"), ">=", 1.0, "r"),
        ("drop-in allocation per publish ≤ 16 B", mem.get("ours-umqtt", {}).get("per_publish"), "<=", 16, "b"),
        ("frozen: minimum heap ≤ 10 K", o.get("frozen_min_heap") if fro else None, "<=", 10 * K, "b"),
        ("frozen: import ≤ 3 K", o.get("frozen_imported") if fro else None, "<=", 3 * K, "b"),
        ("connect alone ≤ 1 K" + (" (frozen)" if fro else " (.mpy)"), conn, "<=", 1 * K, "b"),
        ("frozen 32-bit: minimum heap ≤ 10 K", o.get("frozen32_min_heap"), "<=", 10 * K, "b"),
        ("frozen 32-bit: import ≤ 3 K", o.get("frozen32_imported"), "<=", 3 * K, "b"),
        ("connect alone ≤ 1 K (frozen 32-bit)", o.get("frozen32_connect"), "<=", 1 * K, "b"),
        (".mpy: minimum heap ≤ 30 K", o.get("min_heap"), "<=", 30 * K, "b"),
        ("`import mqtt` imports nothing optional", None if mods is None else
         len([m for m in mods if m not in mins]), "<=", 0, "mods"),
        ("minimal 3.1.1 set ≤ 12,366 B xtensawin", o.get("mpy_min"), "<=", 12366, "b"),
        ("QoS 2 / QoS 1 pipelined ≥ 0.6", ratio(samples, "ours", "qos2", "ours", "qos1"), ">=", 0.6, "r"),
        ("mqtt.aio: QoS 1 one at a time ≥ 0.8 × mqtt.run()",
         ratio(samples, "ours-aio", "qos1one", "ours", "qos1one"), ">=", 0.8, "r"),
        ("mqtt.aio: QoS 1 one at a time ≥ 5 × mqtt_as",
         ratio(samples, "ours-aio", "qos1one", "mqtt_as", "qos1one"), ">=", 5.0, "r"),
        ("mqtt.aio: receive ≥ 0.8 × mqtt.run()", ratio(samples, "ours-aio", "recv", "ours", "recv"), ">=", 0.8, "r"),
        ("mqtt.aio: idle wake-ups a second, keepalive 60", mem.get("ours-aio", {}).get("idle"), "<=", 2, "n"),
        ("mqtt.aio: heap over mqtt.run() ≤ 4 K (frozen 32-bit)", mem.get("ours-aio", {}).get("frozen32_extra"),
         "<=", 4 * K, "b"),
        ("mqtt.aio: heap over mqtt.run() ≤ 4 K (.mpy)", mem.get("ours-aio", {}).get("mpy_extra"), "<=", 4 * K, "b"),
        ("emulated Cortex-M: import ≤ 4.5 K", o.get("mcu_imported"), "<=", 4608, "b"),
        ("emulated Cortex-M: after 100 QoS 1 round trips ≤ 10 K above the import", o.get("mcu_after100"), "<=",
         10 * K, "b"),
        ("mqtt.store: QoS 1 pipelined ≥ 0.5 × without (fsync=False)",
         ratio(samples, "ours-store", "qos1", "ours", "qos1"), ">=", 0.5, "r"),
        ("mqtt.store: bytes written per 64 B QoS 1 message ≤ 3 × its PUBLISH",
         mem.get("ours-store", {}).get("written"), "<=", 3 * mem.get("ours-store", {}).get("packet", 0), "b"),
        ("mqtt.store: heap ≤ 2 K (frozen 32-bit)", mem.get("ours-store", {}).get("frozen32_extra"), "<=", 2 * K, "b"),
        ("ws://: QoS 0 publish ≥ 0.8 × mqtt://", ratio(samples, "ours-ws", "qos0", "ours", "qos0"), ">=", 0.8, "r"),
        ("ws://: QoS 0 publish, written, ≥ 0.8 × mqtt://", ratio(samples, "ours-ws", "qos0w", "ours", "qos0w"),
         ">=", 0.8, "r"),
        ("ws://: QoS 1 pipelined ≥ 0.8 × mqtt://", ratio(samples, "ours-ws", "qos1", "ours", "qos1"), ">=", 0.8, "r"),
        ("ws://: receive ≥ 0.7 × mqtt://", ratio(samples, "ours-ws", "recv", "ours", "recv"), ">=", 0.7, "r"),
        ("ws://: heap held over mqtt:// ≤ 2 K (frozen 32-bit)", held_over("frozen32_held", mem), "<=", 2 * K, "b"),
        ("ws://: heap held over mqtt:// ≤ 2 K (.mpy, module code aside)", held_over("held", mem), "<=", 2 * K, "b"),
    ]
    if growth:
        h1, h2 = o.get("heap_1000"), o.get("heap_last")
        T.append(("heap flat over 100,000 messages (growth ≤ 256 B)",
                  None if h1 is None or h2 is None else h2 - h1, "<=", 256, "b"))
    print()
    rows = []
    out = []
    for label, v, op, lim, kind in T:
        med = v["median"] if isinstance(v, dict) else v
        if med is None or lim is None:
            verdict, shown = "n/a", "–"
        else:
            verdict = "met" if (med >= lim if op == ">=" else med <= lim) else "MISSED"
            if kind == "r":
                shown = fmt_ratio(v)
            elif kind == "n":
                shown = "%.1f" % med
            elif kind == "mods":
                shown = "%d optional" % med if med else "none"
                if med:
                    shown += ": " + ", ".join(m for m in mods if m not in mins)
            else:
                shown = fmt_bytes(med)
        lim_s = "" if lim is None else ("%.2f" % lim if kind == "r" else "%g" % lim if kind == "n" else fmt_bytes(lim))
        rows.append([label, shown, "%s %s" % ("≥" if op == ">=" else "≤", lim_s), verdict])
        out.append({"target": label, "measured": v, "limit": lim, "op": op, "verdict": verdict})
    table(["target (ours unless named)", "measured", "limit", "verdict"], rows)
    if vs and any(v for c in samples for v in samples[c].values()):
        against_table(vs)
    if skipped:
        print("\nskipped:")
        for m in skipped:
            print("  " + m)
    if failures:
        print("\nfailures (%d):" % len(failures))
        for m in failures:
            print("  " + m.replace("\n", "\n    "))
    return out


if __name__ == "__main__":
    sys.exit(main())
