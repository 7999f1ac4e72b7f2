# The client: drives the protocol core over a transport, with mqtt.js-style
# events, a bounded offline queue, keepalive and reconnect; and the one loop
# (run(), timers) that drives every client. Callbacks run only from the loop.
import select
from random import getrandbits
from .compat import ticks_us, ticks_ms, ticks_diff, ticks_add, print_exc, const, MPY
from .core import Protocol, MQTTError, utf8
from .transport import TCP, errname

# core.py's constants, folded here by the compiler (an import would be a global looked up at run time)
_EV_MESSAGE = const(2)  # next_event() results
_EV_CONNACK = const(3)
_EV_ERROR = const(4)
_PILED = const(2048)  # output waiting that stops reading: 8 x core's TXBUF
_PUBLISH = const(3)  # packet types
_PUBREL = const(6)
_SUBSCRIBE = const(8)
_UNSUBSCRIBE = const(10)
_PINGREQ = const(12)
_DISCONNECT = const(14)
# a request entry's fields (core.py's: the client reads them in its _done hook)
_KIND = const(0)
_TOPIC = const(2)
_PAYLOAD = const(3)
_FLAGS = const(4)
_CALLBACK = const(5)
_PROPS = const(6)
_DOWN = const(0)  # state (the core's): no connection (an attempt may be due at _deadline)
_CONNECTING = const(1)  # the transport connects, CONNECT goes out; CONNACK not yet
_CONNECTED = const(2)

_clients = []  # clients with something to do
_timers = []  # [due, period or 0, fn]
_later = []  # (fn, args): callbacks owed, run at the next step
_poller = None  # select.poll, made at the first wait
guard = None  # the background driver's guard while it runs (driver.py): every entry point goes through it
_socks = {}  # socket (MicroPython) or its fd (CPython) -> client: what poll() reports, to whom
interrupted = ()  # functions called when Ctrl-C stops run(), before it reaches the caller (user scripts
# add theirs: a tuple, replaced whole, costs no heap until then)
waker = None  # f() told of a new deadline or client (mqtt.aio: its loop sleeps until the next one)
_packets = None  # {fixed header: a received message's packet, to copy} (see Client._deliver)
_topic = _topic_b = None  # the last publish topic given (str or bytes), and its checked bytes
_BUFS = (bytes, bytearray, memoryview)  # (one tuple, not one per publish)
# Builtins the hot paths call, as globals of this module: MicroPython looks
# for a name in the module's table first, and a miss there scans the table
# (this one near full: a QoS 1 round trip looks up 8 builtins, 8% of it)
type = type
len = len
bytes = bytes
min = min
max = max
_SPIN_US = const(200)  # how long a wait for a reply spins before it sleeps (see _idle)
_spin = 1  # the last spin caught its reply: spin again
_TICK_MS = const(5)  # how often the loop checks a stream poll() cannot take


def call(f, *a):  # f(*a), for a callback: what it raises is printed, not passed on (a broken one must not break the client)
    try:
        f(*a)
    except Exception as e:
        print_exc(e)


def _run_later():
    while _later:
        f, a = _later.pop(0)
        call(f, *a)


def _json(o):  # JSON.stringify(options), as JavaScript examples pass them
    if isinstance(o, str):
        from json import loads

        return loads(o)
    return o


def topic_bytes(topic):
    # a topic to publish to, as it goes on the wire; checked (ValueError): a
    # broker closes the connection on a bad one
    t = topic.encode() if isinstance(topic, str) else topic
    if not isinstance(t, bytes) or not t or b"#" in t or b"+" in t or len(t) > 65535 or utf8(t, 0, len(t)) is None:
        raise ValueError("bad topic %r: 1 to 65535 bytes of UTF-8, no wildcard, no NUL" % (topic,))
    return t


def filters(t, q=None):
    # topic filter(s) -> [(filter, qos)], or [filter] without q; checked (ValueError)
    r = []
    for t in [t] if isinstance(t, str) else t:
        v = q
        if isinstance(t, tuple):
            t, v = t
        if not isinstance(t, str) or not t or "#" in t[:-1] or v not in (None, 0, 1, 2) or "\x00" in t \
                or len(t.encode()) > 65535:
            raise ValueError("bad topic filter or qos: %r %r" % (t, v))
        for w in t.split("/"):  # '+' and '#' stand alone in their level
            if len(w) > 1 and ("#" in w or "+" in w):
                raise ValueError("bad wildcard in %r" % t)
        r.append(t if q is None else (t, v))
    return r


