"""A session that survives a reset (mqtt.store): the store's own checks, and
processes killed (SIGKILL) and started again against a real mosquitto with
persistence on, on both runtimes."""
import os
import random
import threading
import time

import paho.mqtt.client as paho

from test_integration import ok


def test_store_unit(runtime, tmp_path):
    ok(runtime.run("store_unit.py", {"STORE_DIR": str(tmp_path)}),
       "torn: 25 cuts and 26 flipped bytes of the last record: the whole ones kept, the rest reported",
       "compaction cut short: the old file kept, or the new one taken once alone",
       "bad stores refused: outgoingStore as a file name, a path that is not a str",
       "clean: True: the store starts empty")


class Sub:
    """A paho subscriber (QoS 2, persistent session) counting what comes."""

    def __init__(self, broker, cid, topic):
        self.got = []
        self.lock = threading.Lock()
        self.c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=cid, clean_session=False)
        self.c.max_inflight_messages_set(100)
        self.c.on_message = self._on
        self.c.connect("127.0.0.1", broker.port)
        self.c.subscribe(topic, 2)
        self.c.loop_start()

    def _on(self, c, u, m):
        with self.lock:
            self.got.append((m.qos, m.payload))

    def wait(self, pred, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if pred(self.got):
                    return True
            time.sleep(0.05)
        return False

    def stop(self):
        self.c.loop_stop()
        self.c.disconnect()


def _lines(path):
    try:
        with open(path) as f:
            return f.read().count("\n")
    except OSError:
        return 0


def test_publisher_killed_at_random_points(runtime, make_broker, tmp_path):
    # 2,000 QoS 1 and 2,000 QoS 2 messages from a process SIGKILLed at 24
    # seeded points (once its own progress passes each), started again with
    # the same client id and store each time: every QoS 1 message at least
    # once, every QoS 2 message exactly once
    b = make_broker(persistence=True, extra=["max_queued_messages 0", "max_inflight_messages 0"])
    sub = Sub(b, "s-kill-sub", "kt/#")
    time.sleep(0.3)
    total = 4000
    env = {"MQTT_URL": b.url, "STORE": str(tmp_path / "pub.store"), "PROGRESS": str(tmp_path / "progress"),
           "TOTAL": str(total)}
    rng = random.Random(20261206)
    points = sorted(rng.sample(range(50, total - 50), 24))
    kills = 0
    starts = []
    for at in points:
        if _lines(env["PROGRESS"]) >= at:
            continue
        p = runtime.start("store_pub.py", env, timeout=60)
        starts.append(p.wait_line("START", 20))
        end = time.monotonic() + 30
        while _lines(env["PROGRESS"]) < at and p.p.poll() is None and time.monotonic() < end:
            time.sleep(0.0005)
        assert p.p.poll() is None, "it ended before kill point %d: %s" % (at, p.output())
        p.kill()
        kills += 1
    res = runtime.run("store_pub.py", env, timeout=60)
    ok(res, "DONE")
    want = total
    sub.wait(lambda got: len(set(m for q, m in got)) >= want, 20)
    sub.stop()
    got = sub.got
    q1 = {}
    q2 = {}
    for q, m in got:
        i = int(m)
        d = q1 if i % 2 == 0 else q2
        d[i] = d.get(i, 0) + 1
    missing = [i for i in range(total) if i not in (q1 if i % 2 == 0 else q2)]
    twice = [i for i in q2 if q2[i] > 1]
    restored = sum(int(s.split("restored ")[1]) for s in starts[1:])
    print("kills %d, restarts %d, requests restored %d; QoS 1: %d distinct (%d duplicates); QoS 2: %d distinct, "
          "%d twice" % (kills, len(starts), restored, len(q1), sum(q1.values()) - len(q1), len(q2), len(twice)))
    assert kills >= 20
    assert not missing, "lost: %r" % missing[:20]
    assert not twice, "QoS 2 delivered twice: %r" % twice[:20]
    assert restored, "no kill left a request in the store"


def test_subscriber_killed_after_its_pubrec_delivers_once(runtime, make_broker, tmp_path):
    from faultproxy import FaultProxy

    b = make_broker(persistence=True)
    px = FaultProxy(b.port)
    env = {"MQTT_URL": px.url, "FAULT_PORT": str(px.control_port), "STORE": str(tmp_path / "sub.store")}
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="s-kill-pub2")
    pub.connect("127.0.0.1", b.port)
    pub.loop_start()
    try:
        p = runtime.start("store_sub.py", dict(env, PHASE="1"))
        p.wait_line("READY", 10)
        pub.publish("kq/a", b"before", 2)
        p.wait_line("GOT before", 5)
        pub.publish("kq/a", b"freeze", 2)
        p.wait_line("KILL-ME", 5)
        p.kill()
        px.command("cut")  # (the PUBREC it holds goes nowhere)
        px.command("pass")
        p = runtime.start("store_sub.py", dict(env, PHASE="2"), timeout=20)
        p.wait_line("READY", 10)
        time.sleep(0.3)  # (what the broker sends again comes first)
        pub.publish("kq/a", b"after", 2)
        res = p.wait()
    finally:
        time.sleep(0.5)
        pub.loop_stop()
        px.stop()
    ok(res, "phase 2 got [b'after']")
    assert "Sending PUBLISH to s-kill-sub2 (d1, q2" in b.log(), "the broker did not send it again: nothing tested"


