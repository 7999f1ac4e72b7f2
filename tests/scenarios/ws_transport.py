# mqtt.ws's transport (WS) over a stub link instead of a socket, for
# tests/test_ws.py on either runtime: the upgrade's request and response
# (whole, or a byte at a time, with frames behind it), writes the link takes
# only in part (the client gives the same bytes again: each goes out once),
# a pong owed while a frame is half written, reads filling the client's
# buffer, the request's Host for default ports and IPv6.
# Prints one line per check, then OK; a failed check prints FAIL and exits 1.
from mqtt import ws
from mqtt.core import MQTTError
from scenario import check

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
OK101 = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
    b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"


class Link:
    # a stub of the TCP transport: writes take budget bytes in all (None: any; then 0, as a full
    # socket), read gives the chunks (b"": nothing more now, None: the end)
    err = None
    opening = rd = 0
    short = 1
    sock = None

    def __init__(self):
        self.sent = bytearray()
        self.budget = None
        self.chunks = []

    def ready(self):
        return 1

    def write(self, b, n):
        k = n if self.budget is None else min(n, self.budget)
        if self.budget is not None:
            self.budget -= k
        self.sent += bytes(memoryview(b)[:k])
        return k

    def read(self, mv):  # as a socket's: all there is up to len(mv), across chunks up to a b"" or the end
        k = 0
        while self.chunks and k < len(mv):
            c = self.chunks[0]
            if not c:
                if c is None and not k:
                    return -1
                if c is not None and not k:
                    self.chunks.pop(0)
                break
            m = min(len(c), len(mv) - k)
            mv[k : k + m] = c[:m]
            k += m
            if m == len(c):
                self.chunks.pop(0)
            else:
                self.chunks[0] = c[m:]
        return k


class W(ws.WS):  # WS with its link given (as WS.__init__ leaves it, after its TCP connect)
    def __init__(self, t):
        ws.Frames.__init__(self)
        self._t = t
        self.sock = None
        self.short = t.short
        self._where = "stub:1"
        self._key = KEY
        self._proto = b"mqtt"
        self._req = b"GET /mqtt HTTP/1.1\r\n\r\n"
        self._resp = b""
        self._rest = b""
        self._carried = 0


def sframe(op, p, fin=True):
    return bytes([(128 if fin else 0) | op, len(p)]) + p


def frames(b):
    # the client's frames in b -> [(opcode, payload)]; each must be whole, masked, FIN
    out = []
    i = 0
    while i < len(b):
        check(b[i] & 0xF0 == 0x80 and b[i + 1] & 128, "frame at %d: %r" % (i, bytes(b[i : i + 2])))
        n = b[i + 1] & 127
        a = i + 2
        if n == 126:
            n = b[a] << 8 | b[a + 1]
            a += 2
        k = b[a : a + 4]
        a += 4
        check(a + n <= len(b), "frame at %d cut short" % i)
        out.append((b[i] & 15, bytes(x ^ k[j & 3] for j, x in enumerate(b[a : a + n]))))
        i = a + n
    return out


# -- the upgrade

for step in (0, 1):
    t = Link()
    w = W(t)
    rest = sframe(2, b"\x20\x02\x00\x00") + sframe(9, b"hi")
    data = OK101 + rest
    t.chunks = [x for i in range(len(data)) for x in (data[i : i + 1], b"")] if step else [data]
    t.budget = 5  # the request: 5 bytes, then nothing, then the rest
    check(not w.ready() and w.opening and w.rd == 0, "ready after 5 bytes of the request")
    t.budget = 0
    check(not w.ready() and w.opening, "ready with the link full")
    t.budget = None
    for _ in range(len(data) + 2):  # (as the client calls it: at each step, a poll waking it)
        r = w.ready()
        if r:
            break
    check(r == 1 and not w.opening and not w.rd and bytes(t.sent) == b"GET /mqtt HTTP/1.1\r\n\r\n",
          "ready %r, sent %r" % (r, bytes(t.sent)))
    mv = memoryview(bytearray(64))
    n = 0
    for _ in range(40):  # (as the client reads: again when poll says there is more)
        n += w.read(mv[n:])
    check(n == 4 and bytes(mv[:4]) == b"\x20\x02\x00\x00", "the frames behind the response: %d %r" % (n, bytes(mv[:n])))
    check(frames(t.sent[len(b"GET /mqtt HTTP/1.1\r\n\r\n") :]) == [(10, b"hi")], "pong %r" % bytes(t.sent))
    check(w.short == 1, "short %r after the response's frames" % w.short)
print("upgrade: the request out in pieces, the response whole or a byte at a time, the frames behind it read")
t = Link()
w = W(t)
t.chunks = [b"HTTP/1.1 101 Switching", None]
try:
    w.ready()
    check(False, "an upgrade cut short taken")
except MQTTError as e:
    check("closed the connection during the WebSocket upgrade" in str(e), str(e))
print("upgrade: a response cut short: MQTTError")

# -- writes the link takes in part

