"""MQTT over WebSocket (ws://, wss://, lib/mqtt/ws.py) under both runtimes:
the sans-IO framing on its own (tests/scenarios/ws_frames.py), the client
against mosquitto's own WebSocket listener (plain and TLS), through the fault
proxy (1-byte pieces, a cut while frames are under way), against a scripted
WebSocket server for a refused or broken upgrade and hostile frames
(tests/wsfake.py), and the faces (umqtt, HaaS, mqtt_as) and the CLI on a
WebSocket broker."""
import re
import time

import pytest

from broker import Certs, free_port
from conftest import across_restart, describe
from faultproxy import FaultProxy
from test_cli import run as cli
from test_integration import ok
from test_tls import broker_log
from wsfake import CONNACK, WSFake, frame, switching


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return Certs(str(tmp_path_factory.mktemp("certs")))


@pytest.fixture
def wsbroker(make_broker):
    return make_broker(websockets=True)


# -- the framing, no socket


def test_ws_frames(runtime):
    got = ok(runtime.run("ws_frames.py", {}))
    assert got[0] == {"cpython": "masking: big integer (CPython)", "micropython": "masking: viper"}[runtime.name], got
    assert len([x for x in got if x[:6] in ("frame:", "input:", "hostil", "upgrad", "maskin")]) == 15, got


def test_ws_transport(runtime):
    """WS over a stub link: the upgrade in pieces, partial writes with pings
    between (each byte out once), reads filling the buffer, a close."""
    ok(runtime.run("ws_transport.py", {}),
       "upgrade: the request out in pieces, the response whole or a byte at a time, the frames behind it read",
       "upgrade: a response cut short: MQTTError",
       "writes: the link taking 0 to 4096 bytes a call, pings between: each byte out once, in order, pongs "
       "between frames, the last ping answered",
       "reads: as much as the buffer takes; data before a close, then the close as an error, echoed",
       "reads: the link's end is the end", "request: Host without the default port, IPv6 in brackets")


# -- against mosquitto's WebSocket listener


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_ws_roundtrip(runtime, wsbroker, qos):
    """50 messages at QoS 0/1/2 over ws:// (bytes, str, bytearray, memoryview)
    come back in order, once each; the broker saw a WebSocket client."""
    res = runtime.run("qos_roundtrip.py", {"MQTT_URL": wsbroker.ws_url, "QOS": str(qos), "COUNT": "50"})
    ok(res)
    log = wsbroker.log()
    assert "New client connected from ::ffff:127.0.0.1" in log, log[-3000:]


@pytest.mark.parametrize("proto", [4, 3])
def test_ws_connect_end(runtime, wsbroker, proto):
    """MQTT 3.1.1 asks for the subprotocol mqtt, 3.1 for mqttv3.1: mosquitto
    takes both (and logs p2, p1)."""
    cid = "s-ws-%s-%d" % (runtime, proto)
    res = runtime.run("connect_end.py", {"MQTT_URL": wsbroker.ws_url, "CLIENT_ID": cid, "PROTO": str(proto)})
    ok(res, "A connect returnCode=0 sessionPresent=False", "A end")
    log = broker_log(wsbroker, "Received DISCONNECT from %s" % cid)
    assert " as %s (p%d, c1, k10)." % (cid, {3: 1, 4: 2}[proto]) in log, log


def test_ws_large_messages_and_many_frames(runtime, wsbroker):
    """Messages of 0 to 20,000 bytes at QoS 1: long writes go out in several
    frames, long messages come in over many reads."""
    res = runtime.run("qos_roundtrip.py", {"MQTT_URL": wsbroker.ws_url, "QOS": "1", "COUNT": "12",
                                           "SIZES": "0,1,125,126,127,2047,2048,2049,4096,9000,16384,20000", "MAX": "30000"})
    ok(res)


