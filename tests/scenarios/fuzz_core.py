# Seeded fuzzing of the receive path, on either runtime (MicroPython has no
# hypothesis): streams of valid packets of every kind, mutated (bytes
# flipped, cut, inserted, lengths blown up), fed in random chunk sizes to the
# 3.1.1 core and to an MQTT 5 client. Whatever comes, the only exceptions
# are mqtt.ProtocolError / MQTTError, every call makes progress, the buffers
# stay bounded, and messages are str topics with bytes payloads; a stream
# left whole, of QoS 0/1 messages and acks, is delivered exactly, in order.
# env: CASES, SEED
import os
import random
import sys

import mqtt
from mqtt import core

CASES = int(os.getenv("CASES") or "500")
SEED = int(os.getenv("SEED") or "1")
MAX = 300  # maximumPacketSize


class Core(core.Protocol):
    def __init__(self):
        core.Protocol.__init__(self, {"maximumPacketSize": MAX, "maxInflight": 20, "queueSize": 32, "resendLimit": 3,
                                      "clientId": "f", "keepalive": 60, "clean": True, "protocolVersion": 4})
        self.done = 0

    def _done(self, e, err, granted=None):
        self.done += 1


def rnd(n):
    return random.getrandbits(16) % n


def rbytes(n):
    return bytes(rnd(256) for _ in range(n))


def vlen(n):
    b = bytearray()
    while 1:
        d = n & 127
        n >>= 7
        b.append(d | 128 if n else d)
        if not n:
            return bytes(b)


def packet(v5, plain=0):
    # plain: a QoS 0/1 PUBLISH with a plain topic, or an ack, and what it delivers
    k = rnd(9)
    if plain:
        if k < 5:
            t = ("t/%d" % rnd(20)).encode()  # (t/1 and t/12: a topic cache must compare lengths)
            q = rnd(2)
            m = rbytes(rnd(40))
            body = bytes((0, len(t))) + t + (bytes((0, 1 + rnd(50))) if q else b"") + (b"\x00" if v5 else b"") + m
            expect.append((t.decode(), m))
            return bytes((0x30 | q << 1,)) + vlen(len(body)) + body
        return bytes((0x40, 2, 1, rnd(250)))  # a PUBACK for nothing of ours: ignored
    pid = bytes((rnd(4), 1 + rnd(20)))
    props = b"\x00" if v5 else b""
    if k < 4:  # PUBLISH
        q = rnd(3)
        t = ("t/%d" % rnd(5)).encode() if rnd(8) else rbytes(rnd(6))
        body = bytes((0, len(t))) + t + (pid if q else b"") + props + rbytes(rnd(40))
        if v5 and rnd(4) == 0:  # with a topic alias
            body = bytes((0, len(t))) + t + (pid if q else b"") + b"\x03\x23\x00" + bytes((1 + rnd(3),)) + rbytes(3)
        return bytes((0x30 | q << 1 | rnd(2) | rnd(2) << 3,)) + vlen(len(body)) + body
    if k < 8:  # PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 5: maybe a reason code)
        t = 4 + rnd(4)
        body = pid + (bytes((rnd(256),)) + props if v5 and rnd(2) else b"")
        return bytes((t << 4 | (2 if t == 6 else 0), len(body))) + body
    return [b"\xd0\x00", b"\x90\x04" + pid + b"\x00\x01" if not v5 else b"\x90\x05" + pid + b"\x00\x00\x01",
            b"\xb0\x02" + pid if not v5 else b"\xb0\x04" + pid + b"\x00\x00", b"\xe0\x00"][rnd(4)]


def mutate(b):
    for _ in range(rnd(4)):  # (bytes spliced: MicroPython's bytearray has no slice deletion)
        m = rnd(5)
        i = rnd(len(b) + 1)
        if m == 0 and b:
            i = min(i, len(b) - 1)
            b = b[:i] + bytes((rnd(256),)) + b[i + 1 :]
        elif m == 1:
            b = b[:i] + rbytes(1 + rnd(4)) + b[i:]
        elif m == 2:
            b = b[:i] + b[i + 1 + rnd(8) :]
        elif m == 3 and len(b) > 1:  # a remaining length blown up
            b = b[:1] + bytes((0x80 | rnd(128), 0xFF, 0x7F)) + b[2:]
        elif m == 4:
            b += b"\x32\xff\xff\x7f" + rbytes(rnd(10))
    return b


