"""tests/test_core.py's vectors on MicroPython too: the unix port runs the
same test functions through tests/mpytest.py (the pytest they need), against
lib/ or (make test-staged) the staged .mpy set; CPython runs them the same
way, and both must count the same tests passed, none failed."""
from conftest import TESTS, Runtime
from test_integration import ok


def test_core_vectors_under_micropython():
    lines = []
    for rt in ("cpython", "micropython"):
        got = ok(Runtime(rt).run("core_vectors.py", {"TESTS": TESTS}, timeout=60))
        lines.append([x for x in got if x.startswith("test_core: ")])
    assert lines[0] == lines[1] and len(lines[0]) == 1 and " 0 failed" in lines[0][0], lines
    assert int(lines[0][0].split()[1]) >= 70, lines  # (every parameter set: 71 when this was written)
