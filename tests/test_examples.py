"""The first five minutes: every example's header says how to run it, the one
documented way (`make run SCRIPT=examples/X.py`, or for a user script
`make cli ARGS="... --script examples/X.py"`), and that very command works,
on the MicroPython unix port (as written) and on CPython (CPYTHON=1)."""
import os
import re
import subprocess

import pytest

from conftest import ROOT, describe

EXAMPLES = sorted(f for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".py"))
# what a run of each needs to end by itself, and a line that shows it worked
ENV = {"seed002.py": {"RUN_MS": "3000"}}
SHOWS = {"hello.py": "<- hello/world: hello #5", "seed002.py": "err =  None",
         "hooks.py": "demo/status offline"}


def header_command(name):
    """The `make ...` line of the example's opening comment that runs it."""
    with open(os.path.join(ROOT, "examples", name)) as f:
        head = []
        for line in f:
            if not line.startswith("#"):
                break
            head.append(line[1:].strip())
    for line in head:
        m = re.match(r"(make run SCRIPT=examples/%s|make cli ARGS=\"[^\"]*--script examples/%s\")(\s|$)"
                     % (re.escape(name), re.escape(name)), line)
        if m:
            return m.group(1), head
    pytest.fail("examples/%s: no `make run SCRIPT=examples/%s` (or make cli ... --script) in its header:\n%s"
                % (name, name, "\n".join(head)))


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_header_says_the_documented_way(name):
    cmd, head = header_command(name)
    for line in head:  # the hint that dropped .frozen (and with it ssl) from the unix port's path
        assert "MICROPYPATH=lib " not in line and "micropython examples/" not in line, line


def make(cmd, env=None, timeout=60):
    e = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MQTT_URL", "MQTT_TLS", "PYTHONPATH", "MICROPYPATH"):
        e.pop(k, None)
    e.update(env or {})
    r = subprocess.run(cmd + " -s", shell=True, cwd=ROOT, env=e, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_as_its_header_says(runtime, name):
    cmd, _ = header_command(name)
    env = dict(ENV.get(name, {}))
    if runtime.name == "cpython":
        env["CPYTHON"] = "1"
    res = make(cmd, env)
    assert res[0] == 0 and SHOWS[name] in res[1].splitlines(), describe(*res)
    assert "Traceback" not in res[2] and "ImportError" not in res[1] + res[2], describe(*res)


def test_tls_example_on_the_unix_port():
    """What a new user hit: the TLS example needs the port's own ssl (in .frozen)."""
    res = make("make run SCRIPT=examples/hello.py", {"MQTT_TLS": "1"})
    assert res[0] == 0 and "<- hello/world: hello #5" in res[1].splitlines(), describe(*res)
    assert "$ MQTT_URL=mqtts://" in res[1], describe(*res)


def test_run_against_your_broker(broker):
    """MQTT_URL set: make run starts no broker and the script gets that one."""
    res = make("make run SCRIPT=examples/hello.py", {"MQTT_URL": broker.url})
    assert res[0] == 0 and "<- hello/world: hello #5" in res[1].splitlines(), describe(*res)
    assert "mosquitto listening" not in res[1] and "$ MQTT_URL=%s " % broker.url in res[1], describe(*res)
    assert "Received SUBSCRIBE from " in broker.log()


def test_ctrl_c_at_make_cli_ends_the_client_cleanly(broker, proxy):
    """Ctrl-C in a terminal reaches the whole foreground group: the runner
    (tests/broker.py) gives the client time to end cleanly before it stops
    it. The link is slow (a proxy delays each way by 400 ms), so the
    script's last publish takes most of a second to be acknowledged."""
    import signal
    import time

    e = dict(os.environ, MQTT_URL=proxy.url)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        e.pop(k, None)
    p = subprocess.Popen("exec make -s cli ARGS=\"sub -t cli/x -i c-make --script tests/scripts/sig.py\"", shell=True,
                         cwd=ROOT, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        end = time.monotonic() + 20
        while "Received SUBSCRIBE from c-make" not in broker.log():
            assert time.monotonic() < end and p.poll() is None, p.communicate(timeout=5)
            time.sleep(0.05)
        proxy.command("delay 400")
        os.killpg(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    # the client lived through its grace: its last message was acknowledged (the
    # DISCONNECT after it the proxy drops with the connection, delayed as it is)
    assert "script onPublish sig/bye b'bye'" in out, (out, err)
    assert "Received PUBLISH from c-make (d0, q1, r0, m2, 'sig/bye'" in broker.log()
