"""mqtt_as's own sample programs (peterhinch/micropython-mqtt 0.8.3), unchanged,
against lib/mqtt_as on the MicroPython unix port and a private mosquitto.

tools/mqtt_as_src.py finds the samples: MQTT_AS_DIR (a checkout or its git
directory), the copy of release 0.8.3 cached in .venv/ by an earlier run, or
the one in tests/vendor/mqtt_as-0.8.3/ (MIT, with its LICENSE; every file's
sha256 checked), so they run on a machine that reaches no GitHub, as CI.
They import `from mqtt_local import config, wifi_led, blue_led`: the test's
own mqtt_local.py (tests/mqtt_as_env/) points them at the test broker, and a
stand-in network.py answers range_ex.py's WLAN lines. A paho client plays the
peer they expect (publishing to foo_topic, watching what they publish);
tests/v3 and tests/v5 are mqtt_as's own self-checking pairs (test.py
challenges target.py), both running over the adapter.

Not run: lptest_min.py (deepsleep, ADC pins), tls.py/tls8266.py (a public
broker, ESP8266), async_message.py (micropython-async's Broker, not in that
repository), mqtt_as_timeout.py (a subclass built on mqtt_as's internals).
"""
import os
import shutil
import sys
import threading
import time

import pytest

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from broker import micropython_path
from conftest import LIB, Proc

TESTS = os.path.dirname(os.path.abspath(__file__))
ENV = os.path.join(TESTS, "mqtt_as_env")
sys.path.insert(0, os.path.join(os.path.dirname(TESTS), "tools"))
import mqtt_as_src  # noqa: E402


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    try:
        d, how = mqtt_as_src.source(str(tmp_path_factory.mktemp("mqtt_as")))
    except mqtt_as_src.Unavailable as e:
        pytest.skip(str(e))
    print("mqtt_as samples from", how)
    return d


def start(samples, tmp_path, broker, rel, name=None, timeout=90):
    """Run sample rel (copied as it is into tmp_path) on the unix port."""
    src = os.path.join(samples, rel)
    dst = os.path.join(str(tmp_path), name or os.path.basename(rel))
    shutil.copyfile(src, dst)
    lib = os.path.abspath(os.environ.get("MQTT_LIB") or LIB)
    path = [ENV, lib, os.path.join(samples, "mqtt_as"), os.path.join(samples, "gateway"), ".frozen"]
    env = dict(os.environ, MQTT_URL=broker.url, MICROPYPATH=":".join(path))
    env.pop("PYTHONPATH", None)
    return Proc([micropython_path(), dst], env, timeout)


class Peer:
    """A paho client on the test's side: subscribes (again after each
    reconnect), keeps what arrives, publishes."""

    def __init__(self, broker, topics, v5=False):
        self.got = []
        self.cond = threading.Condition()
        self.topics = topics
        self.c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="peer-%d" % os.getpid(),
                             protocol=paho.MQTTv5 if v5 else paho.MQTTv311)
        self.c.on_connect = self._connected
        self.c.on_message = self._message
        self.c.reconnect_delay_set(0.2, 1)
        self.c.connect(broker.host, broker.port)
        self.c.loop_start()
        self.wait(lambda: self.subscribed, "the peer's subscription")

    subscribed = False

    def _connected(self, c, u, flags, rc, props=None):
        for t in self.topics:
            c.subscribe(t, 1)
        with self.cond:
            self.subscribed = True
            self.cond.notify_all()

    def _message(self, c, u, m):
        with self.cond:
            self.got.append((m.topic, m.payload.decode(), getattr(m, "properties", None)))
            self.cond.notify_all()

    def wait(self, pred, what, timeout=20):
        with self.cond:
            if not self.cond.wait_for(pred, timeout):
                pytest.fail("timed out waiting for %s; the peer got %r" % (what, self.got))

    def payloads(self, topic):
        return [m[1] for m in self.got if m[0] == topic]

    def wait_payload(self, topic, prefix, timeout=20):
        self.wait(lambda: any(p.startswith(prefix) for p in self.payloads(topic)),
                  "%r on %s" % (prefix, topic), timeout)

    def publish(self, topic, payload, props=None):
        self.c.publish(topic, payload, 1, properties=props).wait_for_publish(5)

    def stop(self):
        self.c.loop_stop()
        self.c.disconnect()


@pytest.fixture
def peer():
    made = []

    def make(broker, topics, v5=False):
        p = Peer(broker, topics, v5)
        made.append(p)
        return p

    yield make
    for p in made:
        p.stop()


def done(p):
    """Kill the sample (SIGKILL, as a board losing power); its output."""
    p.kill()
    out, err = p.output()
    assert "Traceback" not in err, err
    return out


def test_range(samples, tmp_path, broker, peer):
    # the event interface: up/down events, queue, QoS 1 publishes, the will; across a broker restart
    w = peer(broker, ["shed"])
    p = start(samples, tmp_path, broker, "mqtt_as/range.py")
    p.wait_line("We are connected to broker.", 10)
    time.sleep(0.3)  # (its subscription)
    w.publish("foo_topic", "hello range")
    p.wait_line('Topic: "foo_topic" Message: "hello range" Retained: False', 5)
    w.wait_payload("shed", "0 repubs: 0 outages: 0")
    broker.kill()
    p.wait_line("WiFi or broker is down.", 10)
    time.sleep(0.5)
    broker.restart()
    p.wait_line("We are connected to broker.", 15)
    w.wait_payload("shed", "1 repubs: 0 outages: 1", 15)
    time.sleep(0.3)
    w.publish("foo_topic", "after the restart")
    p.wait_line('Topic: "foo_topic" Message: "after the restart" Retained: False', 5)
    done(p)
    w.wait_payload("shed", "Goodbye cruel world!", 10)  # its will, the connection gone without DISCONNECT


