"""tools/bench.py as a smoke test: one quick round of this package and the raw
ceilings against a private mosquitto; every figure must come out (> 0), the
memory figures too, and the targets table must be printed. The figures
themselves are not judged here (the bench reports targets, it does not
assert them).

(The test's name does not contain "micropython": `make test-staged` selects
the MicroPython half of the suite with -k micropython.)
"""
import json
import os
import subprocess
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)


def test_bench_quick(tmp_path):
    js = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench.py"), "--quick",
                        "--rounds", "1", "--only", "ours,raw", "--json", str(js)],
                       capture_output=True, text=True, timeout=90,
                       env=dict(os.environ, FROZEN_MICROPYTHON="/nonexistent",
                                FROZEN32_MICROPYTHON="/nonexistent"))
    assert r.returncode == 0, r.stdout + r.stderr
    d = json.loads(js.read_text())
    assert not d["failures"], d["failures"]
    fig = d["figures"]
    for f in ("qos0", "recv", "qos1one", "qos1", "qos2"):
        assert fig["ours"][f]["median"] > 0, f
    for f in ("qos0", "recv", "recvbuf", "qos1one", "qos1busy", "qos1"):
        assert fig["raw"][f]["median"] > 0, f
    m = d["memory"]["ours"]
    for k in ("imported", "connect", "total", "min_heap", "mpy_min"):
        assert m[k] > 0, k
    assert m["per_publish"] >= 0 and m["per_message"] > 0 and m["floor"] > 0
    assert "mqtt" in m["modules"]
    out = r.stdout
    for label in ("QoS 0 publish msg/s", "receive msg/s, burst queued at the broker",
                  "minimum heap, .mpy", "target (ours unless named)"):
        assert label in out, label
    assert "skipped:" in out and "frozen" in out  # said what it skipped
    assert len(d["targets"]) >= 15
    assert all(t["verdict"] in ("met", "MISSED", "n/a") for t in d["targets"])
