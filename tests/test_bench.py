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
                        "--rounds", "1", "--only", "ours,ours-ws,raw", "--json", str(js)],
                       capture_output=True, text=True, timeout=150,
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
    for f in ("qos0", "recv", "qos1one", "qos1"):  # over ws:// (the broker's WebSocket listener)
        assert fig["ours-ws"][f]["median"] > 0, f
    w = d["memory"]["ours-ws"]
    assert w["held"] > 0 and w["transport_imported"] > 0 and w["min_heap"] > 0, w
    m = d["memory"]["ours"]
    for k in ("imported", "connect", "total", "min_heap", "mpy_min"):
        assert m[k] > 0, k
    assert m["per_publish"] >= 0 and m["per_message"] > 0 and m["floor"] > 0
    assert "mqtt" in m["modules"] and "mqtt.ws" not in m["modules"]
    out = r.stdout
    for label in ("QoS 0 publish msg/s", "receive msg/s, burst queued at the broker",
                  "minimum heap, .mpy", "target (ours unless named)", "ws://: receive ≥ 0.7 × mqtt://"):
        assert label in out, label
    assert "skipped:" in out and "frozen" in out  # said what it skipped
    assert len(d["targets"]) >= 15
    assert all(t["verdict"] in ("met", "MISSED", "n/a") for t in d["targets"])


def _bench():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    sys.dont_write_bytecode = True
    try:
        import bench
    finally:
        sys.path.pop(0)
    return bench


def test_umqtt_simple_column_is_micropython_libs_from_a_checkout(tmp_path, monkeypatch):
    """The umqtt.simple column runs micropython-lib's umqtt/simple.py from
    MICROPY_DIR's submodule (or UMQTT_SIMPLE's file), named with the version
    in its package's manifest.py; PyPI's 1.3.4 is the fallback and the second
    column."""
    bench = _bench()
    pkg = tmp_path / "mp" / "lib" / "micropython-lib" / "micropython" / "umqtt.simple"
    (pkg / "umqtt").mkdir(parents=True)
    (pkg / "umqtt" / "simple.py").write_text("class MQTTClient:\n    pass\n")
    (pkg / "manifest.py").write_text('metadata(description="Lightweight MQTT client for MicroPython.", '
                                     'version="1.8.0")\n\nrequire("ssl")\n\npackage("umqtt")\n')
    monkeypatch.delenv("UMQTT_SIMPLE", raising=False)
    monkeypatch.setenv("MICROPY_DIR", str(tmp_path / "mp"))
    out, skipped = bench.umqtt_sources(["ours-umqtt", "umqtt.simple"])
    assert out["umqtt.simple"][0] == str(pkg / "umqtt" / "simple.py") and out["umqtt.simple"][2] == "1.8.0"
    assert not skipped and bench.umqtt_title("1.8.0") == "umqtt.simple 1.8.0 (.mpy)"
    assert bench.umqtt_title("1.3.4", "umqtt.simple-pypi") == "umqtt.simple 1.3.4, PyPI (.mpy)"

    other = tmp_path / "other" / "umqtt.simple"  # UMQTT_SIMPLE wins; its manifest gives the version
    (other / "umqtt").mkdir(parents=True)
    (other / "umqtt" / "simple.py").write_text("")
    (other / "manifest.py").write_text('metadata(version = "1.9.1")\n')
    monkeypatch.setenv("UMQTT_SIMPLE", str(other / "umqtt" / "simple.py"))
    out, _ = bench.umqtt_sources(["umqtt.simple"])
    assert out["umqtt.simple"][2] == "1.9.1" and out["umqtt.simple"][1].startswith("UMQTT_SIMPLE=")

    # a checkout without the submodule: PyPI's instead, and the reason is given
    monkeypatch.delenv("UMQTT_SIMPLE")
    monkeypatch.setenv("MICROPY_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(bench, "umqtt_pypi", lambda: ("/pypi/umqtt/simple.py", "PyPI", "1.3.4"))
    out, skipped = bench.umqtt_sources(["umqtt.simple", "umqtt.simple-pypi"])
    assert out == {"umqtt.simple": ("/pypi/umqtt/simple.py", "PyPI", "1.3.4")}, out
    assert any("git submodule update --init lib/micropython-lib" in x and "PyPI's 1.3.4 instead" in x
               for x in skipped), skipped
    assert any(x.startswith("umqtt.simple-pypi: PyPI's 1.3.4 is the umqtt.simple column") for x in skipped)


def test_base_columns_and_the_against_table(capsys):
    """--base REV: ours@REV and ours-umqtt@REV run right after their current
    columns (the figures of ours, ours-umqtt: throughput only); the table
    "against REV" medians the per-round ratio current / REV's, ok from 0.95."""
    bench = _bench()
    assert bench.select(["ours", "ours-umqtt", "raw"], "abc1234") == [
        "ours", "ours@abc1234", "ours-umqtt", "ours-umqtt@abc1234", "raw"]
    assert bench.select(["ours", "ours-umqtt", "ours@abc1234"]) == ["ours", "ours@abc1234", "ours-umqtt"]
    assert bench.CLIENTS["ours@abc1234"].figs == bench.CLIENTS["ours"].figs
    assert bench.CLIENTS["ours-umqtt@abc1234"].figs == ("qos0", "recv", "qos1one")
    assert not bench.CLIENTS["ours@abc1234"].growth and not bench.CLIENTS["ours@abc1234"].minscript
    for only, base in ((["raw"], "abc1234"), (["ours@abc1234"], None), (["ours", "ours@x"], "y")):
        try:
            bench.select(only, base)
        except ValueError:
            continue
        raise AssertionError((only, base))

    names = ["ours", "ours@abc1234", "ours-umqtt", "ours-umqtt@abc1234"]
    samples = {"ours": {"qos0": [100.0, 90.0, 120.0], "recv": [50.0, None, 40.0]},
               "ours@abc1234": {"qos0": [100.0, 100.0, 100.0], "recv": [100.0, 50.0, 50.0]},
               "ours-umqtt": {}, "ours-umqtt@abc1234": {}}
    vs = {(x["column"], x["figure"]): x for x in bench.against(names, samples)}
    assert len(vs) == 9  # every figure of both, n/a where a round has none
    q = vs["ours", "qos0"]
    assert q["ratio"] == {"median": 1.0, "min": 0.9, "max": 1.2, "n": 3} and q["verdict"] == "ok"
    r = vs["ours", "recv"]  # the round where ours failed is left out
    assert r["ratio"]["n"] == 2 and r["ratio"]["median"] == 0.65 and r["verdict"] == "DROP"
    assert vs["ours-umqtt", "qos0"]["verdict"] == "n/a" and vs["ours", "qos2"]["ratio"] is None
    samples["ours"]["qos0"] = [95.0, 94.9, 95.0]  # the edge: 0.95 is ok
    assert bench.against(names, samples)[0]["verdict"] == "ok"
    samples["ours"]["qos0"] = [94.0, 94.9, 99.0]  # and just under it is not
    assert bench.against(names, samples)[0]["verdict"] == "DROP"
    bench.against_table(list(vs.values()))
    out = capsys.readouterr().out
    assert "| against abc1234 (DROP below 0.95)" in out and "ours: receive msg/s" in out and "DROP" in out
