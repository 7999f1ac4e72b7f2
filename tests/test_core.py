# Unit tests of the sans-IO protocol core through its own interface: bytes in
# (buffer/received), events out (next_event), bytes out (data_to_send),
# requests (request/lost/abandon). No socket, no clock. Byte vectors follow
# the MQTT 3.1.1 specification.
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from mqtt import core  # noqa: E402
from mqtt.core import EV_CONNACK, EV_ERROR, EV_MESSAGE, MQTTError, Protocol, ProtocolError, utf8  # noqa: E402

# core.py's private constants (const() names starting with _ cost nothing on a board)
RXBUF, TXBUF, QOS2_MAX = 128, 256, 128
PUBLISH, PUBREL, SUBSCRIBE, UNSUBSCRIBE = 3, 6, 8, 10
KIND, PID, PAYLOAD, FLAGS, STRIKES = 0, 1, 3, 4, 7


def opts(**kw):
    o = {"maximumPacketSize": 4096, "maxInflight": 20, "queueSize": 32, "resendLimit": 3, "clientId": "c1",
         "keepalive": 60, "clean": True, "protocolVersion": 4, "will": None, "username": None, "password": None}
    o.update(kw)
    return {k: v for k, v in o.items() if v is not None}  # as mqtt.connect() passes them


class P(Protocol):
    """The core with its one hook recorded."""

    def __init__(self, **kw):
        Protocol.__init__(self, opts(**kw))
        self.dones = []

    def _done(self, e, err, granted=None):
        self.dones.append((e[KIND], e[PID], err, granted))

    def take(self):
        """The output as bytes, taken (as a driver's write of all of it would)."""
        b = bytes(self.data_to_send())
        self.sent(len(b))
        return b


def feed(p, data, step=None):
    """Bytes in, `step` at a time (as reads would bring them); the events
    next_event() returned, as tuples."""
    evs = []
    step = step or len(data) or 1
    for i in range(0, len(data), step):
        chunk = data[i : i + step]
        while chunk:
            mv = p.buffer()
            assert len(mv) > 0
            n = min(len(mv), len(chunk))
            mv[:n] = chunk[:n]
            p.received(n)
            chunk = chunk[n:]
            while True:
                ev = p.next_event()
                if not ev:
                    break
                if ev == EV_MESSAGE:  # handled at once, as a driver whose listeners returned
                    evs.append(("message",) + tuple(p.message[:4]))
                    p.handled(p.message[2], p.message[3])
                elif ev == EV_CONNACK:
                    evs.append(("connack", p.event))
                elif ev == EV_ERROR:
                    evs.append(("error", p.event))
    return evs


def msgs(evs):
    return [(e[1], e[2]) for e in evs if e[0] == "message"]


def up(p, sp=0):
    p.connect_packet()
    p.take()
    evs = feed(p, bytes((0x20, 2, sp, 0)))
    assert evs[0][0] == "connack" and p.connected
    p.flush()  # as the client does once connected: resubscribe, resend, then the queue
    return evs


def pub(p, topic=b"t", payload=b"x", qos=1, cb=None):
    """A QoS 1/2 publish request; the entry it made (last in queue or in flight)."""
    assert p.request(PUBLISH, topic, payload, qos << 1, cb)
    return p.queue[-1] if p.queue else max(p.outgoing.values(), key=lambda e: e[PID] == p._last_id)


# -- CONNECT

def test_connect_minimal_bytes():
    p = P()
    p.connect_packet()
    assert p.take() == bytes.fromhex("10 0e 0004 4d515454 04 02 003c 0002 6331".replace(" ", ""))


def test_connect_v31_will_credentials():
    p = P(protocolVersion=3, clean=False, keepalive=10, username="u", password=b"pw",
          will={"topic": "w/t", "payload": "bye", "qos": 1, "retain": True})
    p.connect_packet()
    b = p.take()
    assert b[2:10] == b"\x00\x06MQIsdp"
    assert b[10] == 3
    # username, password, will retain, will qos 1, will flag; clean off
    assert b[11] == 0x80 | 0x40 | 0x20 | 0x08 | 0x04
    assert b[12:14] == b"\x00\x0a"
    assert b[14:] == b"\x00\x02c1\x00\x03w/t\x00\x03bye\x00\x01u\x00\x02pw"
    assert b[1] == len(b) - 2