class Client(Protocol):
    # class-level: what is seldom read (the hot paths' state is in __init__, see Protocol)
    # (Set on the instance only once they change: a client's attribute table stays within 47 slots.)
    _pk = _referred = _held = None  # the packet dict zeroCopy listeners get, refilled; MQTT 5 Server Reference
    # (host, port) for the next attempt; messages that came while a handler ran
    _backoff = 0  # the next reconnect's delay before jitter (ms); nonzero: 'offline' said for this outage
    _server_at = ("", 0, 0)  # the server of the last attempt: host, port, its index in options servers
    _pinged = False  # a PINGREQ of this connection was answered
    # MQTT 5's hooks here, which v5.py fills in and only a Client5 calls (as
    # declarations they would cost every board a slot in this class's table):
    #   _publish_out(topic, payload, options) -> encoded properties, or an MQTTError to report
    #   _sub_options(options) -> a SUBSCRIBE's option bits beyond the QoS
    #   _props_out(options) -> a SUBSCRIBE's or UNSUBSCRIBE's encoded properties
    #   _disconnect_body(options) -> end()'s DISCONNECT reason code and properties (_disconnect_props)
    #   _props_of(encoded) -> a publish's properties as a dict again ('published')
    #   _event(ev): a next_event() result past EV_ERROR (DISCONNECT, AUTH from the server)

    def __init__(self, options):
        Protocol.__init__(self, options)
        self._transport = self._deadline = self._ping_sent = None  # transport; the next attempt or timeout (ticks);
        # PINGREQ unanswered since
        self._last_out = self._last_in = 0  # last write, last read (ticks)
        self._ending = None  # end(): None while running; [force, callback] until it ends; () once ended
        self._dispatching = self._watch_published = False  # a message handler runs; someone listens to 'published'
        self._readable = 1  # input may be waiting: read at the next step (poll() says when, where it ran)
        self.reading = True  # False: nothing is read, TCP pushes back on the broker (a consumer that is full)
        self._listeners = {}  # event -> tuple of listeners
        self._link = options.get("link")  # the network under it: up(), watch(fn) (link.py), or None
        if self._link:
            self._link.watch(self.link_changed)
        cb = options.get("callback")
        if cb:
            self.on("message", lambda t, m, p: cb(t, m))
        if "outgoingStore" in options or "incomingStore" in options:  # a session kept across resets (store.py)
            from .store import attach

            attach(self)
        if not options.get("manualConnect"):
            self.connect()

    # -- events

    def on(self, name, fn):
        if guard and guard.outside():
            return guard.call(self.on, name, fn)
        if not callable(fn):
            raise TypeError("listener must be callable")
        self._listeners[name] = self._listeners.get(name, ()) + (fn,)
        if name == "published":
            self._watch_published = True
        if name[:6] == "packet" and not self._packet_hook:
            from .trace import tap

            self._packet_hook = tap(self)
        return self

    def once(self, name, fn):
        def w(*a):
            self.off(name, w)
            fn(*a)

        return self.on(name, w)

    def off(self, name, fn):
        if guard and guard.outside():
            return guard.call(self.off, name, fn)
        ls = self._listeners.get(name, ())
        if fn in ls:
            i = ls.index(fn)
            self._listeners[name] = ls[:i] + ls[i + 1 :]
        return self

    removeListener = off

    def _emit(self, name, *a):
        for f in self._listeners.get(name, ()):
            call(f, *a)
        if name == "error" and not self._listeners.get(name):  # unheard errors are shown, not swallowed
            print("mqtt:", a[0])

    def post(self, name, *a):  # event name's listeners, with a, from the loop (after what is owed already)
        _later.append((self._emit, (name,) + a))

    def _done(self, e, err, granted=None):
        if self.journal:
            self.journal.done(e)
        cb = e[_CALLBACK]
        if cb:
            _later.append((cb, (err, granted) if e[_KIND] == _SUBSCRIBE else (err,)))
        elif err:
            _later.append((self._emit, ("error", err)))
        if self._watch_published and not err and e[_KIND] in (_PUBLISH, _PUBREL):  # (a QoS 2 PUBLISH ends as PUBREL)
            self._published(e[_TOPIC], e[_PAYLOAD], e[_FLAGS], e[_PROPS])

    def _published(self, t, m, f, pr=None):  # 'published': a publish of this client completed
        o = {"qos": f >> 1 & 3, "retain": f & 1 == 1, "dup": f & 8 == 8}
        if pr:  # MQTT 5: its properties, as given
            o["properties"] = self._props_of(pr)
        _later.append((self._emit, ("published", str(t, "utf-8"), bytes(m), o)))

    def _refuse(self, callback, err, granted=0):
        # A request refused when it was made. Bad arguments (err not an
        # MQTTError) raise, or with a callback go to it (as mqtt.js).
        if not isinstance(err, MQTTError):
            if not callback:
                raise err
            err = MQTTError(str(err))
        _later.append((callback, (err, None) if granted else (err,)) if callback else (self._emit, ("error", err)))
        return self

    # -- requests

    def publish(self, topic, message, options=None, callback=None):
        # Bad arguments raise, or with a callback go to it (as mqtt.js). A
        # QoS 0 publish on a live connection is the hot way: checks, then
        # straight into the output; nothing allocated, no call it can spare.
        if guard and guard.outside():
            return guard.call(self.publish, topic, message, options, callback)
        f = 0
        if options:
            if type(options) is not dict:  # (a dict is the usual: no more calls for it)
                if callable(options):
                    options, callback = None, options
                elif isinstance(options, str):
                    options = _json(options)
            if options:
                f = options.get("qos", 0)
                if f not in (0, 1, 2):
                    return self._refuse(callback, ValueError("qos must be 0, 1 or 2"))
                f <<= 1
                if "retain" in options and options["retain"]:
                    f |= 1
                if "dup" in options and options["dup"]:
                    f |= 8
        if type(message) is not bytes:
            if isinstance(message, str):
                message = message.encode()
            elif not isinstance(message, _BUFS):
                return self._refuse(callback, TypeError("message must be str or bytes-like"))
        global _topic, _topic_b
        if topic is not _topic:  # a topic is checked once, not per message
            try:
                _topic_b = topic_bytes(topic)
            except ValueError as e:
                return self._refuse(callback, e)
            _topic = topic
        if f & 6 and not self._v5 and self._ending is None:  # QoS 1/2: the queue, then out
            # (as _request() does, without its call: a frame over 11 words comes from the heap
            # on MicroPython; fast_paths.py drives both ways with the same publishes)
            lone = not self.outgoing
            try:
                self.request(_PUBLISH, _topic_b, message if type(message) is bytes else bytes(message), f, callback)
            except MemoryError:
                return self._refuse(callback, MQTTError("out of memory for a %d-byte message" % len(message)))
            if lone:  # (TCP's Nagle rule, see _request)
                self.drain()
            while self.queue and self.unsent and self.drain():
                self.flush()
            return self
        if f & 6 or callback or self._v5 or self._watch_published or self.state != _CONNECTED or self.queue \
                or self._ending is not None:
            return self._send(_topic_b, message, f, options, callback)
        try:
            if self._pub(_topic_b, message, f) or self.drain() and self._pub(_topic_b, message, f):
                return self
        except MemoryError:
            return self._refuse(None, MQTTError("out of memory for a %d-byte message" % len(message)))
        return self._send(_topic_b, message, f, options, None)  # the output stays full: queued

    def _send(self, t, message, f, options, callback):
        # The rest: MQTT 5, callbacks, a closed client; QoS 1/2 (and QoS 0
        # behind others) into the queue, a copy since the caller may reuse
        # its buffer (bytes cannot change), then out as far as the socket takes it.
        pr = None
        if self._v5:  # properties, topic aliases and the server's limits (v5.py)
            pr = self._publish_out(t, message, options)
            if isinstance(pr, MQTTError):
                return self._refuse(callback, pr)
        if self._ending is not None:
            return self._refuse(callback, MQTTError("client is closed"))
        try:
            if f & 6 or self.state != _CONNECTED or self.queue or not (
                    self._pub(t, message, f, None, pr) or self.drain() and self._pub(t, message, f, None, pr)):
                return self._request(_PUBLISH, t, message if type(message) is bytes else bytes(message), f,
                                     callback, pr)
        except MemoryError:
            return self._refuse(callback, MQTTError("out of memory for a %d-byte message" % len(message)))
        if callback:
            _later.append((callback, (None,)))
        if self._watch_published:
            self._published(t, message, f, pr)
        return self

    def subscribe(self, topic, options=None, callback=None):
        # topic: a filter, a list of them, {filter: qos or options} or [(filter, qos or options)]
        if guard and guard.outside():
            return guard.call(self.subscribe, topic, options, callback)
        if callable(options):
            options, callback = None, options
        ts = []
        try:
            options = _json(options) or {}
            if isinstance(topic, dict):
                topic = topic.items()
            elif isinstance(topic, str) or not (topic and isinstance(topic[0], tuple)):
                topic = [(t, options) for t in filters(topic)]
            for t, v in topic:
                if not isinstance(v, dict):
                    v = {"qos": v}
                t, q = filters([(t, v.get("qos", options.get("qos", 0)))], 0)[0]
                ts.append((t, q | (self._sub_options(v) if self._v5 else 0)))
        except (ValueError, TypeError) as e:
            return self._refuse(callback, e, 1)
        return self._request(_SUBSCRIBE, ts, None, 0, callback, self._props_out(options) if self._v5 else None)

    def unsubscribe(self, topic, options=None, callback=None):
        if guard and guard.outside():
            return guard.call(self.unsubscribe, topic, options, callback)
        if callable(options):
            options, callback = None, options
        try:
            ts = filters(topic)
        except (ValueError, TypeError) as e:
            return self._refuse(callback, e)
        return self._request(_UNSUBSCRIBE, ts, None, 0, callback, self._props_out(options) if self._v5 else None)

    def _request(self, kind, t, m, f, callback, pr):
        # a request into the queue (refused on a closed client), then out as
        # far as the socket takes it. Writes follow TCP's Nagle rule: with
        # nothing in flight it goes out at once; with others in flight, with the next write.
        if self._ending is not None:  # (a subscribe's callback takes (err, granted))
            return self._refuse(callback, MQTTError("client is closed"), kind == _SUBSCRIBE)
        lone = not self.outgoing
        self.request(kind, t, m, f, callback, pr)
        if lone:
            self.drain()
        while self.queue and self.unsent and self.drain():  # the output was full: written, go on
            self.flush()
        return self

    # -- connection

    def connect(self):
        # connect now, unless connected or connecting already (then nothing changes)
        if guard and guard.outside():
            return guard.call(self.connect)
        if not self._transport:
            self._ending = None
            self._deadline = ticks_ms()
            if self not in _clients:
                _clients.append(self)
            if waker:  # (mqtt.aio drives)
                waker()
            elif not guard:
                # the background driver starts by itself where it costs next to nothing (a
                # board's machine.Timer) or is wanted (an interactive CPython session);
                # elsewhere driver.py is not even imported
                try:
                    if MPY:
                        from machine import Timer  # noqa: F401
                    else:
                        from sys import ps1  # noqa: F401
                    from .driver import auto
                except ImportError:
                    return self
                auto()
        return self

    def reconnect(self):
        # replace the connection now (mqtt.js): the current one, if any, closes first
        if guard and guard.outside():
            return guard.call(self.reconnect)
        def renew():  # (from the loop: two calls in a row make one new connection)
            if self.connected:
                self._lost()
            if not self._transport:  # (an attempt under way is the new connection)
                self.connect()

        _later.append((renew, ()))
        return self

    def end(self, force=False, options=None, callback=None):
        # end([force], [options], [callback]) as mqtt.js; options: MQTT 5's
        # {'reasonCode', 'properties'} for the DISCONNECT
        if guard and guard.outside():
            return guard.call(self.end, force, options, callback)
        if callable(force):
            force, callback = False, force
        elif callable(options):
            options, callback = None, options
        if self._ending is not None:
            if force and self._ending:  # a forced end() after a graceful one: no more waiting
                self._ending = [True, self._ending[1]]
            if callback:  # a second end(): its callback at once, as mqtt.js
                _later.append((callback, ()))
            return self
        if self._v5 and options:
            self._disconnect_props = self._disconnect_body(options)
        self._deadline = ticks_add(ticks_ms(), self.options["connectTimeout"])  # bounds the wait for acks
        self._ending = [force, callback]  # (after _deadline: a background step may look at it at once)
        if self not in _clients:
            _clients.append(self)
        if waker:
            waker()
        return self

    close = end

    def ping(self):
        # a PINGREQ now (keepalive sends them by itself)
        if guard and guard.outside():
            return guard.call(self.ping)
        if self.state == _CONNECTED:
            self._put(_PINGREQ, b"")
            if self._ping_sent is None:
                self._ping_sent = ticks_ms()
            self.drain()
        return self

    def drain(self):
        # write what waits in the output now, as far as the socket takes it; True if some went
        if guard and guard.outside():
            return guard.call(self.drain)
        tr = self._transport
        if self.unsent and tr and not tr.opening:
            if self.journal:  # what the output depends on is in the store before it leaves
                self.journal.sync()
            n = tr.write(self.tx, self.unsent)  # (tx[:unsent] without a view made per write)
            if n:
                self._last_out = ticks_ms()
                self.sent(n)
                return True
        return False

    def loop(self, timeout_ms=0):
        # one step of this client, after waiting up to timeout_ms for I/O
        g = guard
        if g and g.outside():
            g.drive()
            return g.call(self.loop, timeout_ms)
        if timeout_ms:
            if self.unsent:  # output first: the wait is then for input, not for a writable socket
                self.drain()
            _idle(timeout_ms)
        else:
            self._readable = 1
        if _later:
            _run_later()
        self._step(ticks_ms())
        if _later:
            _run_later()
        return self.connected

    # -- the step

    def _step(self, now):
        tr = self._transport
        if tr:
            try:
                if not tr.opening or tr.ready():
                    self._io(tr)
            except MemoryError:
                self._lost(MQTTError("out of memory (heap exhausted), on " + self._where()))
            except Exception as e:  # OSError, or broker input we refuse
                self._lost(e)
        return self._timer(now)  # (ms until its next deadline, for the loop's wait)

    def socket(self):
        # the connection's socket (to wait for its input on), None while there
        # is none or poll() cannot take it (a plain stream: the loop reads it every few ms)
        tr = self._transport
        return tr.sock if tr and tr.polled else None

    def _io(self, tr):
        if self.unsent:
            self.drain()
        # what is buffered and not yet parsed first (the step of a handler
        # that drives the client): the buffer has room to read into after it
        if self._filled:
            self._dispatch(tr)
        more = self._readable or not tr.short  # poll() saw input, or TLS may hold some: read
        if not self.reading:  # paused by its consumer (see below)
            self._last_in = ticks_ms()
            more = 0
        k = 8  # reads in one step, then other clients get their turn
        while more and k:
            k -= 1
            if self._transport is not tr:
                return  # closed by a handler
            if self.unsent > _PILED or self._held and len(self._held) >= self.options["queueSize"] \
                    or not self.reading:
                # Output piles up, a handler holds messages, or its consumer is full: read later. Input
                # not read is not input missing: keepalive counts it from now (while
                # output piles up, from its last write that went through).
                if self.unsent <= _PILED:
                    self._last_in = ticks_ms()
                elif ticks_diff(self._last_out, self._last_in) > 0:
                    self._last_in = self._last_out
                return
            mv = self.buffer()
            n = tr.read(mv)
            if tr.err:  # a failed write (or connect) says more than the end of stream
                raise tr.err
            if n < 0:  # closed by the broker: mqtt.js reports no error for it
                return self._lost(None, 1)
            if n:
                self._last_in = ticks_ms()
                if self._ping_sent is not None:  # (answered, or as good as: the link carries)
                    self._ping_sent = None
                    self._pinged = True
                self.received(n)
                self._dispatch(tr)
                if self.unsent:  # acks and PUBRELs out now: the broker goes on with them while this reads on
                    self.drain()
            # until the socket is empty: a TCP read shorter than the buffer
            # found it so (what comes later, the next poll sees); TLS may hold
            # more than a short read gave: read until it says none is left
            more = n > 0 and (n == len(mv) or not tr.short)
        self._readable = more
        while self._transport is tr and (self.queue or self.unsent):  # queued requests out, while the socket takes them
            self.flush()
            if not self.drain() or not self.queue:
                break

    def _dispatch(self, tr):
        # events parsed from the input, each dispatched before the next is
        # parsed, callbacks owed in between: all in the order the broker sent it
        # (while reading is paused, what is buffered waits too)
        while self._transport is tr and self.reading:
            ev = self.next_event()
            if not ev:
                return
            if ev == _EV_MESSAGE:
                self._deliver()
            else:
                if _later:  # what the packet before it owes (its packetreceive first)
                    _run_later()
                if ev == _EV_CONNACK:
                    self._deadline = None
                    if self._backoff:  # the next outage starts its back-off afresh
                        self._backoff = 0
                    self._emit("connect", self.event)
                    self.flush()
                elif ev == _EV_ERROR:
                    self._emit("error", self.event)
                else:  # MQTT 5: DISCONNECT, AUTH
                    self._event(ev)
            if _later:
                _run_later()

    def _deliver(self):
        # The message next_event() returned, to the 'message' listeners, then
        # acknowledged (QoS 1/2: see handled()). One handler at a time:
        # messages parsed while a handler drives the client wait for it to
        # return, in order (and bounded, see _io), and are delivered here then.
        global _packets
        m = self.message
        if self._dispatching:
            if self._held is None:
                self._held = []
            p = m[1]  # (a zeroCopy view would not outlast the buffer's next read: copied)
            self._held.append((m[0], p if type(p) is bytes else bytes(p), m[2], m[3], m[4]))
            return
        self._dispatching = True
        try:  # (taken from the list first: a listener that drives the client refills it)
            t, p, h, i, pr = m
            if _later:  # callbacks owed before it (its packetreceive) run first
                _run_later()
            while 1:  # (one frame for the message and those held: no call per message)
                ls = self._listeners.get("message")
                if ls:
                    if self._zero_copy:  # one packet, refilled: valid during the call, as the payload
                        pk = self._pk
                        if pk is None:
                            pk = self._pk = {"cmd": "publish"}
                        pk["topic"] = t
                        pk["payload"] = p
                        pk["qos"] = h >> 1 & 3
                        pk["retain"] = h & 1 == 1
                        pk["dup"] = h & 8 == 8
                        pk["messageId"] = i or None
                    else:  # each message its own packet (mqtt.js): a program may keep it. A
                        # copy of one made once for its header's flags costs less than a new dict
                        if _packets is None:
                            _packets = {}
                        pk = _packets.get(h)
                        if pk is None:
                            pk = _packets[h] = {"cmd": "publish", "topic": None, "payload": None, "qos": h >> 1 & 3,
                                                "retain": h & 1 == 1, "dup": h & 8 == 8, "messageId": None}
                        pk = pk.copy()
                        pk["topic"] = t
                        pk["payload"] = p
                        if i:
                            pk["messageId"] = i
                    if pr is not None:
                        pk["properties"] = pr
                    for f in ls:
                        try:
                            f(t, p, pk)
                        except Exception as e:  # a broken handler must not break the client
                            print_exc(e)
                if h & 6 or self._zero_copy:  # (else handled() has nothing to do: core_contract.py checks)
                    self.handled(h, i)
                if not self._held:
                    break
                t, p, h, i, pr = self._held.pop(0)
        finally:
            self._dispatching = False

    def _timer(self, now):
        # What is due now (an attempt, a timeout, a PINGREQ), done; ms until
        # the next of them, at most a minute (0: step again at once)
        w = 60000 if self._deadline is None else ticks_diff(self._deadline, now)
        if self._ending:
            if self.state != _CONNECTED or w <= 0 or self._ending[0] or not (self.outgoing or self.queue or self.unsent):
                self._finish()
                return 0
        elif self.state == _CONNECTED:
            ka = self.keepalive * 1000
            if ka:
                # Keepalive. A PINGREQ goes out once nothing was sent for a whole
                # keepalive (MQTT's rule: an idle link pings once per keepalive),
                # or once nothing came for half of one though we sent (talking,
                # and nothing answers), and so does the first of a connection
                # (no round trip measured yet). The link is dead once nothing came
                # for 1.5 keepalives: noticed within that whatever the traffic; an
                # idle link's PINGRESP has half a keepalive plus the last round trip.
                r = ticks_diff(now, self._last_in)
                d = ka + (ka >> 1) - r  # until the link is taken for dead
                if d <= 0:
                    self._lost(MQTTError("keepalive timeout: nothing from %s for %d ms" % (self._where(), r)))
                    return 0
                if self._ping_sent is None:
                    p = ka - ticks_diff(now, self._last_out)
                    if ticks_diff(self._last_out, self._last_in) > 0 or not self._pinged:
                        p = min(p, (ka >> 1) - r)
                    if p <= 0:
                        self.ping()
                        return 0
                    d = min(d, p)
                w = min(w, d)
        elif w > 0:
            pass
        elif self.state:
            self._lost(MQTTError("connect timeout: no CONNACK from %s within %d ms"
                                 % (self._where(), self.options["connectTimeout"])))
            return 0
        elif self._link and not self._link.up():
            # No network: no DNS, no connect until link_changed(True); an
            # outage's first says so ('error', then 'offline', no 'close': nothing was tried)
            self._deadline = None
            if not self._backoff:
                self._backoff = self.options["reconnectPeriod"]
                self._emit("error", MQTTError("network link down", "ENETDOWN"))
                self._emit("offline")
            return 60000
        else:
            self._attempt(now)
            return 0
        return max(0, w)

    def link_changed(self, up):
        # The network under the client (options link) went up or down, told
        # from the loop: down ends the connection at once, up connects at
        # once instead of waiting out the back-off.
        if not up:
            if self.state:
                self._lost(MQTTError("network link down", "ENETDOWN"))
        elif self.state == _DOWN and self._ending is None and self in _clients:
            self._deadline = ticks_ms()
            if waker:  # (mqtt.aio sleeps until the next deadline: a task may have told us)
                waker()

    def _where(self):
        return "%s:%d" % self._server_at[:2]

    def _attempt(self, now):
        # the next server (options servers, as mqtt.js: in turn at each
        # attempt after the first), or where the last one referred us to
        o = self.options
        s = o.get("servers")
        i = self._server_at[2]
        if self._server_at[0]:  # an attempt was made before
            self._emit("reconnect")
            if s:
                i = (i + 1) % len(s)
        h = self._referred or s and (s[i]["host"], s[i].get("port", o["port"])) or (o["host"], o["port"])
        self._server_at = h = (h[0], h[1], i)
        if self._referred:
            self._referred = None
        self._deadline = ticks_add(now, o["connectTimeout"])
        self._ping_sent = None
        self._pinged = False  # a PINGREQ of this connection was answered
        self._last_in = self._last_out = now
        try:
            if "stream" in o:  # options stream: a byte stream made afresh for each attempt (stream.py)
                from .stream import Stream

                tr = Stream(o["stream"]())
            elif o["protocol"] in ("mqtts", "ssl"):  # an optional module, loaded for TLS only
                from .tls import TLS

                tr = TLS(self, h[0], h[1])
            elif o["protocol"][:2] == "ws":  # WebSocket (ws.py), over TCP or TLS
                from .ws import WS

                tr = WS(self, h[0], h[1])
            else:
                tr = TCP(h[0], h[1])
            self._transport = tr
            if tr.polled:
                _socks[tr.sock if MPY else tr.sock.fileno()] = self
            self._readable = 1
            self.connect_packet()
        except Exception as e:  # OSError; TLS set-up (bad cert, no tls.py on the board)
            self._lost(e)

    def _close(self):  # the transport closed; it, if there was one
        tr = self._transport
        if tr:
            self._transport = None
            for k in [k for k in _socks if _socks[k] is self]:
                del _socks[k]
            try:
                _poller.unregister(tr.sock)
            except Exception:  # (never registered)
                pass
            try:
                tr.sock.close()
            except AttributeError:  # a stream without close()
                pass
        return tr

    def _lost(self, err=None, by_broker=0):
        # The connection is gone (or never came): its requests wait for the
        # next one; error, offline and close events, in mqtt.js's order; the
        # next attempt after the back-off (none after a CONNACK refusal).
        tr = self._close()
        if isinstance(err, OSError) and err.args and err.args[0] in (32, 104):  # EPIPE, ECONNRESET
            by_broker = 1
        self.lost(by_broker)
        if err:
            if not isinstance(err, MQTTError):
                c = err.args[0] if err.args else None  # errno, when there is one
                n = errname(c)
                err = MQTTError("%s: %s" % (self._where(), n or err), n or c)
                err.errno = c if n else None
            self._emit("error", err)
        o = self.options
        p = o["reconnectPeriod"]
        if err and err.refused and not self._referred and not o.get("reconnectOnConnackError"):
            p = 0
        if p:
            # back-off: reconnectPeriod, doubled after each failed attempt up
            # to reconnectPeriodMax, +-25% at random, so that a fleet does
            # not come back in lock-step after a broker restart
            d = self._backoff
            self._backoff = min((d or p) * 2, max(o["reconnectPeriodMax"], p))
            if not d:  # the outage's first: 'offline', once an outage, before 'close' (mqtt.js)
                d = p
                self._emit("offline")
            p = d - (d >> 2) + (getrandbits(16) * (d >> 1) >> 16) if d > 3 else d
        if tr or err:  # not again when end() follows a lost connection
            self._emit("close")
        self._deadline = ticks_add(ticks_ms(), p) if p else None
        if not p and self in _clients:  # nothing more will happen by itself
            _clients.remove(self)

    def _finish(self):
        force, cb = self._ending
        if self.state == _CONNECTED and not force:
            self._put(_DISCONNECT, self._v5 and self._disconnect_props or b"")
            self.drain()
        tr = self._close()
        self.lost(0)
        if self.journal:  # what is not through stays in the store, for the next start
            self.journal.close()
            self.journal = None
        self._ending = ()
        self._deadline = None
        self.abandon(MQTTError("client ended"))  # what never completed is told so, before 'close'
        _run_later()
        if tr:
            self._emit("close")
        self._emit("end")
        if cb:
            _later.append((cb, ()))
        if self in _clients:
            _clients.remove(self)


