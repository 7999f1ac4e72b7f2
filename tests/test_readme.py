"""README.md as a new user meets it, run on both runtimes against a private
mosquitto.

Every Python block runs as shown: the only changes are the broker's address
(`broker.local` and port 1883, or 8883 for mqtts://, or 8080 or 443 for ws:// and wss://,
become the test broker's) and where `ca.pem`, `cert.pem` and `key.pem` are (the test CA, and
a client certificate from it that a block using them must present). Each block must finish by itself, exit 0,
print something, and have talked to the broker. A block that opens with
`# NAME.py:` is that file, for the other blocks to use: written, not run.
A block that uses mqtt.link runs with tests/standins on its path: stand-in
network and netmgr modules (no board here).

Every `sh` block runs as shown with bash in the checkout's top folder (an
indented block is not run: it needs a board, a port or a MicroPython
checkout): `broker.local:1883` becomes the test broker's address,
`-h broker.local` a TLS broker's host and port, and the files it names
(`kitchen.py`: the Use example; `thermostat.py`, `ca.pem`) are written
where it can find them. A block with `.venv/bin/mqtt` runs twice: as
written (the unix port) and with `PYTHONPATH=lib python3 -m mqtt` (CPython).
It must exit 0 with no error on stderr, and print every line of the `text`
block that follows it, if any (a JSON line as the same object).

The heap table of "On your board" (written by `make heap`, tools/heap.py):
the Use example runs with each figure as its heap and does not with 90 % of
it, on the binary the figure was measured with, where that binary is here."""
import json
import os
import re
import subprocess
import sys

import pytest

from broker import Broker, Certs
from conftest import ROOT, STANDINS, describe

sys.path.insert(0, os.path.join(ROOT, "tools"))
import heap  # noqa: E402

TEXT = open(os.path.join(ROOT, "README.md")).read()
ALL = re.findall(r"^```python\n(.*?)^```", TEXT, re.S | re.M)
FILES = dict((re.match(r"# (\w+\.py):", b).group(1), b) for b in ALL if re.match(r"# \w+\.py:", b))
BLOCKS = [b for b in ALL if not re.match(r"# \w+\.py:", b)]
# (sh block, the text block after it or None)
SH = [(m.group(1), m.group(3)) for m in re.finditer(r"^```sh\n(.*?)^```\n(\n```text\n(.*?)^```\n)?", TEXT, re.S | re.M)]
CLI = ".venv/bin/mqtt"


def test_the_readme_has_python_and_sh_blocks():
    assert len(BLOCKS) >= 5, "README.md's Python blocks were not found"
    assert len([b for b, _ in SH if CLI in b]) >= 2, "README.md's command line blocks were not found"


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return Certs(str(tmp_path_factory.mktemp("certs")))


@pytest.mark.parametrize("n", range(len(BLOCKS)), ids=[b.strip().splitlines()[-1][:40] for b in BLOCKS])
def test_readme_block_runs_as_shown(runtime, make_broker, certs, tmp_path, n):
    src = BLOCKS[n]
    for name, text in FILES.items():  # the files it uses, where it can find them
        if '"%s"' % name in src:
            (tmp_path / name).write_text(text)
            src = src.replace('"%s"' % name, repr(str(tmp_path / name)))
    tls = "mqtts://" in src or "wss://" in src
    ws = "ws://" in src or "wss://" in src  # WebSocket: a broker with a WebSocket listener too
    b = make_broker(tls=certs.listener(require_certificate='open("cert.pem")' in src) if tls else None, websockets=ws)
    src = src.replace("mqtts://broker.local", "mqtts://127.0.0.1:%d" % b.port)
    src = src.replace("wss://broker.local", "wss://127.0.0.1:%d" % (b.ws_port or 0))
    src = src.replace("ws://broker.local:8080", "ws://127.0.0.1:%d" % (b.ws_port or 0))
    src = src.replace("broker.local:1883", "127.0.0.1:%d" % b.port)
    src = src.replace('"broker.local", "port": 1883', '"127.0.0.1", "port": %d' % b.port)
    src = src.replace('"broker.local", 1883', '"127.0.0.1", %d' % b.port)
    src = src.replace('"broker.local", "port": 8883', '"127.0.0.1", "port": %d' % b.port)
    src = src.replace('open("ca.pem")', 'open(%r)' % certs.ca)
    src = src.replace('FileStore("session.store")', 'FileStore(%r)' % str(tmp_path / "session.store"))
    src = src.replace('open("cert.pem")', 'open(%r)' % certs.client).replace('open("key.pem")', 'open(%r)' % certs.client_key)
    assert "broker.local" not in src, "a broker address the test does not know how to replace:\n" + src
    # the network link's examples import network or netmgr: the stand-ins of tests/standins (no board here)
    rc, out, err = runtime.run(src + "\n", timeout=20, path=[STANDINS] if "mqtt.link" in src else [])
    assert rc == 0 and "Traceback" not in err + out, describe(rc, out, err) + "\n--- block ---\n" + src
    assert out.strip(), "the block printed nothing\n" + src
    assert "New client connected" in b.log(), b.log()


