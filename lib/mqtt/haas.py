# The HaaS API (seed 003): mqtt.createClient({...}) with success/fail
# callbacks and integer return codes, as a thin adapter over the one client.
# Optional: a board that doesn't need it leaves this module out.
from . import connect
from .core import MQTTError
from .client import _call

OK = 0  # request accepted
EINVAL = -1  # invalid argument
ECLOSED = -2  # the client is closed
EQUEUE = -3  # the offline queue is full (queueSize)
EVENTS = ("connect", "reconnect", "disconnect", "message", "error", "close")
# options passed through to mqtt.connect() under the same name
_PASS = ("clientId", "username", "password", "clean", "will", "reconnectPeriod", "connectTimeout",
         "queueSize", "maxInflight", "maximumPacketSize", "ca", "ca_len", "cert", "key", "servername",
         "rejectUnauthorized")


def createClient(options=None, **kw):
    """createClient({'host', 'port', 'clientId', 'username', 'password',
    'keepalive_interval', 'success', 'fail', ...}) -> client, or None when the
    options can't be used (the reason is printed and passed to fail)."""
    o = dict(options or {})
    o.update(kw)
    ok = o.pop("success", None)
    fail = o.pop("fail", None)
    try:
        host = o.pop("host", None)
        if not isinstance(host, str) or not host:
            raise ValueError("host is required: a domain name or an IP address")
        ssl = o.pop("ssl", False)
        c = {"host": host, "port": o.pop("port", 8883 if ssl else 1883), "keepalive": o.pop("keepalive_interval", 60),
             "protocol": "mqtts" if ssl else "mqtt"}
        for k in o:
            if k not in _PASS:
                raise ValueError("unknown option %r" % (k,))
            c[k] = o[k]
        client = connect(c)
    except (ValueError, TypeError) as e:
        err = MQTTError("createClient: %s" % e)
        print("mqtt:", err)
        if fail:
            _call(fail, err)
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
        on = client.on
        on("connect", self._up)
        on("offline", lambda: self._emit("disconnect"))
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
            _call(f, *a)

    def _up(self, connack):
        self._n += 1
        if self._n > 1:
            return self._emit("reconnect")  # HaaS: a reconnection succeeded
        ok = self._once[0]
        self._once = [None, None]
        if ok:
            _call(ok)
        self._emit("connect")

    def _error(self, err):
        self._err = err
        self._emit("error", err)

    def _close(self):
        fail = self._once[1]
        if fail and not self._n:  # the first attempt failed; retries go on unless closed
            self._once = [None, None]
            _call(fail, self._err or MQTTError("connection failed"))

    def _req(self, o, send):
        c = self.client
        if not isinstance(o, dict) or not o.get("topic"):
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

        try:
            send(c, o, done)
        except (ValueError, TypeError):
            return EINVAL
        return OK

    def subscribe(self, options):
        return self._req(options, lambda c, o, cb: c.subscribe(o["topic"], {"qos": o.get("qos", 0)}, cb))

    def unsubscribe(self, options):
        return self._req(options, lambda c, o, cb: c.unsubscribe(o["topic"], None, cb))

    def publish(self, options):
        if not isinstance(options, dict) or "message" not in options:
            return EINVAL
        return self._req(options, lambda c, o, cb: c.publish(o["topic"], o["message"], {"qos": o.get("qos", 0)}, cb))

    def close(self):
        if self._closed:
            return ECLOSED
        self._closed = True
        self.client.end()
        return OK
