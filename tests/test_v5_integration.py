"""MQTT 5 scenarios (tests/scenarios/v5_*.py) against mosquitto 2.0, under
both CPython and the MicroPython unix port (the `runtime` fixture)."""
import re

import pytest

from conftest import across_restart, describe
from fakebroker import FakeBroker
from test_integration import ok


def test_v5_properties_roundtrip(runtime, broker):
    got = ok(runtime.run("v5_props.py", {"MQTT_URL": broker.url}), "properties round-trip at qos 0, 1, 2")
    assert sum(1 for line in got if line.startswith("v5/p/")) == 3
    log = broker.log()
    assert "as s-v5-props (p5, c1, k60)." in log, log


def test_v5_message_expiry(runtime, broker):
    res = runtime.run("v5_expiry.py", {"MQTT_URL": broker.url})
    ok(res, "after 4.2 s: retained ['v5/exp/ret/long'], queued ['v5/exp/q/long']")


def test_v5_assigned_client_id(runtime, broker):
    got = ok(runtime.run("v5_assigned_id.py", {"MQTT_URL": broker.url}))
    cid = [line for line in got if line.startswith("assigned ")][0][9:]
    assert "as %s (p5, c1, k60)." % cid in broker.log()


def test_v5_server_keepalive(runtime, make_broker):
    b = make_broker(extra=["max_keepalive 10"])  # (mosquitto's least)
    ok(runtime.run("v5_keepalive.py", {"MQTT_URL": b.url, "KEEPALIVE": "60", "SERVER": "10"}),
       "serverKeepAlive 10")


@pytest.mark.parametrize("qos", [1, 2])
def test_v5_receive_maximum(runtime, make_broker, qos):
    b = make_broker(extra=["max_inflight_messages 2"])
    res = runtime.run("v5_receive_max.py", {"MQTT_URL": b.url, "QOS": str(qos), "RECEIVE_MAX": "2"})
    got = ok(res)
    assert any(re.match(r"most in flight [12]$", line) for line in got), describe(*res)
    log = b.log()
    # mosquitto refuses a QoS 2 PUBLISH over its quota with PUBREC 0x97 (151)
    assert not re.search(r"Sending PUBREC to s-v5-rm \(m\d+, rc151\)", log), log
    assert len(re.findall(r"Received PUBLISH from s-v5-rm \(d0, q%d" % qos, log)) == 30, log


def test_v5_topic_alias(runtime, broker):
    got = ok(runtime.run("v5_alias.py", {"MQTT_URL": broker.url}), "server topicAliasMaximum 10")
    assert any(line.startswith("alias 11: ") for line in got)
    # 17 publishes to 12 topics with mosquitto's 10 aliases: 13 go with their topic in full
    assert "auto aliases: 17 publishes, 13 topics sent in full" in got, got


def test_v5_no_local(runtime, broker):
    ok(runtime.run("v5_nolocal.py", {"MQTT_URL": broker.url}), "A got ['v5/nl/echo']")


def test_v5_server_disconnect(runtime, make_broker):
    b = make_broker(extra=["retain_available false"])
    got = ok(runtime.run("v5_disconnect.py", {"MQTT_URL": b.url}), "A disconnect cmd=disconnect reasonCode=0x9a")
    assert "mqtt: disconnected by the server: retain not supported (0x9a)" in got, got
    assert any(line.startswith("takeover: ") for line in got)
    assert "Client s-v5-same already connected, closing old connection." in b.log()


def test_v5_fake_broker_alias_and_disconnect(runtime):
    """What mosquitto 2.0.11 never sends: incoming topic aliases, DISCONNECT 0x8E."""
    connack = b"\x20\x03\x00\x00\x00"
    pub1 = b"\x30\x0e\x00\x05a/b/c\x03\x23\x00\x02one"
    pub2 = b"\x30\x09\x00\x00\x03\x23\x00\x02two"
    dis = b"\xe0\x0a\x8e\x08\x1f\x00\x05later"
    fb = FakeBroker([connack, pub1, pub2, dis], close=True, hold=10)
    res = runtime.run("v5_fake.py", {"MQTT_URL": fb.url}, timeout=20)
    assert fb.join() and fb.error is None, (fb.error, describe(*res))
    ok(res, "message a/b/c b'one'", "message a/b/c b'two'",
       "disconnect reasonCode=0x8e properties={'reasonString': 'later'}")
    assert fb.connect_packet[2:9] == b"\x00\x04MQTT\x05", fb.connect_packet


def test_v5_connack_refused(runtime, make_broker):
    b = make_broker(users={"alice": "s3cret"})
    got = ok(runtime.run("v5_refused.py", {"MQTT_URL": b.url, "USER": "alice", "PASS": "s3cret"}))
    assert any(line.startswith("refused: code=0x8") and "connection refused: " in line for line in got)


def test_v5_will_properties_and_end_reason(runtime, broker):
    ok(runtime.run("v5_will.py", {"MQTT_URL": broker.url}))
    log = broker.log()
    assert "Received DISCONNECT from s-v5-will-a" in log and "Received DISCONNECT from s-v5-will-a2" in log, log


def test_v5_resubscribe_after_broker_restart(runtime, broker):
    res = across_restart(runtime, broker, "v5_restart.py", {"MQTT_URL": broker.url})
    ok(res, "after: [('v5/rs/a', b'after', 5), ('v5/rs/b', b'after', 6), ('v5/rs/b', b'after', 6)]")


def test_v5_enhanced_auth(runtime):
    """mosquitto 2.0.11 does enhanced auth only through plugins: a scripted broker."""
    def auth(data):
        p = b"\x15\x00\x06X-TEST\x16" + len(data).to_bytes(2, "big") + data
        return b"\xf0" + bytes((2 + len(p),)) + b"\x18" + bytes((len(p),)) + p

    fb = FakeBroker([auth(b"challenge"), b"\x20\x03\x00\x00\x00"], close=False, hold=10)
    res = runtime.run("v5_auth.py", {"MQTT_URL": fb.url}, timeout=20)
    assert fb.join() and fb.error is None, (fb.error, describe(*res))
    ok(res, "auth got reasonCode=0x18 data=b'challenge'")
    # (MicroPython's dicts have no order: the properties may come either way)
    assert b"\x15\x00\x06X-TEST" in fb.connect_packet and b"\x16\x00\x05hello" in fb.connect_packet
    answer = auth(b"challenge+answer")
    a = fb.after[: len(answer)]
    assert a[:4] == answer[:4] and b"\x15\x00\x06X-TEST" in a and b"\x16\x00\x10challenge+answer" in a, fb.after
    assert fb.after.endswith(b"\xe0\x00"), fb.after
