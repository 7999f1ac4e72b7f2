# mqtt: a small MQTT client with the mqtt.js API, for MicroPython and CPython.
from random import getrandbits
from .core import MQTTError, ProtocolError  # noqa: F401
from .client import Client, run, setTimeout, setInterval, clearTimeout, clearInterval  # noqa: F401

_RANGES = (("port", 1, 65535), ("keepalive", 0, 65535), ("reconnectPeriod", 0, 1 << 29),
           ("connectTimeout", 1, 1 << 29), ("queueSize", 0, 1 << 20), ("maxInflight", 1, 65535), ("maximumPacketSize", 2, 1 << 28), ("resendLimit", 1, 1 << 20),
           ("reconnectPeriodMax", 0, 1 << 29))


def createClient(options=None, **kw):
    # the HaaS API (seed 003), from its optional module
    from .haas import createClient

    return createClient(options, **kw)


def connect(url=None, options=None, **kw):
    # mqtt.connect('mqtt://user:pass@host:1883', {options}) -> a Client, connecting
    if isinstance(url, dict):
        url, options = None, url
    # every option, with its default: a name not here is a mistake
    o = {"protocol": "mqtt", "host": None, "hostname": None, "port": None, "keepalive": 60,
         "clientId": None, "protocolVersion": 4, "version": None, "clean": True,
         "reconnectPeriod": 1000, "connectTimeout": 30000, "username": None, "password": None,
         "will": None, "callback": None, "manualConnect": None, "queueSize": 32, "maxInflight": 20,
         "maximumPacketSize": 4096, "ca": None, "ca_len": None, "cert": None, "key": None,
         "servername": None, "rejectUnauthorized": None, "properties": None, "auth": None,
         "autoUseTopicAlias": None, "autoAssignTopicAlias": None, "resendLimit": 3,
         "reconnectPeriodMax": 30000, "reconnectOnConnackError": None, "servers": None, "zeroCopy": None,
         "link": None, "stream": None, "outgoingStore": None, "incomingStore": None,
         "path": None, "wsOptions": None}
    if url:
        if not isinstance(url, str) or "://" not in url:
            raise ValueError("URL must look like mqtt://host:1883")
        o["protocol"], _, r = url.partition("://")
        r, p, q = r.partition("/")
        if p:  # the path (ws://, wss://)
            o["path"] = p + q
        cred, _, r = r.rpartition("@")
        if cred:
            o["username"], _, p = cred.partition(":")
            o["password"] = p or None
        if r[:1] == "[":  # [IPv6]:port
            o["host"], _, r = r[1:].partition("]")
            r = r[1:]
        else:
            o["host"], _, r = r.partition(":")
        if r:
            o["port"] = int(r) if r.isdigit() else r
    for d in (options, kw):
        for k in d or ():
            if k not in o:
                raise ValueError("unknown option %r" % (k,))
            o[k] = d[k]
    o["host"] = o.pop("hostname") or o["host"]
    o["protocolVersion"] = o.pop("version") or o["protocolVersion"]
    p = o["protocol"]
    t = p in ("mqtts", "ssl", "wss")
    if not t and p not in ("mqtt", "tcp", "ws"):
        raise ValueError("unsupported protocol %r" % (p,))
    if p[:2] == "ws":  # WebSocket: its options (path, wsOptions) are checked by its optional module
        from .ws import options

        options(o)
    if o["port"] is None:
        o["port"] = 8883 if t else 1883
    if t:  # TLS: its options are checked by its optional module
        from .tls import options

        options(o)
    s = o["servers"]  # [{'host', 'port'}, ...]: tried in turn
    if s is not None:
        if not isinstance(s, list) or not s or [1 for x in s if not isinstance(x, dict) or not x.get("host")
                                                or not isinstance(x.get("port", 1), int)]:
            raise ValueError("servers must be a list of {'host', 'port'}")
        o["host"] = o["host"] or s[0]["host"]
    if o["stream"]:  # a function giving a byte stream to the broker (stream.py): no host to resolve
        o["host"] = o["host"] or "stream"
    if not o["host"]:
        raise ValueError("no broker host")
    for k, lo, hi in _RANGES:
        v = o[k]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise ValueError("option %s must be an integer from %d to %d" % (k, lo, hi))
    if o["protocolVersion"] not in (3, 4, 5):
        raise ValueError("protocolVersion must be 3, 4 or 5")
    if o["clientId"] is None:
        o["clientId"] = "mqttjs_%08x" % getrandbits(32)
    if o["password"] is not None and o["username"] is None:
        raise ValueError("password without username")
    w = o["will"]
    if w is not None and (not isinstance(w, dict) or not w.get("topic") or "#" in w["topic"]
                          or "+" in w["topic"] or w.get("qos", 0) not in (0, 1, 2)):
        raise ValueError("will must be {'topic', 'payload', 'qos', 'retain'} with a plain topic")
    c = Client
    if o["protocolVersion"] > 4:  # MQTT 5: an optional module, loaded for it only
        from .v5 import Client5 as c
    return c({k: o[k] for k in o if o[k] is not None})  # only what is set: less heap
