# Unit tests of the sans-IO protocol core: bytes in, hook calls and bytes out.
# No socket, no clock. Byte vectors follow the MQTT 3.1.1 specification.
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from mqtt.core import RXBUF as BUFSZ, MQTTError, Protocol, ProtocolError  # noqa: E402


def opts(**kw):
    o = {"maximumPacketSize": 4096, "maxInflight": 20, "clientId": "c1", "keepalive": 60, "clean": True,
         "protocolVersion": 4, "will": None, "username": None, "password": None}
    o.update(kw)
    return {k: v for k, v in o.items() if v is not None}  # as mqtt.connect() passes them


class P(Protocol):
    """Protocol with recording hooks and a fake wire."""

    def __init__(self, **kw):
        Protocol.__init__(self, opts(**kw))
        self.ups, self.msgs, self.dones = [], [], []

    def _emit(self, name, connack):
        assert name == "connect"
        self.ups.append(connack)

    def _msg(self, t, m, pk):
        self.msgs.append((t, m, pk))

    def _done(self, e, err, g=None):
        self.dones.append((e[0], e[1], err, g))

    def feed(self, data, step=None):
        step = step or len(data) or 1
        for i in range(0, len(data), step):
            chunk = data[i : i + step]
            free = len(self._rx) - self._rn
            while chunk:
                free = len(self._rx) - self._rn
                n = min(free, len(chunk))
                self._rx[self._rn : self._rn + n] = chunk[:n]
                chunk = chunk[n:]
                self._recv(n)

    def out(self):
        b = bytes(self._tx[: self._tn])
        self._tn = 0
        return b

    def up(self, sp=0):
        self._connect()
        self.out()
        self.feed(bytes((0x20, 2, sp, 0)))


def send(p, e):
    """Queue one request and let the core send what it can; True if it went out."""
    p._q.append(e)
    p._flushq()
    return e not in p._q


def test_connect_minimal_bytes():
    p = P()
    p._connect()
    assert p.out() == bytes.fromhex("10 0e 0004 4d515454 04 02 003c 0002 6331".replace(" ", ""))


def test_connect_v31_will_credentials():
    p = P(protocolVersion=3, clean=False, keepalive=10, username="u", password=b"pw",
          will={"topic": "w/t", "payload": "bye", "qos": 1, "retain": True})
    p._connect()
    b = p.out()
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
    from mqtt.core import _vlen

    b = bytearray(5)
    assert bytes(b[: _vlen(b, 0, n)]) == bytes.fromhex(enc)
    # the decoder reads the same length back: it waits for exactly that body
    if n >= 4:
        p = P(maximumPacketSize=268435455)
        p.up()
        raw = b"\x30" + bytes.fromhex(enc)
        p.feed(raw)
        total = len(raw) + n
        assert (p._rn, len(p._rx)) == ((len(raw), BUFSZ) if total <= BUFSZ else (len(raw), total))


def test_publish_qos0_and_qos1_encoding():
    p = P()
    p.up()
    p.connected = True
    assert p._pub(b"a/b", b"hi", 0)
    assert p.out() == b"\x30\x07\x00\x03a/bhi"
    e = [3, 0, b"a/b", b"hi", 2 | 1, None]
    assert send(p, e)
    assert p.out() == b"\x33\x09\x00\x03a/b\x00\x01hi"
    assert e[1] == 1 and p._pend[1] is e


def test_large_publish_gets_its_own_buffer_and_gives_it_back():
    p = P()
    p.up()
    payload = bytes(range(256)) * 8
    assert p._pub(b"t", payload, 0)
    b = p.out()
    assert b[:5] == b"\x30\x83\x10\x00\x01" and b.endswith(payload) and len(b) == 3 + 2051
    # the buffer grown for that packet stays until drained; the client gives it back


def test_incoming_publish_split_anywhere():
    p = P()
    p.up()
    pkt = b"\x32\x0c\x00\x03a/b\x12\x34hello"
    for step in (1, 2, 3, 5, len(pkt)):
        p.msgs.clear()
        p.feed(pkt * 3, step)
        assert [m[:2] for m in p.msgs] == [("a/b", b"hello")] * 3
        assert p.msgs[0][2]["qos"] == 1 and p.msgs[0][2]["messageId"] == 0x1234
        assert p.out() == b"\x40\x02\x12\x34" * 3


def test_incoming_qos2_exactly_once():
    p = P()
    p.up()
    pub = b"\x34\x0a\x00\x01t\x00\x07hello"
    p.feed(pub)
    p.feed(b"\x3c" + pub[1:])  # the broker resends it with DUP before our PUBREC arrived
    assert len(p.msgs) == 1 and p.msgs[0][:2] == ("t", b"hello")
    assert p.out() == b"\x50\x02\x00\x07" * 2  # PUBREC each time
    p.feed(b"\x62\x02\x00\x07")  # PUBREL
    assert p.out() == b"\x70\x02\x00\x07"  # PUBCOMP
    p.feed(pub)  # same id after the flow ended: a new message
    assert len(p.msgs) == 2


