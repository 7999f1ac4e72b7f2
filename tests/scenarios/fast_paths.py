# publish()'s fast ways against the general ones, with the same inputs, on
# each runtime (a fake transport, no socket): a QoS 0 publish without a
# callback (written straight into the output) and with one (_send); a QoS
# 1/2 publish (queued inline) and the same request through _request(). In
# each state (connected with room, a socket that takes nothing, no
# connection, ended) both must leave the same bytes on the wire, the same
# queue and the same requests in flight.
import mqtt
from mqtt.core import EV_CONNACK
from scenario import check

PUBLISH = 3


class Sock:
    def close(self):
        pass


class Fake:  # the transport interface the client drives
    opening = 0
    err = None
    rd = 0
    short = 1

    def __init__(self):
        self.sock = Sock()
        self.wire = b""
        self.takes = 1 << 20  # bytes the socket takes before it is full

    def ready(self):
        return True

    def write(self, b, n):
        n = min(n, self.takes)
        self.takes -= n
        self.wire += bytes(b[:n])
        return n

    def read(self, mv):
        return 0


def client(state):
    c = mqtt.connect({"host": "127.0.0.1", "manualConnect": True, "clientId": "f", "queueSize": 200})
    c.on("error", lambda e: None)
    c.connect_packet()
    c.sent(c.unsent)
    if state in ("connected", "full"):
        mv = c.buffer()
        mv[:4] = b"\x20\x02\x00\x00"
        c.received(4)
        check(c.next_event() == EV_CONNACK, "CONNACK")
        c.flush()
    f = Fake()
    c._transport = f  # (as _attempt() sets it)
    if state == "full":
        f.takes = 0
    if state == "ended":
        c.end(True)
        c.loop(0)  # (its step ends it)
    return c, f


def outcome(c, f):
    return (f.wire, c.unsent, bytes(c.tx[: c.unsent]), [(e[0], e[2], e[3], e[4]) for e in c.queue],
            sorted(c.outgoing), c.state)


results = {}
for state in ("connected", "full", "down", "ended"):
    for qos in (0, 1, 2):
        got = []
        for way in ("fast", "general"):
            c, f = client(state)
            done = []
            for i in range(120):  # enough to fill the output (4 KB) where the socket takes nothing
                topic, payload = "fp/%d" % (i % 3), b"p%03d" % i + b"." * 40
                if way == "fast":
                    c.publish(topic, payload, {"qos": qos})
                elif qos:
                    c._request(PUBLISH, topic.encode(), payload, qos << 1, done.append, None)
                else:
                    c.publish(topic, payload, {"qos": qos}, done.append)
            c.loop(0)
            got.append(outcome(c, f))
        if got[0] != got[1]:
            short = [(len(g[0]), g[1], len(g[3]), g[4], g[5]) for g in got]  # wire, unsent, queued, in flight, state
            check(0, "%s QoS %d: the fast way %r, the general way %r" % (state, qos, short[0], short[1]))
        results[(state, qos)] = got[0]
    print("%s: fast and general ways agree (QoS 0, 1, 2)" % state)
check(len(results[("connected", 0)][0]) > 5000 and results[("full", 0)][1] > 0 and results[("down", 1)][3],
      "the cases did not test what they say")
print("OK")
