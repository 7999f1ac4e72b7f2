# mqtt_as's API (peterhinch/micropython-mqtt: `from mqtt_as import
# MQTTClient, config`) over this package's client under asyncio (mqtt.aio):
# an adapter, not a second client. Optional: a board that wants it freezes it.
#   config["server"] = "broker.local"; config["queue_len"] = 4
#   client = MQTTClient(config); await client.connect()
#   await client.publish("t", "m", qos=1); async for topic, msg, retained in client.queue: ...
# What differs from mqtt_as on purpose: README, "mqtt_as".
import asyncio
from sys import platform
from errno import EAGAIN
from mqtt import aio
from mqtt.core import MQTTError

VERSION = (0, 8, 3)  # the mqtt_as release whose API this is
ESP32 = platform == "esp32"
RP2 = platform == "rp2"
ESP8266 = platform == "esp8266"
PYBOARD = platform == "pyboard"


def _uid():  # the board's unique id in hex (bytes), as mqtt_as; elsewhere a random one
    try:
        from machine import unique_id
        from binascii import hexlify

        return hexlify(unique_id())
    except ImportError:
        from random import getrandbits

        return ("%08x" % getrandbits(32)).encode()


async def eliza(*_):  # the default wifi_coro and connect_coro: does nothing
    pass


config = {
    "client_id": _uid(), "server": None, "port": 0, "user": "", "password": "", "keepalive": 60,
    "ping_interval": 0, "ssl": False, "ssl_params": {}, "response_time": 10, "clean_init": True,
    "clean": True, "max_repubs": 4, "will": None, "subs_cb": lambda *_: None, "wifi_coro": eliza,
    "connect_coro": eliza, "ssid": None, "wifi_pw": None, "queue_len": 0, "gateway": False,
    "mqttv5": False, "mqttv5_con_props": None,
}


def _err(e):  # the client's MQTTError as the OSError mqtt_as raises
    return OSError(e.errno or -1, str(e)) if isinstance(e, MQTTError) else e


def _str(t):
    return t if isinstance(t, str) else bytes(t).decode()


def _link(c):
    # ssid/wifi_pw: the board's WLAN as the client's link (mqtt.link), where
    # there is one; elsewhere (unix port, CPython) the network is always up
    if c["ssid"] is None:
        return None
    try:
        import network
        from mqtt import link

        network.WLAN  # (AttributeError: a board without WiFi)
    except (ImportError, AttributeError):
        return None
    return link.WLAN(c["ssid"], c["wifi_pw"])


class _Queue:  # client.queue: (topic, msg, retained[, properties]) as they came
    discards = 0  # (never: a full queue holds the broker back instead)

    def __init__(self, c):
        self.c = c

    def __aiter__(self):
        return self

    async def __anext__(self):
        c = self.c
        while not c._msgs:  # not connected yet
            await c._ok.wait()
        t, p, pk = await c._msgs.__anext__()  # (StopAsyncIteration once disconnected)
        return c._msg(t, p, pk)


