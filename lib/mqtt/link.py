# mqtt.link: the network under a client (optional: `import mqtt` never loads
# it; a board freezes it when it wants it).
#   wlan = mqtt.link.WLAN("home", "secret")        # ESP32 and other network.WLAN boards
#   client = mqtt.connect("mqtt://broker.local", {"link": wlan})
# A link has up() (the network is usable now) and watch(fn): fn(up) at each
# change, called from the loop. The client asks up() before each attempt (down:
# no DNS, no connect; one 'error' ENETDOWN and one 'offline' an outage),
# connects at once when told up and ends its connection at once when told down.
#
# Changes are found by polling with mqtt's own timers, which mqtt.run(), the
# background driver and mqtt.aio all drive: no driver has an event that may
# reach the loop directly (netmgr's callback runs anywhere in the program:
# it only takes notes, see NetMgr). A look is a C call or two, and a poll
# allocates nothing (one interval timer, its due time moved in place):
#   every 100 ms while joining or down: a link that comes back is used
#     within 100 ms (what follows, TCP and MQTT's connect, takes longer);
#   every 500 ms at most while waiting to join again (only the driver can change anything);
#   every 1 s while up: a drop ends the connection within 1 s instead of
#     1.5 keepalives (with traffic, the socket's errors may say so sooner).
from random import getrandbits
from . import client as _c
from .client import setInterval, clearTimeout, call
from .compat import ticks_ms, ticks_diff, ticks_add, const
from .core import MQTTError

_FAST_MS = const(100)  # ms between looks: joining, checking it holds, or down (Plain)
_WAIT_MS = const(500)  # waiting out the back-off before joining again
_UP_MS = const(1000)  # up
_RETRY = const(2000)  # the first wait before joining again (ESP32 needs a pause: mqtt_as issues 132, 154)
_RETRY_MAX = const(30000)  # doubled up to this, +-25% (a fleet does not hammer its access point together)
# states
_OFF = const(0)  # closed
_WAIT = const(1)  # down after a failed join: the next one at _at
_JOIN = const(2)  # joining (ours, or the driver's own after a drop): bounded by timeout_ms
_HOLD = const(3)  # joined: up once it held stable_ms
_ON = const(4)  # up
# ESP32, ESP8266 and rp2 statuses that mean a join failed (network.STAT_*, where the port has it)
_STATS = ("STAT_WRONG_PASSWORD", "STAT_NO_AP_FOUND", "STAT_CONNECT_FAIL", "STAT_ASSOC_FAIL",
          "STAT_HANDSHAKE_TIMEOUT", "STAT_BEACON_TIMEOUT")


class Plain:
    # network.LAN, PPP, a cellular modem's data link: any nic with
    # isconnected() that comes back by itself. up() follows it, polled.
    timeout_ms = stable_ms = 0  # a join's bound (0: none, nothing to retry); how long a join must hold
    name = "link"  # in errors
    _tries = 0  # failed joins in a row (the back-off)

    def __init__(self, nic):
        self.nic = nic
        self._fns = []  # watchers
        self._up = False
        self._t = None  # the poll's interval timer, None when closed
        self.state = _OFF
        self.error = None  # the last failure (MQTTError, .code), None once up
        self.onerror = None  # f(err) for each failed join, from the loop; None: printed
        self.connect()

    def up(self):
        return self._up

    def watch(self, fn):  # fn(up) at each change, from the loop
        self._fns.append(fn)

    def connect(self):
        # bring the network up (again, after close()) and watch it
        if not self._t:
            self._tries = 0
            self._join(ticks_ms())  # at once (a driver's refusal raises here): nothing is told before the first poll
            self._t = setInterval(self._poll, _FAST_MS)
            self._t[0] = ticks_ms()
        return self

    def close(self):
        # stop watching (and WLAN: leave and turn the radio off); watchers are told
        # down, from the loop (the background driver's guard: its thread may be polling)
        g = _c.guard
        if g and g.outside():
            return g.call(self.close)
        clearTimeout(self._t)
        self._t = None
        self.state = _OFF
        self._leave(1)
        self._set(False)

    def _look(self):  # 1: up, 0: not (yet), a name: the join failed
        return 1 if self.nic.isconnected() else 0

    def _join(self, now):  # (WLAN, NetMgr: associate; the driver does the rest)
        self.state = _JOIN
        self._at = ticks_add(now, self.timeout_ms)

    def _leave(self, off=0):
        pass

    def _set(self, up):
        if up != self._up:
            self._up = up
            for f in self._fns:
                call(f, up)

    def _poll(self):
        now = ticks_ms()
        st = self.state
        e = self.error
        try:
            s = self._look()
            if s == 1:
                if st < _HOLD:
                    st = _HOLD
                    self._at = ticks_add(now, self.stable_ms)
                if st == _HOLD and ticks_diff(now, self._at) >= 0:  # a join that held: up
                    st = _ON
                    self._tries = 0
                    self.error = None
            else:
                if st == _ON:  # dropped: the driver may join again by itself, within timeout_ms
                    st = _JOIN
                    self._at = ticks_add(now, self.timeout_ms)
                elif st == _HOLD and not s:  # up and down again before it held (at the edge of range)
                    s = "ENETDOWN"
                if st != _WAIT and (s or self.timeout_ms and ticks_diff(now, self._at) >= 0):
                    st = self._fail(now, s or "ETIMEDOUT")
                if st == _WAIT and ticks_diff(now, self._at) >= 0:
                    self._join(now)
                    st = _JOIN
        except Exception as x:  # the driver refused (OSError: 'Wifi Internal Error', ...)
            st = self._fail(now, x)
        self.state = st
        t = self._t
        if t:  # when the next look is due (in place: nothing allocated)
            t[0] = ticks_add(now, _UP_MS if st == _ON else min(_WAIT_MS, max(0, ticks_diff(self._at, now)))
                             if st == _WAIT else _FAST_MS)
        self._set(st == _ON)
        if self.error is not e and self.error:
            call(self.onerror or _show, self.error)

    def _fail(self, now, why):
        # a failed join: the driver stops retrying (ours take over, backing off)
        # and the error says why: a network.STAT_* name, ETIMEDOUT, ENETDOWN, or the driver's exception
        try:
            self._leave()
        except Exception:
            pass
        d = _RETRY << self._tries
        if d < _RETRY_MAX:
            self._tries += 1
        else:
            d = _RETRY_MAX
        self._at = ticks_add(now, d - (d >> 2) + (getrandbits(16) * (d >> 1) >> 16))
        if not isinstance(why, str):
            t, why = repr(why), type(why).__name__
        elif why[0] != "E":  # STAT_NO_AP_FOUND: 'no ap found'; NET_FAILED: 'failed'
            t = why[why.find("_") + 1:].lower().replace("_", " ")
        elif why == "ETIMEDOUT":
            t = "not up within %d ms" % self.timeout_ms
        else:
            t = "down again within %d ms" % self.stable_ms
        self.error = MQTTError("%s: %s (%s)" % (self.name, t, why), why)
        return _WAIT