def writes(seed):
    # 12800 bytes through write() as the client gives them, the link taking a
    # pseudo-random budget each call, pings coming between: what went out
    t = Link()
    w = W(t)
    t.chunks = [OK101]
    check(w.ready(), "upgrade")
    t.sent = bytearray()
    src = bytes(range(256)) * 50  # frames of up to 4096
    tx = bytearray(src)
    unsent = len(tx)
    caps = [0, 1, 2, 3, 0, 0, 700, 5, 200, 0, 9, 40, 1, 0, 300, 17, 0, 64, 4096, 7, 4104, 4102, 5000, 6, 8, 2048]
    x = seed
    pinged = steps = 0
    while unsent:
        steps += 1
        check(steps < 5000, "writes do not end")
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        t.budget = caps[x % len(caps)]
        r = w.write(tx, unsent)
        if r:
            tx[: unsent - r] = tx[r:unsent]
            unsent -= r
        if x & 3 == 1:  # a ping comes while a frame may be half out: its pong goes after that frame
            pinged += 1
            t.chunks = [sframe(9, b"p%d" % pinged)]
            t.budget = caps[(x >> 8) % len(caps)]
            check(w.read(memoryview(bytearray(32))) == 0, "a ping is no data")
    t.budget = None
    w.write(tx, 0)  # (what is owed goes out with the next write)
    fs = frames(t.sent)
    got = b"".join(p for op, p in fs if op == 2)
    check(got == src, "seed %d: data out: %d bytes of %d, intact %s" % (seed, len(got), len(src),
                                                                      got == src[: len(got)]))
    pongs = [p for op, p in fs if op == 10]
    # (RFC 6455 5.5.3: pings that come while a pong is owed may be answered by one pong, the last one's)
    nums = [int(p[1:]) for p in pongs]
    check(not pinged or nums and nums == sorted(set(nums)) and nums[-1] == pinged,
          "seed %d: pongs %r of %d pings" % (seed, pongs, pinged))
    check(max(len(p) for op, p in fs) == 4096, "frames up to 4096 bytes")
    return steps, pinged, len(pongs)


r = [writes(seed) for seed in range(1, 41)]
print("writes: the link taking 0 to 4096 bytes a call, pings between: each byte out once, in order, pongs "
      "between frames, the last ping answered")
print("(%d writes, %d pings, %d pongs over 40 runs)" % tuple(sum(x[i] for x in r) for i in range(3)))

# -- reads

t = Link()
w = W(t)
t.chunks = [OK101]
w.ready()
pk = b"\x30\x0a\x00\x03a/bhello"
t.chunks = [sframe(2, pk) * 3, sframe(2, pk) * 10]
mv = memoryview(bytearray(40))
n = w.read(mv)
check(n == 40 and bytes(mv) == (pk * 4)[:40], "a read fills the buffer over the link's reads: %d" % n)
mv = memoryview(bytearray(200))
n = w.read(mv)
check(n == 13 * 12 - 40 and bytes(mv[:n]) == (pk * 13)[40:], "the rest: %d" % n)
check(w.read(mv) == 0, "then nothing")
t.chunks = [sframe(2, pk[:5]) + sframe(8, b"\x03\xe8bye") + sframe(2, b"after"), None]
n = w.read(mv)
check(n == 5 and w.short == 0, "data before a close: %d, short %r" % (n, w.short))
try:
    w.read(mv)
    check(False, "a read after a close")
except MQTTError as e:
    check(str(e) == "stub:1 closed the WebSocket: 1000 bye" and e.code == 1000, "%s %r" % (e, e.code))
check(frames(t.sent[-8:]) == [(8, b"\x03\xe8")], "close echo %r" % bytes(t.sent[-8:]))
print("reads: as much as the buffer takes; data before a close, then the close as an error, echoed")
t = Link()
w = W(t)
t.chunks = [OK101]
w.ready()
t.chunks = [sframe(2, b"ok"), None]
check(w.read(mv) == 2 and w.read(mv) == -1, "the end of the stream")
print("reads: the link's end is the end")

# -- the request


class C:
    def __init__(self, **o):
        self.options = {"protocol": "ws", "protocolVersion": 4, "path": "/mqtt"}
        self.options.update(o)


for h, port, proto, host in (("127.0.0.1", 80, "ws", "127.0.0.1"), ("127.0.0.1", 8080, "ws", "127.0.0.1:8080"),
                             ("::1", 80, "ws", "[::1]"), ("::1", 1883, "ws", "[::1]:1883"),
                             ("127.0.0.1", 443, "wss", "127.0.0.1:443")):
    try:
        w = ws.WS(C(protocol=proto if proto == "ws" else "ws"), h, port)
    except OSError as e:  # (a host without IPv6)
        print("(skipped %s: %s)" % (h, e))
        continue
    r = w._req.decode()
    w.sock.close()
    check("\r\nHost: %s\r\n" % host in r, "Host for %s port %d: %r" % (h, port, r))
print("request: Host without the default port, IPv6 in brackets")
print("OK")
