# MQTT over WebSocket, ws:// and wss:// (optional module: imported only when
# such a client connects). RFC 6455 as MQTT 3.1.1/5.0 section 6 wants it: an
# HTTP/1.1 upgrade asking for the subprotocol "mqtt" ("mqttv3.1" for MQTT
# 3.1), then MQTT's bytes in binary frames, masked from the client with a
# fresh key each, whose boundaries have nothing to do with MQTT's packets.
#   Frames  sans-IO framing: unframe(b, n) takes what came in and leaves its
#           data in place, frame(b, n) makes one frame of output; no socket
#   WS      the TCP transport's interface (opening/ready(), write(buf, n),
#           read(mv), err, sock, short, rd, polled) over TCP, or TLS for wss://
# The client's output is masked into this module's own buffer, a frame (header
# and payload) a write; its input is unframed in place, in the client's own
# receive buffer. Where viper runs, neither allocates per message.
from random import getrandbits
from binascii import b2a_base64
from .core import MQTTError, ProtocolError
from .transport import TCP
from .compat import const, MPY

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 4.2.2: the accept key's suffix
_OUT = const(256)  # output frame payload to start with; doubled while writes fill it, up to
_OUTMAX = const(4096)  # this, the client's own output buffer's (a longer write goes out in frames of this size)
_RESPMAX = const(4096)  # the upgrade's response, at most
_BIN = const(2)  # opcodes: continuation 0, binary 2, close 8, ping 9, pong 10
_CLOSE = const(8)
_PING = const(9)
_PONG = const(10)

# Masking costs a Python loop per byte (50 ns on the unix port, several us per
# message): where MicroPython has its native emitter, viper does it (and the
# input's moves) in machine code, compiled here at import: 2 ns a byte, and
# 4 bytes at a time where both ends are word-aligned (a long frame's are).
_VIPER = """
@micropython.viper
def _mask(o, a: int, b, j: int, n: int):
    d = ptr8(o)
    s = ptr8(b)
    i = 0
    if ((int(d) + a) | (int(s) + j)) & 3 == 0:
        k = ptr32(int(d) + a - 4)[0]
        dw = ptr32(int(d) + a)
        sw = ptr32(int(s) + j)
        w = n >> 2
        while i < w:
            dw[i] = sw[i] ^ k
            i += 1
        i = w << 2
    while i < n:
        d[a + i] = s[j + i] ^ d[a - 4 + (i & 3)]
        i += 1
@micropython.viper
def _move(b, d: int, s: int, n: int):
    p = ptr8(b)
    e = s + n
    while s < e:
        p[d] = p[s]
        d += 1
        s += 1
"""


def _pymask(o, a, b, j, n):  # o[a:a+n] = b[j:j+n] XOR the key at o[a-4:a] (where viper cannot)
    i = 0
    while i < n:
        o[a + i] = b[j + i] ^ o[a - 4 + (i & 3)]
        i += 1


def _pymove(b, d, s, n):  # b[d:d+n] = b[s:s+n], d < s
    b[d : d + n] = b[s : s + n]


try:
    exec(_VIPER)  # (CPython: NameError; a port without the native emitter: SyntaxError)
except Exception:
    _move = _pymove
    if MPY:
        _mask = _pymask
    else:  # CPython: XOR as one big integer
        from ._cpy import ws_mask as _mask