@pytest.mark.parametrize("n,enc", [(0, "00"), (127, "7f"), (128, "8001"), (16383, "ff7f"),
                                   (16384, "808001"), (2097151, "ffff7f"), (2097152, "80808001"),
                                   (268435455, "ffffff7f")])
def test_remaining_length_spec_table(n, enc):
    b = bytearray(5)
    assert bytes(b[: core._vlen(b, 0, n)]) == bytes.fromhex(enc)
    # the parser waits for exactly that body, in a buffer that holds it (where the heap can)
    if n >= 4 and (n < 1 << 20 or sys.implementation.name != "micropython"):
        p = P(maximumPacketSize=268435455)
        up(p)
        raw = b"\x30" + bytes.fromhex(enc)
        assert feed(p, raw) == []
        free = len(p.buffer())
        assert free == (RXBUF - len(raw) if len(raw) + n <= RXBUF else n)


# -- PUBLISH out

def test_publish_qos0_and_qos1_encoding():
    p = P()
    up(p)
    assert p._pub(b"a/b", b"hi", 0)
    assert p.take() == b"\x30\x07\x00\x03a/bhi"
    e = pub(p, b"a/b", b"hi", 1)
    assert p.take() == b"\x32\x09\x00\x03a/b\x00\x01hi"
    assert e[PID] == 1 and p.outgoing == {1: e} and p.queue == []


def test_large_publish_gets_its_own_buffer_and_gives_it_back():
    p = P()
    up(p)
    payload = bytes(range(256)) * 8
    assert p._pub(b"t", payload, 0)
    assert 2054 <= len(p.tx) < 2064  # its own buffer, the size of it
    p.sent(1000)  # part written: the buffer stays
    assert len(p.tx) >= 2054
    rest = p.take()
    assert rest == (b"\x30\x83\x10\x00\x01t" + payload)[1000:]
    assert len(p.tx) == TXBUF  # written out: the small buffer is back


def test_full_output_says_so_and_the_queue_waits():
    # the buffer doubles while packets find it full (256 ... 4096 bytes),
    # then says no: the packet waits until the output drains
    p = P(maxInflight=200)
    up(p)
    es = [pub(p, b"t", b"y" * 40) for _ in range(100)]  # 47 bytes each: 87 fit in 4096
    assert len(p.tx) == 4096 and len(p.outgoing) == 87 and len(p.queue) == 13
    assert not p._pub(b"t", b"z" * 40, 0)  # no room: False, nothing written
    first = p.take()
    assert len(first) == 87 * 47
    p.flush()
    assert len(p.outgoing) == 100 and p.queue == [] and p.take().count(b"\x32\x2d") == 13
    assert [e[PID] for e in es] == list(range(1, 101))
    assert len(p.tx) == 4096  # the size stays while this connection lasts


def _no_heap_over(monkeypatch, limit):
    def small_heap(n):
        if n > limit:
            raise MemoryError
        return bytearray(n)

    monkeypatch.setattr(core, "bytearray", small_heap, raising=False)


def test_output_without_the_heap_to_grow_drains_first(monkeypatch):
    # growing the buffer only saves writes: without the heap for it, a
    # packet waits for the output to drain (no MemoryError, nothing lost)
    p = P(maxInflight=100)
    up(p)
    _no_heap_over(monkeypatch, TXBUF)
    es = [pub(p, b"t", b"y" * 40) for _ in range(10)]  # 5 fit in 256
    assert len(p.tx) == TXBUF and len(p.outgoing) == 5 and len(p.queue) == 5
    assert not p._pub(b"t", b"z" * 40, 0)
    got = p.take()
    p.flush()
    got += p.take()
    assert got.count(b"\x32\x2d") == 10 and [e[PID] for e in es] == list(range(1, 11)) and not p.dones
    monkeypatch.undo()
    pub(p, b"t", b"y" * 300)  # a packet larger than the buffer still gets one of its own
    assert len(p.tx) >= 305


