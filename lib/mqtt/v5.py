# MQTT 5.0: properties, reason codes, topic aliases, DISCONNECT and AUTH from
# the server. Loaded by mqtt.connect() only for protocolVersion 5, so a board
# that speaks 3.1.1 only does not freeze it. Client5 keeps the core's encoders
# where the 5.0 packet is the 3.1.1 one plus a property block:
#   PUBLISH      the properties go before the payload: the message handed to
#                the core is properties + payload
#   SUBSCRIBE,   an entry's unused payload slot e[3] holds the encoded
#   UNSUBSCRIBE  properties (_put puts them after the packet id); a filter's
#                qos is its subscription options byte (qos, nl, rap, rh)
from json import loads
from .core import Protocol, MQTTError, ProtocolError, RXBUF, TXBUF, _s
from .client import Client, _filters, _later

# Property names by identifier (None: no such property); a tuple of names,
# so that frozen firmware keeps them in flash.
_N = (None, "payloadFormatIndicator", "messageExpiryInterval", "contentType", None, None, None, None,
      "responseTopic", "correlationData", None, "subscriptionIdentifier", None, None, None, None, None,
      "sessionExpiryInterval", "assignedClientIdentifier", "serverKeepAlive", None, "authenticationMethod",
      "authenticationData", "requestProblemInformation", "willDelayInterval", "requestResponseInformation",
      "responseInformation", None, "serverReference", None, None, "reasonString", None, "receiveMaximum",
      "topicAliasMaximum", "topicAlias", "maximumQoS", "retainAvailable", "userProperties",
      "maximumPacketSize", "wildcardSubscriptionAvailable", "subscriptionIdentifiersAvailable",
      "sharedSubscriptionAvailable")
# and their types: 0 none, 1/2/4 an integer of that many bytes, 5 variable
# byte integer, 6 UTF-8 string, 7 binary data, 8 string pair
_T = (b"\x00\x01\x04\x06\x00\x00\x00\x00\x06\x07\x00\x05\x00\x00\x00\x00\x00\x04\x06\x02\x00\x06"
      b"\x07\x01\x04\x01\x06\x00\x06\x00\x00\x06\x00\x02\x02\x02\x01\x01\x08\x04\x01\x01\x01")

# reason codes 0x80..0xA2 (split when an error needs one)
_RC = ("unspecified error|malformed packet|protocol error|implementation specific error|"
       "unsupported protocol version|client identifier not valid|bad user name or password|not authorized|"
       "server unavailable|server busy|banned|server shutting down|bad authentication method|"
       "keep alive timeout|session taken over|topic filter invalid|topic name invalid|"
       "packet identifier in use|packet identifier not found|receive maximum exceeded|topic alias invalid|"
       "packet too large|message rate too high|quota exceeded|administrative action|payload format invalid|"
       "retain not supported|qos not supported|use another server|server moved|"
       "shared subscriptions not supported|connection rate exceeded|maximum connect time|"
       "subscription identifiers not supported|wildcard subscriptions not supported")


def reason(rc, props=None):
    # 'not authorized (0x87)', plus the server's reasonString when it gave one
    s = (_RC.split("|")[rc - 128] if 127 < rc < 163 else "normal" if not rc else "reason") + " (0x%02x)" % rc
    r = props and props.get("reasonString")
    return s + ": " + r if r else s


def vbi(n):  # variable byte integer
    if not 0 <= n < 268435456:
        raise ValueError("variable byte integer out of range")
    b = bytearray()
    while n > 127:
        b.append(n & 127 | 128)
        n >>= 7
    b.append(n)
    return bytes(b)


def _vbi(b, o, e):  # -> (value, offset after) from b[o:e]
    n = s = 0
    while 1:
        if o >= e or s > 21:
            raise ProtocolError("bad variable byte integer")
        c = b[o]
        o += 1
        n |= (c & 127) << s
        s += 7
        if c < 128:
            return n, o


