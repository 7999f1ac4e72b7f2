# The client: drives the protocol core over a transport, with mqtt.js-style
# events, a bounded offline queue, keepalive and reconnect; and the one loop
# (run(), timers) that drives every client. Callbacks run only from the loop.
import select
from json import loads
from .compat import ticks_ms, ticks_diff, ticks_add, print_exc, MPY
from .core import Protocol, MQTTError, ProtocolError, TXBUF
from .transport import TCP

_clients = []
_timers = []  # [due, period or 0, fn]
_later = []  # (fn, args): callbacks owed, run at the next step
_poll = select.poll()
_wait = _poll.ipoll if MPY else _poll.poll  # ipoll doesn't allocate
_BUFS = (bytearray, memoryview)
_topic = [None, None]  # the last publish topic given (str or bytes) and its checked bytes
_auto = []  # driver.auto, when the optional background driver is there


def _call(f, *a):
    try:
        f(*a)
    except Exception as e:  # a broken callback must not break the client
        print_exc(e)


def _run_later():
    while _later:
        f, a = _later.pop(0)
        _call(f, *a)


def _filters(t, q=None):
    # topic filter(s) -> [(filter, qos)], or [filter] without q; checked
    r = []
    for t in [t] if isinstance(t, str) else t:
        v = q
        if isinstance(t, tuple):
            t, v = t
            v = v.get("qos", 0) if isinstance(v, dict) else v
        if not isinstance(t, str) or not t or "#" in t[:-1] or v not in (None, 0, 1, 2):
            raise ValueError("bad topic filter or qos: %r %r" % (t, v))
        for w in t.split("/"):  # '+' and '#' stand alone in their level
            if len(w) > 1 and ("#" in w or "+" in w):
                raise ValueError("bad wildcard in %r" % t)
        r.append(t if q is None else (t, v))
    return r


