# MQTT 5.0: properties, reason codes, topic aliases, DISCONNECT and AUTH from
# the server. Loaded by mqtt.connect() only for protocolVersion 5, so a board
# that speaks 3.1.1 only does not freeze it. Client5 is the client with the
# core's MQTT 5 hooks filled in: the core writes an entry's encoded
# properties after the packet id and reads them through _props_in; this
# module knows what they mean.
from .core import Protocol, MQTTError, ProtocolError, prefixed
from .client import Client
from .compat import const

_PUBREL = const(6)  # (core.py's)
_QOS2_MAX = const(128)  # (core.py's: incoming QoS 2 messages awaiting PUBREL, at most)
_AUTH = const(15)
_TOPIC_ALIAS = const(35)  # the topicAlias property's identifier
_EV_DISCONNECT = const(5)  # next_event(): the server sent DISCONNECT (_in)
_EV_AUTH = const(6)  # the server sent AUTH (_in)

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
                b += h + prefixed(str(k)) + prefixed(x if isinstance(x, (str, bytes)) else str(x))
        return b
    if t == 5:
        return h + vbi(v)
    if t > 5:
        if not isinstance(v, (str, bytes, bytearray)):
            raise TypeError("property %s must be str or bytes" % _N[i])
        return h + prefixed(bytes(v) if isinstance(v, bytearray) else v)
    if v is True or v is False:  # payloadFormatIndicator: True (MicroPython's bool is no int)
        v = int(v)
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