class Frames:
    # RFC 6455 framing, client side, no I/O. Output: frame(b, n) makes one
    # frame of b[:n] (up to 4 KB of it) in out[start:end], the caller writes
    # it and moves start. Input: unframe(b, n) moves the data of the frames in b[:n] to
    # the front of b; a ping leaves a pong owed, a close leaves its echo
    # owed and sets closed = (code or None, reason); owe = (opcode, payload)
    # goes out once nothing else waits. A frame that breaks RFC 6455 raises ProtocolError.
    closed = owe = None
    _c = None  # a control frame's payload as it comes (made at the first)

    def __init__(self):
        self.out = bytearray(_OUT + 8)  # header (2 or 4 bytes), key (4), payload
        self.start = self.end = 0  # out[start:end] waits to be written
        self._h = bytearray(10)  # a frame header split over reads, as far as it came
        self._hn = 0
        self._left = 0  # payload bytes of the frame being read still to come
        self._op = 0  # its opcode
        self._frag = False  # a data message is open: continuation frames follow
        self._cn = 0  # control payload bytes so far

    def frame(self, b, n, op=_BIN, j=0):
        # one frame of b[j:j+n], as much of it as one frame takes, into out; bytes taken
        o = self.out
        c = len(o) - 8
        if n > c and c < _OUTMAX:  # a bigger write: a bigger buffer, once
            c = min(max(n, c * 2), _OUTMAX)
            o = self.out = bytearray(c + 8)
        if n > c:
            n = c
        o[0] = 128 | op  # FIN, the opcode
        if n < 126:
            o[1] = 128 | n  # MASK, the length
            a = 6
        else:
            o[1] = 254
            o[2] = n >> 8
            o[3] = n & 255
            a = 8
        r = getrandbits(16)  # a fresh key (two 16-bit draws: small ints, nothing allocated)
        o[a - 4] = r & 255
        o[a - 3] = r >> 8
        r = getrandbits(16)
        o[a - 2] = r & 255
        o[a - 1] = r >> 8
        _mask(o, a, b, j, n)
        self.start = 0
        self.end = a + n
        return n

    def unframe(self, b, n):
        # b[:n] came in: the data of its frames moved to b[:k], in place; k.
        # (The frame's state in locals: attribute lookups are most of its cost.)
        if self.closed:  # nothing counts after a close
            return 0
        i = k = 0
        left = self._left
        op = self._op
        while i < n:
            if left:  # payload
                m = n - i
                if m > left:
                    m = left
                left -= m
                if op < _CLOSE:  # data: joined to what came before it
                    if k != i:
                        _move(b, k, i, m)
                    k += m
                    i += m
                    continue
                c = self._cn
                self._c[c : c + m] = b[i : i + m]
                self._cn = c + m
                i += m
                if left:
                    continue
                self._control()
            elif not self._hn and i + 1 < n and b[i + 1] < 126:  # a whole 2-byte header, unmasked: the usual
                h = b[i]
                left = b[i + 1]
                i += 2
                if h == 0x82 and not self._frag:  # (FIN, binary: the usual of the usual)
                    op = _BIN
                    continue
                self._begin(h, left)
                op = self._op
            else:
                x = self._h
                h = self._hn
                x[h] = b[i]
                i += 1
                h += 1
                self._hn = h
                if h < 2:
                    continue
                m = x[1]
                if m > 127:  # RFC 6455 5.1: a server never masks
                    raise ProtocolError("WebSocket: masked frame from the server")
                if h < (4 if m == 126 else 10 if m == 127 else 2):
                    continue
                self._hn = 0
                if m == 126:
                    m = x[2] << 8 | x[3]
                elif m == 127:
                    if x[2] > 127:
                        raise ProtocolError("WebSocket: frame length over 2**63")
                    m = int.from_bytes(x[2:10], "big")
                self._begin(x[0], m)
                op = self._op
                left = m
            if self.closed:  # nothing counts after a close
                left = 0
                break
        self._left = left
        self._op = op
        return k

    def _begin(self, h, m):
        # a frame starts: FIN, RSV and opcode in h, length m
        op = h & 15
        why = None
        if h & 0x70:
            why = "reserved bits set (no extension was agreed)"
        elif op >= _CLOSE:
            if op > _PONG or h < 128 or m > 125:  # RFC 6455 5.5
                why = "bad control frame (opcode %d, %d bytes%s)" % (op, m, "" if h > 127 else ", not FIN")
            self._cn = 0
            if self._c is None:
                self._c = bytearray(125)
        elif op and op != _BIN:
            why = "text or reserved frame (opcode %d): MQTT takes binary frames only" % op
        elif (op == _BIN) == self._frag:
            why = "new frame inside a fragmented one" if op else "continuation frame without a start"
        else:
            self._frag = h < 128
        if why:
            raise ProtocolError("WebSocket: " + why)
        self._op = op
        self._left = m
        if op >= _CLOSE and not m:
            self._control()

    def _control(self):
        # a control frame came whole: a ping owes a pong with its payload, a close its echo
        op = self._op
        p = bytes(self._c[: self._cn])
        if op == _PING:
            self.owe = (_PONG, p)
        elif op == _CLOSE:
            self.closed = (p[0] << 8 | p[1] if len(p) > 1 else None, _text(p[2:]))
            self.owe = (_CLOSE, p[:2])