def _printed(want, out):
    """Is the line `want` among the lines printed (a JSON line: the same object)?"""
    lines = out.splitlines()
    if want.startswith("{"):
        return any(x.startswith("{") and json.loads(x) == json.loads(want) for x in lines)
    return want in lines


@pytest.mark.parametrize("n", range(len(SH)), ids=["sh%d" % i for i in range(len(SH))])
def test_readme_sh_block_runs_as_shown(runtime, make_broker, certs, tmp_path, n):
    src, want = SH[n]
    if CLI not in src and runtime.name == "cpython":
        pytest.skip("a block without the command line runs once (its lines name their runtimes)")
    if runtime.name == "cpython":
        src = src.replace(CLI, "PYTHONPATH=lib python3 -m mqtt")
    assert os.access(os.path.join(ROOT, CLI), os.X_OK) or CLI not in src, "no %s: run make venv" % CLI
    b = make_broker()
    files = dict(FILES, **{"kitchen.py": ALL[0], "ca.pem": open(certs.ca).read()})
    for name, text in files.items():
        if re.search(r"(?<![\w/.])%s\b" % re.escape(name), src):
            (tmp_path / name).write_text(text.replace("broker.local:1883", "127.0.0.1:%d" % b.port))
            src = re.sub(r"(?<![\w/.])%s\b" % re.escape(name), str(tmp_path / name), src)
    src = src.replace("broker.local:1883", "127.0.0.1:%d" % b.port)
    if "-h broker.local" in src:
        t = make_broker(tls=certs.listener())
        src = src.replace("-h broker.local", "-h 127.0.0.1 -p %d" % t.port)
    assert "broker.local" not in src, "a broker address the test does not know how to replace:\n" + src
    env = dict(os.environ)
    for k in ("PYTHONPATH", "MICROPYPATH", "MQTT_URL"):
        env.pop(k, None)
    r = subprocess.run(["bash", "-e", "-c", src], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    res = describe(r.returncode, r.stdout, r.stderr) + "\n--- block ---\n" + src
    assert r.returncode == 0 and r.stdout.strip(), res
    assert not re.search(r"Traceback|^mqtt: (error|bad arguments)", r.stderr, re.M), res
    for line in (want or "").splitlines():
        assert _printed(line, r.stdout), "not printed: %s\n%s" % (line, res)
    assert "New client connected" in b.log(), b.log()


# -- the heap table (make heap)
FIGURES = heap.parse(TEXT)
FOUND, NOTES = heap.binaries()


def test_the_readme_has_the_heap_table():
    assert FIGURES and all(r in FIGURES[b] for b in heap.BITS for r in heap.ROUTES), \
        "README.md's heap table (between %r and %r) lacks figures: run make heap" % (heap.BEGIN, heap.END)


@pytest.fixture(scope="module")
def heap_runner():
    b = Broker().start()
    r = None
    try:
        r = heap.Runner(b.port)
        yield r
    finally:
        b.stop()
        if r:
            r.close()


@pytest.mark.parametrize("bits,route", [(b, r) for b in heap.BITS for r in heap.ROUTES])
def test_readme_heap_figure_is_what_the_example_needs(heap_runner, bits, route):
    exe = FOUND[bits].get(route)
    if not exe:
        pytest.skip("; ".join(n for n in NOTES if n.startswith(bits)) or "no binary for it")
    k = FIGURES[bits][route]
    assert heap_runner.ok(exe, route, k), \
        "the Use example no longer runs with the README's %d K (%s-bit, %s): run make heap" % (k, bits, route)
    assert not heap_runner.ok(exe, route, k * 9 // 10), \
        "the Use example runs with 90 %% of the README's %d K (%s-bit, %s): run make heap" % (k, bits, route)
