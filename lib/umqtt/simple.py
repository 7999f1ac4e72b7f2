# umqtt.simple's MQTTClient (micropython-lib), backed by the mqtt package:
# the same blocking calls, plus keepalive pings while you wait, QoS 2, and
# exactly-once delivery. Optional: a board freezes it in place of
# micropython-lib's umqtt when it wants those.
from errno import ENOTCONN, ETIMEDOUT

import mqtt
from mqtt.compat import ticks_ms, ticks_diff


class MQTTException(Exception):
    pass


def _str(t):
    return t.decode() if isinstance(t, (bytes, bytearray)) else t


class MQTTClient:
    TIMEOUT = 30000  # ms: the longest connect/publish/subscribe waits for the broker
    _made = ()  # f(client) for the mqtt client the first connect() makes (see with_client)

    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=None, ssl_params={},
                 stream=None, store=None):
        # beyond umqtt's: stream, mqtt.connect()'s option (a function giving the link's byte stream: a
        # UART...); store, its outgoingStore and incomingStore (mqtt.store: a session kept across resets,
        # with connect(clean_session=False)); server may be a URL: ws://broker/mqtt or wss://... (ssl_params:
        # wss's TLS options)
        self._url = server if "://" in server else None
        self._o = {"clientId": client_id, "host": None if self._url else server,
                   "port": port or (None if self._url else 8883 if ssl else 1883),
                   "username": user, "password": password, "keepalive": keepalive,
                   "reconnectPeriod": 0, "manualConnect": True, "stream": stream,
                   "outgoingStore": store, "incomingStore": store}
        if ssl:
            if not self._url:
                self._o["protocol"] = "mqtts"
            # ssl_params as for ssl.wrap_socket(); ssl may also be an SSLContext-like True
            for k, n in (("cadata", "ca"), ("cert", "cert"), ("key", "key"), ("server_hostname", "servername")):
                if k in ssl_params:
                    self._o[n] = ssl_params[k]
            if ssl_params.get("cert_reqs", 0 if "cadata" not in ssl_params else 2) == 0:
                self._o["rejectUnauthorized"] = False  # ssl.CERT_NONE: umqtt's default without a CA
        self.cb = None
        self.lw = None
        self._opts = [None] * 6  # publish options by qos * 2 + retain, made once each
        self._t = self._tb = None  # the last topic handed to the callback, and as bytes
        self.c = None  # the mqtt.Client, made by the first connect()
        self._cpublish = self._cdrain = None  # its publish and drain, bound once (publish's fast way)
        self._err = None  # why the connection went away
        self._exc = None  # an exception from the callback, raised to the caller
        self._msgs = 0

    def set_callback(self, f):
        self.cb = f

    def set_last_will(self, topic, msg, retain=False, qos=0):
        assert 0 <= qos <= 2
        assert topic
        self.lw = {"topic": _str(topic), "payload": msg, "qos": qos, "retain": retain}

    def _message(self, topic, msg, packet):
        self._msgs += 1
        if self.cb:
            if topic is not self._t:  # (the client hands the same str for a repeated topic)
                self._t = topic
                self._tb = topic.encode()
            try:
                self.cb(self._tb, msg)
            except Exception as e:  # umqtt lets it reach wait_msg()/check_msg()'s caller
                self._exc = e

    def _error(self, err):
        self._err = err

    def connect(self, clean_session=True):
        o = self._o
        o["clean"] = clean_session
        o["will"] = self.lw
        c = self.c
        if c:  # reconnect the same client: it keeps its subscriptions and unacknowledged messages
            c.options.update(dict((k, v) for k, v in o.items() if v is not None))
        else:
            c = self.c = mqtt.connect(self._url, dict((k, v) for k, v in o.items() if v is not None))
            self._cpublish = c.publish
            self._cdrain = c.drain
            c.on("message", self._message)
            c.on("error", self._error)
            c.on("connect", self._connected)
            c.on("close", self._closed)
            c.on("reconnect", self._attempt)
            for f in self._made:
                f(c)
        self._err = self._ack = None
        self._down = False
        if c.connected:  # umqtt opens a new connection each time
            c.reconnect()
        else:
            c.connect()
        self._wait(lambda: self._ack is not None)
        return 1 if self._ack["sessionPresent"] else 0

    def _connected(self, connack):
        self._ack = connack

    def _closed(self):  # with reconnectPeriod 0 nothing more happens by itself...
        self._down = True

    def _attempt(self):  # ...but after reconnect() (connect() when connected) an attempt follows
        self._down = False

    def _wait(self, done, timeout=True):
        c = self.c
        t0 = ticks_ms()
        while not done():
            self._raise()
            if self._down:  # closed, and (reconnectPeriod 0) nothing more will happen
                raise OSError(ENOTCONN)
            if timeout and ticks_diff(ticks_ms(), t0) > self.TIMEOUT:
                raise OSError(ETIMEDOUT)
            c.loop(20)
        self._raise()

    def _raise(self):
        e = self._exc
        if e:
            self._exc = None
            raise e
        e = self._err
        if e and not self.c.connected:
            self._err = None
            if isinstance(e.code, int) and e.code < 6 and str(e).startswith("connection refused"):
                raise MQTTException(e.code)  # CONNACK's return code, as umqtt raises it
            raise OSError(e.errno or ENOTCONN, str(e))

    def with_client(self, f):
        # f(client) with the mqtt.Client behind this one: now, or once the
        # first connect() has made it (a user script attached before that)
        if self.c:
            f(self.c)
        else:
            self._made += (f,)

    def _live(self):
        if not self.c or not self.c.connected:
            self._raise()
            raise OSError(ENOTCONN)

    def disconnect(self):
        c = self.c
        if c and c.connected:
            c.end()
            self._wait(lambda: self._down)

    def ping(self):
        self._live()
        self.c.ping()

    def publish(self, topic, msg, retain=False, qos=0):
        # QoS 0 on a live connection: straight into the client's output, then
        # written (as umqtt writes before it returns). Small on purpose: a
        # frame of over 11 words comes from the heap on MicroPython, and a
        # truth test of the client object looks up __bool__ and __len__.
        if qos or retain or self.c is None or not self.c.connected:
            return self._publish(topic, msg, retain, qos)
        self._cpublish(topic, msg)  # (no options: nothing for the client to read)
        if not self._cdrain():
            self._stuck()

    def _publish(self, topic, msg, retain, qos):
        c = self.c
        if not c or not c.connected:
            self._live()
        k = qos * 2 + (1 if retain else 0)
        o = self._opts[k] if 0 <= k < 6 else {"qos": qos}  # (a bad qos: the client says so)
        if o is None:
            o = self._opts[k] = {"qos": qos, "retain": bool(retain)}
        if qos:
            return self._confirmed(topic, msg, o)
        c.publish(topic, msg, o)
        if not c.drain():
            self._stuck()

    def _stuck(self):
        # Nothing was written: the socket is full (a slow broker) or the
        # connection failed. A step of the client tells which; a failure
        # raises OSError here, as umqtt's write would. Messages the client
        # had to queue (its output buffer full) are waited for, as umqtt's
        # blocking write waits, instead of being refused once its queue is full.
        c = self.c
        c.loop(0)
        self._wait(lambda: not c.queue)
        if not c.connected:
            raise OSError(ENOTCONN)

    def _confirmed(self, topic, msg, o):  # (a closure here, not in publish: a cell made per call)
        acked = []
        self.c.publish(topic, msg, o, acked.append)
        self._wait(lambda: acked)
        if acked[0]:
            raise acked[0]

    def subscribe(self, topic, qos=0):
        self._live()
        res = []
        self.c.subscribe(_str(topic), {"qos": qos}, lambda err, granted: res.append(granted))
        self._wait(lambda: res)
        if res[0] and res[0][0]["qos"] == 0x80:
            raise MQTTException(0x80)

    def unsubscribe(self, topic):
        self._live()
        res = []
        self.c.unsubscribe(_str(topic), None, res.append)
        self._wait(lambda: res)

    def wait_msg(self):
        # Blocks until a message arrives (keepalive pings go out meanwhile);
        # raises OSError when the connection is lost.
        self._live()
        n = self._msgs
        self._wait(lambda: self._msgs != n, False)

    def check_msg(self):
        self._live()
        self.c.loop(0)
        self._raise()
        if not self.c.connected:
            raise OSError(ENOTCONN)
