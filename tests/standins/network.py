# Stand-in for MicroPython's `network` module, ESP32 flavour, for tests only:
# no board and no radio here. WLAN(STA_IF) is one station (as on ESP32) that
# joins tests/standins/airwaves.py's access point; the status values are
# ESP32's (MicroPython's ports/esp32/network_wlan.c): CONNECTING while the
# driver joins or retries, GOT_IP once joined, the reason once it gave up
# (config(reconnects=n): n more tries; the default -1 tries for ever and so
# never says why), IDLE after disconnect(). LAN() is a wired interface whose
# cable the test plugs (LAN.cable[0]).
import airwaves
from airwaves import ap, AP  # noqa: F401

STA_IF = 0
AP_IF = 1
STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010
STAT_BEACON_TIMEOUT = 200
STAT_NO_AP_FOUND = 201
STAT_WRONG_PASSWORD = 202
STAT_ASSOC_FAIL = 203
STAT_HANDSHAKE_TIMEOUT = 204
_REASONS = {"no_ap": STAT_NO_AP_FOUND, "wrong_password": STAT_WRONG_PASSWORD}
_sta = []
idle_glitch = [0]  # 1: status() says IDLE in the second half of a join (ESP32 does: mqtt_as issue 129)


class WLAN:
    PM_NONE = 0
    PM_PERFORMANCE = 1
    PM_POWERSAVE = 2

    def __new__(cls, interface=STA_IF):  # one station, as on ESP32
        if not _sta:
            w = object.__new__(cls)
            w.s = airwaves.Station()
            w.on = False
            w.conf = {"pm": WLAN.PM_PERFORMANCE, "reconnects": -1}
            _sta.append(w)
        return _sta[0]

    def __init__(self, interface=STA_IF):
        pass

    def active(self, on=None):
        if on is not None:
            self.on = bool(on)
            if not on:
                self.s.leave()
        return self.on

    def connect(self, ssid=None, key=None):
        if not self.on:
            raise OSError("Wifi Not Started")
        r = self.conf["reconnects"]
        self.s.retries = r
        self.s.join(ssid, key)

    def disconnect(self):
        self.s.leave()

    def isconnected(self):
        self.s.tick()
        return self.s.connected

    def status(self, what=None):
        s = self.s
        s.tick()
        if s.connected:
            return STAT_GOT_IP
        if s.joining:
            if idle_glitch[0] and airwaves.ticks_diff(s.due, airwaves.ticks_ms()) < airwaves.AP["join_ms"] // 2:
                return STAT_IDLE
            return STAT_CONNECTING
        return _REASONS.get(s.reason, STAT_IDLE)

    def config(self, *a, **kw):
        if a:
            return self.conf[a[0]]
        for k in kw:
            if k not in self.conf:
                raise ValueError("unknown config param")
            self.conf[k] = kw[k]

    def ifconfig(self):
        return ("10.0.0.2" if self.s.connected else "0.0.0.0", "255.255.255.0", "10.0.0.1", "10.0.0.1")


class LAN:
    cable = [True]  # plugged in

    def __init__(self, *a, **kw):
        self.looks = 0

    def active(self, on=None):
        return True

    def isconnected(self):
        self.looks += 1
        return LAN.cable[0]
