# User scripts (MQTTX): a Python file or module whose hooks (onConnect,
# onMessage, ...) react to a client's messages and events, with the helpers
# publish() and exit(). A script lives on its own: it may start before any
# client exists, is attached to one (mqtt.connect, HaaS createClient or a
# umqtt MQTTClient), and ends with onWillExit and up to GRACE ms to finish.
# Optional module: a board that runs no user scripts leaves it out.
import sys
from . import client as _c
from .client import Client, topic_bytes, setTimeout, clearTimeout, run as _loop
from .compat import ticks_ms, ticks_diff, print_exc, MPY

GRACE = 2000  # ms a script has after onWillExit
HOLD = 32  # publishes a script holds while it has no client
# (hook, client event)
HOOKS = (("onConnect", "connect"), ("onMessage", "message"), ("onReconnect", "reconnect"),
         ("onDisconnect", "disconnect"), ("onClose", "close"), ("onEnd", "end"), ("onError", "error"),
         ("onPacketSend", "packetsend"), ("onPublish", "published"), ("onPacketReceive", "packetreceive"))
# PUBLISH properties a client may send (mqtt.js names)
PROPS = ("payloadFormatIndicator", "messageExpiryInterval", "topicAlias", "responseTopic",
         "correlationData", "userProperties", "contentType")

_running = []  # scripts started and not yet ended
_current = [None]  # the script whose hook (or top-level code) runs now
_sig = [0]  # a signal asked the program to stop (CPython: SIGTERM)
_driving = [0]  # drive() runs: a signal only sets _sig
_armed = [0]  # atexit and SIGTERM handlers installed


def _err(*a):
    print(*a, file=sys.stderr)


def traceback(e):  # to stderr, on either runtime
    print_exc(e)


class _Helper:  # UserScriptHelper and CommonHelper as a file script sees them: bound to it
    def __init__(self, s):
        self.publish = s.publish
        self.exit = s.stop