def test_input_without_the_heap_to_grow_keeps_its_buffer(monkeypatch):
    # the receive buffer doubles while reads fill it; without the heap for
    # that it stays as it is and parsing goes on; a packet larger than the
    # buffer needs its own, and without it the error is raised
    p = P(maximumPacketSize=10000)
    up(p)
    _no_heap_over(monkeypatch, RXBUF)
    pkt = b"\x30\x22\x00\x01t" + b"m" * 31
    assert msgs(feed(p, pkt * 40, RXBUF)) == [("t", b"m" * 31)] * 40
    assert len(p._rx) == RXBUF and p._rx_size == RXBUF
    with pytest.raises(MemoryError):
        feed(p, b"\x30\x8b\x02\x00\x01t" + b"z" * 256, RXBUF)


def test_packet_ids_wrap_and_skip_in_flight():
    p = P()
    up(p)
    p._last_id = 65534
    ids = [pub(p)[PID] for _ in range(3)]
    assert ids == [65535, 1, 2]
    p._last_id = 65534
    assert pub(p)[PID] == 3  # 65535, 1, 2 are still in flight


def test_queue_full_is_reported_once():
    p = P(queueSize=2)
    assert p.request(PUBLISH, b"t", b"1", 2, None) and p.request(PUBLISH, b"t", b"2", 2, None)
    assert not p.request(PUBLISH, b"t", b"3", 2, None)
    assert len(p.queue) == 2 and len(p.dones) == 1 and "queue full" in str(p.dones[0][2])


def test_out_of_memory_packet_reported_and_removed(monkeypatch):
    # a queued message whose packet the heap has no room for: reported once,
    # removed, and the queue goes on (never resent in a loop)
    def small_heap(n):
        if n > 10000:
            raise MemoryError
        return bytearray(n)

    p = P()
    p.request(PUBLISH, b"t", b"x" * 20000, 2, None)
    p.request(PUBLISH, b"t", b"small", 2, None)
    monkeypatch.setattr(core, "bytearray", small_heap, raising=False)
    up(p)
    monkeypatch.undo()
    assert [str(d[2]) for d in p.dones] == ["out of memory for a 20000-byte message"]
    assert [e[PAYLOAD] for e in p.outgoing.values()] == [b"small"] and p.queue == []


# -- PUBLISH in

def test_incoming_publish_split_anywhere():
    p = P()
    up(p)
    pkt = b"\x32\x0c\x00\x03a/b\x12\x34hello"
    for step in (1, 2, 3, 5, len(pkt)):
        evs = feed(p, pkt * 3, step)
        assert msgs(evs) == [("a/b", b"hello")] * 3
        assert evs[0][3] == 0x32 and evs[0][4] == 0x1234
        assert p.take() == b"\x40\x02\x12\x34" * 3


def test_repeated_topic_reuses_its_str():
    p = P()
    up(p)
    evs = feed(p, b"\x30\x04\x00\x01tA" b"\x30\x04\x00\x01tB" b"\x30\x04\x00\x01uC")
    assert msgs(evs) == [("t", b"A"), ("t", b"B"), ("u", b"C")]
    assert evs[0][1] is evs[1][1]


def test_incoming_qos2_exactly_once():
    p = P()
    up(p)
    pkt = b"\x34\x0a\x00\x01t\x00\x07hello"
    assert msgs(feed(p, pkt)) == [("t", b"hello")]
    assert msgs(feed(p, b"\x3c" + pkt[1:])) == []  # resent with DUP before our PUBREC arrived
    assert p.take() == b"\x50\x02\x00\x07" * 2  # PUBREC each time
    feed(p, b"\x62\x02\x00\x07")  # PUBREL
    assert p.take() == b"\x70\x02\x00\x07"  # PUBCOMP
    assert msgs(feed(p, pkt)) == [("t", b"hello")]  # same id after the flow ended: a new message


