"""The API surfaces over the one client (HaaS createClient, umqtt.simple and
umqtt.robust, the background driver, the seed 002 example), under both
CPython and the MicroPython unix port, against mosquitto."""
import os
import re
import subprocess
import time

import pytest

import paho.mqtt.client as paho

from broker import free_port, micropython_path
from conftest import across_restart, describe
from test_integration import ok


def test_haas_flow(runtime, broker):
    got = ok(runtime.run("haas_flow.py", {"MQTT_URL": broker.url}),
             "success", "connect event", "subscribed", "published", "message ('h/t', b'hello')",
             "unsubscribed", "close event", "bad argument codes [-1, -1, -1, -1, -1, -1, -1]",
             "after close codes [-2, -2, -2]")
    assert any(line.startswith("unusable options: 2 fail calls: ") for line in got), got
    log = broker.log()
    assert "Received SUBSCRIBE from s-haas" in log and "Received UNSUBSCRIBE from s-haas" in log, log
    assert "Received DISCONNECT from s-haas" in log, log


def test_haas_fail(runtime, make_broker):
    b = make_broker(users={"alice": "s3cret"})
    got = ok(runtime.run("haas_fail.py", {"DEAD_PORT": str(free_port()), "AUTH_PORT": str(b.port)}))
    assert any(line.startswith("unreachable: fail calls 1,") for line in got), got
    assert any(line.startswith("wrong credentials: connection refused") for line in got), got


def test_haas_reconnect_after_broker_restart(runtime, broker):
    ok(across_restart(runtime, broker, "haas_reconnect.py", {"MQTT_URL": broker.url}), "events ['connect', 'disconnect', 'reconnect'] messages [b'before', b'after']")


def test_umqtt_simple_tutorial_program(runtime, broker):
    ok(runtime.run("umqtt_tutorial.py", {"MQTT_URL": broker.url}),
       "messages [b'on', b'off', b'exactly once']")
    log = broker.log()
    assert "Received PINGREQ from umqtt_tutorial" in log, log
    assert "Received PUBLISH from umqtt_tutorial (d0, q2" in log, log
    assert "Received DISCONNECT from umqtt_tutorial" in log, log


def test_umqtt_robust_reconnects_and_resubscribes(runtime, broker):
    rc, out, err = res = across_restart(runtime, broker, "umqtt_robust.py", {"MQTT_URL": broker.url})
    ok(res)
    assert "mqtt reconnect: " in out, describe(*res)  # robust's DEBUG log of failed attempts
    log = broker.log()  # the restarted broker: a fresh session, so the client subscribed again
    assert "Received SUBSCRIBE from s-robust" in log, log


def test_umqtt_publish_waits_for_a_stalled_link_and_raises_on_a_cut_one(runtime, broker, proxy):
    """umqtt.simple's QoS 0 publish, as umqtt's blocking write: through a proxy
    that reads nothing for a second it waits and loses nothing; on a link
    that is gone it raises OSError."""
    p = runtime.start("umqtt_stall.py", proxy.env(), timeout=60)
    p.wait_line("frozen", 15)
    time.sleep(1.0)
    proxy.command("pass")
    got = ok(p.wait())
    assert any(x.startswith("OSError after the cut") for x in got), got
    assert broker.log().count("Received PUBLISH from s-umqtt-stall (d0, q0, r0, m0, 'stall/t', ... (16384 bytes))") == 1000


def test_umqtt_publish_frame_stays_on_the_stack():
    """umqtt.simple's publish() is the hot call of a umqtt program: its frame
    stays within the 11 words MicroPython keeps on the C stack (a larger one,
    or one with a try, is allocated from the heap and freed on every call,
    and on a fragmented heap finding room for it costs more than the call)."""
    mp = micropython_path()
    if not mp:
        pytest.skip("no micropython")
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib", "umqtt", "simple.py")
    r = subprocess.run([mp, "-v", "-v", "-v", "-c", "compile(open(%r).read(), 'simple.py', 'exec')" % src],
                       capture_output=True, text=True, timeout=30)
    frames = {}  # function name -> (N_STATE, N_EXC_STACK), from the compiler's dump
    name = None
    for line in (r.stdout + r.stderr).splitlines():
        m = re.search(r"code block '([^']+)'", line)
        if m:
            name = m.group(1)
        m = re.match(r"\(N_STATE (\d+)\)", line)
        if m:
            n = int(m.group(1))
        m = re.match(r"\(N_EXC_STACK (\d+)\)", line)
        if m and name:
            frames.setdefault(name, (n, int(m.group(1))))
    if "publish" not in frames:
        pytest.skip("this micropython does not print its bytecode (-v -v -v)")
    assert frames["publish"][0] <= 11 and frames["publish"][1] == 0, frames["publish"]


def test_driver_delivers_while_sleeping(runtime, broker):
    ok(runtime.run("driver_sleep.py", {"MQTT_URL": broker.url}),
       "received while sleeping: [b'ping'], driver running: True", "connected after end: False",
       "driver running with nothing left: False")