def test_long_run_stays_bounded(runtime, broker, tmp_path):
    # 100,000 QoS 1 messages through a FileStore (fsync=False: the disk's
    # speed is not what this checks): the file stays within its compaction
    # bound, the heap does not grow, and each message costs at most 3 x its
    # PUBLISH in bytes written, compactions included
    res = runtime.run("store_long.py", {"MQTT_URL": broker.url, "STORE": str(tmp_path / "long.store"),
                                        "N": "100000", "FSYNC": "0"}, timeout=120)
    ok(res)
    print(res[1])


def test_haas_and_umqtt_faces_take_a_store(runtime, make_broker, tmp_path):
    from faultproxy import FaultProxy

    b = make_broker(persistence=True)
    px = FaultProxy(b.port)
    env = {"MQTT_URL": b.url, "PROXY_PORT": str(px.port), "FAULT_PORT": str(px.control_port), "DIR": str(tmp_path)}
    try:
        ok(runtime.run("store_faces.py", dict(env, PHASE="1")), "reset with 1 + 1 in flight")
        px.command("cut")
        w = runtime.start("store_faces.py", dict(env, PHASE="2"))
        ok(w.wait(), "restored: haas [b'from haas'], umqtt [b'from umqtt']",
           "watcher got [('sf/h', b'from haas'), ('sf/u', b'from umqtt')]")
    finally:
        px.stop()


def test_readme_deep_sleep_pattern(runtime, make_broker, tmp_path):
    # The README's wake.py, three wakes (each a process: on the unix port
    # the sleep is the process ending). Wake 2's link is slow (a proxy that
    # delays all by 5 s): its reading stays in the store as the process is
    # killed in its wait; wake 3 sends it first, then its own.
    import re
    from conftest import ROOT
    from faultproxy import FaultProxy

    block = [b for b in re.findall(r"^```python\n(.*?)^```", open(os.path.join(ROOT, "README.md")).read(),
                                   re.S | re.M) if "deepsleep" in b]
    assert len(block) == 1
    b = make_broker(persistence=True)
    px = FaultProxy(b.port)

    def wake(port):
        src = block[0].replace("broker.local:1883", "127.0.0.1:%d" % port)
        src = src.replace('"session.store"', repr(str(tmp_path / "session.store")))
        return src.replace('b"21.5"', 'b"%d"' % port)  # (each wake's reading: where it went)

    try:
        ok(runtime.run(wake(b.port) + "print('OK')\n"), "sent")
        px.command("delay 5000")  # (a link slower than this wake is long)
        p = runtime.start(wake(px.port), {})
        time.sleep(1.0)
        assert p.p.poll() is None, p.output()
        p.kill()  # (published, waiting for the connection: a reset)
        px.command("cut")
        out = runtime.run(wake(b.port) + "print('OK')\n")
    finally:
        px.stop()
    got = ok(out, "from before the reset: b'%d' delivered" % px.port, "sent")
    assert len([x for x in got if x.startswith("from before the reset")]) == 1, out  # (wake 1's was through)
