# Sans-IO MQTT 3.1/3.1.1 protocol core. Received bytes go into _rx[_rn:] and
# _recv(n) parses them; outgoing bytes collect in _tx[:_tn] for the caller
# to write. No socket and no clock here. A subclass supplies the hooks:
#   _drain()                      write out what it can of _tx[:_tn]
#   _emit("connect", connack)     the broker accepted the connection
#   _msg(topic, payload, packet)  an application message, delivered once
#   _done(entry, err, granted)    a queued request finished (or failed)
#   _tap(out, header, pid, topic, payload)  packet trace, when not None
# A request is an entry list [kind, pid, topic(s), payload, flags, callback],
# kind being its packet type (3 PUBLISH, 6 PUBREL, 8 SUBSCRIBE, 10 UNSUBSCRIBE).
from .compat import const

# Buffer sizes: the transmit side batches many small packets into one write
# (TCP_NODELAY makes each write a segment); a larger packet gets its own buffer for a while.
RXBUF = const(128)
TXBUF = const(256)
_PUB = const(3)
_REL = const(6)
_SUB = const(8)


class MQTTError(Exception):
    def __init__(self, msg, code=None):
        super().__init__(msg)
        self.code = code


class ProtocolError(MQTTError):
    pass


_REFUSED = (
    "unacceptable protocol version",
    "identifier rejected",
    "server unavailable",
    "bad user name or password",
    "not authorized",
)


def _s(x):  # length-prefixed MQTT string or binary
    if isinstance(x, str):
        x = x.encode()
    n = len(x)
    if n > 65535:
        raise ValueError("string over 65535 bytes")
    return bytes((n >> 8, n & 255)) + x


def _vlen(b, o, n):  # remaining length, 1 to 4 bytes
    while n > 127:
        b[o] = n & 127 | 128
        n >>= 7
        o += 1
    b[o] = n
    return o + 1