def _timer(fn, ms, period):
    if guard and guard.outside():
        return guard.call(_timer, fn, ms, period)
    if not callable(fn):
        raise TypeError("callback must be callable")
    t = [ticks_add(ticks_ms(), ms), period, fn]
    _timers.append(t)
    if waker:  # a loop that sleeps until its deadline (mqtt.aio) hears of the new one
        waker()
    return t


def setTimeout(fn, ms):
    return _timer(fn, ms, 0)


def setInterval(fn, ms):
    return _timer(fn, ms, max(ms, 1))


def clearTimeout(h):
    if guard and guard.outside():
        return guard.call(clearTimeout, h)
    if h in _timers:
        _timers.remove(h)


clearInterval = clearTimeout


def busy():  # clients or timers with something to do, or callbacks owed
    return bool(_clients or _timers or _later)


def step_all(now, polled=0, cap=100):
    # One step of every timer and client; ms to the next deadline (at most
    # cap). polled: poll() has just said which clients have input; else all read.
    w = cap
    if _timers:  # (a copy: a callback may clear timers; one cleared by an earlier one of this step does not run)
        for t in _timers[:]:
            if ticks_diff(t[0], now) <= 0 and t in _timers:
                if t[1]:
                    t[0] = ticks_add(now, t[1])
                else:
                    _timers.remove(t)
                call(t[2])
    if _later:
        _run_later()
    i = len(_clients)
    while i:  # (from the end: a client that is done removes itself)
        i -= 1
        if i < len(_clients):
            c = _clients[i]
            if not polled:
                c._readable = 1
            w = min(w, c._step(now))
    if _later:
        _run_later()
    for t in _timers:  # (after the callbacks: they may have set some)
        w = min(w, max(0, ticks_diff(t[0], now)))
    return w