def test_qos2_ids_forgotten_when_the_broker_has_no_session():
    # a clean session: the broker's packet ids start again, an old one is a new message
    p = P(clean=False)
    up(p)
    pkt = b"\x34\x0a\x00\x01t\x00\x07hello"
    assert len(msgs(feed(p, pkt))) == 1
    p.lost(0)
    up(p, sp=1)  # session present: the id is still awaiting PUBREL, a resend is a duplicate
    assert msgs(feed(p, b"\x3c" + pkt[1:])) == []
    p.lost(0)
    up(p, sp=0)  # no session: the same id is a new message
    assert msgs(feed(p, pkt)) == [("t", b"hello")]


def test_incoming_qos2_awaiting_pubrel_is_bounded():
    p = P()
    up(p)
    for i in range(1, QOS2_MAX + 1):
        feed(p, b"\x34\x05\x00\x01t" + bytes((i >> 8, i & 255)))
    with pytest.raises(ProtocolError) as ei:
        feed(p, b"\x34\x05\x00\x01t\xff\xff")
    assert "awaiting PUBREL" in str(ei.value)


def test_oversize_publish_skipped_acknowledged_reported():
    p = P(maximumPacketSize=100)
    up(p)
    big = b"\x00\x05big/t\x12\x34" + b"z" * 1000
    pkt = b"\x32" + bytes((len(big) & 127 | 128, len(big) >> 7)) + big
    after = b"\x30\x04\x00\x01tA"
    evs = feed(p, pkt + after, 7)  # streamed in small reads, never buffered whole
    assert [e[0] for e in evs] == ["error", "message"]
    err = evs[0][1]
    assert str(err) == "message on 'big/t' of 1009 bytes over maximumPacketSize 100: dropped" and err.code == 0x95
    assert msgs(evs) == [("t", b"A")]
    assert p.take() == b"\x40\x02\x12\x34"  # acknowledged: not sent again
    assert len(p._rx) <= 128


def test_oversize_qos2_resend_reported_once():
    p = P(maximumPacketSize=50)
    up(p)
    big = b"\x00\x01t\x00\x09" + b"z" * 100
    pkt = bytes((0x34, len(big))) + big
    assert [e[0] for e in feed(p, pkt)] == ["error"]
    assert feed(p, b"\x3c" + pkt[1:]) == []
    assert p.take() == b"\x50\x02\x00\x09" * 2


def test_oversize_other_packet_refused_before_allocating():
    p = P(maximumPacketSize=100)
    up(p)
    with pytest.raises(ProtocolError) as ex:
        feed(p, b"\x90\xe8\x07")  # a SUBACK announcing 1000 bytes
    assert "1000 bytes over maximumPacketSize" in str(ex.value)
    assert len(p._rx) == RXBUF  # nothing was allocated for it


def test_packet_larger_than_buffer_within_limit():
    p = P()
    up(p)
    body = b"\x00\x01t" + b"z" * 1000
    assert msgs(feed(p, b"\x30\xeb\x07" + body, 100)) == [("t", b"z" * 1000)]
    assert len(p._rx) == RXBUF and len(p.buffer()) == RXBUF


@pytest.mark.parametrize("topic,ok", [
    (b"a/b", True), ("h\u00e9/\u20ac/\U0001f600".encode(), True),
    (b"a\x00b", False),  # U+0000 (MQTT-1.5.4-2)
    (b"\xed\xa0\x80", False),  # a surrogate
    (b"\xf4\x90\x80\x80", False),  # above U+10FFFF
    (b"h\xc0\xaf", False),  # an overlong '/'
    (b"\xe0\x80\xaf", False), (b"\xf0\x80\x80\xaf", False),  # overlong, 3 and 4 bytes
    (b"\xc3", False), (b"\xc3\x28", False), (b"\x80", False), (b"\xf8\x88\x80\x80\x80", False),
])
def test_topic_utf8_rules(topic, ok):
    assert (utf8(topic, 0, len(topic)) is not None) == ok
    p = P()
    up(p)
    pkt = bytes((0x30, 2 + len(topic) + 1, 0, len(topic))) + topic + b"!"
    if ok:
        assert msgs(feed(p, pkt)) == [(topic.decode(), b"!")]
    else:
        with pytest.raises(ProtocolError) as ei:
            feed(p, pkt)
        assert "UTF-8" in str(ei.value)


