"""Every Python block in README.md runs as shown, on both runtimes, against
a private mosquitto: the only changes are the broker's address
(`broker.local` and port 1883, or 8883 for mqtts://, or 8080 or 443 for
ws:// and wss://, become the test broker's) and where `ca.pem` is. Each block must finish by itself, exit 0,
print something, and have talked to the broker. A block that opens with
`# NAME.py:` is that file, for the other blocks to use: written, not run.
A block that uses mqtt.link runs with tests/standins on its path: stand-in
network and netmgr modules (no board here)."""
import os
import re

import pytest

from broker import Certs
from conftest import ROOT, STANDINS, describe

ALL = re.findall(r"^```python\n(.*?)^```", open(os.path.join(ROOT, "README.md")).read(), re.S | re.M)
FILES = dict((re.match(r"# (\w+\.py):", b).group(1), b) for b in ALL if re.match(r"# \w+\.py:", b))
BLOCKS = [b for b in ALL if not re.match(r"# \w+\.py:", b)]


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 5, "README.md's Python blocks were not found"


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
    b = make_broker(tls=certs.listener() if tls else None, websockets=ws)
    src = src.replace("mqtts://broker.local", "mqtts://127.0.0.1:%d" % b.port)
    src = src.replace("wss://broker.local", "wss://127.0.0.1:%d" % (b.ws_port or 0))
    src = src.replace("ws://broker.local:8080", "ws://127.0.0.1:%d" % (b.ws_port or 0))
    src = src.replace("broker.local:1883", "127.0.0.1:%d" % b.port)
    src = src.replace('"broker.local", "port": 1883', '"127.0.0.1", "port": %d' % b.port)
    src = src.replace('"broker.local", 1883', '"127.0.0.1", %d' % b.port)
    src = src.replace('open("ca.pem")', 'open(%r)' % certs.ca)
    assert "broker.local" not in src, "a broker address the test does not know how to replace:\n" + src
    # the network link's examples import network or netmgr: the stand-ins of tests/standins (no board here)
    rc, out, err = runtime.run(src + "\n", timeout=20, path=[STANDINS] if "mqtt.link" in src else [])
    assert rc == 0 and "Traceback" not in err + out, describe(rc, out, err) + "\n--- block ---\n" + src
    assert out.strip(), "the block printed nothing\n" + src
    assert "New client connected" in b.log(), b.log()