def test_ws_reconnect_after_broker_restart(runtime, wsbroker):
    res = across_restart(runtime, wsbroker, "broker_restart.py", {"MQTT_URL": wsbroker.ws_url})
    got = ok(res, "reconnected: connect=2 reconnect>=1:True close>=1:True offline>=1:True",
             "rs/t got [b'before', b'queued', b'after']")
    assert got.count("A connect returnCode=0 sessionPresent=False") == 2, describe(*res)


def test_ws_keepalive(runtime, wsbroker):
    """Idle over ws://: PINGREQs keep the connection (the broker answers them in frames)."""
    res = runtime.run("keepalive.py", {"MQTT_URL": wsbroker.ws_url})
    ok(res)
    assert "s-keepalive has exceeded timeout" not in wsbroker.log()


@pytest.mark.parametrize("form", ["str", "der"])
def test_wss_roundtrip(runtime, make_broker, certs, form):
    """wss:// with the test CA: the same TLS options as mqtts://."""
    b = make_broker(tls=certs.listener(), websockets=True)
    env = {"MQTT_URL": b.ws_url, "CA_FILE": certs.ca if form == "str" else certs.ca_der, "CA_FORM": form,
           "EXPECT": "connect", "COUNT": "20", "RECONNECT": "1"}
    got = ok(runtime.run("tls_connect.py", env), "round trip: 20 messages at qos 1 in order", "reconnected", "A end")
    steps, ms = [(int(x.split()[3]), int(x.split()[5])) for x in got if x.startswith("steps to connect: ")][0]
    assert steps <= 12 + ms // 50, got  # TLS handshake and upgrade wait in poll, not in a busy loop
    assert b.ws_url.startswith("wss://127.0.0.1:")


def test_wss_other_ca_refused(runtime, make_broker, certs):
    b = make_broker(tls=certs.listener(other=True), websockets=True)
    res = runtime.run("tls_connect.py", {"MQTT_URL": b.ws_url, "CA_FILE": certs.ca, "EXPECT": "error"}, timeout=20)
    got = ok(res)
    msg = [x for x in got if x.startswith("error MQTTError: ")][0]
    assert "TLS: certificate verify failed: " in msg, describe(*res)


def test_ws_steps_to_connect(runtime, wsbroker):
    """The upgrade's response is waited for in poll (POLLIN), not in a busy loop."""
    got = ok(runtime.run("tls_connect.py", {"MQTT_URL": wsbroker.ws_url, "CA_FILE": "", "EXPECT": "connect",
                                            "COUNT": "3"}))
    steps, ms = [(int(x.split()[3]), int(x.split()[5])) for x in got if x.startswith("steps to connect: ")][0]
    assert steps <= 6 + ms // 50, got


# -- through the fault proxy


def test_ws_fault_proxy(runtime, wsbroker):
    p = FaultProxy(wsbroker.ws_port)
    try:
        env = {"MQTT_URL": "ws://127.0.0.1:%d/mqtt" % p.port, "FAULT_PORT": str(p.control_port)}
        ok(runtime.run("ws_faults.py", env, timeout=60), "1-byte pieces: 4 round trips",
           "cut with frames under way",
           "after the reconnect: every publish completed once, every message intact, QoS 2 once")
    finally:
        p.stop()


def test_ws_inflight_resent_after_cut(runtime, wsbroker):
    """40 QoS 1 publishes written into a frozen link, the link cut: resent
    after the reconnect, each callback once (reconnect_inflight.py over ws://)."""
    p = FaultProxy(wsbroker.ws_port)
    try:
        env = {"MQTT_URL": "ws://127.0.0.1:%d/mqtt" % p.port, "FAULT_PORT": str(p.control_port)}
        ok(runtime.run("reconnect_inflight.py", env, timeout=40))
    finally:
        p.stop()


# -- a scripted WebSocket server: the upgrade refused or broken


def _fake(runtime, chunks=(), answer=switching, expect="error", env=None, hold=6, **kw):
    fs = WSFake(list(chunks), answer=answer, hold=hold, **kw)
    e = {"MQTT_URL": fs.url, "EXPECT": expect}
    e.update(env or {})
    res = runtime.run("ws_fake.py", e, timeout=30)
    assert fs.join(), "fake server thread still running"
    return fs, res


