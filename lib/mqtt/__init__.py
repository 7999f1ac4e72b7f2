# mqtt: a small MQTT client with the mqtt.js API, for MicroPython and CPython.
from random import getrandbits
from .core import MQTTError, ProtocolError  # noqa: F401
from .client import Client, run, setTimeout, setInterval, clearTimeout, clearInterval  # noqa: F401
from .transport import TCP

_KEYS = ("keepalive", "clientId", "protocolVersion", "version", "clean", "reconnectPeriod",
         "connectTimeout", "username", "password", "will", "hostname", "host", "port", "protocol",
         "callback", "manualConnect", "queueSize", "maximumPacketSize")
_RANGES = (("port", 1, 65535), ("keepalive", 0, 65535), ("reconnectPeriod", 0, 1 << 29),
           ("connectTimeout", 1, 1 << 29), ("queueSize", 0, 1 << 20), ("maximumPacketSize", 2, 268435455))


def connect(url=None, options=None, **kw):
    """mqtt.connect('mqtt://user:pass@host:1883', {options}) -> Client, connecting."""
    if isinstance(url, dict):
        url, options = None, url
    o = {"protocol": "mqtt", "port": 1883, "keepalive": 60, "protocolVersion": 4, "clean": True,
         "reconnectPeriod": 1000, "connectTimeout": 30000, "queueSize": 32, "maximumPacketSize": 4096}
    if url:
        if not isinstance(url, str) or "://" not in url:
            raise ValueError("URL must look like mqtt://host:1883, not %r" % (url,))
        o["protocol"], _, r = url.partition("://")
        cred, _, r = r.split("/")[0].rpartition("@")
        if cred:
            o["username"], _, p = cred.partition(":")
            if p:
                o["password"] = p
        if r[:1] == "[":  # [IPv6]:port
            o["host"], _, r = r[1:].partition("]")
            r = r[1:]
        else:
            o["host"], _, r = r.partition(":")
        if r:
            try:
                o["port"] = int(r)
            except ValueError:
                raise ValueError("bad port in URL %r" % url)
    for d in (options, kw):
        for k in d or ():
            if k not in _KEYS:
                raise ValueError("unknown option %r" % (k,))
            o[k] = d[k]
    for k, n in (("version", "protocolVersion"), ("hostname", "host")):
        if k in o:
            o[n] = o.pop(k)
    if o["protocol"] not in ("mqtt", "tcp"):
        raise ValueError("unsupported protocol %r: use mqtt:// or tcp://" % (o["protocol"],))
    o["transport"] = TCP
    if not o.get("host"):
        raise ValueError("no broker host: give a URL or the host option")
    for k, lo, hi in _RANGES:
        v = o[k]
        if not isinstance(v, int) or v is True or v is False or not lo <= v <= hi:
            raise ValueError("option %s must be an integer from %d to %d, not %r" % (k, lo, hi, v))
    if o["protocolVersion"] not in (3, 4):
        raise ValueError("protocolVersion must be 3 (MQTT 3.1) or 4 (MQTT 3.1.1)")
    if o.get("clientId") is None:
        o["clientId"] = "mqttjs_%08x" % getrandbits(32)
    if o.get("password") is not None and o.get("username") is None:
        raise ValueError("a password needs a username in MQTT 3.1.1")
    w = o.get("will")
    if w is not None:
        if not isinstance(w, dict) or not w.get("topic") or w.get("qos", 0) not in (0, 1, 2):
            raise ValueError("will must be {'topic': str, 'payload': ..., 'qos': 0-2, 'retain': bool}")
        t = w["topic"]
        if "#" in t or "+" in t:
            raise ValueError("invalid will topic %r" % (t,))
    return Client(o)