class Script:
    client = None  # the mqtt client it is attached to
    _cut = None  # the timer that ends the grace period
    _in_will = False  # onWillExit runs
    _warned = False  # the MQTT 3.1.1 warning was printed

    def __init__(self, source):
        # source: a .py file's path, a module name, or a module
        self.state = 0  # 0 running, 1 exiting (onWillExit called, grace), 2 ended
        self.errors = 0  # exceptions raised by its hooks
        self.failed = 0  # its publishes that failed (each reported)
        self._pending = 0  # its publishes not yet completed
        self._held = []  # its publishes made without a client: (topic, message, opts)
        self._ls = []  # (event, listener) on the client
        self._ends = []  # fn() called once it has ended
        _current[0], prev = self, _current[0]
        try:
            if isinstance(source, str) and (source.endswith(".py") or "/" in source):
                self.name = source.split("/")[-1][:-3] if source.endswith(".py") else source
                f = open(source)
                code = f.read()
                f.close()
                h = _Helper(self)
                ns = {"__name__": "__script__", "__file__": source, "publish": self.publish, "exit": self.stop,
                      "UserScriptHelper": h, "CommonHelper": h}
                try:
                    code = compile(code, source, "exec")  # tracebacks name the file
                except NameError:  # (firmware without compile(): exec takes the text)
                    pass
                exec(code, ns)
                get = ns.get
            else:
                m = source
                if isinstance(source, str):
                    self.name = source
                    __import__(source)
                    m = sys.modules[source]
                else:
                    self.name = getattr(m, "__name__", "script")
                get = lambda k: getattr(m, k, None)  # noqa: E731
        finally:
            _current[0] = prev
        self.hooks = {}
        for k, _ in HOOKS + (("onWillExit", 0),):
            if callable(get(k)):
                self.hooks[k] = get(k)
        _running.append(self)
        arm()

    def __repr__(self):
        return "<Script %s %s>" % (self.name, ("running", "exiting", "ended")[self.state])

    # -- the client

    def attach(self, client):
        # client: from mqtt.connect(), HaaS createClient() or umqtt MQTTClient;
        # its events reach the hooks from now on
        if self.state == 2:
            raise ValueError("script %s has ended" % self.name)
        c = client
        if not isinstance(c, Client):
            c = getattr(client, "client", None) or getattr(client, "c", None)
            if c is None and hasattr(client, "with_client"):  # umqtt: its client comes with its first connect()
                client.with_client(lambda c: self.state < 2 and not self.client and self.attach(c))
                return self
            if not isinstance(c, Client):
                raise TypeError("attach: a client of mqtt.connect(), createClient() or umqtt, not %r" % (client,))
        self.detach()
        self.client = c
        for k, ev in HOOKS:
            f = self.hooks.get(k)
            if f:
                self._on(ev, self._hook(k, f))
        if self.state == 1:
            self._on("published", self._settle)
        held = self._held
        self._held = []
        for t, m, o in held:
            try:
                self._send(t, m, o)
            except Exception as e:  # (e.g. a property the client refuses)
                self._failed(t, e)
        return self

    def _on(self, ev, f):
        self._ls.append((ev, f))
        self.client.on(ev, f)

    def detach(self):
        c = self.client
        if c:
            for ev, f in self._ls:
                c.off(ev, f)
            self._ls = []
            self.client = None
        return self

    def _hook(self, k, f):
        def call(*a):
            self._call(k, f, a)

        return call

    def _call(self, k, f, a):
        if self.state == 1 and ticks_diff(ticks_ms(), self._t) >= GRACE:  # (a loop without timers: umqtt)
            return self._end()
        _current[0], prev = self, _current[0]
        try:
            f(*a)
        except Exception as e:  # the script and the client carry on
            self.errors += 1
            _err("script %s: %s raised:" % (self.name, k))
            traceback(e)
        finally:
            _current[0] = prev

    # -- the helpers

    def publish(self, topic, message, opts=None):
        # UserScriptHelper.publish(): sent, or waiting for the connection (the
        # client's queue) or for a client (held here, up to HOLD). One that
        # fails is reported on stderr and counted in .failed
        if self.state == 2:
            raise ValueError("script %s has ended" % self.name)
        if not isinstance(topic, str):
            raise TypeError("topic must be str")
        topic_bytes(topic)  # checked as the client will (a held one goes to it later)
        if isinstance(message, str):
            message = message.encode()
        elif not isinstance(message, (bytes, bytearray, memoryview)):
            raise TypeError("message must be str or bytes")
        if opts is not None:
            if not isinstance(opts, dict):
                raise TypeError("opts must be a dict")
            for k in opts:
                if k not in ("qos", "dup", "retain", "properties"):
                    raise ValueError("unknown publish option %r" % (k,))
            if opts.get("qos", 0) not in (0, 1, 2):
                raise ValueError("qos must be 0, 1 or 2")
            p = opts.get("properties")
            if p is not None:
                if not isinstance(p, dict):
                    raise TypeError("properties must be a dict")
                for k in p:
                    if k == "subscriptionIdentifier":
                        raise ValueError("subscriptionIdentifier is the server's to send (MQTT 5, 3.3.4-6)")
                    if k not in PROPS:
                        raise ValueError("unknown publish property %r" % (k,))
                if isinstance(p.get("payloadFormatIndicator"), bool):  # (a bool is no int on MicroPython)
                    opts = dict(opts)
                    opts["properties"] = p = dict(p)
                    p["payloadFormatIndicator"] = int(p["payloadFormatIndicator"])
        if self.client:
            return self._send(topic, message, opts)
        if len(self._held) >= HOLD:
            return self._failed(topic, "%d held already, and no client attached" % HOLD)
        self._held.append((topic, bytes(message), opts))

    def _send(self, t, m, o):
        c = self.client
        if o and "properties" in o and c.options["protocolVersion"] < 5:
            if not self._warned:
                self._warned = True
                _err("script %s: properties dropped: the client speaks MQTT 3.1.1, they are MQTT 5" % self.name)
            o = dict(o)
            del o["properties"]

        def done(err):
            self._pending -= 1
            if err:
                self._failed(t, err)
                self._check()
            # (done: the 'published' event follows, and ends the grace in _settle)

        self._pending += 1
        try:
            c.publish(t, m, o, done)
        except Exception:
            self._pending -= 1
            raise

    def _failed(self, t, why):
        self.failed += 1
        _err("script %s: publish to '%s' failed: %s" % (self.name, t, why))

    def stop(self):
        # CommonHelper.exit(): onWillExit, then the loop runs on for up to
        # GRACE ms so that its last publishes complete; then it is detached
        if self.state:
            return
        self.state = 1
        self._t = ticks_ms()
        self._cut = setTimeout(self._end, GRACE)
        if self.client:  # a completed publish ends the grace after its onPublish
            self._on("published", self._settle)
        f = self.hooks.get("onWillExit")
        if f:
            self._in_will = True
            self._call("onWillExit", f, ())
            self._in_will = False
        self._check()

    def _settle(self, *a):
        self._check()

    def _check(self):  # the grace ends early once onWillExit returned and its publishes completed
        if self.state == 1 and not self._in_will and not self._pending:
            self._end()

    def _end(self):
        if self.state == 2:
            return
        if self._pending:
            _err("script %s: detached after %d ms with %d publish(es) unfinished"
                 % (self.name, ticks_diff(ticks_ms(), self._t), self._pending))
        for t, m, o in self._held:
            self._failed(t, "the script ended with no client attached")
        self._held = []
        self.state = 2
        clearTimeout(self._cut)
        self.detach()
        if self in _running:
            _running.remove(self)
        for f in self._ends:
            f()

    def on_end(self, fn):
        # fn() once the script has ended (at once if it has)
        if self.state == 2:
            fn()
        else:
            self._ends.append(fn)
        return self

    @property
    def ended(self):
        return self.state == 2

    def wait(self, timeout_ms=None):
        # Drive every client and timer until this script has ended (True) or
        # timeout_ms passed (False). Ctrl-C or SIGTERM end the script
        # (onWillExit, its grace), then go on to the caller.
        s = drive(lambda: self.state == 2, timeout_ms)
        if s is True or s is False:
            return s
        stop_all()
        if s == 2:
            raise KeyboardInterrupt
        raise SystemExit(128 + s)


