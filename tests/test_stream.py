"""Links that are not TCP sockets, under both runtimes: a port without
socket (import mqtt, the sans-IO core), and the stream transport (option
stream) over a socket to mosquitto, wrapped as a pollable stream and as a
plain Python object the loop checks every few milliseconds."""
import pytest

from test_integration import ok


def test_import_without_socket(runtime):
    # tests/scenarios/nosocket/socket.py, first on the path, makes `import socket` fail
    ok(runtime.run("no_socket.py"), "no socket: import, core and client OK")


@pytest.mark.parametrize("poll", [1, 0])
def test_stream_transport(runtime, broker, poll):
    got = ok(runtime.run("stream_link.py", {"MQTT_URL": broker.url, "POLL": str(poll)}),
             "stream polled: %s" % bool(poll), "round trips: QoS 0/1/2 x 10 in order, acks 30",
             "idle 2500 ms: connected, pings True",
             "silent stream found within 1.5 x keepalive: keepalive timeout", "reconnected over a fresh stream")
    assert got.count("A connect returnCode=0 sessionPresent=False") == 2, got
    log = broker.log()
    assert log.count("Received PINGREQ from s-stream") >= 2, log[-3000:]
    assert "Received DISCONNECT from s-stream" in log, log[-3000:]


@pytest.mark.parametrize("face", ["haas", "umqtt"])
def test_stream_faces(runtime, broker, face):
    ok(runtime.run("stream_link.py", {"MQTT_URL": broker.url, "POLL": "0", "FACE": face}),
       {"haas": "haas over a stream: success, subscribe, publish, message",
        "umqtt": "umqtt over a stream: connect, subscribe, publish, wait_msg"}[face])


@pytest.mark.parametrize("poll", [1, 0])
def test_aio_over_a_stream(runtime, broker, poll):
    # mqtt.aio drives a stream client too: a pollable one is waited on, a plain one read every few ms
    ok(runtime.run("aio_stream.py", {"MQTT_URL": broker.url, "POLL": str(poll)}),
       "aio over a %s stream: 10 QoS 1 round trips in order" % ("pollable" if poll else "plain"))