class Client(Protocol):
    # class-level defaults: an instance holds only what it has set (RAM)
    _tr = _t = _pt = _end = None  # transport; deadline of the state; unanswered PINGREQ sent at; end() args
    _st = _lt = 0  # -1 connect due, 0 reconnect due (or idle), 1 TCP connecting, 2 CONNECT sent,
    # 4 ended; last write

    def __init__(self, options):
        Protocol.__init__(self, options)
        self._ev = {}
        cb = options.get("callback")
        if cb:
            self.on("message", lambda t, m, p: cb(t, m))
        if not options.get("manualConnect"):
            self.connect()

    # -- events

    def on(self, name, fn):
        if not callable(fn):
            raise TypeError("listener must be callable")
        self._ev.setdefault(name, []).append(fn)
        if name[:6] == "packet" and not self._tap:
            from .trace import tap

            self._tap = tap(self)
        return self

    def once(self, name, fn):
        def w(*a):
            self.off(name, w)
            fn(*a)

        return self.on(name, w)

    def off(self, name, fn):
        ls = self._ev.get(name)
        if ls and fn in ls:
            ls.remove(fn)
        return self

    removeListener = off

    def _emit(self, name, *a):
        ls = self._ev.get(name)
        if ls:
            for f in ls[:]:
                _call(f, *a)
        elif name == "error":  # unheard errors are shown, not swallowed
            print("mqtt:", a[0])

    def _msg(self, t, m, pk):
        for f in self._ev.get("message", ()):
            try:
                f(t, m, pk)
            except Exception as e:
                print_exc(e)

    def _done(self, e, err, g=None):
        cb = e[5]
        if cb:
            _later.append((cb, (err, g) if e[0] == 8 else (err,)))
        elif err:
            _later.append((self._emit, ("error", err)))

    # -- requests

    def _enq(self, e):
        if not e[2]:
            raise ValueError("no topic")
        if self._end or self._st == 4:
            self._done(e, MQTTError("client is closed"))
        elif len(self._q) >= self.options["queueSize"]:
            self._done(e, MQTTError("queue full (queueSize)"))
        else:
            self._q.append(e)
            self._flushq()
        return self

    def publish(self, topic, message, options=None, callback=None):
        if callable(options):
            options, callback = None, options
        q = f = 0
        if options:
            if isinstance(options, str):  # JSON.stringify(options), as seed 002 passes them
                options = loads(options)
            q = options.get("qos", 0)
            if q not in (0, 1, 2):
                raise ValueError("qos must be 0, 1 or 2")
            f = q << 1 | (1 if options.get("retain") else 0) | (8 if options.get("dup") else 0)
        if isinstance(message, str):
            message = message.encode()
        elif not isinstance(message, bytes) and not isinstance(message, _BUFS):  # (no tuple built per call)
            raise TypeError("message must be str or bytes-like")
        if topic is not _topic[0]:  # a topic is checked and encoded once, not per message
            t = topic.encode() if isinstance(topic, str) else topic
            if not isinstance(t, bytes) or not t or b"#" in t or b"+" in t:
                raise ValueError("bad topic %r" % (topic,))
            _topic[0] = topic
            _topic[1] = t
        if not q and self.connected and not self._q and self._pub(_topic[1], message, f):
            if callback:
                _later.append((callback, (None,)))
            return self
        # queued: copy, since the caller may reuse its buffer
        return self._enq([3, 0, _topic[1], bytes(message), f, callback])

    def subscribe(self, topic, options=None, callback=None):
        if callable(options):
            options, callback = None, options
        if isinstance(options, str):  # JSON.stringify(options), as seed 002 passes them
            options = loads(options)
        q = options.get("qos", 0) if options else 0
        ts = _filters(topic.items() if isinstance(topic, dict) else [(t, q) for t in _filters(topic)], q)
        return self._enq([8, 0, ts, None, 0, callback])

    def unsubscribe(self, topic, options=None, callback=None):
        ts = _filters(topic)
        for t in ts:
            self._subs.pop(t, None)
        return self._enq([10, 0, ts, None, 0, callback or callable(options) and options])

    # -- connection

    def connect(self):
        if self._end:
            self._end = None
        self._st = -1
        self._t = ticks_ms()
        if self not in _clients:
            _clients.append(self)
        if _auto:  # a background driver, where the board has the module
            _auto[0]()
        return self

    def reconnect(self):
        _later.append((self._redo, ()))
        return self

    def _redo(self):
        if self._end or self._st == 4:
            return self.connect()
        if self._tr:
            self._lost()
        self.connect()
        self._st = 0

    def end(self, force=False, callback=None):
        if callable(force):
            force, callback = False, force
        if self._end or self._st == 4:
            if callback:
                _later.append((callback, ()))
            return self
        self._t = ticks_add(ticks_ms(), self.options["connectTimeout"])  # bounds the wait for acks
        self._end = (force, callback)  # (after _t: a background step may look at it at once)
        if self not in _clients:
            _clients.append(self)
        return self

    close = end

    def loop(self, timeout_ms=0):
        if timeout_ms:
            _idle(timeout_ms)
        _drive(self._step)
        return self.connected

    def _step(self, now):
        tr = self._tr
        if tr:
            try:
                if self._st == 1 and tr.ready():
                    self._st = 2
                if self._st == 2:
                    self._drain()
                    for _ in range(4):
                        n = tr.read(memoryview(self._rx)[self._rn :])
                        if tr.err:  # a failed write (or connect) says more than the end of stream
                            raise tr.err
                        if not n:
                            break
                        if n < 0:
                            raise ProtocolError("truncated packet") if self._rn else MQTTError("closed by broker")
                        self._pt = None
                        self._recv(n)
                    self._flushq()
                    self._drain()
            except Exception as e:  # OSError, or broker input we refuse
                self._lost(e)
        self._timer(now)

    def _drain(self):
        tn = self._tn
        if tn and self._st == 2:
            n = self._tr.write(self._tx, tn)
            if n:
                self._lt = ticks_ms()
                tn -= n
                if tn:
                    self._tx[:tn] = self._tx[n : n + tn]
                elif len(self._tx) != TXBUF:
                    self._tx = bytearray(TXBUF)  # give back a buffer grown for one large packet
                self._tn = tn

    def _timer(self, now):
        st = self._st
        late = self._t is not None and ticks_diff(now, self._t) >= 0
        if self._end:
            if not self.connected or late or self._end[0] or not (self._pend or self._q or self._tn):
                self._finish()
        elif self.connected:
            ka = self.options["keepalive"] * 1000
            if not ka:
                pass
            elif self._pt is not None:
                if ticks_diff(now, self._pt) >= ka >> 1:
                    self._lost(MQTTError("keepalive timeout"))
            elif ticks_diff(now, self._lt) >= ka:
                self._put(0xC0, b"")
                self._pt = now
                self._drain()
        elif not late:
            pass
        elif st > 0:
            self._lost(MQTTError("connect timeout"))
        else:
            o = self.options
            if st == 0:
                self._emit("reconnect")
            self._st = 1
            self._t = ticks_add(now, o["connectTimeout"])
            if self._pt is not None:
                self._pt = None
            try:
                if o["protocol"] in ("mqtts", "ssl"):  # an optional module, loaded for TLS only
                    from .tls import TLS

                    self._tr = TLS(self)
                else:
                    self._tr = TCP(o["host"], o["port"])
                self._connect()
            except Exception as e:  # OSError; TLS set-up (bad cert, no tls.py on the board)
                self._lost(e)

    def _lost(self, err=None):
        was = self.connected
        tr = self._tr
        if tr:  # buffers are reset by the next CONNECT
            self._tr = None
            try:
                _poll.unregister(tr.sock)
            except Exception:
                pass
            tr.sock.close()
        self.connected = False
        self._st = 0
        if err:
            if not isinstance(err, MQTTError):
                c = err.args[0] if err.args else None  # errno, when there is one
                err = MQTTError("%s:%d: %s" % (self.options["host"], self.options["port"], err),
                                c if isinstance(c, int) else None)
            self._emit("error", err)
        if was:
            self._emit("offline")
        if tr or err:  # not again when end() follows a lost connection
            self._emit("close")
        p = self.options["reconnectPeriod"]
        self._t = ticks_add(ticks_ms(), p) if p else None
        if not p and self in _clients:  # nothing more will happen by itself
            _clients.remove(self)

    def _finish(self):
        force, cb = self._end
        if self.connected and not force:
            self._put(0xE0, b"")
            self._drain()
        self.connected = False  # ended, not lost: no 'offline'
        self._lost()
        self._st = 4
        self._end = self._t = None
        for e in list(self._pend.values()) + self._q:  # report what never completed
            self._done(e, MQTTError("client ended"))
        self._pend = {}
        self._q = []
        self._emit("end")
        if cb:
            _later.append((cb, ()))
        if self in _clients:
            _clients.remove(self)


