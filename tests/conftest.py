"""Fixtures: a private mosquitto per test, and the two runtimes.

`runtime` is parametrized over CPython and the MicroPython unix port, so a
test using it runs twice. runtime.run(script) runs a scenario script as a
subprocess with lib/ on the path and a hard timeout; runtime.start(script)
returns a Proc to talk to while it runs (read its output line by line).

MicroPython gets MICROPYPATH=$MQTT_LIB:tests/scenarios:.frozen, MQTT_LIB
defaulting to lib/ (point it at a folder of compiled .mpy files to test
those). CPython always uses lib/ (PYTHONPATH=lib:tests/scenarios).
"""
import os
import queue
import subprocess
import sys
import threading
import time

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
LIB = os.path.join(ROOT, "lib")
SCENARIOS = os.path.join(TESTS, "scenarios")
STANDINS = os.path.join(TESTS, "standins")  # stand-in network and netmgr modules: runtime.run(..., path=[STANDINS])
sys.path.insert(0, TESTS)

from broker import Broker, micropython_path  # noqa: E402

DEFAULT_TIMEOUT = 30.0


def _fmt(cmd, rc, out, err):
    return "command: %s\nreturncode: %s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
        " ".join(cmd), rc, out, err)


class Proc:
    """A running scenario. Output is collected by reader threads, so lines can
    be awaited with a timeout and nothing blocks on a full pipe."""

    def __init__(self, cmd, env, timeout):
        self.cmd = cmd
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.p = subprocess.Popen(cmd, env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out = []
        self.err = []
        self.lines = queue.Queue()
        self.t_out = threading.Thread(target=self._pump, args=(self.p.stdout, self.out, True), daemon=True)
        self.t_err = threading.Thread(target=self._pump, args=(self.p.stderr, self.err, False), daemon=True)
        self.t_out.start()
        self.t_err.start()

    def _pump(self, f, acc, lines):
        for b in iter(f.readline, b""):
            s = b.decode("utf-8", "replace")
            acc.append(s)
            if lines:
                self.lines.put(s.rstrip("\r\n"))
        f.close()
        if lines:
            self.lines.put(None)

    def output(self):
        return "".join(self.out), "".join(self.err)

    def _fail(self, why):
        self.kill()
        out, err = self.output()
        pytest.fail("%s\n%s" % (why, _fmt(self.cmd, self.p.returncode, out, err)), pytrace=False)

    def wait_line(self, text, timeout=None):
        """Wait for a stdout line containing text; fail the test on timeout or exit."""
        end = time.monotonic() + (timeout if timeout is not None else self.timeout)
        end = min(end, self.deadline)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                self._fail("timed out waiting for a line containing %r" % text)
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                self.p.wait(5)
                self._fail("process ended before printing a line containing %r" % text)
            if text in line:
                return line

    def wait(self, timeout=None):
        """Wait for the exit (fail on timeout); returns (returncode, stdout, stderr)."""
        left = self.deadline - time.monotonic() if timeout is None else timeout
        try:
            self.p.wait(max(left, 0.01))
        except subprocess.TimeoutExpired:
            self._fail("timed out after %.1f s" % self.timeout)
        self.t_out.join(5)
        self.t_err.join(5)
        out, err = self.output()
        return self.p.returncode, out, err

    def kill(self):
        """SIGKILL (no chance to say goodbye) and reap."""
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(10)
        self.t_out.join(5)
        self.t_err.join(5)


class Runtime:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name

    def command(self, script, env=None, path=()):
        """(argv, env) to run script: a path (relative ones are looked up in
        tests/scenarios) or, if it has a newline or no .py ending, source.
        path: more folders for its imports, after lib/ and tests/scenarios."""
        more = list(path)
        e = dict(os.environ)
        for k in ("PYTHONPATH", "PYTHONHOME", "MICROPYPATH"):
            e.pop(k, None)
        e.update(env or {})
        scenarios_path = SCENARIOS
        if "\n" in script or not script.endswith(".py"):
            args = ["-c", script]
        else:
            path = script if os.path.isabs(script) else os.path.join(SCENARIOS, script)
            if not os.path.exists(path):
                path = os.path.join(ROOT, script)
            args = [path]
        if self.name == "cpython":
            e["PYTHONPATH"] = os.pathsep.join([LIB, scenarios_path] + more)
            e["PYTHONUNBUFFERED"] = "1"
            return [sys.executable] + args, e
        mp = micropython_path()
        if not mp:
            pytest.fail("micropython not found next to %s nor on PATH (run `make venv`)" % sys.executable)
        lib = os.path.abspath(e.get("MQTT_LIB") or LIB)
        e["MICROPYPATH"] = ":".join([lib, scenarios_path] + more + [".frozen"])
        return [mp] + args, e

    def start(self, script, env=None, timeout=DEFAULT_TIMEOUT, path=()):
        cmd, e = self.command(script, env, path)
        return Proc(cmd, e, timeout)

    def run(self, script, env=None, timeout=DEFAULT_TIMEOUT, path=()):
        """Run to completion; returns (returncode, stdout, stderr). A run that
        outlives timeout is killed and fails the test with its output."""
        return self.start(script, env, timeout, path).wait()


def describe(rc, out, err):
    """Text for assertion messages."""
    return "returncode %s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (rc, out, err)


@pytest.fixture(params=["cpython", "micropython"])
def runtime(request):
    return Runtime(request.param)


@pytest.fixture
def make_broker():
    """Factory: make_broker(**Broker kwargs) -> a started Broker, stopped after the test."""
    made = []

    def make(**kw):
        b = Broker(**kw)
        made.append(b)
        return b.start()

    yield make
    for b in made:
        log = b.log()
        b.stop()
        # shown by pytest only when the test fails
        print("=== mosquitto log (%s) ===\n%s" % (b.url, log[-6000:]))


@pytest.fixture
def broker(make_broker):
    """A fresh mosquitto for this test on a free 127.0.0.1 port."""
    return make_broker()


@pytest.fixture
def proxy(broker):
    """tests/faultproxy.py in front of the test's broker; proxy.env() gives
    MQTT_URL (through the proxy) and FAULT_PORT (its control port)."""
    from faultproxy import FaultProxy

    p = FaultProxy(broker.port)
    yield p
    p.stop()


def pytest_report_header(config):
    from broker import _find

    return "micropython: %s; mosquitto: %s" % (micropython_path(), _find("mosquitto"))


def across_restart(runtime, broker, script, env, timeout=40):
    """Run a scenario that prints READY-FOR-RESTART; then SIGKILL the broker,
    start it again on the same port ~1 s later, and return the result."""
    p = runtime.start(script, env, timeout=timeout)
    p.wait_line("READY-FOR-RESTART", 15)
    broker.kill()
    time.sleep(1.0)
    broker.restart()
    return p.wait()
