# The core's contract, on each runtime (no socket): acks only once a message
# is handled, a zeroCopy view that a nested step does not overwrite, an
# oversize message whose topic is longer than the buffer, a request whose
# packet ran out of heap after it took its packet id, packet ids that skip
# those of requests moved back to the queue, the one-at-a-time state after a
# drop and after abandon(), a partial packet moved over itself,
# and the PUBACK/PUBREC/PUBCOMP short way against the general one (MQTT 5's
# longer acks) with the same inputs.
import mqtt
from mqtt import core
from mqtt.core import Protocol, EV_MESSAGE, EV_ERROR, EV_CONNACK
from scenario import check

PUBLISH, PUBREL, SUBSCRIBE = 3, 6, 8


class Core(Protocol):
    def __init__(self, **kw):
        o = {"maximumPacketSize": 4096, "maxInflight": 20, "queueSize": 32, "resendLimit": 3, "clientId": "c",
             "keepalive": 60, "clean": True, "protocolVersion": 4}
        o.update(kw)
        Protocol.__init__(self, o)
        self.dones = []

    def _done(self, e, err, granted=None):
        self.dones.append((e[0], e[1], str(err) if err else None))

    def take(self):
        b = bytes(self.data_to_send())
        self.sent(len(b))
        return b

    def feed(self, data, handle=True):
        evs = []
        while data:
            mv = self.buffer()
            n = min(len(mv), len(data))
            mv[:n] = data[:n]
            self.received(n)
            data = data[n:]
            while 1:
                ev = self.next_event()
                if not ev:
                    break
                if ev == EV_MESSAGE:
                    m = self.message
                    evs.append((m[0], bytes(m[1]), m[2], m[3]))
                    if handle:
                        self.handled(m[2], m[3])
                else:
                    evs.append((ev, self.event))
        return evs


def up(p):
    p.connect_packet()
    p.take()
    evs = p.feed(b"\x20\x02\x00\x00")
    check(evs and evs[0][0] == EV_CONNACK and p.connected, "no CONNACK")
    p.flush()
    p.take()


def vlen(n):
    b = bytearray()
    while 1:
        b.append(n & 127 | (128 if n > 127 else 0))
        n >>= 7
        if not n:
            return bytes(b)


def publish(topic, payload, qos, pid=0):
    body = bytes((len(topic) >> 8, len(topic) & 255)) + topic + (bytes((pid >> 8, pid & 255)) if qos else b"") + payload
    return bytes((0x30 | qos << 1,)) + vlen(len(body)) + body


# 1. a QoS 1 and a QoS 2 message: no ack until handled(), then PUBACK / PUBREC
p = Core()
up(p)
evs = p.feed(publish(b"a", b"one", 1, 7) + publish(b"a", b"two", 2, 8), handle=False)
check([e[1] for e in evs] == [b"one", b"two"] and p.unsent == 0, "acked before handled: %r" % (p.take(),))
p.handled(evs[0][2], evs[0][3])
p.handled(evs[1][2], evs[1][3])
check(p.take() == b"\x40\x02\x00\x07\x50\x02\x00\x08", "acks after handled()")
# the QoS 2 message sent again before its PUBREL: not delivered twice, acknowledged again
check(p.feed(publish(b"a", b"two", 2, 8)) == [] and p.take() == b"\x50\x02\x00\x08", "QoS 2 resend")
print("acks: after handled(), not before")

# 1b. handled() of a QoS 0 message (any DUP and RETAIN bits) without zeroCopy
# changes nothing: the client skips the call for it (client._deliver)
p = Core()
up(p)
for h in (0x30, 0x31, 0x38, 0x39):
    evs = p.feed(bytes((h,)) + publish(b"a", b"zero", 0)[1:], handle=False)
    check([e[1:3] for e in evs] == [(b"zero", h)], "QoS 0 message %r" % (evs,))
    before = dict(p.__dict__)
    p.handled(h, 0)
    after = dict(p.__dict__)
    check(sorted(after) == sorted(before) and not [k for k in after if after[k] is not before[k]],
          "handled() of a QoS 0 message changed %r" % ([k for k in after if after.get(k) is not before.get(k)],))
print("acks: handled() of a QoS 0 message without zeroCopy is a no-op")