# -- QoS 1/2 flows out

def test_outgoing_qos2_flow():
    p = P()
    up(p)
    e = pub(p, qos=2)
    p.take()
    feed(p, b"\x40\x02\x00\x01")  # a PUBACK does not complete a QoS 2 publish, before PUBREC either
    assert not p.dones and e[KIND] == PUBLISH
    feed(p, b"\x50\x02\x00\x01")  # PUBREC
    assert p.take() == b"\x62\x02\x00\x01"  # PUBREL
    assert e[KIND] == PUBREL and not p.dones
    feed(p, b"\x40\x02\x00\x01")
    assert not p.dones
    feed(p, b"\x70\x02\x00\x01")  # PUBCOMP
    assert p.dones == [(PUBREL, 1, None, None)] and not p.outgoing


def test_pubcomp_does_not_complete_a_qos1_publish_and_puback_completes_it_once():
    p = P()
    up(p)
    pub(p, qos=1)
    feed(p, b"\x70\x02\x00\x01" b"\x50\x02\x00\x01")
    assert not p.dones
    feed(p, b"\x40\x02\x00\x01" b"\x40\x02\x00\x01")
    assert p.dones == [(PUBLISH, 1, None, None)]


def test_suback_failure_names_topic():
    p = P()
    up(p)
    p.request(SUBSCRIBE, [("ok/#", 1), ("bad/#", 2)], None, 0, None)
    assert p.take() == b"\x82\x11\x00\x01\x00\x04ok/#\x01\x00\x05bad/#\x02"
    feed(p, b"\x90\x04\x00\x01\x01\x80")
    kind, pid, err, granted = p.dones[0]
    assert granted == [{"topic": "ok/#", "qos": 1}, {"topic": "bad/#", "qos": 128}]
    assert isinstance(err, MQTTError) and err.code == 128
    assert str(err) == "subscription to 'bad/#' refused by broker"
    assert list(p._subscriptions) == ["ok/#"]


def test_suback_with_wrong_count_refused():
    p = P()
    up(p)
    p.request(SUBSCRIBE, [("a", 1)], None, 0, None)
    with pytest.raises(ProtocolError):
        feed(p, b"\x90\x04\x00\x01\x01\x01")


def test_unsuback():
    p = P()
    up(p)
    p.request(UNSUBSCRIBE, ["a", "b"], None, 0, None)
    assert p.take() == b"\xa2\x08\x00\x01\x00\x01a\x00\x01b"
    feed(p, b"\xb0\x02\x00\x01")
    assert p.dones == [(UNSUBSCRIBE, 1, None, None)]


# -- CONNACK

@pytest.mark.parametrize("rc,text", [(1, "unacceptable protocol version"), (2, "identifier rejected"),
                                     (3, "server unavailable"), (4, "bad user name or password"),
                                     (5, "not authorized"), (9, "9")])
def test_connack_refusals(rc, text):
    p = P()
    p.connect_packet()
    with pytest.raises(MQTTError) as ex:
        feed(p, bytes((0x20, 2, 0, rc)))
    assert str(ex.value) == "connection refused: " + text and ex.value.code == rc
    assert not p.connected


def test_second_connack_is_a_protocol_error():
    p = P()
    up(p)
    with pytest.raises(ProtocolError) as ei:
        feed(p, b"\x20\x02\x00\x00")
    assert "second CONNACK" in str(ei.value)