def _show(e):
    print("mqtt.link:", e)


class WLAN(Plain):
    # A network.WLAN station (ESP32, ESP8266, rp2 and others): joins, bounded
    # by timeout_ms; a named failure as soon as the status says one
    # (STAT_WRONG_PASSWORD, STAT_NO_AP_FOUND, ...; STAT_IDLE while joining is
    # not one: ESP32 passes through it, mqtt_as issue 129); up once the join has
    # held stable_ms (as mqtt_as: a link at the edge of range comes and goes);
    # after a drop, the driver's own reconnects (reconnects=2 where the port has
    # the setting: then its status names why it gave up, which it never does
    # when it retries for ever), then ours: leave, wait, join again,
    # 2 s doubling to 30 s. power_save=False turns the radio's power saving
    # off where the port has it (config(pm=PM_NONE)): fewer missed packets.
    def __init__(self, ssid, password=None, timeout_ms=15000, stable_ms=2000, power_save=False, reconnects=2,
                 nic=None):
        import network

        self.ssid = ssid
        self.password = password
        self.timeout_ms = timeout_ms
        self.stable_ms = stable_ms
        self.power_save = power_save
        self.reconnects = reconnects
        self.name = "wifi %r" % (ssid,)
        self._stats = [(getattr(network, k), k) for k in _STATS if hasattr(network, k)]
        Plain.__init__(self, nic or network.WLAN(network.STA_IF))

    def _look(self):
        n = self.nic
        if n.isconnected():
            return 1
        s = n.status()
        for v, k in self._stats:
            if s == v:
                return k
        return 0

    def _join(self, now):
        Plain._join(self, now)
        n = self.nic
        n.active(True)
        if not self.power_save:
            try:
                n.config(pm=n.PM_NONE)
            except Exception:  # (no such setting here)
                pass
        if self.reconnects is not None:
            try:
                n.config(reconnects=self.reconnects)
            except Exception:
                pass
        if not n.isconnected():
            n.connect(self.ssid, self.password)

    def _leave(self, off=0):
        self.nic.disconnect()
        if off:
            self.nic.active(False)


class NetMgr(Plain):
    # HaaS Python's netmgr (HaaS100, HaaS200, HaaS EDU K1): init(), connect(ssid,
    # password), getStatus() (NET_IP_OBTAINED: up; NET_FAILED: the join failed),
    # disconnect(); it joins again by itself after a drop. Its callback
    # (netmgr.on, one per program) is scheduled, so it may run in the middle of
    # anything: it only notes a drop, which the next poll tells the watchers even
    # when the link is back by then (a new address: the old connection is dead).
    # Without ssid: the access point netmgr has saved; only watched.
    def __init__(self, ssid=None, password=None, timeout_ms=15000, stable_ms=2000, nm=None):
        if nm is None:
            import netmgr as nm
        nm.init()
        self.ssid = ssid
        self.password = password
        self.timeout_ms = timeout_ms if ssid else 0
        self.stable_ms = stable_ms
        self.name = "netmgr %r" % (ssid,)
        self._ok = getattr(nm, "NET_IP_OBTAINED", 5)
        self._bad = getattr(nm, "NET_FAILED", 6)
        self._down = (getattr(nm, "NET_AP_DISCONNECTED", 1), self._bad)
        self._dropped = 0
        if hasattr(nm, "on"):
            nm.on(self._event)
        Plain.__init__(self, nm)

    def _event(self, ev):  # (scheduled: anywhere in the program) a note for the next poll
        if ev in self._down:
            self._dropped = 1

    def _look(self):
        if self._dropped:  # (seen as down for one look)
            self._dropped = 0
            return 0
        s = self.nic.getStatus()
        return 1 if s == self._ok else "NET_FAILED" if s == self._bad and s != self._down[0] else 0

    def _join(self, now):
        Plain._join(self, now)
        if self.ssid and self.nic.getStatus() != self._ok:
            self.nic.connect(self.ssid, self.password or "")

    def _leave(self, off=0):
        if self.ssid:
            self.nic.disconnect()