def encode(d):
    # properties dict -> bytes, length first; topicAlias comes first (see _pub)
    if not d:
        return b"\x00"
    if not isinstance(d, dict):
        raise TypeError("properties must be a dict")
    b = b""
    a = d.get("topicAlias")
    if a is not None:
        b = _item(35, a)
    for k in d:
        if k != "topicAlias" and d[k] is not None:
            if not k or k not in _N:
                raise ValueError("unknown property %r" % (k,))
            b += _item(_N.index(k), d[k])
    return vbi(len(b)) + b


def _item(i, v):
    t = _T[i]
    h = bytes((i,))
    if t == 8:  # userProperties: {key: value or [values]}
        b = b""
        for k in v:
            vs = v[k]
            for x in vs if isinstance(vs, list) else [vs]:
                b += h + _s(str(k)) + _s(x if isinstance(x, (str, bytes)) else str(x))
        return b
    if t == 5:
        return h + vbi(v)
    if t > 5:
        if not isinstance(v, (str, bytes, bytearray)):
            raise TypeError("property %s must be str or bytes" % _N[i])
        return h + _s(bytes(v) if isinstance(v, bytearray) else v)
    if not isinstance(v, int) or not 0 <= v < 1 << 8 * t:
        raise ValueError("property %s out of range" % _N[i])
    return h + v.to_bytes(t, "big")


def decode(b, o, e):
    # properties in b[o:e], length first -> (dict, offset after them).
    # subscriptionIdentifier may repeat (a list then); a repeated
    # userProperties key maps to a list of its values.
    n, o = _vbi(b, o, e)
    x = o + n
    if x > e:
        raise ProtocolError("properties overrun the packet")
    d = {}
    while o < x:
        i = b[o]
        o += 1
        t = _T[i] if i < 43 else 0
        if not t:
            raise ProtocolError("unknown property 0x%02x" % i)
        k = _N[i]
        if t == 5:
            v, o = _vbi(b, o, x)
        elif t < 5:
            j = o + t
            if j > x:
                raise ProtocolError("truncated property")
            v = 0
            while o < j:
                v = v << 8 | b[o]
                o += 1
        else:
            v, o = _str(b, o, x, t)
            if t == 8:
                w, o = _str(b, o, x, t)
                u = d.setdefault(k, {})
                p = u.get(v)
                if p is None:
                    u[v] = w
                elif isinstance(p, list):
                    p.append(w)
                else:
                    u[v] = [p, w]
                continue
        if k in d:
            if t != 5:
                raise ProtocolError("property %s repeated" % k)
            p = d[k]
            d[k] = p + [v] if isinstance(p, list) else [p, v]
        else:
            d[k] = v
    return d, x


def _str(b, o, e, t):
    if o + 2 > e:
        raise ProtocolError("truncated property")
    j = o + 2 + (b[o] << 8 | b[o + 1])
    if j > e:
        raise ProtocolError("truncated property")
    v = bytes(b[o + 2 : j])
    if t != 7:  # not binary data
        try:
            v = str(v, "utf-8")
        except UnicodeError:
            raise ProtocolError("property string not UTF-8")
    return v, j


class Gone(MQTTError):  # the server sent DISCONNECT
    pass