def _text(b):  # bytes from the server, as text for a message
    try:
        return str(b, "utf-8")
    except UnicodeError:
        return repr(b)


def _key():  # Sec-WebSocket-Key: 16 random bytes (the hardware's where os.urandom has them), base64
    try:
        from os import urandom

        k = urandom(16)
    except ImportError:
        k = bytes(getrandbits(8) for _ in range(16))
    return b2a_base64(k).strip()


def accept(key):  # the Sec-WebSocket-Accept a server must answer key with
    from hashlib import sha1

    return b2a_base64(sha1(key + _GUID).digest()).strip()


def options(o):
    # connect()'s check of the WebSocket options, and their defaults
    try:
        from hashlib import sha1  # noqa: F401
    except ImportError:
        raise ImportError("ws:// and wss:// need hashlib.sha1 (the upgrade's Sec-WebSocket-Accept), "
                          "which this firmware lacks")
    if o["port"] is None:
        o["port"] = 443 if o["protocol"] == "wss" else 80
    p = o["path"] or "/mqtt"
    if not isinstance(p, str) or p[0] != "/" or [1 for x in " \r\n" if x in p]:
        raise ValueError("path must start with / and hold no space: %r" % (p,))
    o["path"] = p
    w = o["wsOptions"] or {}
    h = w.get("headers") if isinstance(w, dict) else None
    if not isinstance(w, dict) or [1 for k in w if k != "headers"] or not isinstance(h or {}, dict) \
            or [1 for k in h or () if not isinstance(k, str) or not k or [1 for x in ":\r\n " if x in k]
                or "\r" in str(h[k]) or "\n" in str(h[k]) or k.lower() in ("host", "upgrade", "connection")
                or k.lower()[:14] == "sec-websocket-"]:
        raise ValueError("wsOptions must be {'headers': {name: value}}: one line each, none of the upgrade's own")


