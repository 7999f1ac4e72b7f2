# Stand-in for HaaS Python's `netmgr` module (AliOS-Things py_engine's
# modnetmgr.c), for tests only: no board and no radio here. The same
# functions and constants: init(), connect(ssid, password), disconnect(),
# getStatus() (NET_IP_OBTAINED once joined, NET_AP_CONNECTING while it joins,
# NET_FAILED once it gave up), on(cb), getInfo(). Like netmgr it joins again
# by itself after a drop (auto reconnect: 3 more tries, then NET_FAILED).
# Its events reach on()'s callback as netmgr's do, scheduled
# (micropython.schedule: between any two bytecodes of the program), or on
# CPython from another thread: anywhere, not from mqtt's loop.
import airwaves
from airwaves import ap, AP  # noqa: F401

NET_AP_DISCONNECTING = 0
NET_AP_DISCONNECTED = 1
NET_AP_CONNECTING = 2
NET_AP_CONNECTED = 3
NET_IP_OBTAINING = 4
NET_IP_OBTAINED = 5
NET_FAILED = 6
NET_TYPE_WIFI = 0
_EVENTS = {"up": NET_IP_OBTAINED, "down": NET_AP_DISCONNECTED, "failed": NET_FAILED}
_s = airwaves.Station()
_s.retries = 0  # a join asked for: one try (netmgr's connect times out into NET_FAILED)
_cb = [None]
inited = [0]


def _tell(what):
    f = _cb[0]
    if f is None:
        return
    ev = _EVENTS[what]
    try:
        from micropython import schedule
    except ImportError:
        import _thread

        _thread.start_new_thread(f, (ev,))
    else:
        schedule(f, ev)


def _dropped():  # auto reconnect after a drop: 3 more tries
    _s.connected = False
    _s._tell("down")
    _s._start(3)


_s.events = _tell
_s.dropped = _dropped


def init():
    inited[0] += 1
    return 0


def connect(ssid, password):
    _s.join(ssid, password)
    return 0


def disconnect():
    _s.leave()
    return 0


def getStatus():
    _s.tick()
    if _s.connected:
        return NET_IP_OBTAINED
    if _s.joining:
        return NET_AP_CONNECTING
    return NET_FAILED if _s.reason else NET_AP_DISCONNECTED


def on(cb):
    _cb[0] = cb


def getInfo():
    return {"ssid": _s.want and _s.want[0] or "", "mac": "00:11:22:33:44:55",
            "ip": "10.0.0.3" if _s.connected else "0.0.0.0", "rssi": -50}


def station():  # (tests) the station, for its counters
    return _s