class Protocol:
    _tap = None  # set on an instance that traces packets

    def __init__(self, options):
        self.options = options
        self._rx = bytearray(RXBUF)
        self._tx = bytearray(TXBUF)
        self._rn = self._tn = self._pid = 0
        self._pend = {}  # pid -> entry sent and not yet acknowledged
        self._q = []  # entries waiting to be sent, in order
        self._q2 = {}  # incoming QoS 2 pids delivered, awaiting PUBREL
        self._subs = {}  # topic filter -> qos, to resubscribe
        self.connected = False

    def _drain(self):
        pass

    # -- outgoing

    def _room(self, n, force=0):
        # Offset in _tx where n bytes fit, or -1. A packet larger than the
        # buffer (or any, with force) gets a larger buffer instead of waiting.
        tn = self._tn
        if tn + n > len(self._tx):
            self._drain()
            tn = self._tn
            if tn + n > len(self._tx):
                if tn and not force:
                    return -1
                b = bytearray(tn + n)
                b[:tn] = self._tx[:tn]
                self._tx = b
        return tn

    def _id(self, tx, o, e):  # give entry e its packet id and write it
        p = e[1]
        if not p:
            p = self._pid
            while 1:
                p = p % 65535 + 1
                if p not in self._pend:
                    break
            self._pid = e[1] = p
        self._pend[p] = e
        tx[o] = p >> 8
        tx[o + 1] = p & 255
        return o + 2

    def _put(self, b0, body, e=None, force=1):
        n = len(body)
        o = self._room(n + 7, force)
        if o < 0:
            return False
        tx = self._tx
        tx[o] = b0
        o = _vlen(tx, o + 1, n + 2 if e else n)
        if e:
            o = self._id(tx, o, e)
        tx[o : o + n] = body
        self._tn = o + n
        if self._tap:
            self._tap(1, b0, e and e[1], None, None)
        return True

    def _ack(self, b0, pid):
        o = self._room(4, 1)
        tx = self._tx
        tx[o] = b0
        tx[o + 1] = 2
        tx[o + 2] = pid >> 8
        tx[o + 3] = pid & 255
        self._tn = o + 4
        if self._tap:
            self._tap(1, b0, pid, None, None)

    def _pub(self, t, m, f, e=None):
        # PUBLISH straight into _tx: no allocation when it fits.
        lt = len(t)
        lm = len(m)
        n = lt + lm + (4 if e else 2)
        tx = self._tx
        o = self._tn
        if o + n + 5 > len(tx):
            o = self._room(n + 5)
            if o < 0:
                return False
            tx = self._tx
        tx[o] = 0x30 | f
        if n < 128:
            tx[o + 1] = n
            o += 2
        else:
            o = _vlen(tx, o + 1, n)
        tx[o] = lt >> 8
        tx[o + 1] = lt & 255
        o += 2 + lt
        tx[o - lt : o] = t
        if e:
            o = self._id(tx, o, e)
        tx[o : o + lm] = m
        self._tn = o + lm
        if self._tap:
            self._tap(1, 0x30 | f, e and e[1], t, m)
        return True

    def _flushq(self):
        q = self._q
        while q and self.connected:
            e = q[0]
            k = e[0]
            if not e[1] and (k != _PUB or e[4] & 6) and len(self._pend) >= self.options["maxInflight"]:
                break  # a broker drops what is over its in-flight limit (PUBREC 0x97, unseen in 3.1.1)
            if k == _PUB:
                if not self._pub(e[2], e[3], e[4], e[4] & 6 and e):
                    break
            elif k == _REL:
                self._ack(0x62, e[1])
            else:
                b = b""
                for t in e[2]:
                    b += _s(t[0]) + bytes((t[1],)) if k == _SUB else _s(t)
                if not self._put(k << 4 | 2, b, e, 0):
                    break
            q.pop(0)
            if k == _PUB and not e[4] & 6:
                self._done(e, None)

    def _connect(self):
        # Fresh buffers and a CONNECT at the head of _tx. Options hold only
        # what is set (see mqtt.connect).
        self._rx = bytearray(RXBUF)
        self._tx = bytearray(TXBUF)
        self._rn = self._tn = 0
        o = self.options
        v = o["protocolVersion"]
        ka = o["keepalive"]
        f = 2 if o["clean"] else 0
        b = _s(o["clientId"])
        w = o.get("will")
        if w:
            f |= 4 | w.get("qos", 0) << 3 | (32 if w.get("retain") else 0)
            b += _s(w["topic"]) + _s(w.get("payload") or b"")
        if "username" in o:
            f |= 128
            b += _s(o["username"])
        if "password" in o:
            f |= 64
            b += _s(o["password"])
        self._put(0x10, _s(b"MQIsdp" if v == 3 else b"MQTT") + bytes((v, f, ka >> 8, ka & 255)) + b)

    # -- incoming

    def _recv(self, n):
        rx = self._rx
        rn = self._rn + n
        i = 0
        while rn - i > 1:
            j = i + 1
            c = 128
            m = s = 0
            while c > 127:
                if s > 21:
                    raise ProtocolError("remaining length over 4 bytes")
                if j == rn:
                    break
                c = rx[j]
                m |= (c & 127) << s
                s += 7
                j += 1
            if c > 127:
                break
            if m > self.options["maximumPacketSize"]:
                raise ProtocolError("packet of %d bytes over maximumPacketSize" % m)
            e = j + m
            if e > rn:
                if e - i > len(rx):  # this one packet gets a buffer of its own
                    b = bytearray(e - i)
                    b[: rn - i] = rx[i:rn]
                    self._rx = rx = b
                    rn -= i
                    i = 0
                break
            self._packet(rx[i], j, e)
            i = e
        if i:
            rn -= i
            rx[:rn] = rx[i : i + rn]
        if not rn and len(rx) != RXBUF:  # give back a buffer grown for one packet
            self._rx = bytearray(RXBUF)
        self._rn = rn

    def _packet(self, h, a, b):
        rx = self._rx
        t = h >> 4
        n = b - a
        if t == 3:
            return self._publish(h, a, b)
        x = n > 1 and rx[a] << 8 | rx[a + 1]
        if self._tap:
            self._tap(0, h, x, None, None)
        if h == 0xD0 and not n:  # PINGRESP: any input already proved the link
            return
        if h & 15 != (2 if t == 6 else 0) or n < 2 or n > 2 and t != 9 or t not in (2, 4, 5, 6, 7, 9, 11):
            raise ProtocolError("bad packet: type %d flags %d length %d" % (t, h & 15, n))
        if t == 2:
            if x & 255:
                x &= 255
                raise MQTTError("connection refused: " + (_REFUSED[x - 1] if x < 6 else str(x)), x)
            self.connected = True
            self._resume(x >> 8)
            return self._emit("connect", {"cmd": "connack", "sessionPresent": x > 255, "returnCode": 0})
        if t == 6:  # PUBREL: the QoS 2 message may now be forgotten
            self._q2.pop(x, None)
            return self._ack(0x70, x)
        e = self._pend.get(x)
        if t == 5:  # PUBREC
            if e and e[0] == _PUB:
                e[0] = _REL
            return self._ack(0x62, x)
        # an ack's type is its request's + 1; one for nothing we sent is ignored, as mqtt.js does
        if not e or e[0] != t - 1 or t == 4 and e[4] & 4:
            return
        del self._pend[x]
        g = err = None
        if t == 9:
            ts = e[2]
            if n - 2 != len(ts):
                raise ProtocolError("bad SUBACK")
            g = []
            bad = []
            for i in range(len(ts)):
                tp, q = ts[i]
                c = rx[a + 2 + i]
                g.append({"topic": tp, "qos": c})
                if c > 2:
                    bad.append(tp)
                else:
                    self._subs[tp] = q
            if bad:
                err = MQTTError("subscription to '%s' refused by broker" % "', '".join(bad), 128)
        self._done(e, err, g)

    def _head(self, h, a, b):  # a PUBLISH's topic and packet id: (qos, topic, pid, where the rest starts)
        rx = self._rx
        q = h >> 1 & 3
        c = a + 2 + (rx[a] << 8 | rx[a + 1]) if b - a > 1 else b + 1
        if q > 2 or c + (2 if q else 0) > b:
            raise ProtocolError("malformed PUBLISH")
        try:
            t = str(rx[a + 2 : c], "utf-8")
        except UnicodeError:
            raise ProtocolError("topic not UTF-8")
        p = None
        if q:
            p = rx[c] << 8 | rx[c + 1]
            c += 2
        return q, t, p, c

    def _publish(self, h, a, b):
        q, t, p, c = self._head(h, a, b)
        m = bytes(self._rx[c:b])
        if self._tap:
            self._tap(0, h, p, t, m)
        if q < 2 or p not in self._q2:  # QoS 2: exactly once per packet id
            if q == 2:
                self._q2[p] = 1
            self._msg(t, m, {"cmd": "publish", "topic": t, "payload": m, "qos": q,
                             "retain": h & 1 == 1, "dup": h & 8 == 8, "messageId": p})
        if q:
            self._ack(0x40 if q == 1 else 0x50, p)

    def _resume(self, sp):
        # After CONNACK: resubscribe if the broker has no session, then resend
        # what was never acknowledged (with DUP), in the order first sent.
        fr = []
        if not sp:
            self._q2 = {}
            if self._subs:
                fr.append([_SUB, 0, list(self._subs.items()), None, 0, None])
        pend = self._pend
        last = self._pid
        for p in sorted(pend, key=lambda p: (p - last - 1) & 0xFFFF):
            e = pend[p]
            if e[0] == _PUB:
                e[4] |= 8
            fr.append(e)
        self._q = fr + self._q