@pytest.mark.parametrize("first", [b"HTTP/1.1 400 Bad Request\r\n", b"SSH-2.0-OpenSSH_9\r\n", b"\x40\x02\x00\x01"])
def test_not_an_mqtt_server(first):
    p = P()
    p.connect_packet()
    with pytest.raises(ProtocolError) as ei:
        feed(p, first)
    assert str(ei.value).startswith("not an MQTT server (got ") and repr(first[:4])[2:-1] in str(ei.value)


@pytest.mark.parametrize("data,what", [
    (b"\x30\xff\xff\xff\xff\x01", "remaining length over 4 bytes"),
    (b"\xf0\x00", "bad packet: type 15"),
    (b"\x00\x00", "bad packet: type 0"),
    (b"\x10\x02\x00\x00", "bad packet: type 1"),  # CONNECT from the broker
    (b"\x92\x03\x00\x01\x00", "bad packet: type 9 flags 2"),  # SUBACK with reserved flags set
    (b"\x40\x03\x00\x01\x00", "bad packet: type 4 flags 0 length 3"),
    (b"\x36\x05\x00\x01t\x00\x01", "malformed PUBLISH"),  # QoS 3
    (b"\x30\x04\x00\x05ab", "malformed PUBLISH"),  # topic longer than the packet
    (b"\x32\x05\x00\x01t\x00\x00", "packet id 0"),
    (b"\x30\x03\x00\x00x", "without a topic"),
    (b"\x30\x05\x00\x02\xc3\x28x", "UTF-8"),
])
def test_malformed_input_is_refused(data, what):
    p = P()
    up(p)
    with pytest.raises(ProtocolError) as ex:
        feed(p, data)
    assert what in str(ex.value)


# -- the session across connections

def test_lost_moves_in_flight_back_in_order_with_dup_and_resubscribes():
    p = P(clean=False)
    up(p)
    p.request(SUBSCRIBE, [("a/#", 1)], None, 0, None)
    feed(p, b"\x90\x03\x00\x01\x01")
    p._last_id = 65533
    es = [pub(p, payload=b"%d" % i) for i in range(3)]
    q2 = pub(p, payload=b"q2", qos=2)
    p.take()
    feed(p, b"\x50\x02" + bytes((q2[PID] >> 8, q2[PID] & 255)))  # PUBREC: awaiting PUBCOMP
    p.take()
    p.lost(0)
    # each entry in exactly one place: back in the queue, none in flight
    assert p.outgoing == {} and p.queue == es + [q2] and all(e[FLAGS] & 8 for e in es)
    p.connect_packet()
    p.take()
    feed(p, b"\x20\x02\x00\x00")  # no session present: resubscribe first
    p.flush()
    out = p.take()
    assert out.startswith(b"\x82\x08\x00\x03\x00\x03a/#\x01")
    assert out.count(b"\x3a") == 3 and out.endswith(b"\x62\x02\x00\x02")
    assert sorted(p.outgoing) == [1, 2, 3, 65534, 65535]  # (MicroPython's dicts keep no order)
    # resent in the order they first went out, then the new ones
    order = []
    i = 0
    while i < len(out):  # (small packets: a 1-byte remaining length)
        body = out[i + 2 : i + 2 + out[i + 1]]
        if out[i] >> 4 == PUBLISH:
            order.append(body[2 + body[1]] << 8 | body[3 + body[1]])
        elif out[i] >> 4 == PUBREL:
            order.append("rel %d" % (body[0] << 8 | body[1]))
        i += 2 + out[i + 1]
    assert order == [65534, 65535, 1, "rel 2"]


def test_session_present_no_resubscribe():
    p = P(clean=False)
    up(p)
    p.request(SUBSCRIBE, [("a", 0)], None, 0, None)
    feed(p, b"\x90\x03\x00\x01\x00")
    p.lost(0)
    p.connect_packet()
    p.take()
    evs = feed(p, b"\x20\x02\x01\x00")
    assert p.take() == b"" and evs[0][1]["sessionPresent"] is True


