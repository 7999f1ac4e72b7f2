# The stream transport (option stream) over a TCP socket to the broker,
# wrapped as a stream: POLL=1 one poll() takes (MicroPython: the socket
# itself; CPython: a wrapper with fileno()), POLL=0 a plain Python object the
# loop checks every few ms. Connect, subscribe, QoS 0/1/2 round trips in
# order, keepalive pings, a stream that goes silent found within 1.5 x
# keepalive, a fresh stream for the reconnect; FACE=haas / umqtt: the HaaS
# createClient and umqtt.simple faces over a stream.
import socket
import sys

import mqtt
from mqtt.compat import ticks_ms, ticks_diff
from scenario import env, url, check, wait, idle, Events, connected, subscribe, end
from sockstream import Plain

MPY = sys.implementation.name == "micropython"
POLL = env("POLL", "1") == "1"
FACE = env("FACE", "mqtt")
host, _, port = url().split("://")[1].rpartition(":")


if MPY:
    import io
    import select

    class Pollable(io.IOBase, Plain):  # MicroPython: poll() takes a stream class that answers ioctl's poll
        def __init__(self, s):
            Plain.__init__(self, s)
            self.p = select.poll()
            self.p.register(s, 1)

        def ioctl(self, req, arg):
            if req == 3:  # MP_STREAM_POLL: which of arg's events are ready
                r = 0 if self.dead else arg & 4  # (a socket with room: writable)
                if arg & 1 and not self.dead and self.p.poll(0):
                    r |= 1
                return r
            return 0
else:
    class Pollable(Plain):  # CPython: poll() takes what has fileno()
        def fileno(self):
            return self.s.fileno()


made = []  # the streams the client asked for, one per connect attempt


def stream():
    s = socket.socket()
    s.connect(socket.getaddrinfo(host, int(port))[0][-1])
    s.setblocking(False)
    st = (Pollable if POLL else Plain)(s)
    made.append(st)
    return st


def roundtrips(c, ev, n=10):
    got = []
    c.on("message", lambda t, m, p: got.append((t, bytes(m), p["qos"])))
    subscribe(c, "st/#", {"qos": 2})
    acks = []
    for q in (0, 1, 2):
        for i in range(n):
            c.publish("st/q%d" % q, b"%d" % i, {"qos": q}, lambda err: acks.append(err))
    wait(lambda: len(got) == 3 * n and len(acks) == 3 * n, 10000, "round trips")
    for q in (0, 1, 2):
        mine = [m for t, m, qq in got if t == "st/q%d" % q and qq == q]
        check(mine == [b"%d" % i for i in range(n)], "qos %d: %r" % (q, mine))
    check(acks == [None] * (3 * n), "acks %r" % (acks,))
    print("round trips: QoS 0/1/2 x %d in order, acks %d" % (n, len(acks)))


if FACE == "mqtt":
    c = mqtt.connect(stream=stream, clientId="s-stream", keepalive=1, reconnectPeriod=200)
    ev = Events(c, "A", quiet=("message",))
    connected(c, ev)
    # socket(): what to wait on; a stream poll() cannot take is nothing to wait on (the loop reads it)
    check(c.socket() is (made[0] if POLL else None), "socket() gives the stream to wait on, if poll() takes it")
    check(c._transport.polled == POLL, "polled %r" % c._transport.polled)
    print("stream polled: %s" % POLL)
    roundtrips(c, ev)
    idle(2500)  # keepalive 1 s: pings go out and are answered
    check(c.connected and ev.count("close") == 0, "lost while idle")
    print("idle 2500 ms: connected, pings %s" % c._pinged)
    made[-1].dead = True
    if 1:
        t = ticks_ms()
        wait(lambda: ev.count("close"), 5000, "the silent stream to be found")
        d = ticks_diff(ticks_ms(), t)
        check(d <= 1600, "silent stream found after %d ms" % d)
        check("keepalive timeout" in str(ev.errors[-1]), "error %s" % ev.errors[-1])
        print("silent stream found within 1.5 x keepalive: keepalive timeout")
        wait(lambda: ev.count("connect") == 2, 5000, "the reconnect over a fresh stream")
        check(len(made) == 2, "streams made: %d" % len(made))
        print("reconnected over a fresh stream")
    end(c, ev)
elif FACE == "haas":
    r = []
    c = mqtt.createClient({"stream": stream, "clientId": "s-stream-haas", "keepalive_interval": 5,
                           "success": lambda: r.append("success"), "fail": lambda e: r.append(e)})
    got = []
    c.on("message", lambda t, m: got.append((t, bytes(m))))
    wait(lambda: r, 5000, "success")
    check(r == ["success"], "createClient: %r" % (r,))
    c.subscribe({"topic": "h/#", "qos": 1, "success": lambda: r.append("sub")})
    wait(lambda: "sub" in r, 5000, "subscribe")
    check(c.publish({"topic": "h/a", "message": "hi", "qos": 1}) == 0, "publish")
    wait(lambda: got, 5000, "the message")
    check(got == [("h/a", b"hi")], "got %r" % (got,))
    c.close()
    idle(100)
    print("haas over a stream: success, subscribe, publish, message")
else:
    from umqtt.simple import MQTTClient

    got = []
    u = MQTTClient("s-stream-umqtt", "uart", keepalive=5, stream=stream)
    u.set_callback(lambda t, m: got.append((t, m)))
    u.connect()
    u.subscribe(b"u/#", qos=1)
    u.publish(b"u/a", b"hi", qos=1)
    if not got:  # (it may have come while publish() waited for its PUBACK)
        u.wait_msg()
    check(got == [(b"u/a", b"hi")], "got %r" % (got,))
    u.disconnect()
    print("umqtt over a stream: connect, subscribe, publish, wait_msg")
print("OK")
