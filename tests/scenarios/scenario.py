# Helpers for scenario scripts. Runs on CPython and on MicroPython, so: no
# f-strings, no walrus, no dataclasses, no time module (mqtt.run and
# mqtt.setTimeout keep time). Every wait is bounded.
import os
import sys

import mqtt


def env(name, default=None):
    v = os.getenv(name)
    if v is None:
        if default is None:
            fail("environment variable %s is not set" % name)
        return default
    return v


def url():
    return env("MQTT_URL")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def wait(pred, ms, what):
    """Drive every client until pred() is true; fail after ms milliseconds."""
    mqtt.run(until=pred, timeout_ms=ms)
    if not pred():
        fail("timed out after %d ms waiting for %s" % (ms, what))


def idle(ms):
    """Drive every client for ms milliseconds."""
    mqtt.run(until=lambda: False, timeout_ms=ms)


def options_of(url, **kw):
    # the options connect() makes of url and kw, checked, without connecting (manualConnect)
    kw["manualConnect"] = True
    return mqtt.connect(url, kw).options


def refused(label, url, **kw):
    # connect() refuses url and kw: "label: ErrorType: message" printed, else the scenario fails
    try:
        options_of(url, **kw)
    except (ValueError, TypeError, ImportError) as e:
        print("%s: %s: %s" % (label, type(e).__name__, e))
        return
    check(False, "%s: accepted" % label)


def ename(e):
    return type(e).__name__


def fault(cmd):
    """Tell tests/faultproxy.py (FAULT_PORT) to do cmd now; its answer."""
    import socket

    s = socket.socket()
    s.connect(socket.getaddrinfo("127.0.0.1", int(env("FAULT_PORT")))[0][-1])
    s.send((cmd + "\n").encode())
    r = b""
    while not r.endswith(b"\n"):
        x = s.recv(64)
        if not x:
            break
        r += x
    s.close()
    r = r.decode().strip()
    check(r.startswith("ok"), "fault proxy: %s -> %s" % (cmd, r))
    return r


class Events:
    """Counts and prints a client's events: 'NAME event ...' lines."""

    def __init__(self, c, name, quiet=()):
        self.c = c
        self.name = name
        self.n = {}
        self.errors = []
        self.connacks = []
        self.messages = []  # (topic, payload, qos, retain, dup)
        self.quiet = quiet
        for ev in ("connect", "reconnect", "close", "offline", "end", "error"):
            c.on(ev, self._handler(ev))
        c.on("message", self._message)

    def count(self, ev):
        return self.n.get(ev, 0)

    def _handler(self, ev):
        def h(*a):
            self.n[ev] = self.n.get(ev, 0) + 1
            extra = ""
            if ev == "connect":
                ck = a[0]
                self.connacks.append(ck)
                extra = " returnCode=%s sessionPresent=%s" % (ck.get("returnCode"), ck.get("sessionPresent"))
            elif ev == "error":
                e = a[0]
                self.errors.append(e)
                extra = " %s: %s" % (ename(e), e)
            if ev not in self.quiet:
                print("%s %s%s" % (self.name, ev, extra))

        return h

    def _message(self, topic, payload, packet):
        # one packet dict per message: fields kept as a tuple for printing
        self.messages.append((topic, payload, packet["qos"], packet["retain"], packet["dup"]))
        if "message" not in self.quiet:
            print("%s message %s %r qos=%d retain=%s" % (self.name, topic, payload, packet["qos"], packet["retain"]))

    def payloads(self, topic):
        return [m[1] for m in self.messages if m[0] == topic]


def connected(c, ev, ms=5000):
    wait(lambda: ev.count("connect") > 0, ms, "%s to connect" % ev.name)
    check(c.connected, "%s: connect event but c.connected is False" % ev.name)
    ck = ev.connacks[0]
    check(ck.get("cmd") == "connack", "connack cmd is %r" % ck.get("cmd"))
    check(ck.get("returnCode") == 0, "connack returnCode %r" % ck.get("returnCode"))


class Result:
    """Holds what an async callback reported: r.done, r.err, r.value."""

    def __init__(self):
        self.done = 0
        self.err = None
        self.value = None

    def cb(self, err=None, value=None):
        self.done += 1
        self.err = err
        self.value = value


def subscribe(c, topics, opts=None, ms=5000):
    r = Result()
    c.subscribe(topics, opts, r.cb)
    wait(lambda: r.done, ms, "SUBACK for %r" % (topics,))
    check(r.done == 1, "subscribe callback ran %d times" % r.done)
    return r


def end(c, ev, ms=5000):
    r = Result()
    c.end(False, r.cb)
    wait(lambda: r.done and ev.count("end"), ms, "%s to end" % ev.name)
    check(not c.connected, "%s: c.connected is True after end" % ev.name)
    return r
