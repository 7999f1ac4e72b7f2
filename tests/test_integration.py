"""Scenario scripts (tests/scenarios/) against a real mosquitto, under both
CPython and the MicroPython unix port (the `runtime` fixture)."""
import re

import pytest

from broker import free_port
from conftest import across_restart, describe


def ok(res, *lines):
    """Exit code 0, a final OK, and each expected line present (exactly)."""
    rc, out, err = res
    got = out.splitlines()
    assert rc == 0, describe(*res)
    assert "OK" in got, describe(*res)
    for line in lines:
        assert line in got, "missing line %r\n%s" % (line, describe(*res))
    assert "Traceback" not in err, describe(*res)
    return got


@pytest.mark.parametrize("proto", [4, 3])
def test_connect_end(runtime, broker, proto):
    cid = "s-connect-%s-%d" % (runtime, proto)
    res = runtime.run("connect_end.py", {"MQTT_URL": broker.url, "CLIENT_ID": cid, "PROTO": str(proto)})
    got = ok(res, "A connect returnCode=0 sessionPresent=False", "A end",
             "end callback ran 1 time(s)", "run returned True: nothing left open", "connected=False")
    assert got.count("A connect returnCode=0 sessionPresent=False") == 1, describe(*res)
    assert got.count("A end") == 1, describe(*res)
    log = broker.log()
    # mosquitto logs MQTT 3.1 as p1, 3.1.1 as p2
    assert " as %s (p%d, c1, k10)." % (cid, {3: 1, 4: 2}[proto]) in log, log
    assert "Received DISCONNECT from %s" % cid in log, log


@pytest.mark.parametrize("qos,window", [(0, 0), (1, 0), (2, 0), (2, 10)])
def test_qos_roundtrip(runtime, broker, qos, window):
    """50 messages published in one burst (window 0), or with at most
    `window` of them unacknowledged at a time."""
    res = runtime.run("qos_roundtrip.py", {"MQTT_URL": broker.url, "QOS": str(qos), "COUNT": "50",
                                           "WINDOW": str(window)})
    log = broker.log()
    # mosquitto answers a QoS 2 PUBLISH over its in-flight quota (max_inflight_messages,
    # default 20) with a PUBREC carrying reason 0x97 (151) and DROPS the message;
    # for MQTT 3.1.1 the client cannot see the reason code.
    refused = re.findall(r"Sending PUBREC to s-qos2 \(m\d+, rc151\)", log)
    assert not refused, ("mosquitto dropped %d QoS 2 messages: more than max_inflight_messages (20) "
                         "were unacknowledged at once\n%s" % (len(refused), describe(*res)))
    ok(res, "granted [{'topic': 'rt/qos%d', 'qos': %d}]" % (qos, qos),
       "received 50 messages at qos %d in order, each once" % qos, "publish callbacks 50")
    log = broker.log()
    # the broker saw 50 PUBLISHes from the client, each at the right QoS
    sent = re.findall(r"Received PUBLISH from s-qos%d \(d0, q(\d), r0, m\d+, 'rt/qos%d'" % (qos, qos), log)
    assert len(sent) == 50 and set(sent) == {str(qos)}, log[-3000:]


def test_retained(runtime, broker):
    res = runtime.run("retained.py", {"MQTT_URL": broker.url})
    ok(res, "retained: topic=ret/t payload=b'kept' retain=True",
       "live: topic=ret/live payload=b'now' retain=False")


def test_will_on_killed_connection(runtime, broker):
    """A (with a will) is SIGKILLed, so its socket drops without DISCONNECT;
    B, subscribed to the will topic, must get the will."""
    env = {"MQTT_URL": broker.url, "WILL_TOPIC": "will/a"}
    b = runtime.start("will_watch.py", dict(env, WAIT_MS="15000"))
    b.wait_line("READY", 10)
    a = runtime.start("will_client.py", env)
    a.wait_line("READY", 10)
    assert a.p.poll() is None, "A exited early: %s" % (a.output(),)
    a.kill()
    res = b.wait()
    ok(res, "will received: topic=will/a payload=b'A died' qos=1 retain=False")
    log = broker.log()
    assert "Will message specified" in log and "will/a" in log, log
    assert "Received DISCONNECT from s-will-a" not in log, log


def test_no_will_after_clean_end(runtime, broker):
    ok(runtime.run("will_clean_end.py", {"MQTT_URL": broker.url}), "no will after clean end")


def test_subscribe_refused(runtime, make_broker):
    # mosquitto (dynamic security plugin) answers 0x80 for secret/# in SUBACK
    b = make_broker(deny_subscribe=["secret/#"])
    res = runtime.run("suback_fail.py", {"MQTT_URL": b.url})
    got = ok(res, "granted [('ok/t', 1), ('secret/t', 128)]")
    assert any(line.startswith("subscribe error MQTTError: ") and "secret/t" in line for line in got), describe(*res)