def _register():
    # POLLIN for every connection, plus POLLOUT where output waits as it is
    # now (a callback may just have published). No syscall: poll keeps a table.
    # A stream poll() cannot take is read at every step: True if there is one.
    global _poller
    p = _poller
    if p is None:
        p = _poller = select.poll()
    n = 0
    for c in _clients:
        tr = c._transport
        if tr:
            if tr.polled:  # (input while reading is paused: not waited for)
                p.register(tr.sock, (4 if (c.unsent or tr.opening) and not tr.rd else 0) | (c.reading and 1))
            else:
                c._readable = n = 1
    return n


def _wait(ms):  # poll, at most ms
    return (_poller.ipoll if MPY else _poller.poll)(ms)  # ipoll doesn't allocate


def _idle(ms):
    # Wait for I/O, at most ms (none when callbacks are owed); mark who has
    # some. While a reply is due (an ack, a CONNACK) the wait spins on
    # poll(0) for up to _SPIN_US first: a reply on a fast link comes sooner
    # than the wake-up from a sleeping poll() (loopback: about 20 us against 70).
    # A spin that misses stops spinning until a sleep shows the link fast again.
    global _spin
    g = guard
    if (g.call(_register) if g else _register()) and ms > _TICK_MS:  # a stream to check every few ms
        ms = _TICK_MS
    if _later:
        ms = 0
    t = 0
    if ms:
        for c in _clients:
            if c.outgoing or c.state == _CONNECTING:
                t = ticks_us()
                break
    if t and _spin:
        while ticks_diff(ticks_us(), t) < _SPIN_US:
            if _mark(_wait(0)):
                return
        _spin = 0
    if _mark(_wait(ms)) and t and ticks_diff(ticks_us(), t) < _SPIN_US:
        _spin = 1


def _mark(evs):  # the clients poll() found I/O for read at their next step; True if any
    n = 0
    for ev in evs:
        c = _socks.get(ev[0])
        if c:
            c._readable = n = 1
    return n


def run(until=None, timeout_ms=None):
    # Drive every client and timer. True once until() is true (or, without
    # until, once nothing is left to run); False when timeout_ms passes.
    # Ctrl-C: the interrupted hooks first, then it reaches the caller.
    try:
        return _run(until, timeout_ms)
    except KeyboardInterrupt:
        for f in interrupted:
            call(f)
        raise


def _run(until, timeout_ms):
    t0 = ticks_ms()
    _idle(0)  # who has input already (run(timeout_ms=0) steps once): one poll, not a read of every client
    while 1:
        g = guard
        if g:
            g.drive()
            w = g.call(step_all, ticks_ms(), 1)
        else:
            w = step_all(ticks_ms(), 1)
        if until and until():
            return True
        if not (_clients or _timers or _later):
            return until is None
        if timeout_ms is not None:
            d = timeout_ms - ticks_diff(ticks_ms(), t0)
            if d <= 0:
                return False
            w = min(w, d)
        _idle(w)