class Client5(Client):
    _eo = _smp = _tam = None  # end() reason code and properties; the server's maximumPacketSize
    # and topicAliasMaximum (from its last CONNACK)

    def __init__(self, options):
        o = options
        p = o.get("properties") or {}
        c = dict(p)
        c.setdefault("maximumPacketSize", o["maximumPacketSize"])  # what we accept, told to the server
        self._cp = encode(c)
        self._tamx = p.get("topicAliasMaximum", 0)  # incoming aliases we accept
        self._mi = o["maxInflight"]
        w = o.get("will")
        if w:
            encode(w.get("properties"))  # checked now, not at each CONNECT
        self._as = {}  # outgoing alias -> topic, on this connection
        self._ai = {}  # incoming alias -> topic
        self._sp = {}  # topic filter -> its SUBSCRIBE's properties
        self._aa = 2 if o.get("autoAssignTopicAlias") else 1 if o.get("autoUseTopicAlias") else 0
        Client.__init__(self, options)

    # -- outgoing

    def _connect(self):
        self._rx = bytearray(RXBUF)
        self._tx = bytearray(TXBUF)
        self._rn = self._tn = 0
        self._as = {}
        self._ai = {}
        o = self.options
        ka = o["keepalive"]
        f = 2 if o["clean"] else 0
        b = _s(o["clientId"])
        w = o.get("will")
        if w:
            f |= 4 | w.get("qos", 0) << 3 | (32 if w.get("retain") else 0)
            b += encode(w.get("properties")) + _s(w["topic"]) + _s(w.get("payload") or b"")
        if "username" in o:
            f |= 128
            b += _s(o["username"])
        if "password" in o:
            f |= 64
            b += _s(o["password"])
        self._put(0x10, b"\x00\x04MQTT" + bytes((5, f, ka >> 8, ka & 255)) + self._cp + b)

    def _put(self, b0, body, e=None, force=1):
        if e and e[0] > 7:  # SUBSCRIBE, UNSUBSCRIBE: properties after the packet id
            body = (e[3] or b"\x00") + body
        elif b0 == 0xE0 and self._eo:  # DISCONNECT with a reason code or properties
            body = bytes((self._eo.get("reasonCode", 0),)) + encode(self._eo.get("properties"))
        return Protocol._put(self, b0, body, e, force)

    def _pub(self, t, m, f, e=None):
        # m is properties + payload; when they start with a topicAlias, the
        # topic goes once per connection and the empty topic after that
        if m[0] and m[1] == 35 and m[0] < 128:
            a = m[2] << 8 | m[3]
            if a > (self._tam or 0):  # queued for a connection whose server allowed more
                return Protocol._pub(self, t, bytes((m[0] - 3,)) + m[4:], f, e)
            s = self._as
            if s.get(a) == t:
                return Protocol._pub(self, b"", m, f, e)
            if not Protocol._pub(self, t, m, f, e):
                return False
            s[a] = t
            return True
        return Protocol._pub(self, t, m, f, e)

    def publish(self, topic, message, options=None, callback=None):
        if callable(options):
            options, callback = None, options
        if isinstance(options, str):
            options = loads(options)
        p = options and options.get("properties")
        err = None
        if isinstance(message, str):
            message = message.encode()
        elif not isinstance(message, (bytes, bytearray, memoryview)):
            raise TypeError("message must be str or bytes-like")
        t = topic.encode() if isinstance(topic, str) else topic
        if not isinstance(t, bytes) or not t:  # the client says what is wrong with it
            return Client.publish(self, topic, message, options, callback)
        a = p.get("topicAlias") if p else None
        if a is not None and self._tam is not None and not 0 < a <= self._tam:
            err = MQTTError("topicAlias %d not within the server's topicAliasMaximum %d" % (a, self._tam), 0x94)
        elif self._tam and self._aa:
            b = self._alias(t, a)
            if b != a:
                p = dict(p or {})
                p["topicAlias"] = b
        m = encode(p) + message
        if self._smp:  # the server's limit, from its last CONNACK
            err = self._big(t, m, options and options.get("qos")) or err
        if err:
            _later.append((callback, (err,)) if callback else (self._emit, ("error", err)))
            return self
        return Client.publish(self, topic, m, options, callback)

    def _alias(self, t, a):
        # autoUseTopicAlias: a topic once sent with an alias keeps using it;
        # autoAssignTopicAlias: every topic gets one, the oldest given reused first
        m = self._ta  # topic -> alias, on this connection
        if not a:
            a = m.get(t)
            if a or self._aa < 2:
                return a
            a = self._tc % self._tam + 1
            self._tc += 1
        for k in [k for k in m if m[k] == a]:
            del m[k]
        m[t] = a
        return a

    def _big(self, t, m, q):  # an error if this PUBLISH is over the server's maximumPacketSize
        n = len(m) + len(t) + (4 if q else 2)
        n += 2 if n < 128 else 3 if n < 16384 else 4 if n < 2097152 else 5
        if n > self._smp:
            return MQTTError("publish of %d bytes over the server's maximumPacketSize %d" % (n, self._smp), 0x95)

    def subscribe(self, topic, options=None, callback=None):
        if callable(options):
            options, callback = None, options
        if isinstance(options, str):
            options = loads(options)
        o = options or {}
        ts = []
        for t, v in topic.items() if isinstance(topic, dict) else [(t, o) for t in _filters(topic)]:
            if not isinstance(v, dict):
                v = {"qos": v}
            t, q = _filters([(t, v.get("qos", 0))], 0)[0]
            rh = v.get("rh", 0)
            if rh not in (0, 1, 2):
                raise ValueError("rh must be 0, 1 or 2")
            ts.append((t, q | (4 if v.get("nl") else 0) | (8 if v.get("rap") else 0) | rh << 4))
        p = encode(o.get("properties"))
        for t in ts:  # kept for resubscribing
            self._sp[t[0]] = p
        return self._enq([8, 0, ts, p, 0, callback])

    def unsubscribe(self, topic, options=None, callback=None):
        if callable(options):
            options, callback = None, options
        ts = _filters(topic)
        for t in ts:
            self._subs.pop(t, None)
            self._sp.pop(t, None)
        return self._enq([10, 0, ts, encode(options and options.get("properties")), 0, callback])

    def end(self, force=False, opts=None, callback=None):
        if callable(force):
            force, callback = False, force
        if callable(opts):
            opts, callback = None, opts
        if opts:
            encode(opts.get("properties"))  # checked now
        self._eo = opts
        return Client.end(self, force, callback)

    close = end

    # -- incoming

    def _packet(self, h, a, b):
        t = h >> 4
        n = b - a
        if t == 3 or t == 13 or n == 2 and 3 < t < 8:
            return Protocol._packet(self, h, a, b)
        rx = self._rx
        if h & 15 != (2 if t == 6 else 0) or t not in (2, 4, 5, 6, 7, 9, 11, 14, 15):
            raise ProtocolError("bad packet: type %d flags %d length %d" % (t, h & 15, n))
        if t > 13:  # DISCONNECT, AUTH: reason code, properties (both optional)
            rc = rx[a] if n else 0
            pr = decode(rx, a + 1, b)[0] if n > 1 else {}
            if self._tap:
                self._tap(0, h, None, None, None)
            pk = {"cmd": "disconnect" if t == 14 else "auth", "reasonCode": rc, "properties": pr}
            if t == 14:
                self._emit("disconnect", pk)
                raise Gone("disconnected by the server: " + reason(rc, pr), rc)
            f = self.options.get("auth")
            if not f:
                raise ProtocolError("AUTH from the server, and no auth option")
            r = f(pk)
            if r:
                self._put(0xF0, bytes((r.get("reasonCode", 0x18),)) + encode(r.get("properties")))
            return
        if n < 3:
            raise ProtocolError("bad packet: type %d length %d" % (t, n))
        x = rx[a] << 8 | rx[a + 1]
        if t == 2:  # CONNACK: flags, reason code, properties
            pr, j = decode(rx, a + 2, b)
            if self._tap:
                self._tap(0, h, None, None, None)
            rc = rx[a + 1]
            if rc:
                raise MQTTError("connection refused: " + reason(rc, pr), rc)
            o = self.options
            if "serverKeepAlive" in pr:
                o["keepalive"] = pr["serverKeepAlive"]
            if "assignedClientIdentifier" in pr:
                o["clientId"] = pr["assignedClientIdentifier"]
            o["maxInflight"] = min(self._mi, pr.get("receiveMaximum") or 65535)
            self._smp = pr.get("maximumPacketSize")
            if self._smp:  # what waited for this connection and is too large fails now
                for e in self._q[:]:
                    err = e[0] == 3 and self._big(e[2], e[3], e[4] & 6)
                    if err:
                        self._q.remove(e)
                        self._done(e, err)
            self._tam = pr.get("topicAliasMaximum", 0)
            self._ta = {}
            self._tc = 0
            self.connected = True
            self._resume(rx[a] & 1)
            return self._emit("connect", {"cmd": "connack", "sessionPresent": rx[a] & 1 == 1, "returnCode": 0,
                                          "reasonCode": 0, "properties": pr})
        if t < 8:  # PUBACK, PUBREC, PUBREL, PUBCOMP with a reason code
            rc = rx[a + 2]
            pr = decode(rx, a + 3, b)[0] if n > 3 else None
            if rc < 128 or t == 6:
                return Protocol._packet(self, h, a, a + 2)
            if self._tap:
                self._tap(0, h, x, None, None)
            e = self._pend.get(x)
            if e and (e[0] == 6 if t == 7 else e[0] == 3 and (t == 5) == (e[4] & 4 == 4)):
                del self._pend[x]  # a refused PUBLISH (or PUBREL) ends its flow
                self._done(e, MQTTError("publish refused: " + reason(rc, pr), rc))
            return
        j = decode(rx, a + 2, b)[1]  # SUBACK, UNSUBACK: properties, then a reason code per filter
        if t == 9:  # the core reads the codes after the packet id: move the id next to them
            rx[j - 2] = x >> 8
            rx[j - 1] = x & 255
            return Protocol._packet(self, h, j - 2, b)
        if self._tap:
            self._tap(0, h, x, None, None)
        e = self._pend.get(x)
        if not e or e[0] != 10:
            return
        if b - j != len(e[2]):
            raise ProtocolError("bad UNSUBACK")
        del self._pend[x]
        bad = [i for i in range(b - j) if rx[j + i] > 127]
        err = None
        if bad:
            c = rx[j + bad[0]]
            err = MQTTError("unsubscribe from '%s' refused: %s" % ("', '".join([e[2][i] for i in bad]), reason(c)), c)
        self._done(e, err)

    def _publish(self, h, a, b):
        rx = self._rx
        q, t, p, c = self._head(h, a, b)
        pr, c = decode(rx, c, b)
        al = pr.get("topicAlias")
        if al is not None:
            if not 0 < al <= self._tamx:
                raise ProtocolError("topic alias %d over our topicAliasMaximum" % al)
            if t:
                self._ai[al] = t
            else:
                t = self._ai.get(al)
                if t is None:
                    raise ProtocolError("unknown topic alias %d" % al)
        elif not t:
            raise ProtocolError("PUBLISH without a topic")
        m = bytes(rx[c:b])
        if self._tap:
            self._tap(0, h, p, t, m)
        if q < 2 or p not in self._q2:
            if q == 2:
                self._q2[p] = 1
            self._msg(t, m, {"cmd": "publish", "topic": t, "payload": m, "qos": q, "retain": h & 1 == 1,
                             "dup": h & 8 == 8, "messageId": p, "properties": pr})
        if q:
            self._ack(0x40 if q == 1 else 0x50, p)

    def _resume(self, sp):
        # resubscribing: one SUBSCRIBE per set of properties they had
        Protocol._resume(self, sp)
        if not sp and self._subs:
            g = {}
            for t in self._q[0][2]:
                g.setdefault(self._sp.get(t[0], b"\x00"), []).append(t)
            self._q = [[8, 0, g[p], p, 0, None] for p in g] + self._q[1:]

    def _lost(self, err=None):
        if isinstance(err, Gone) and self._ev.get("disconnect"):
            err = None  # told by the 'disconnect' event already
        Client._lost(self, err)
