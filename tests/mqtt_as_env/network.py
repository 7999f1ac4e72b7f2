# A stand-in for a board's network module where there is none (the unix port,
# CPython): one station interface that is always connected, as mqtt_as and its
# sample programs use it (range_ex.py reads RSSI through scan()).
STA_IF = 0
AP_IF = 1
STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010


class WLAN:
    PM_NONE = 0

    def __init__(self, interface=STA_IF):
        self._active = True

    def active(self, on=None):
        if on is None:
            return self._active
        self._active = bool(on)

    def connect(self, ssid=None, key=None):
        pass

    def disconnect(self):
        pass

    def isconnected(self):
        return self._active

    def status(self, *a):
        return STAT_GOT_IP if self._active else STAT_IDLE

    def config(self, *a, **kw):
        return None

    def ifconfig(self, *a):
        return ("127.0.0.1", "255.0.0.0", "127.0.0.1", "127.0.0.1")

    def scan(self):  # (ssid, bssid, channel, RSSI, security, hidden)
        return [(b"test-ssid", b"\x00\x11\x22\x33\x44\x55", 6, -50, 3, False)]