def test_range_ex(samples, tmp_path, broker, peer):
    # range.py with RSSI (network.WLAN().scan(): the stand-in), free RAM and the queue's discards
    w = peer(broker, ["shed"])
    p = start(samples, tmp_path, broker, "mqtt_as/range_ex.py")
    p.wait_line("We are connected to broker.", 10)
    time.sleep(0.3)
    w.publish("foo_topic", "hello range_ex")
    p.wait_line('Topic: "foo_topic" Message: "hello range_ex" Retained: False', 5)
    w.wait_payload("shed", "0 repubs: 0 outages: 0 rssi: -50dB free: ")
    assert w.payloads("shed")[0].endswith("bytes discards: 0"), w.got
    done(p)


def test_clean(samples, tmp_path, broker, peer):
    # callbacks: wifi_coro, connect_coro (subscribes), subs_cb; QoS 1 publishes to "result"
    w = peer(broker, ["result"])
    p = start(samples, tmp_path, broker, "mqtt_as/clean.py")
    p.wait_line("Wifi is  up", 10)
    time.sleep(0.3)
    w.publish("foo_topic", "hello clean")
    p.wait_line('Topic: "foo_topic" Message: "hello clean" Retained: False', 5)
    w.wait_payload("result", "0 0")
    done(p)


def test_unclean(samples, tmp_path, broker, peer):
    # clean False (clean_init True: the old session goes first), one subscription, the will
    w = peer(broker, ["result"])
    p = start(samples, tmp_path, broker, "mqtt_as/unclean.py")
    p.wait_line("WiFi is up.", 10)
    time.sleep(0.3)
    w.publish("foo_topic", "hello unclean")
    p.wait_line('Topic: "foo_topic" Message: "hello unclean" Retained: False', 5)
    w.wait_payload("result", "0 repubs: 0 outages: 0")
    done(p)
    w.wait_payload("result", "Goodbye cruel world!", 10)
    log = broker.log()
    # clean_init: a clean connection ended with DISCONNECT, then the persistent one
    assert "c1, k120)" in log and "c0, k120)" in log, log
    assert log.index("c1, k120)") < log.index("c0, k120)"), log


def test_main(samples, tmp_path, broker):
    # main.py: the auto-start wrapper (sleeps 4 s, then imports range)
    p = start(samples, tmp_path, broker, "mqtt_as/main.py")
    p.wait_line("We are connected to broker.", 15)
    done(p)


def _v5_props(**kw):
    pr = Properties(PacketTypes.PUBLISH)
    for k, v in kw.items():
        setattr(pr, k, v)
    return pr


def test_v5_basic(samples, tmp_path, broker, peer):
    # MQTT 5, event interface: publish properties, incoming user properties by identifier
    w = peer(broker, ["shed"], v5=True)
    p = start(samples, tmp_path, broker, "mqtt_as/v5/basic.py")
    p.wait_line("We are connected to broker.", 10)
    time.sleep(0.3)
    w.publish("foo_topic", "hello hello", _v5_props(UserProperty=[("foo", "bar")]))
    p.wait_line('Topic: "foo_topic" Message: "hello hello" Retained: False', 5)
    p.wait_line("User Property : {'foo': 'bar'}", 5)
    w.wait_payload("shed", "0 repubs: 0 outages: 0 free: ")
    m = [m for m in w.got if m[0] == "shed"][0]
    pr = m[2]
    assert pr.UserProperty == [("value", "test")] and pr.CorrelationData == b"correlation_data" \
        and pr.ResponseTopic == "response_topic" and 0 < pr.MessageExpiryInterval <= 60, pr
    done(p)


def test_v5_cbtest(samples, tmp_path, broker, peer):
    # MQTT 5, callbacks: subs_cb(topic, msg, retained, properties)
    w = peer(broker, ["shed"], v5=True)
    p = start(samples, tmp_path, broker, "mqtt_as/v5/cbtest.py")
    p.wait_line("Wifi is  up", 10)
    p.wait_line("We are connected to broker.", 5)
    time.sleep(0.3)
    w.publish("foo_topic", "hello cb", _v5_props(UserProperty=[("foo", "bar")]))
    p.wait_line('Topic: "foo_topic" Message: "hello cb" Retained: False', 5)
    p.wait_line("User Property : {'foo': 'bar'}", 5)
    w.wait_payload("shed", "0 repubs: 0 outages: 0 free: ")
    done(p)


@pytest.mark.parametrize("version", ["v3", "v5"])
def test_selfcheck_pair(samples, tmp_path, broker, version):
    # mqtt_as's tests/<version>: test.py asks target.py to publish, subscribe and
    # unsubscribe (long topics too) and checks what comes back; both over the adapter
    t = start(samples, tmp_path, broker, "mqtt_as/tests/%s/target.py" % version)
    t.wait_line("We are connected to broker.", 10)
    c = start(samples, tmp_path, broker, "mqtt_as/tests/%s/test.py" % version)
    rc, out, err = c.wait()
    done(t)
    assert rc == 0 and "Traceback" not in err, (rc, out, err)
    res = [ln for ln in out.splitlines() if ln.split(" test ")[0] in ("Publish", "Subscribe", "Unsubscribe")]
    print("\n".join(res))
    assert len(res) == 8 and all("PASS" in ln for ln in res), out