class WS(Frames):
    err = None  # a write error, raised by the client's next step
    opening = 1  # connecting, then the upgrade: nothing of the client's goes out until it is done
    rd = 0  # output waits for input (the upgrade's response, a TLS handshake): no POLLOUT
    polled = 1

    def __init__(self, c, h, port):
        o = c.options
        if o["protocol"] == "wss":  # the same TLS as mqtts://, options and all
            from .tls import TLS

            t = TLS(c, h, port)
        else:
            t = TCP(h, port)
        Frames.__init__(self)
        self._t = t
        self.sock = t.sock
        self.short = t.short
        self._where = "%s:%d" % (h, port)
        self._key = k = _key()
        p = "mqttv3.1" if o["protocolVersion"] == 3 else "mqtt"
        self._proto = p.encode()
        if ":" in h:  # an IPv6 address
            h = "[%s]" % h
        if port != (443 if o["protocol"] == "wss" else 80):
            h = "%s:%d" % (h, port)
        u = o.get("wsOptions", {}).get("headers") or {}
        self._req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n%s\r\n"
                     % (o["path"], h, str(k, "ascii"), p, "".join("%s: %s\r\n" % (x, u[x]) for x in u))).encode()
        self._resp = b""  # the upgrade's response so far
        self._rest = b""  # what came after it (the first frames)
        self._carried = 0  # bytes of the client's that the frame in out carries, while it waits

    def ready(self):
        # the TCP connect (or TLS), the upgrade request out, its response in and checked: True once open
        t = self._t
        if t.opening and not t.ready():
            return 0
        q = self._req
        if q:
            n = t.write(q, len(q))
            if t.err:
                raise t.err
            self.rd = t.rd  # (a TLS handshake waits for the server)
            q = self._req = q[n:]
            if q:
                return 0
            self.rd = 1  # the response: input only
        b = bytearray(256)
        while 1:
            n = t.read(b)
            if n < 0:
                raise MQTTError("%s closed the connection during the WebSocket upgrade" % self._where)
            if not n:
                return 0
            r = self._resp = self._resp + b[:n]
            i = r.find(b"\r\n\r\n")
            if i >= 0:
                break
            if len(r) > _RESPMAX:
                raise MQTTError("WebSocket upgrade: no end to the response of %s" % self._where)
        self._rest = r[i + 4 :]
        self._resp = None
        ls = r[:i].split(b"\r\n")
        s = ls[0].split(None, 2)
        if len(s) < 2 or s[0][:7] != b"HTTP/1." or not s[1].isdigit():
            raise MQTTError("WebSocket upgrade: %s answered %r, not HTTP" % (self._where, ls[0][:60]))
        c = int(s[1])
        if c != 101:
            raise MQTTError("WebSocket upgrade refused by %s: HTTP %d %s"
                            % (self._where, c, _text(s[2]) if len(s) > 2 else ""), c)
        f = {}
        for x in ls[1:]:
            k, _, v = x.partition(b":")
            f[k.strip().lower()] = v.strip()
        for x, v, why in ((b"upgrade", f.get(b"upgrade", b"").lower() == b"websocket", "no Upgrade: websocket"),
                          (b"connection", b"upgrade" in f.get(b"connection", b"").lower(), "no Connection: Upgrade"),
                          (b"sec-websocket-accept", f.get(b"sec-websocket-accept") == accept(self._key),
                           "wrong Sec-WebSocket-Accept"),
                          (b"sec-websocket-protocol", f.get(b"sec-websocket-protocol", self._proto) == self._proto,
                           "another subprotocol"),
                          (b"sec-websocket-extensions", b"sec-websocket-extensions" not in f, "an extension")):
            if not v:
                raise MQTTError("WebSocket upgrade: %s answered with %s (%r)" % (self._where, why, f.get(x)))
        self.opening = self.rd = 0
        self.short = self.short and not self._rest  # (what came with the response: read it before polling)
        return 1

    def _flush(self):  # out[start:end] to the link, as far as it takes it; True once all of it went
        t = self._t
        while self.start < self.end:
            s = self.start
            n = t.write(self.out if not s else memoryview(self.out)[s:], self.end - s)
            if t.err:
                self.err = t.err
            if not n:
                return 0
            self.start = s + n
        return 1

    def _send(self):  # out, then a control frame owed; True once all went
        while self._flush():
            w = self.owe
            if not w:
                return 1
            self.owe = None
            self.frame(w[1], len(w[1]), w[0])
        return 0

    def write(self, b, n):  # of b[:n], bytes written (framed, and out); 0 if none could be
        if self.start < self.end or self._carried or self.owe or self.err:  # something waits (seldom)
            if self.err or not self._flush():
                return 0
            k = self._carried
            if k:  # the frame that did not go out whole carried b[:k] (the client gives the same bytes again)
                self._carried = 0
                return k
            if not self._send():  # (a pong owed)
                return 0
        t = self._t
        k = 0
        while k < n:  # (a write over 4 KB: a frame at a time, while the link takes them whole)
            m = self.frame(b, n - k, _BIN, k)
            w = t.write(self.out, self.end)  # (the frame whole: one write, nothing allocated)
            if t.err:
                self.err = t.err
            self.start = w
            if w < self.end:  # the rest of this frame waits: the client gives its bytes again
                self._carried = m
                return k
            k += m
        return k

    def read(self, mv):  # data bytes read, 0 if none yet, -1 at the end of the stream
        # Reads go on until mv is full or the link has no more, as a TCP read
        # would fill it: the client takes a full read for more waiting (and
        # grows its buffer), a short one for an empty socket.
        k = 0
        while 1:
            c = self.closed
            if c:  # the server closed the WebSocket: our echo, then the end, with its code and reason
                if k:
                    return k
                self._send()
                raise MQTTError("%s closed the WebSocket: %s %s" % (self._where, c[0] or "(no code)", c[1]), c[0])
            v = memoryview(mv)[k:] if k else mv
            r = self._rest
            if r:  # what came with the upgrade's response
                n = min(len(r), len(v))
                v[:n] = r[:n]
                r = self._rest = r[n:]
                if not r:
                    self.short = self._t.short
            else:
                n = self._t.read(v)
                if n <= 0:
                    return k or n
            try:
                k += self.unframe(v, n)
            except ProtocolError:  # RFC 6455 7.1.7: a close (1002, protocol error) first, if it can go
                self.owe = (_CLOSE, b"\x03\xea")
                self._send()
                raise
            if self.owe:
                self._send()
                if self.closed:  # (the client reads on after the data before it: the next read ends)
                    self.short = 0
            if k == len(mv) or n < len(v) and not r and self.short:
                return k