class MQTTClient:
    DEBUG = False
    REPUB_COUNT = 0  # (nothing is republished on a live connection: see README)
    DNS = ("8.8.8.8", 53)  # where wan_ok() asks

    def __init__(self, conf):
        c = self._c = dict(config)
        c.update(conf)
        if c["server"] is None:
            raise ValueError("no server specified.")
        if c["gateway"]:
            raise ValueError("gateway: not supported")
        self._events = c["queue_len"] > 0
        if self._events:
            self.up = asyncio.Event()
            self.down = asyncio.Event()
            self.queue = _Queue(self)
        self._cb = c["subs_cb"]
        self._v5 = c["mqttv5"]
        self._ok = asyncio.Event()  # set while connected
        self._a = self._msgs = None  # the mqtt.aio client; its messages()
        self._up = False
        self.topic_alias_maximum = 0
        self.server = c["server"]  # beyond mqtt_as: a URL, ws://broker/mqtt or wss://... (ssl_params: wss's)
        self._url = self.server if "://" in self.server else None
        self.port = c["port"] or (None if self._url else 8883 if c["ssl"] else 1883)
        self._link = _link(c)

    def dprint(self, msg, *args):
        if self.DEBUG:
            print(msg % args)

    def _props(self, p):  # mqtt_as's properties {id: value} as the client's {name: value}
        if p and self._v5:
            from .v5 import names

            return names(p)
        return None

    def _opts(self, clean):
        c = self._c
        o = {"clientId": c["client_id"], "keepalive": c["keepalive"],
             "clean": clean, "connectTimeout": c["response_time"] * 1000, "reconnectPeriod": 0,
             "link": self._link}
        if not self._url:  # (a URL names the host, and the port unless port says another)
            o["host"] = self.server
        if self.port:
            o["port"] = self.port
        if c["user"]:
            o["username"] = c["user"]
            o["password"] = c["password"]
        w = c["will"]
        if w:
            w = (tuple(w) + (False, 0))[:4]
            o["will"] = {"topic": _str(w[0]), "payload": w[1], "retain": w[2], "qos": w[3]}
        if c["ssl"]:  # ssl_params as for ssl.wrap_socket()
            p = c["ssl_params"]
            if not self._url:
                o["protocol"] = "mqtts"
            for k, n in (("cadata", "ca"), ("cert", "cert"), ("key", "key"), ("server_hostname", "servername")):
                if k in p:
                    o[n] = p[k]
            if p.get("cert_reqs", 2 if "cadata" in p else 0) == 0:
                o["rejectUnauthorized"] = False  # CERT_NONE: what wrap_socket does without a CA
        if self._v5:
            o["protocolVersion"] = 5
            o["properties"] = self._props(c["mqttv5_con_props"])
        return o

    async def _open(self, clean):
        # one connection (OSError if it fails), retried by the client once it has been up
        try:
            return await aio.connect(self._url, self._opts(clean), self._c["queue_len"] if self._events else 0)
        except MQTTError as e:
            raise _err(e)

    async def connect(self, *, quick=False):
        if self._a:
            return
        c = self._c
        lk = self._link
        if lk and not lk.up():  # the WiFi first, as mqtt_as joins it: bounded, a failure named
            import mqtt
            from mqtt.compat import ticks_ms, ticks_diff

            t = ticks_ms()
            while not lk.up():
                if lk.error or ticks_diff(ticks_ms(), t) > lk.timeout_ms + lk.stable_ms + 1000:
                    raise OSError(-1, str(lk.error or "wifi: not up"))
                mqtt.run(timeout_ms=0)  # (the link's timers: no loop drives them before the client connects)
                await asyncio.sleep(0.05)
        if c["clean_init"] and not c["clean"]:  # power up: the old session goes, the new one stays
            await (await self._open(True)).end()
        a = self._a = await self._open(c["clean"])
        a.client.options["reconnectPeriod"] = 1000  # from now on it reconnects by itself
        a.on("connect", self._connected).on("close", self._lost).on("error", self._error)
        if self._events:
            self._msgs = a.messages()
        else:
            a.on("message", self._message)
        if a.connected:  # (else the connection went already: the next one says so)
            self._connected(None)

    def _connected(self, connack):
        p = connack and connack.get("properties")
        if p:
            self.topic_alias_maximum = p.get("topicAliasMaximum", 0)
        if self._up:
            return
        self._up = True
        self._ok.set()
        self.dprint("Connected to broker.")
        if self._events:
            self.up.set()
        else:
            asyncio.create_task(self._c["wifi_coro"](True))
            asyncio.create_task(self._c["connect_coro"](self))

    def _lost(self):
        if not self._up:
            return
        self._up = False
        self._ok.clear()
        self.dprint("Connection lost: reconnecting.")
        if self._events:
            self.down.set()
        else:
            asyncio.create_task(self._c["wifi_coro"](False))

    def _error(self, e):
        self.dprint("MQTT: %s", e)

    def _msg(self, t, p, pk):  # a message as mqtt_as hands it over: bytes topic and payload
        m = (t.encode(), p, pk["retain"])
        if self._v5:
            from .v5 import ids

            m += (ids(pk.get("properties")),)
        return m

    def _message(self, t, p, pk):
        self._cb(*self._msg(t, p, pk))

    async def _ask(self, f, *a):
        # a request of the client (queued while it is down); waits for a
        # connection before the first connect() and while the client's queue is full
        while 1:
            while not self._a:
                await self._ok.wait()
            try:
                return await getattr(self._a, f)(*a)
            except MQTTError as e:
                if not str(e).startswith("queue full"):
                    raise _err(e)
            await asyncio.sleep(0.1)

    async def publish(self, topic, msg, retain=False, qos=0, properties=None):
        o = {"qos": qos, "retain": retain}
        if properties:
            o["properties"] = self._props(properties)
        await self._ask("publish", topic if isinstance(topic, (str, bytes)) else bytes(topic), msg, o)

    async def subscribe(self, topic, qos=0, properties=None):
        await self._ask("subscribe", _str(topic), {"qos": qos, "properties": self._props(properties)})

    async def unsubscribe(self, topic, properties=None):
        await self._ask("unsubscribe", _str(topic), {"properties": self._props(properties)})

    def isconnected(self):
        return bool(self._a and self._a.connected)

    async def broker_up(self):
        # a round trip to the broker within response_time: an UNSUBSCRIBE of
        # a filter nobody subscribed to (the broker must answer it)
        if not self.isconnected():
            return False
        try:
            await asyncio.wait_for(self._a.unsubscribe("$mqtt_as/broker_up"), self._c["response_time"])
            return True
        except Exception:
            return False

    async def wan_ok(self, packet=b"$\x1a\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x06google\x03com"
                                  b"\x00\x00\x01\x00\x01"):
        # internet access: a DNS query to DNS (8.8.8.8) answered within 3 s
        if not self.isconnected():
            return False
        import socket

        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.setblocking(False)
            s.connect(socket.getaddrinfo(*self.DNS)[0][-1])
            s.send(packet)
            for _ in range(30):
                await asyncio.sleep(0.1)
                try:
                    return len(s.recv(64)) >= 32
                except OSError as e:
                    if e.args[0] != EAGAIN:  # (refused: nothing listens there)
                        break
        except OSError:
            pass
        finally:
            s.close()
        return False

    def _end(self):
        a = self._a
        self._a = self._msgs = None
        self._up = False
        self._ok.clear()
        return a

    async def disconnect(self):  # DISCONNECT (no will), then closed; connect() starts afresh
        a = self._end()
        if a:
            await a.end()

    def close(self):  # closed now, without DISCONNECT (the broker publishes the will)
        a = self._end()
        if a:
            c = a.client
            c.end(True)
            try:
                asyncio.current_task()
            except RuntimeError:  # (after asyncio.run(): mqtt.aio's listeners want a running loop)
                asyncio.run(_step(c))
                return
            c.loop(0)


async def _step(c):
    c.loop(0)