def test_unsubscribe(runtime, broker):
    ok(runtime.run("unsubscribe.py", {"MQTT_URL": broker.url}), "unsubscribed", "un/t got [b'one']")
    assert "Received UNSUBSCRIBE from s-unsub" in broker.log()


def test_keepalive(runtime, broker):
    res = runtime.run("keepalive.py", {"MQTT_URL": broker.url, "IDLE_MS": "3000"})
    ok(res, "idle 3000 ms: connected=True close=0 reconnect=0")
    log = broker.log()
    pings = log.count("Received PINGREQ from s-keepalive")
    # one PINGREQ per keepalive of silence (at 1, 2, 3 s), not one per half (mqtt.js sends one too)
    assert 2 <= pings <= 3, "%d PINGREQs in 3 s with keepalive=1\n%s" % (pings, log)
    assert log.count("Sending PINGRESP to s-keepalive") == pings, log
    assert "s-keepalive has exceeded timeout" not in log, log


def test_reconnect_after_broker_restart(runtime, broker):
    res = across_restart(runtime, broker, "broker_restart.py", {"MQTT_URL": broker.url})
    got = ok(res, "reconnected: connect=2 reconnect>=1:True close>=1:True offline>=1:True",
             "rs/t got [b'before', b'queued', b'after']")
    assert got.count("A connect returnCode=0 sessionPresent=False") == 2, describe(*res)
    # the restarted broker's log: the client came back and resubscribed
    log = broker.log()
    assert log.count("New client connected from 127.0.0.1") >= 2 and "Received SUBSCRIBE from s-restart" in log, log


def test_clean_false_session_redelivery(runtime, broker):
    res = runtime.run("clean_false.py", {"MQTT_URL": broker.url})
    ok(res, "published 10 while A was away", "A2 connect returnCode=0 sessionPresent=True",
       "cf/1 [b'one-0', b'one-1', b'one-2', b'one-3', b'one-4']",
       "cf/2 [b'two-0', b'two-1', b'two-2', b'two-3', b'two-4']")


def test_bad_arguments(runtime, broker):
    res = runtime.run("bad_args.py", {"MQTT_URL": broker.url})
    got = ok(res)
    for label in ("publish qos=3", "publish topic with #", "publish topic with +", "publish empty topic",
                  "unknown option keyword", "unknown option dict", "subscribe empty topic",
                  "subscribe qos=3", "subscribe bad wildcard", "unsubscribe empty topic", "publish topic with NUL",
                  "publish topic not UTF-8", "publish topic over 65535 bytes", "subscribe filter with NUL"):
        assert any(line.startswith(label + ": ValueError: ") for line in got), "%s\n%s" % (label, describe(*res))
    for label in ("subscribe", "subscribe qos", "unsubscribe", "publish"):
        assert any(line.startswith("callback %s: MQTTError: " % label) for line in got), describe(*res)


def test_connection_refused_retries(runtime):
    port = free_port()  # nothing listens there
    res = runtime.run("refused.py", {"MQTT_URL": "mqtt://127.0.0.1:%d" % port, "RUN_MS": "1500"})
    got = ok(res, "A end", "stopped after end")
    assert any(line.startswith("in 1500 ms: connect=0 error=") for line in got), describe(*res)


def test_password_auth(runtime, make_broker):
    """Right credentials (URL or options) connect; a wrong password gives an
    MQTTError with the CONNACK code (4 or 5) and its text and is not retried
    (mqtt.js); with reconnectOnConnackError, being refused over and over
    doesn't make a retry storm: the attempts back off."""
    b = make_broker(users={"alice": "s3cret", "bob": "other"})
    env = {"MQTT_URL": b.url, "GOOD_URL": b.url_with("alice", "s3cret"), "USER": "alice", "PASS": "s3cret",
           "RUN_MS": "3000"}
    res = runtime.run("auth.py", env)
    got = ok(res, "URL connect returnCode=0 sessionPresent=False", "OPT connect returnCode=0 sessionPresent=False")
    assert any(re.match(r"refused: code=[45]$", line) for line in got), describe(*res)
    assert any(re.match(r"refused: .*(not authori[sz]ed|bad user name or password)", line) for line in got), \
        describe(*res)
    log = b.log()
    assert "as s-auth-url (p2, c1, k60, u'alice')." in log and "as s-auth-opt (p2, c1, k60, u'alice')." in log, log
    assert "disconnected, not authorised." in log and "as s-auth-bad" not in log, log
    assert "refused, then in 1000 ms: reconnect=0" in got
    # 3000 ms: the first at once, then after 150-250, 300-500, 300-500, ... ms: 6 to 10 reconnects
    storm = [line for line in got if line.startswith("in 3000 ms with reconnectPeriod 200..400:")]
    assert storm, describe(*res)
    n = int(storm[0].split("reconnect=")[1].split()[0])
    assert 6 <= n <= 10, describe(*res)
    tries = log.count("Client <unknown> disconnected, not authorised.") - 2  # (mosquitto names no refused id)
    assert n <= tries <= n + 1, log[-3000:]