def test_abandon_reports_every_request_once():
    p = P(maxInflight=2)
    up(p)
    for _ in range(4):
        pub(p)
    p.request(SUBSCRIBE, [("a", 0)], None, 0, None)
    assert len(p.outgoing) == 2 and len(p.queue) == 3
    p.abandon(MQTTError("client ended"))
    assert len(p.dones) == 5 and {str(d[2]) for d in p.dones} == {"client ended"}
    assert p.outgoing == {} and p.queue == []
    feed(p, b"\x40\x02\x00\x01")  # an ack for an abandoned request: ignored
    assert len(p.dones) == 5


def test_a_request_the_broker_keeps_dropping_fails_after_resend_limit():
    # The broker closes the connection on one publish (say, too large for it),
    # with others around it: after a close, requests go one at a time so the
    # strike lands on that one; at resendLimit strikes it fails, the others go on.
    p = P(resendLimit=3)
    up(p)
    good1, bad, good2 = pub(p, payload=b"1"), pub(p, payload=b"poison"), pub(p, payload=b"2")
    p.take()
    feed(p, b"\x40\x02\x00\x01")  # good1 acknowledged, then the broker closes
    p.lost(1)
    assert bad[STRIKES] == 0  # two were in flight: no telling which one it was
    for round in range(3):
        up(p)
        out = p.take()
        assert out.count(b"\x3a") == 1 and b"poison" in out  # alone in flight
        p.lost(1)
    assert bad[STRIKES] == 3
    assert [(d[1], str(d[2])) for d in p.dones][1:] == [
        (2, "dropped: the broker closed the connection on it 3 times")]
    up(p)
    assert b"\x3a\x06\x00\x01t\x00\x032" in p.take()  # good2 goes on
    feed(p, b"\x40\x02\x00\x03")
    assert [d[1] for d in p.dones] == [1, 2, 3] and not p.outgoing and not p.queue


def test_a_close_by_anything_else_counts_no_strike():
    p = P(resendLimit=1)
    up(p)
    e = pub(p)
    for _ in range(3):
        p.lost(0)  # keepalive timeout, our own protocol error: not the request's fault
        up(p)
    assert e[STRIKES] == 0 and not p.dones


def test_receive_buffer_grows_while_reads_fill_it_and_is_bounded():
    # a burst: every read fills the buffer, which doubles up to 2048 bytes;
    # a packet larger than that gets its own buffer, given back after it
    p = P(maximumPacketSize=10000)
    up(p)
    pkt = b"\x30\x22\x00\x01t" + b"m" * 31
    burst = pkt * 300
    sizes = []
    i = 0
    while i < len(burst):
        mv = p.buffer()
        n = min(len(mv), len(burst) - i)
        mv[:n] = burst[i : i + n]
        p.received(n)
        i += n
        while p.next_event():
            pass
        sizes.append(len(p._rx))
    assert sizes[:5] == [256, 512, 1024, 2048, 2048] and max(sizes) == 2048
    big = b"\x30\x8b\x27\x00\x01t" + b"z" * 5000  # 5003 bytes of body
    assert msgs(feed(p, big, 1000)) == [("t", b"z" * 5000)]
    assert len(p._rx) == 2048


def test_constants_copied_from_the_core_agree():
    """client.py and v5.py fold copies of core.py's const() names into their
    own bytecode (an import would be a global looked up at run time): each
    copy has the core's value."""
    import re

    def consts(name):
        src = open(os.path.join(os.path.dirname(__file__), "..", "lib", "mqtt", name)).read()
        return {k.lstrip("_"): int(v) for k, v in re.findall(r"^(\w+) = const\((\d+)\)", src, re.M)}

    mine = consts("core.py")
    mine["PILED"] = TXBUF * 8
    for name in ("client.py", "v5.py", "store.py"):
        shared = {k: v for k, v in consts(name).items() if k in mine}
        assert shared, name
        assert shared == {k: mine[k] for k in shared}, name
    assert {"EV_MESSAGE", "EV_CONNACK", "EV_ERROR", "PILED", "PUBLISH", "KIND"} <= set(consts("client.py"))
