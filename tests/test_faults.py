"""Behaviour under faults (issue: dead links, poison messages, refusals,
failover), under both runtimes: through tests/faultproxy.py, against
tests/fakebroker.py, and against real mosquitto."""
import os

import pytest

from test_integration import ok


def test_half_open_link_noticed_within_one_and_a_half_keepalives(runtime, proxy):
    got = ok(runtime.run("half_open.py", proxy.env()))
    assert "noticed after <=3400 ms: keepalive timeout" in " ".join(got), got
    assert "after the reconnect: ack [None], received [b'kept']" in got


def test_slow_link_is_not_a_dead_one(runtime, proxy):
    ok(runtime.run("slow_link.py", proxy.env(), timeout=30))


def test_oversize_messages_from_a_real_broker_do_not_loop(runtime, broker):
    got = ok(runtime.run("oversize_real.py", {"MQTT_URL": broker.url}, timeout=40))
    assert "retained: errors 1, connects 1, small [b'small']" in got, got
    assert "error: message on 'big/r' of 200009 bytes over maximumPacketSize 4096: dropped (code 149)" in got, got
    assert "queued: errors 2, after [b'after']" in got, got


# -- the same event scenarios under mqtt.js (when node is here) and ours

class _Server:
    """A TCP 'broker' for event-order cases: answers every CONNECT with a
    CONNACK of `rc`, then (close_ms) closes the connection; any number of
    connections. port=None: a port nobody listens on."""

    def __init__(self, rc=0, close_ms=None, listen=True):
        import socket
        import threading

        self.rc, self.close_ms = rc, close_ms
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.port = self.srv.getsockname()[1]
        self.url = "mqtt://127.0.0.1:%d" % self.port
        if listen:
            self.srv.listen(16)
            threading.Thread(target=self._serve, daemon=True).start()
        else:
            self.srv.close()

    def _serve(self):
        import threading

        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(c,), daemon=True).start()

    def _one(self, c):
        import time

        try:
            c.settimeout(5)
            if c.recv(1024):
                c.sendall(bytes((0x20, 2, 0, self.rc)))
                if self.close_ms is not None:
                    time.sleep(self.close_ms / 1000)
                    c.close()
                    return
                time.sleep(5)
        except OSError:
            pass
        c.close()

    def stop(self):
        self.srv.close()


CASES = {  # name: (server, reconnectPeriod, ms, reconnectOnConnackError)
    "refused port, reconnectPeriod 300": (dict(listen=False), 300, 800, 0),
    "refused port, reconnectPeriod 0": (dict(listen=False), 0, 500, 0),
    "CONNACK 5": (dict(rc=5), 300, 1000, 0),
    "CONNACK 5, reconnectOnConnackError": (dict(rc=5), 300, 1000, 1),
    "broker closes, reconnectPeriod 300": (dict(close_ms=100), 300, 700, 0),
    "broker closes, reconnectPeriod 0": (dict(close_ms=100), 0, 600, 0),
}


def _mqttjs():
    """mqtt.js 5.16 from npm in tests/.node (made once), or None without node."""
    import os
    import shutil
    import subprocess

    if not shutil.which("node") or not shutil.which("npm"):
        return None
    d = os.path.join(os.path.dirname(__file__), ".node")
    if not os.path.isdir(os.path.join(d, "node_modules", "mqtt")):
        os.makedirs(d, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", d, "--no-audit", "--no-fund", "mqtt@5.16.0"],
                       check=True, capture_output=True, timeout=300)
    return d


def _events(out):
    return [line[7:].split() for line in out.splitlines() if line.startswith("EVENTS ")][0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_event_order_as_mqttjs(runtime, case):
    """Ours against mqtt.js on the same fault, event by event: the first
    events must be the same (counts in a fixed time differ: ours backs off)."""
    import subprocess

    server, rp, ms, retry = CASES[case]
    s = _Server(**server)
    try:
        res = runtime.run("events_cmp.py", {"MQTT_URL": s.url, "RP": str(rp), "MS": str(ms), "RETRY": str(retry)})
        ours = _events(ok(res) and res[1])
        d = _mqttjs()
        if d is None:
            pytest.skip("node is not here: no mqtt.js to compare with (ours: %s)" % " ".join(ours))
        js = subprocess.run(["node", os.path.join(os.path.dirname(__file__), "mqttjs_events.js"), s.url, str(rp),
                             str(ms), str(retry)], capture_output=True, text=True, timeout=30,
                            env=dict(os.environ, NODE_PATH=os.path.join(d, "node_modules")))
        theirs = _events(js.stdout)
    finally:
        s.stop()
    n = min(len(ours), len(theirs), 6)
    assert n >= 2 and ours[:n] == theirs[:n], "ours:    %s\nmqtt.js: %s" % (" ".join(ours), " ".join(theirs))


def test_failover_between_bridged_brokers(runtime, make_broker):
    a = make_broker()
    b = make_broker(extra=["connection to-a", "address 127.0.0.1:%d" % a.port, "topic fo/# both 1",
                           "cleansession true", "restart_timeout 1"])
    frozen = os.path.join(a.dir, "frozen")
    p = runtime.start("failover.py", {"URL_A": a.url, "URL_B": b.url, "FROZEN": frozen}, timeout=40)
    p.wait_line("READY-TO-FREEZE", 20)
    a.freeze()
    open(frozen, "w").close()
    p.wait_line("READY-FOR-KILL", 20)
    a.kill()
    rc, out, err = p.wait()
    ok((rc, out, err), "C: connects 2, acks 30, errors 0", "W got 30 distinct of 30; C got [b'to C on B']")


def test_end_order_and_errno_names(runtime):
    from fakebroker import CONNACK, FakeBroker

    fb = FakeBroker([CONNACK], hold=5)
    ok(runtime.run("end_order.py", {"MQTT_URL": fb.url}), "errno names: EPIPE ECONNRESET ECONNREFUSED ETIMEDOUT",
       "order: end cb 2, publish cb: client ended, close, end, end cb 1")
    fb.join()


def test_reconnect_backs_off_with_jitter(runtime):
    s = _Server(listen=False)
    ok(runtime.run("backoff.py", {"DEAD_URL": s.url}, timeout=20))


def test_server_reference_moves_the_client(runtime, broker):
    # MQTT 5: a CONNACK 0x9C (use another server) with serverReference, and
    # then a DISCONNECT 0x9D (server moved) from the same fake broker
    from fakebroker import FakeBroker

    ref = ("127.0.0.1:%d" % broker.port).encode()
    props = b"\x1c" + bytes((0, len(ref))) + ref
    connack = bytes((0x20, 3 + len(props), 0, 0x9C, len(props))) + props
    fb = FakeBroker([connack], hold=5)
    res = runtime.run("v5_moved.py", {"MQTT_URL": fb.url}, timeout=20)
    assert fb.join() and fb.error is None, fb.error
    ok(res, "error: connection refused: use another server (0x9c) (code 156)", "connected to the referred server")


def test_forced_end_after_a_graceful_one(runtime):
    from fakebroker import CONNACK, FakeBroker

    fb = FakeBroker([CONNACK], hold=5)
    ok(runtime.run("end_forced.py", {"MQTT_URL": fb.url}),
       "forced end after <500 ms: ['end 2', 'client ended', 'end 1']")
    fb.join()
