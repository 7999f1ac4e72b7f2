# A port without socket: `import mqtt` works, the sans-IO core runs (CONNECT
# bytes, CONNACK, SUBSCRIBE/SUBACK, QoS 1 in and out), and a client made with
# manualConnect imports nothing more. Only a TCP connection needs socket.
import sys

sys.path.insert(0, "tests/scenarios/nosocket")  # (cwd is the checkout: conftest.py)
sys.modules.pop("socket", None)
try:
    import socket  # noqa: F401

    print("FAIL: socket imported: the stand-in is not first on the path")
    sys.exit(1)
except ImportError:
    pass

import mqtt
from mqtt.core import Protocol, EV_CONNACK, EV_MESSAGE


def check(c, msg):
    if not c:
        print("FAIL: " + msg)
        sys.exit(1)


check("socket" not in sys.modules, "socket in sys.modules after import mqtt")


class P(Protocol):
    def __init__(self, o):
        Protocol.__init__(self, o)
        self.dones = []

    def _done(self, e, err, granted=None):
        self.dones.append((e[0], e[1], err, granted))

    def take(self):
        b = bytes(self.data_to_send())
        self.sent(len(b))
        return b


def feed(p, data):
    evs = []
    while data:
        mv = p.buffer()
        n = min(len(mv), len(data))
        mv[:n] = data[:n]
        p.received(n)
        data = data[n:]
        while True:
            ev = p.next_event()
            if not ev:
                break
            if ev == EV_MESSAGE:
                m = p.message
                evs.append(("message", m[0], bytes(m[1]), m[2] >> 1 & 3, m[3]))
                p.handled(m[2], m[3])
            elif ev == EV_CONNACK:
                evs.append(("connack", p.event["returnCode"]))
    return evs


p = P({"maximumPacketSize": 4096, "maxInflight": 20, "queueSize": 32, "resendLimit": 3, "clientId": "c1",
       "keepalive": 60, "clean": True, "protocolVersion": 4})
p.connect_packet()
check(p.take() == b"\x10\x0e\x00\x04MQTT\x04\x02\x00\x3c\x00\x02c1", "CONNECT bytes")
check(feed(p, b"\x20\x02\x00\x00") == [("connack", 0)] and p.connected, "CONNACK")
p.flush()
p.request(8, [("a/#", 1)], None, 0, None)  # SUBSCRIBE
check(p.take() == b"\x82\x08\x00\x01\x00\x03a/#\x01", "SUBSCRIBE bytes")
feed(p, b"\x90\x03\x00\x01\x01")  # SUBACK, QoS 1 granted
check(p.dones == [(8, 1, None, [{"topic": "a/#", "qos": 1}])], "SUBACK: %r" % (p.dones,))
p.request(3, b"a/b", b"hi", 2, None)  # PUBLISH QoS 1 out
check(p.take() == b"\x32\x09\x00\x03a/b\x00\x02hi", "PUBLISH QoS 1 bytes")
feed(p, b"\x40\x02\x00\x02")  # PUBACK
check(p.dones[-1] == (3, 2, None, None) and not p.outgoing, "PUBACK")
evs = feed(p, b"\x32\x09\x00\x03a/c\x00\x07yo")  # PUBLISH QoS 1 in
check(evs == [("message", "a/c", b"yo", 1, 7)], "message in: %r" % (evs,))
check(p.take() == b"\x40\x02\x00\x07", "PUBACK out")

c = mqtt.connect("mqtt://nowhere", manualConnect=True)  # made, not connected: no socket needed yet
check(not c.connected and "socket" not in sys.modules, "a client without a connection")
print("no socket: import, core and client OK")
print("OK")