def stream(v5):
    if rnd(4) == 0:  # whole, and known
        return b"".join(packet(v5, 1) for _ in range(1 + rnd(12)))
    s = b"".join(packet(v5) for _ in range(1 + rnd(12)))
    return mutate(s) if rnd(4) else s


def new(v5):
    if v5:
        c = mqtt.connect({"protocolVersion": 5, "host": "127.0.0.1", "manualConnect": True, "maximumPacketSize": MAX,
                          "properties": {"topicAliasMaximum": 3}})
        c.on("error", lambda e: None)
        c.on("disconnect", lambda p: None)
    else:
        c = Core()
    c.connect_packet()
    feed(c, v5, b"\x20\x03\x00\x00\x00" if v5 else b"\x20\x02\x00\x00")
    if not c.connected:
        fail("no connection")
    for q in (1, 2, 1):  # requests of ours, for the acks to find
        c.request(3, b"t", b"x", q << 1, None, b"\x00" if v5 else None)
    c.request(8, [("a/#", 1)], None, 0, None, b"\x00" if v5 else None)
    return c


msgs = [0]


def oversize_header(data):  # the stream holds a PUBLISH header with a remaining length over MAX
    for i in range(len(data) - 2):
        if data[i] >> 4 == 3 and data[i + 1] > 127:
            return True
    return False


def feed(c, v5, data):
    # data in chunks, each parsed to the end: (True when the core refused the stream)
    i = 0
    while i < len(data):
        mv = c.buffer()
        n = min(len(mv), len(data) - i, 1 + rnd(64))
        if not n:
            fail("no room to read into")
        mv[:n] = data[i : i + n]
        c.received(n)
        i += n
        for _ in range(len(data) + 8):  # each call handles a packet or asks for more: never spins
            ev = c.next_event()
            if not ev:
                break
            if ev == core.EV_MESSAGE:
                if not isinstance(c.message[0], str) or not isinstance(c.message[1], bytes):
                    fail("message %r %r" % (c.message[0], c.message[1]))
                msgs[0] += 1
                got.append((c.message[0], c.message[1]))
                c.handled(c.message[2], c.message[3])  # (as a driver does once its listeners returned)
            elif v5 and ev > core.EV_ERROR:
                c._event(ev)
                if not c.connected:
                    return True
            if c.connected != (c.state == 2):  # (connected mirrors state == CONNECTED)
                fail("connected %r in state %r" % (c.connected, c.state))
        else:
            fail("next_event() spins")
        # (an oversize PUBLISH's header is read whole, its topic up to 65,535 bytes: 65,544 at most)
        if len(c._rx) > max(128, MAX + 5, 65544 if c._skipping or oversize_header(data) else 0) \
                or len(c.tx) > 4 * len(data) + 512:
            fail("buffers grew: rx %d, tx %d" % (len(c._rx), len(c.tx)))
    return False


def fail(why):
    print("FAIL: case %d (seed %d): %s\nstream: %s" % (case, SEED, why, cur.hex() if cur else ""))
    sys.exit(1)


random.seed(SEED)
refused = whole = 0
cur = None
for case in range(CASES):
    v5 = case % 2
    cur = None
    c = new(v5)
    expect = []
    got = []
    cur = stream(v5)
    try:
        feed(c, v5, cur)
    except mqtt.MQTTError:  # ProtocolError among them: refused, as it must be
        refused += 1
        if expect:
            fail("a whole stream refused")
    except Exception as e:
        fail("%s: %s" % (type(e).__name__, e))
    if expect:
        whole += 1
        if got != expect:
            fail("delivered %r, sent %r" % (got, expect))
print("fuzz: %d cases (seed %d): %d refused, %d whole streams delivered exactly, %d messages"
      % (CASES, SEED, refused, whole, msgs[0]))
print("OK")