class Client5(Client):
    _will_props = _disconnect_props = None  # encoded will properties and DISCONNECT body (the core's hooks)
    _server_max_packet = _server_aliases = None  # the server's maximumPacketSize and topicAliasMaximum (from its last CONNACK)

    def __init__(self, options):
        o = options
        p = o.get("properties") or {}
        c = dict(p)
        c.setdefault("maximumPacketSize", o["maximumPacketSize"])  # what we accept, told to the server
        c.setdefault("receiveMaximum", _QOS2_MAX)  # incoming QoS 1/2 in flight: the core's bound
        self._connect_props = encode(c)
        self._aliases_in_max = p.get("topicAliasMaximum", 0)  # incoming aliases we accept
        w = o.get("will")
        if w:
            self._will_props = encode(w.get("properties"))
        self._aliases_sent = {}  # outgoing alias -> topic, on this connection
        self._aliases_in = {}  # incoming alias -> topic
        self._auto_alias = 2 if o.get("autoAssignTopicAlias") else 1 if o.get("autoUseTopicAlias") else 0
        Client.__init__(self, options)

    def connect_packet(self):  # aliases belong to one connection
        self._aliases_sent = {}
        self._aliases_in = {}
        Protocol.connect_packet(self)

    # -- outgoing

    def _props_out(self, options):  # SUBSCRIBE, UNSUBSCRIBE: their properties
        return encode(options and options.get("properties"))

    def _sub_options(self, v):
        rh = v.get("rh", 0)
        if rh not in (0, 1, 2):
            raise ValueError("rh must be 0, 1 or 2")
        return (4 if v.get("nl") else 0) | (8 if v.get("rap") else 0) | rh << 4

    def _disconnect_body(self, options):
        return bytes((options.get("reasonCode", 0),)) + encode(options.get("properties"))

    def _publish_out(self, t, m, options):
        # A publish's properties, encoded (topicAlias first, see _pub); or an
        # MQTTError to report when the server's limits already refuse it
        p = options and options.get("properties")
        if p and p.get("subscriptionIdentifier") is not None:
            raise ValueError("subscriptionIdentifier is the server's to send (MQTT 5, 3.3.4-6)")
        a = p.get("topicAlias") if p else None
        if a is not None and self._server_aliases is not None and not 0 < a <= self._server_aliases:
            return MQTTError("topicAlias %d not within the server's topicAliasMaximum %d" % (a, self._server_aliases), 0x94)
        if self._server_aliases and self._auto_alias:
            b = self._alias(t, a)
            if b != a:
                p = dict(p or {})
                p["topicAlias"] = b
        pr = encode(p)
        return self._big(t, m, pr, options and options.get("qos")) or pr

    def _alias(self, t, a):
        # autoUseTopicAlias: a topic once sent with an alias keeps using it;
        # autoAssignTopicAlias: every topic gets one, the oldest given reused first
        m = self._alias_of  # topic -> alias, on this connection
        if not a:
            a = m.get(t)
            if a or self._auto_alias < 2:
                return a
            a = self._alias_count % self._server_aliases + 1
            self._alias_count += 1
        for k in [k for k in m if m[k] == a]:
            del m[k]
        m[t] = a
        return a

    def _big(self, t, m, pr, q):  # an error if this PUBLISH is over the server's maximumPacketSize
        if not self._server_max_packet:
            return None
        n = len(m) + len(pr) + len(t) + (4 if q else 2)
        n += 2 if n < 128 else 3 if n < 16384 else 4 if n < 2097152 else 5
        if n > self._server_max_packet:
            return MQTTError("publish of %d bytes over the server's maximumPacketSize %d" % (n, self._server_max_packet), 0x95)
        return None

    def _pub(self, t, m, f, e=None, pr=None):
        # A queued publish meets the server's limits only now (the core
        # reports the error). When the properties start with a topicAlias,
        # the topic goes once per connection and the empty topic after that.
        err = e and self._big(t, m, pr, f & 6)
        if err:
            raise err
        if pr and pr[0] < 128 and pr[0] and pr[1] == _TOPIC_ALIAS:
            a = pr[2] << 8 | pr[3]
            if a > (self._server_aliases or 0):  # queued for a connection whose server allowed more: without it
                pr = bytes((pr[0] - 3,)) + pr[4:]
            elif self._aliases_sent.get(a) == t:
                t = b""
            elif Protocol._pub(self, t, m, f, e, pr):
                self._aliases_sent[a] = t
                return True
            else:
                return False
        return Protocol._pub(self, t, m, f, e, pr)

    # -- incoming (the core's hooks)

    def _props_in(self, o, b):
        return decode(self._rx, o, b)

    def _props_of(self, pr):  # a publish's encoded properties, as a dict again ('published')
        return decode(pr, 0, len(pr))[0]

    def _why(self, rc, props):
        return reason(rc, props)

    def _server(self, pr):
        # the server's CONNACK properties, for this connection
        o = self.options
        if "serverKeepAlive" in pr:
            self.keepalive = pr["serverKeepAlive"]
        if "assignedClientIdentifier" in pr:  # as mqtt.js: the next CONNECT resumes that session
            self.clientId = pr["assignedClientIdentifier"]
        self._window = min(o["maxInflight"], pr.get("receiveMaximum") or 65535)
        self._server_max_packet = pr.get("maximumPacketSize")
        self._server_aliases = pr.get("topicAliasMaximum", 0)
        self._alias_of = {}
        self._alias_count = 0

    def _connack_in(self, sp, rc, pr):
        if rc in (0x9C, 0x9D):  # use another server, server moved
            self._refer(pr)
        return Protocol._connack_in(self, sp, rc, pr)

    def _refer(self, pr):
        # the server's serverReference ('host', 'host:port', a list: the
        # first) is where the next attempt goes
        r = (pr.get("serverReference") or "").split(" ")[0]
        if r:
            h, _, p = r.rpartition(":") if r.count(":") == 1 else (r, 0, "")
            self._referred = (h, int(p) if p.isdigit() else self._server_at[1])

    def _ack_in(self, t, pid, a, b):  # PUBACK, PUBREC, PUBREL, PUBCOMP: reason code, properties
        rx = self._rx
        rc = rx[a + 2]
        err = None
        if rc > 127 and t != _PUBREL:  # a refused PUBLISH (or PUBREL) ends its flow
            err = MQTTError("publish refused: " + reason(rc, decode(rx, a + 3, b)[0] if b - a > 3 else None), rc)
        return self._acked(t, pid, err)

    def _other_in(self, h, a, b):  # DISCONNECT, AUTH: reason code, properties (both optional)
        t = h >> 4
        if t < 14:
            return Protocol._other_in(self, h, a, b)
        rx = self._rx
        self.event = {"cmd": "disconnect" if t == 14 else "auth", "reasonCode": rx[a] if b > a else 0,
                    "properties": decode(rx, a + 1, b)[0] if b - a > 1 else {}}
        return _EV_DISCONNECT if t == 14 else _EV_AUTH

    def _publish_props(self, t, c, b):
        pr, c = decode(self._rx, c, b)
        al = pr.get("topicAlias")
        if al is not None:
            if not 0 < al <= self._aliases_in_max:
                raise ProtocolError("topic alias %d over our topicAliasMaximum" % al)
            if t:
                self._aliases_in[al] = t
            else:
                t = self._aliases_in.get(al)
                if t is None:
                    raise ProtocolError("unknown topic alias %d" % al)
        elif not t:
            raise ProtocolError("PUBLISH without a topic")
        return t, pr, c

    def _event(self, ev):
        pk = self.event
        if ev == _EV_DISCONNECT:  # as mqtt.js: 'disconnect', then offline and close, no error
            if pk["reasonCode"] in (0x9C, 0x9D):
                self._refer(pk["properties"])
            if self._listeners.get("disconnect"):
                self._emit("disconnect", pk)
            else:
                print("mqtt: disconnected by the server:", reason(pk["reasonCode"], pk["properties"]))
            return self._lost(None, 1)
        f = self.options.get("auth")
        if not f:
            raise ProtocolError("AUTH from the server, and no auth option")
        r = f(pk)
        if r:
            self._put(_AUTH, bytes((r.get("reasonCode", 0x18),)) + encode(r.get("properties")))