# 2. zeroCopy: a nested step (a handler that drives the client) does not
# write under the view it handed out
p = Core(zeroCopy=True)
up(p)
evs = []
first = publish(b"t", b"first-payload-1234", 0)
mv = p.buffer()
mv[: len(first)] = first
p.received(len(first))
check(p.next_event() == EV_MESSAGE, "first message")
view = p.message[1]
check(bytes(view) == b"first-payload-1234", "view")
check(not p.next_event(), "nothing more")  # the driver's nested step: the buffer compacts...
second = publish(b"t", b"SECOND-payload-xyz", 0)
mv = p.buffer()
mv[: len(second)] = second  # ...and the next read lands
p.received(len(second))
check(p.next_event() == EV_MESSAGE and bytes(p.message[1]) == b"SECOND-payload-xyz", "second message")
check(bytes(view) == b"first-payload-1234", "the view was overwritten: %r" % bytes(view))
p.handled(0x30, 0)
print("zeroCopy: the view stays valid until handled()")

# 3. an oversize QoS 1 message on a 200-byte topic (longer than the 128-byte
# buffer): acknowledged, skipped, reported with its whole topic
p = Core(maximumPacketSize=1024)
up(p)
topic = b"long/" + b"x" * 195
evs = p.feed(publish(topic, b"z" * 5000, 1, 9) + publish(b"a", b"after", 1, 10))
check(len(evs) == 2 and evs[0][0] == EV_ERROR and str(evs[0][1]).startswith("message on '%s' of " % topic.decode()),
      "oversize report %r" % (evs[:1],))
check(evs[1][1] == b"after", "the next message")
check(p.take() == b"\x40\x02\x00\x09\x40\x02\x00\x0a", "oversize not acknowledged")
print("oversize: a 200-byte topic reported whole, acknowledged")

# 4. out of memory after the packet id was taken: reported once, gone from
# the session (window, resend after lost(), a late ack)
p = Core()
up(p)
real = Protocol._id
boom = [1]


def failing_id(self, tx, o, e):
    r = real(self, tx, o, e)
    if boom[0]:
        boom[0] = 0
        raise MemoryError
    return r


Core._id = failing_id
p.request(SUBSCRIBE, [("a/#", 0)], None, 0, None)
Core._id = real
check(p.dones == [(SUBSCRIBE, 1, "out of memory for a SUBSCRIBE")], "dones %r" % (p.dones,))
check(p.outgoing == {} and p.queue == [], "the failed request stayed: %r %r" % (p.outgoing, p.queue))
p.lost(0)
check(p.queue == [], "resent after lost()")
up(p)
p.feed(b"\x90\x03\x00\x01\x00")  # a SUBACK for its id: nothing completes twice
check(len(p.dones) == 1, "completed twice: %r" % (p.dones,))
print("out of memory after the packet id: reported once, nothing left")

# 5. packet ids skip those of requests moved back to the queue by lost()
p = Core()
up(p)
p._subscriptions["s"] = (0, None)
p.request(PUBLISH, b"t", b"x", 4, None)  # QoS 2: id 1
p.feed(b"\x50\x02\x00\x01")  # PUBREC: it is a PUBREL now, in flight as 1
p.take()
p._last_id = 65535  # (ids wrapped meanwhile: the next new one would be 1)
p.lost(0)
up(p)  # no session: the subscription renewed ahead of the PUBREL, with a new id
ids = sorted(p.outgoing)
check(ids == [1, 2] and p.outgoing[1][0] == PUBREL and p.outgoing[2][0] == SUBSCRIBE, "ids %r" % (ids,))
print("packet ids: a new one skips the ids of requests moved back to the queue")

# 6. one at a time: back to normal after a drop at resendLimit and after abandon()
p = Core(resendLimit=2)
up(p)
p.request(PUBLISH, b"t", b"a", 2, None)  # 1
p.request(PUBLISH, b"t", b"b", 2, None)  # 2
p.lost(1)  # the broker closed with two in flight: both resent, one at a time
up(p)
check(sorted(p.outgoing) == [1], "not one at a time: %r" % (sorted(p.outgoing),))
p.lost(1)  # closed again on 1, alone in flight: a strike
up(p)
p.lost(1)  # and again: dropped at resendLimit
check(p.dones[-1][1] == 1 and p.dones[-1][2].startswith("dropped"), "not dropped: %r" % (p.dones,))
up(p)
check(sorted(p.outgoing) == [2], "after the drop: %r" % (sorted(p.outgoing),))
p.feed(b"\x40\x02\x00\x02")  # its PUBACK: nothing is left to go one at a time
for i in range(3):
    p.request(PUBLISH, b"t", b"x", 2, None)
