# The HaaS API (seed 003): mqtt.createClient({...}) with success/fail
# callbacks and integer return codes, as a thin adapter over the one client.
# Optional: a board that doesn't need it leaves this module out.
from . import connect
from .core import MQTTError
from .client import call, filters, topic_bytes

OK = 0  # request accepted
EINVAL = -1  # invalid argument
ECLOSED = -2  # the client is closed
EQUEUE = -3  # the offline queue is full (queueSize)
EVENTS = ("connect", "reconnect", "disconnect", "message", "error", "close")
# options passed through to mqtt.connect() under the same name
_PASS = ("clientId", "username", "password", "clean", "will", "reconnectPeriod", "connectTimeout",
         "queueSize", "maxInflight", "maximumPacketSize", "ca", "ca_len", "cert", "key", "servername",
         "rejectUnauthorized", "link", "stream", "outgoingStore", "incomingStore", "path", "wsOptions")


def createClient(options=None, **kw):
    """createClient({'host', 'port', 'clientId', 'username', 'password',
    'keepalive_interval', 'success', 'fail', ...}) -> client, or None when the
    options can't be used (the reason is printed and passed to fail)."""
    o = dict(options or {})
    o.update(kw)
    ok = o.pop("success", None)
    fail = o.pop("fail", None)
    try:
        for k, f in (("success", ok), ("fail", fail)):
            if f is not None and not callable(f):
                raise TypeError("%s must be a function, not %r" % (k, f))
        host = o.pop("host", None) or o.get("stream") and "stream"  # (a stream needs none)
        if not isinstance(host, str) or not host:
            raise ValueError("host is required: a domain name or an IP address")
        ssl = o.pop("ssl", False)
        p = o.pop("protocol", "mqtt")  # beyond the seed: "ws" (WebSocket; with ssl: wss), with path and wsOptions
        if p not in ("mqtt", "ws"):
            raise ValueError("protocol must be 'mqtt' or 'ws' (ssl: True for TLS)")
        c = {"host": host, "port": o.pop("port", None), "keepalive": o.pop("keepalive_interval", 60),
             "protocol": p + "s" if ssl else p}
        for k in o:
            if k not in _PASS:
                raise ValueError("unknown option %r" % (k,))
            c[k] = o[k]
        client = connect(c)
    except (ValueError, TypeError) as e:
        err = MQTTError("createClient: %s" % e)
        print("mqtt:", err)
        if fail:
            call(fail, err)
        return None
    return HaaSClient(client, ok, fail)


class HaaSClient:
    def __init__(self, client, ok, fail):
        self.client = client  # the mqtt.js-style client underneath
        self._ev = {}
        self._once = [ok, fail]  # success / fail of the first connection, one of them once
        self._n = 0  # successful connections so far
        self._err = None
        self._closed = False  # close() was called
        self._linked = False  # connected now (a close then is a 'disconnect')
        on = client.on
        on("connect", self._up)
        on("error", self._error)
        on("close", self._close)
        on("end", lambda: self._emit("close"))
        on("message", lambda t, m, p: self._emit("message", t, m))

    def on(self, name, fn):
        if name not in EVENTS:
            raise ValueError("event must be one of %s" % ", ".join(EVENTS))
        if not callable(fn):
            raise TypeError("listener must be callable")
        self._ev.setdefault(name, []).append(fn)
        return self

    def _emit(self, name, *a):
        for f in self._ev.get(name, ()):
            call(f, *a)

    def _up(self, connack):
        self._linked = True
        self._n += 1
        if self._n > 1:
            return self._emit("reconnect")  # HaaS: a reconnection succeeded
        ok = self._once[0]
        self._once = [None, None]
        if ok:
            call(ok)
        self._emit("connect")

    def _error(self, err):
        self._err = err
        self._emit("error", err)

    def _close(self):
        if self._linked:  # an established connection was lost
            self._linked = False
            self._emit("disconnect")
        fail = self._once[1]
        if fail and not self._n:  # the first attempt failed; retries go on unless closed
            self._once = [None, None]
            call(fail, self._err or MQTTError("connection failed"))

    def _req(self, o, check, send):
        # the seed's integer results: arguments checked here, with the client's own checks
        c = self.client
        try:
            check(o)
        except (ValueError, TypeError, KeyError, AttributeError):
            return EINVAL
        if self._closed:
            return ECLOSED
        if len(c.queue) >= c.options["queueSize"]:
            return EQUEUE
        ok = o.get("success")
        fail = o.get("fail")

        def done(err, granted=None):
            if err:
                if fail:
                    fail(err)
            elif ok:
                ok()

        send(c, o, done)
        return OK

    def subscribe(self, options):
        return self._req(options, lambda o: filters([(o["topic"], o.get("qos", 0))], 0),
                         lambda c, o, cb: c.subscribe(o["topic"], {"qos": o.get("qos", 0)}, cb))

    def unsubscribe(self, options):
        return self._req(options, lambda o: filters(o["topic"]), lambda c, o, cb: c.unsubscribe(o["topic"], None, cb))

    def publish(self, options):
        return self._req(options, _publishable,
                         lambda c, o, cb: c.publish(o["topic"], o["message"], {"qos": o.get("qos", 0)}, cb))

    def close(self):
        if self._closed:
            return ECLOSED
        self._closed = True
        self._linked = False  # closed by us: 'close', not 'disconnect'
        self.client.end()
        return OK


def _publishable(o):
    topic_bytes(o["topic"])
    if o.get("qos", 0) not in (0, 1, 2) or not isinstance(o["message"], (str, bytes, bytearray, memoryview)):
        raise ValueError