def _timer(fn, ms, period):
    if not callable(fn):
        raise TypeError("callback must be callable")
    t = [ticks_add(ticks_ms(), ms), period, fn]
    _timers.append(t)
    return t


def setTimeout(fn, ms):
    return _timer(fn, ms, 0)


def setInterval(fn, ms):
    return _timer(fn, ms, max(ms, 1))


def clearTimeout(h):
    for i in range(len(_timers)):
        if _timers[i] is h:
            del _timers[i]
            return


clearInterval = clearTimeout


def _all(now):  # one step of every timer and client; ms to the next timer (at most 100)
    w = 100
    for t in _timers[:]:
        d = ticks_diff(t[0], now)
        if d <= 0:
            if t[1]:
                t[0] = ticks_add(now, t[1])
            else:
                clearTimeout(t)
            _call(t[2])
        elif d < w:
            w = d
    _run_later()
    for c in _clients[:]:
        c._step(now)
    return w


def _idle(ms):
    # Wait for I/O, at most ms: POLLIN, plus POLLOUT where output waits, as it
    # is now (a callback may just have published). No syscall: poll keeps a table.
    for c in _clients:
        tr = c._tr
        if tr:
            _poll.register(tr.sock, 5 if c._tn and not tr.rd or c._st == 1 else 1)
    _wait(0 if _later else ms)


def _drive(step):  # callbacks owed, step(now), callbacks owed (a background driver wraps this)
    _run_later()
    w = step(ticks_ms())
    _run_later()
    return w


def run(until=None, timeout_ms=None):
    # Drive every client and timer. True once until() is true (or, without
    # until, once nothing is left to run); False when timeout_ms passes.
    t0 = ticks_ms()
    while 1:
        w = _drive(_all)
        if until and until():
            return True
        if not (_clients or _timers):
            return until is None
        if timeout_ms is not None:
            d = timeout_ms - ticks_diff(ticks_ms(), t0)
            if d <= 0:
                return False
            w = min(w, d)
        _idle(w)