def test_seed002_example(runtime, broker):
    """examples/seed002.py: subscribes with JSON options, publishes every 2 s,
    prints what arrives on its server topic."""
    p = runtime.start("examples/seed002.py", {"MQTT_URL": broker.url, "RUN_MS": "5000"}, timeout=30)
    p.wait_line("mqtt connected ", 10)
    seen = []
    peer = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="seed002-peer")
    peer.on_message = lambda c, u, m: seen.append(m.payload)
    peer.connect("127.0.0.1", broker.port)
    peer.subscribe("story/542372100000000b/client")
    peer.loop_start()
    try:
        time.sleep(0.5)
        peer.publish("story/542372100000000b/server", b'{"cmd": "reply"}').wait_for_publish(5)
        rc, out, err = res = p.wait()
    finally:
        peer.loop_stop()
        peer.disconnect()
    assert rc == 0 and "Traceback" not in err, describe(*res)
    assert "mqtt connected  {'cmd': 'connack', 'sessionPresent': False, 'returnCode': 0}" in out or \
        "'returnCode': 0" in out, describe(*res)
    assert "err =  None" in out, describe(*res)  # the subscribe callback and each publish's
    assert "topic =  story/542372100000000b/server" in out, describe(*res)
    assert "message =  b'{\"cmd\": \"reply\"}'" in out, describe(*res)
    assert len(seen) >= 2, "the example published %d times in 5 s" % len(seen)
    import json

    assert json.loads(seen[0])["head"]["cmd"] == "getConfigInfo", seen[0]
    log = broker.log()
    assert "Received SUBSCRIBE from aumvlad542372100000000b" in log, log
    assert "aumvlad542372100000000b 0 story/542372100000000b/server" in log or \
        "story/542372100000000b/server (QoS 0)" in log, log


def test_asyncio_task_drives_the_client(runtime, broker):
    got = ok(runtime.run("asyncio_drive.py", {"MQTT_URL": broker.url}))
    assert any(line.startswith("received [b'hi'] while another task ran ") for line in got), got


def test_output_goes_out_before_the_loop_waits(runtime, broker):
    """A publish made between steps (from an ack callback, or umqtt's blocking
    publish) is written at once: the loop polls for POLLOUT too, instead of
    waiting for input or its timeout first."""
    got = ok(runtime.run("output_first.py", {"MQTT_URL": broker.url}))
    assert any(x.startswith("chained: 30 QoS 1 publishes") for x in got), got
    assert broker.log().count("Received PUBLISH from s-out-first-u (d0, q1") == 30


def test_the_wait_spins_only_while_a_reply_is_due(runtime):
    """The loop's wait spins on poll(0) for up to 200 us while an ack or a
    CONNACK is due (a reply on a fast link beats the wake-up from a sleep),
    sleeps at once after a spin that missed, and spins again once a sleep
    came back within the spin's time; never with callbacks owed."""
    ok(runtime.run("spin_wait.py", {}),
       "nothing due: [50] ready 1 spin 1",
       "ack due: [0, 0, 0] ready 1 spin 1",
       "ack late: %s ready 0 spin 0" % ([0] * 20 + [50]),
       "after a miss: [50] ready 1 spin 0",
       "a fast sleep: [50] ready 1 spin 1",
       "spins again: [0] ready 1 spin 1",
       "CONNACK due: [0] ready 1 spin 1",
       "callbacks owed: [0] ready 0 spin 1")


def test_writes_follow_nagles_rule(runtime, broker):
    """A QoS 1 publish or a subscribe made with nothing in flight is on the
    wire when the call returns; one made while another is in flight waits
    for the next write."""
    ok(runtime.run("nagle.py", {"MQTT_URL": broker.url}),
       "first, nothing in flight: waiting bytes 0",
       "second, one in flight: waiting bytes some",
       "subscribe, nothing in flight: waiting bytes 0")
    assert broker.log().count("Received PUBLISH from s-nagle (d0, q1") == 2


@pytest.mark.parametrize("mode", ["umqtt", "mqtt"])
def test_handler_drives_the_client_with_input_buffered(runtime, broker, mode):
    got = ok(runtime.run("echo_handler.py", {"MQTT_URL": broker.url, "MODE": mode}))
    assert "handled 30, echoed 30, closes 0" in got


def test_reconnect_with_more_in_flight_than_one_write(runtime, proxy):
    got = ok(runtime.run("reconnect_inflight.py", proxy.env()))
    assert "sent 40 then 40; callbacks 40, each once: True" in got, got


def test_connect_and_reconnect_on_a_connected_client(runtime, broker):
    ok(runtime.run("connect_again.py", {"MQTT_URL": broker.url}), "closes 1, connects 2",
       "on an ended client: ['client is closed', 'client is closed']")


def test_published_event(runtime, broker):
    ok(runtime.run("published.py", {"MQTT_URL": broker.url}))


def test_zero_copy_payloads(runtime, broker):
    ok(runtime.run("zero_copy.py", {"MQTT_URL": broker.url}), "zeroCopy: 200 payloads as memoryviews, right bytes")


def test_a_broken_handler_is_reported_on_stderr(runtime, broker):
    rc, out, err = res = runtime.run("broken_handler.py", {"MQTT_URL": broker.url})
    assert rc == 0 and "handled: [b'boom', b'after']" in out, describe(*res)
    assert "RuntimeError: boom from a handler" in err and "Traceback" not in out, describe(*res)