def _error(res):
    got = ok(res)
    return [x for x in got if x.startswith("first error: ")][0][len("first error: "):], got


UPGRADES = {
    # name: (answer, the error's text, its code)
    "refused_404": (lambda r: b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                    "MQTTError: WebSocket upgrade refused by 127.0.0.1:%d: HTTP 404 Not Found", 404),
    "refused_401": (lambda r: b"HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n\r\n",
                    "MQTTError: WebSocket upgrade refused by 127.0.0.1:%d: HTTP 401 Unauthorized", 401),
    "bad_accept": (lambda r: switching(r, accept=b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
                   "MQTTError: WebSocket upgrade: 127.0.0.1:%d answered with wrong Sec-WebSocket-Accept", None),
    "other_subprotocol": (lambda r: switching(r, protocol=b"wamp"),
                          "MQTTError: WebSocket upgrade: 127.0.0.1:%d answered with another subprotocol", None),
    "extension": (lambda r: switching(r, extra=b"Sec-WebSocket-Extensions: permessage-deflate\r\n"),
                  "MQTTError: WebSocket upgrade: 127.0.0.1:%d answered with an extension", None),
    "no_upgrade_header": (lambda r: switching(r).replace(b"Upgrade: websocket\r\n", b""),
                          "MQTTError: WebSocket upgrade: 127.0.0.1:%d answered with no Upgrade: websocket", None),
    "not_http": (lambda r: b"SSH-2.0-OpenSSH_9.2\r\n\r\n", "MQTTError: WebSocket upgrade: 127.0.0.1:%d answered "
                 "b'SSH-2.0-OpenSSH_9.2', not HTTP", None),
    "closed": (lambda r: b"", "MQTTError: 127.0.0.1:%d closed the connection during the WebSocket upgrade", None),
    "endless_headers": (lambda r: b"HTTP/1.1 101 Switching Protocols\r\n" + b"X-Padding: yes\r\n" * 400,
                        "MQTTError: WebSocket upgrade: no end to the response of 127.0.0.1:%d", None),
}


@pytest.mark.parametrize("case", sorted(UPGRADES))
def test_ws_upgrade_refused_or_broken(runtime, case):
    answer, text, code = UPGRADES[case]
    fs, res = _fake(runtime, answer=answer)
    msg, got = _error(res)
    assert msg.startswith(text % fs.port), describe(*res)
    assert "code: %r, after <5000 ms" % code in got, describe(*res)
    assert "connects: 0" in got, describe(*res)


def test_ws_upgrade_never_answered(runtime):
    """No answer to the upgrade: connectTimeout bounds it ('connect timeout')."""
    t0 = time.monotonic()
    fs, res = _fake(runtime, answer=lambda r: None, env={"CONNECT_TIMEOUT": "1000"}, hold=4)
    msg, got = _error(res)
    assert msg.startswith("MQTTError: connect timeout: no CONNACK from 127.0.0.1:%d within 1000 ms" % fs.port), got
    assert time.monotonic() - t0 < 10, got


def test_ws_upgrade_request(runtime):
    """The request: GET of the URL's path, Host, the upgrade's headers, the
    subprotocol (mqttv3.1 for MQTT 3.1), wsOptions' headers; frames masked
    (a fresh key each), binary, whole; no Sec-WebSocket-Protocol in the
    answer is taken (RFC 6455: the server chose none)."""
    fs, res = _fake(runtime, [frame(2, CONNACK)], answer=lambda r: switching(r, protocol=None), expect="connect",
                    env={"PROTO": "3", "HEADERS": "Authorization=SharedAccessSignature sr=hub&sig=x%2F;X-Device=d1"},
                    path="/$iothub/websocket?x=1")
    ok(res, "A connect returnCode=0 sessionPresent=False", "connects: 1")
    req = fs.request.decode()
    lines = req.split("\r\n")
    assert lines[0] == "GET /$iothub/websocket?x=1 HTTP/1.1", req
    for h in ("Host: 127.0.0.1:%d" % fs.port, "Upgrade: websocket", "Connection: Upgrade",
              "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: mqttv3.1",
              "Authorization: SharedAccessSignature sr=hub&sig=x%2F", "X-Device: d1"):
        assert h in lines, req
    assert re.search(r"\r\nSec-WebSocket-Key: [A-Za-z0-9+/]{22}==\r\n", req), req
    assert fs.connect_packet[2:10] == b"\x00\x06MQIsdp", fs.connect_packet  # MQTT 3.1
    assert all(f[0] in (0x82, 0x88) and f[1] for f in fs.frames), fs.frames
    keys = [f[1] for f in fs.frames]
    assert len(set(keys)) == len(keys), keys


# -- a scripted WebSocket server: hostile frames after the upgrade


HOSTILE = {
    # name: frames after the CONNECT (a CONNACK first), the ProtocolError's text
    "masked_from_server": ([frame(2, CONNACK), frame(2, b"\xd0\x00", masked=True)], "masked frame from the server"),
    "reserved_bits": ([frame(2, CONNACK), frame(2, b"\xd0\x00", rsv=0x40)], "reserved bits set"),
    "text_frame": ([frame(2, CONNACK), frame(1, b"\xd0\x00")], "text or reserved frame (opcode 1)"),
    "reserved_opcode": ([frame(2, CONNACK), frame(5, b"")], "text or reserved frame (opcode 5)"),
    "oversized_ping": ([frame(2, CONNACK), frame(9, bytes(126))], "bad control frame (opcode 9, 126 bytes)"),
    "fragmented_ping": ([frame(2, CONNACK), frame(9, b"a", fin=False), frame(0, b"b")],
                        "bad control frame (opcode 9, 1 bytes, not FIN)"),
    "stray_continuation": ([frame(2, CONNACK), frame(0, b"\xd0\x00")], "continuation frame without a start"),
    "frame_inside_fragmented": ([frame(2, CONNACK, fin=False), frame(2, b"\xd0\x00")],
                                "new frame inside a fragmented one"),
    "huge_length": ([frame(2, CONNACK), b"\x82\x7f\xff" + bytes(7)], "frame length over 2**63"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_ws_hostile_frames(runtime, case):
    """Each a ProtocolError ('error', then 'close'), the client's close frame
    1002 when it can go, the connection closed, nothing left running."""
    chunks, text = HOSTILE[case]
    fs = WSFake(chunks, hold=8)
    res = runtime.run("malformed.py", {"MQTT_URL": fs.url, "MAX": "1024"}, timeout=20)
    assert fs.join() and fs.error is None, (fs.error, describe(*res))
    got = ok(res)
    err = [x for x in got if x.startswith("first error: ")][0]
    assert err == "first error: ProtocolError: WebSocket: " + text or err.startswith(
        "first error: ProtocolError: WebSocket: " + text), describe(*res)
    assert fs.client_closed, describe(*res)
    assert (0x88, fs.frames[-1][1], b"\x03\xea") == fs.frames[-1], fs.frames[-3:]


def test_ws_ping_answered_control_between_fragments(runtime):
    """A ping (between the fragments of a CONNACK split over three frames)
    is answered with a pong carrying its payload; so is one on a quiet link."""
    chunks = [frame(2, CONNACK[:1], fin=False), frame(9, b"in between"), frame(0, CONNACK[1:3], fin=False),
              frame(10, b"unasked"), frame(0, CONNACK[3:]), frame(9, b"later")]
    fs, res = _fake(runtime, chunks, expect="connect", env={"RUN_MS": "600"})
    ok(res, "A connect returnCode=0 sessionPresent=False", "connects: 1")
    pongs = [f[2] for f in fs.frames if f[0] == 0x8A]
    assert pongs == [b"in between", b"later"], fs.frames
    assert all(f[1] for f in fs.frames), "a client frame not masked"
    assert fs.after == b"", fs.after  # (end(True): no DISCONNECT)


def test_ws_close_in_the_middle_of_a_packet(runtime):
    """A close frame (after half a PUBLISH): its echo, then the end, as an
    error naming the code and the reason."""
    chunks = [frame(2, CONNACK + b"\x30\x0a\x00\x03a/b"), frame(8, b"\x03\xe9server going down")]
    fs, res = _fake(runtime, chunks)
    msg, got = _error(res)
    assert msg == "MQTTError: 127.0.0.1:%d closed the WebSocket: 1001 server going down" % fs.port, got
    assert "code: 1001, after <5000 ms" in got, got
    assert "A message" not in " ".join(got), got
    closes = [f for f in fs.frames if f[0] == 0x88]
    assert closes and closes[0][2] == b"\x03\xe9", fs.frames  # the echo of its code
    assert fs.client_closed


# -- options


def test_ws_options(runtime):
    got = ok(runtime.run("ws_options.py", {}))
    assert len([x for x in got if ": " in x]) >= 10, got


# -- the faces and the command line


def test_ws_umqtt_face(runtime, wsbroker):
    ok(runtime.run("ws_faces.py", {"MQTT_URL": wsbroker.ws_url, "FACE": "umqtt"}), "umqtt: round trip over ws")


def test_ws_haas_face(runtime, wsbroker):
    ok(runtime.run("ws_faces.py", {"MQTT_URL": wsbroker.ws_url, "FACE": "haas"}), "haas: round trip over ws")


def test_ws_mqtt_as_face(runtime, wsbroker):
    ok(runtime.run("ws_faces.py", {"MQTT_URL": wsbroker.ws_url, "FACE": "mqtt_as"}), "mqtt_as: round trip over ws")


def test_ws_cli(runtime, wsbroker, certs, make_broker):
    """python -m mqtt pub -l ws|wss, --path, -wh; bad combinations refused."""
    rc, out, err = cli(runtime, "pub", "-l", "ws", "-h", "127.0.0.1", "-p", wsbroker.ws_port, "--path", "/mqtt",
                       "-wh", "X-Test: 1", "-t", "cli/ws", "-m", "hello over ws", "-q", "1")
    assert rc == 0, describe(rc, out, err)
    log = broker_log(wsbroker, "Received PUBLISH from")
    assert "'cli/ws', ... (13 bytes)" in log, log[-2000:]
    b = make_broker(tls=certs.listener(), websockets=True)
    rc, out, err = cli(runtime, "pub", "-l", "wss", "-h", "127.0.0.1", "-p", b.ws_port, "--ca", certs.ca,
                       "-t", "cli/wss", "-m", "hello over wss", "-q", "1")
    assert rc == 0, describe(rc, out, err)
    assert "'cli/wss', ... (14 bytes)" in broker_log(b, "Received PUBLISH from"), b.log()[-2000:]
    for args, text in ((("-l", "mqtt", "--path", "/x"), "--path and -wh are for -l ws or wss"),
                       (("-l", "ws", "--insecure"), "--ca, --cert, --key and --insecure are for -l mqtts or wss"),
                       (("-l", "ws", "-wh", "nocolon"), '-wh takes "KEY: VALUE"'),
                       (("-l", "wsx",), "-l must be mqtt, mqtts, ws or wss")):
        rc, out, err = cli(runtime, "pub", "-t", "t", "-m", "m", *args)
        assert rc == 2 and text in err, describe(rc, out, err)


def test_ws_connection_refused(runtime):
    """Nothing listens: the TCP connect's own error, as for mqtt://."""
    fs_port = free_port()
    res = runtime.run("tls_connect.py", {"MQTT_URL": "ws://127.0.0.1:%d" % fs_port, "CA_FILE": "",
                                         "EXPECT": "error"})
    got = ok(res)
    msg = [x for x in got if x.startswith("error MQTTError: ")][0]
    assert "ECONNREFUSED" in msg or "Connection refused" in msg, msg