def test_outgoing_qos2_flow():
    p = P()
    p.up()
    e = [3, 0, b"t", b"x", 4, None]
    assert send(p, e)
    p.out()
    p.feed(b"\x50\x02\x00\x01")  # PUBREC
    assert p.out() == b"\x62\x02\x00\x01"  # PUBREL
    assert e[0] == 6 and not p.dones
    p.feed(b"\x40\x02\x00\x01")  # a PUBACK for a QoS 2 message is not its completion
    assert not p.dones
    p.feed(b"\x70\x02\x00\x01")  # PUBCOMP
    assert p.dones == [(6, 1, None, None)] and not p._pend


def test_packet_ids_wrap_and_skip_in_flight():
    p = P()
    p.up()
    p._pid = 65534
    ids = []
    for _ in range(3):
        e = [3, 0, b"t", b"x", 2, None]
        send(p, e)
        ids.append(e[1])
    assert ids == [65535, 1, 2]
    p._pid = 65534
    e = [3, 0, b"t", b"x", 2, None]
    send(p, e)  # 65535 is still in flight
    assert e[1] == 3


def test_suback_failure_names_topic():
    p = P()
    p.up()
    e = [8, 0, [("ok/#", 1), ("bad/#", 2)], None, 0, None]
    send(p, e)
    assert p.out() == b"\x82\x11\x00\x01\x00\x04ok/#\x01\x00\x05bad/#\x02"
    p.feed(b"\x90\x04\x00\x01\x01\x80")
    kind, pid, err, granted = p.dones[0]
    assert granted == [{"topic": "ok/#", "qos": 1}, {"topic": "bad/#", "qos": 128}]
    assert isinstance(err, MQTTError) and err.code == 128
    assert str(err) == "subscription to 'bad/#' refused by broker"
    assert p._subs == {"ok/#": 1}


@pytest.mark.parametrize("rc,text", [(1, "unacceptable protocol version"), (2, "identifier rejected"),
                                     (3, "server unavailable"), (4, "bad user name or password"),
                                     (5, "not authorized"), (9, "9")])
def test_connack_refusals(rc, text):
    p = P()
    p._connect()
    with pytest.raises(MQTTError) as ex:
        p.feed(bytes((0x20, 2, 0, rc)))
    assert str(ex.value) == "connection refused: " + text and ex.value.code == rc
    assert not p.connected


@pytest.mark.parametrize("data,what", [
    (b"\x30\xff\xff\xff\xff\x01", "remaining length over 4 bytes"),
    (b"\xf0\x00", "bad packet: type 15"),
    (b"\x00\x00", "bad packet: type 0"),
    (b"\x92\x03\x00\x01\x00", "bad packet: type 9 flags 2"),  # SUBACK with reserved flags set
    (b"\x40\x03\x00\x01\x00", "bad packet: type 4 flags 0 length 3"),
    (b"\x36\x05\x00\x01t\x00\x01", "malformed PUBLISH"),  # QoS 3
    (b"\x30\x04\x00\x05ab", "malformed PUBLISH"),  # topic longer than the packet
    (b"\x30\x05\x00\x02\xc3\x28x", "topic not UTF-8"),
])
def test_malformed_input_is_refused(data, what):
    p = P()
    p.up()
    with pytest.raises(ProtocolError) as ex:
        p.feed(data)
    assert what in str(ex.value)


def test_oversize_packet_refused_before_allocating():
    p = P(maximumPacketSize=100)
    p.up()
    with pytest.raises(ProtocolError) as ex:
        p.feed(b"\x30\xe8\x07")  # announces 1000 bytes, sends 1 header only
    assert "1000 bytes over maximumPacketSize" in str(ex.value)
    assert len(p._rx) == BUFSZ  # nothing was allocated for it


def test_packet_larger_than_buffer_within_limit():
    p = P()
    p.up()
    body = b"\x00\x01t" + b"z" * 1000
    p.feed(b"\x30\xeb\x07" + body, 100)
    assert p.msgs[-1][:2] == ("t", b"z" * 1000)
    assert len(p._rx) == BUFSZ and p._rn == 0


def test_resume_resends_in_order_with_dup_and_resubscribes():
    p = P(clean=False)
    p.up()
    p._subs = {"a/#": 1}
    p._pid = 65533
    es = [[3, 0, b"t", b"%d" % i, 2, None] for i in range(3)]
    for e in es:
        send(p, e)
    rel = [3, 0, b"t", b"q2", 4, None]
    send(p, rel)
    p.out()
    p.feed(b"\x50\x02" + bytes((rel[1] >> 8, rel[1] & 255)))  # PUBREC: now awaiting PUBCOMP
    p.out()
    p.connected = False
    p._connect()
    p.out()
    p.feed(b"\x20\x02\x00\x00")  # no session present: resubscribe first
    assert [e[0] for e in p._q] == [8, 3, 3, 3, 6]
    assert p._q[1:4] == es and all(e[4] & 8 for e in es)  # DUP, first sent first (ids wrapped)
    p._flushq()
    out = p.out()
    assert out.startswith(b"\x82") and b"\x3a" in out and out.endswith(b"\x62\x02\x00\x02")


def test_session_present_no_resubscribe():
    p = P(clean=False)
    p.up()
    p._subs = {"a": 0}
    p.connected = False
    p._connect()
    p.feed(b"\x20\x02\x01\x00")
    assert p._q == [] and p.ups[-1]["sessionPresent"] is True