check(len(p.outgoing) == 3, "still one at a time after a drop: %d in flight" % len(p.outgoing))
p.lost(1)  # three in flight: one at a time after the reconnect...
p.abandon(mqtt.MQTTError("ended"))  # ...until end()
up(p)
for i in range(3):
    p.request(PUBLISH, b"t", b"x", 2, None)
check(len(p.outgoing) == 3, "still one at a time after abandon(): %d in flight" % len(p.outgoing))
print("one at a time: ends with a drop and with abandon()")

# 7. a partial packet longer than what was parsed before it: moved to the
# buffer's start over itself (MicroPython copies a slice with memmove since
# 1.13), its bytes intact
p = Core(maximumPacketSize=8192)
up(p)
for i in range(5):  # reads that fill the buffer: it grows to 2048
    n = len(p.buffer())
    chunk = publish(b"g", b"y" * (n - 4), 0)
    p.feed(chunk)
check(len(p._rx) == 2048, "buffer %d" % len(p._rx))
big = publish(b"b", bytes(range(256)) * 6, 0)  # 1541 bytes
head = publish(b"h", b"h" * 400, 0)  # 405 bytes parsed first, then the partial moves
evs = p.feed(head + big[:1000])
evs += p.feed(big[1000:])
check([e[1] for e in evs] == [b"h" * 400, bytes(range(256)) * 6], "pieces: %r" % ([len(e[1]) for e in evs],))
print("compaction: an overlapping move, bytes intact")

# 8. the short way for 2-byte acks and MQTT 5's longer ones: the same outcome
from mqtt.v5 import Client5  # noqa: E402


def v5core():
    c = mqtt.connect({"host": "127.0.0.1", "protocolVersion": 5, "manualConnect": True, "clientId": "v"})
    c.on("error", lambda e: None)
    got = []
    c._done = lambda e, err, granted=None: got.append((e[0], e[1], err))
    c.connect_packet()
    c.sent(c.unsent)
    c.received(0)
    mv = c.buffer()
    mv[:5] = b"\x20\x03\x00\x00\x00"
    c.received(5)
    check(c.next_event() == EV_CONNACK, "v5 CONNACK")
    c.flush()
    return c, got


outcomes = []
for long in (0, 1):
    c, got = v5core()
    c.request(PUBLISH, b"t", b"q1", 2, None, b"\x00")  # 1
    c.request(PUBLISH, b"t", b"q2", 4, None, b"\x00")  # 2
    c.request(PUBLISH, b"t", b"q1", 2, None, b"\x00")  # 3
    c.request(SUBSCRIBE, [("s", 0)], None, 0, None, b"\x00")  # 4
    c.sent(c.unsent)
    # PUBACK 1 (ends it), PUBACK 2 (a QoS 2 one: ignored), PUBREC 3 (QoS 1: ignored), PUBACK 4 (a
    # SUBSCRIBE: ignored), PUBREC 2 (PUBREL), PUBCOMP 2 (ends it), PUBACK 9 (unknown), PUBACK 3
    for t, pid in ((4, 1), (4, 2), (5, 3), (4, 4), (5, 2), (7, 2), (4, 9), (4, 3)):
        pk = bytes((t << 4, 3 if long else 2, 0, pid)) + (b"\x00" if long else b"")
        mv = c.buffer()
        mv[: len(pk)] = pk
        c.received(len(pk))
        while c.next_event():
            pass
    outcomes.append((got, sorted(c.outgoing), bytes(c.data_to_send())))
check(outcomes[0] == outcomes[1], "short way %r, general way %r" % tuple(outcomes))
check([g[1] for g in outcomes[0][0]] == [1, 2, 3] and outcomes[0][1] == [4], "acks %r" % (outcomes[0],))
print("acks: the short way and the general one agree")
print("OK")