def run(source, client=None):
    # Start a script (a .py file's path, a module name or a module) and
    # attach it to client, if given; returns the Script
    s = Script(source)
    if client is not None:
        s.attach(client)
    return s


def drive(until, timeout_ms=None):
    # mqtt.run(until, timeout_ms) that stops at Ctrl-C or (CPython) SIGTERM:
    # then their number (2, 15), else run()'s result
    _driving[0] += 1
    try:
        r = _loop(lambda: _sig[0] or until(), timeout_ms)
    except KeyboardInterrupt:
        return 2
    finally:
        _driving[0] -= 1
    s = _sig[0]
    _sig[0] = 0  # (told once)
    return s or r


def stop_all():
    # End every running script: onWillExit each, then drive the loop until
    # they are done (at most GRACE ms); a Ctrl-C meanwhile detaches them at once
    for s in _running[:]:
        s.stop()
    try:
        _loop(lambda: not _running, GRACE + 100)
    except KeyboardInterrupt:
        pass
    for s in _running[:]:
        s._end()


# -- the helpers for scripts written as modules (from mqtt.script import publish, exit)

def _me():
    s = _current[0]
    if s:
        return s
    if len(_running) == 1:
        return _running[0]
    raise ValueError("no script is running" if not _running else
                     "%d scripts are running: call it from a hook" % len(_running))


def publish(topic, message, opts=None):
    return _me().publish(topic, message, opts)


def exit():
    _me().stop()


class UserScriptHelper:
    publish = staticmethod(publish)


class CommonHelper:
    exit = staticmethod(exit)


# -- the end of the program ends its scripts

def _at_exit():
    if _running:
        stop_all()


def _on_term(n, frame):
    _sig[0] = n
    if not _driving[0]:  # nobody drives with drive(): the program ends (_at_exit runs)
        raise SystemExit(128 + n)


def _on_interrupt():
    if not _driving[0]:  # (drive() ends them itself)
        stop_all()


def arm():
    # Once: scripts get onWillExit when the program ends (sys.atexit on
    # MicroPython, which runs after Ctrl-C too; atexit on CPython), and
    # SIGTERM ends a CPython program as Ctrl-C does. The unix port has no
    # signal module: SIGTERM ends it at once there.
    if _armed[0]:
        return
    _armed[0] = 1
    _c.interrupted += (_on_interrupt,)  # Ctrl-C in mqtt.run() (at the REPL too): scripts end first
    if MPY:
        f = getattr(sys, "atexit", None)
        if f:
            prev = f(_at_exit)
            if prev:  # (MicroPython keeps one: call the program's too)
                f(lambda: (_at_exit(), prev()))
        return
    import atexit
    import signal

    atexit.register(_at_exit)
    try:
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_term)
    except ValueError:  # not the main thread
        pass
