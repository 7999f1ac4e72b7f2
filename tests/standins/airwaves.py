# Stand-ins only: no board, no radio. The one access point that the stand-in
# `network` (a MicroPython WLAN station, ESP32 flavour) and `netmgr` (HaaS
# Python's network manager) join, and a station's life as their drivers lead
# it: a join takes AP["join_ms"], then succeeds or fails (no access point of
# that name, wrong password), and the driver tries again `retries` times
# (-1: for ever) before it gives up and says why. A test changes the access
# point from the same process (ap(on=False): every joined station drops and its
# driver starts joining again) and reads the counters (joins: connect() calls,
# looks: status reads) to see that nothing polls hard or joins in a loop.
from mqtt.compat import ticks_ms, ticks_diff, ticks_add

AP = {"on": True, "ssid": "home", "password": "secret", "join_ms": 200, "hold_ms": 0}  # hold_ms: drops a
# station that long after it joined (at the edge of range), 0: never
stations = []


def ap(**kw):
    # change the access point; on=False drops every station joined to it
    was = AP["on"]
    AP.update(kw)
    if was and not AP["on"]:
        for s in stations:
            if s.connected:
                s.dropped()


class Station:
    retries = -1  # the driver's own joins after a failed one (-1: for ever)
    events = None  # f(name): 'up', 'down', 'failed' as they happen

    def __init__(self):
        self.connected = False
        self.joining = False
        self.reason = None  # why the last join failed: 'no_ap', 'wrong_password'
        self.want = None  # (ssid, password) asked for
        self.due = 0
        self.since = 0  # when it joined
        self.left = 0  # the driver's joins left
        self.joins = 0  # connect() calls
        self.looks = 0  # status reads
        stations.append(self)

    def join(self, ssid, password):
        self.joins += 1
        self.want = (ssid, password)
        self.connected = False
        self.reason = None
        self._start(self.retries)

    def _start(self, left):
        self.joining = True
        self.left = left
        self.due = ticks_add(ticks_ms(), AP["join_ms"])

    def leave(self):
        was = self.connected
        self.want = None
        self.connected = self.joining = False
        self.reason = None
        if was:
            self._tell("down")

    def dropped(self):  # the access point went away: the driver joins again by itself
        self.connected = False
        self._tell("down")
        self._start(self.retries)

    def tick(self):
        self.looks += 1
        if self.connected and AP["hold_ms"] and ticks_diff(ticks_ms(), self.since) >= AP["hold_ms"]:
            self.dropped()
        if self.joining and ticks_diff(ticks_ms(), self.due) >= 0:
            ssid, pw = self.want
            r = None
            if not AP["on"] or ssid != AP["ssid"]:
                r = "no_ap"
            elif pw != AP["password"]:
                r = "wrong_password"
            if r is None:
                self.joining = False
                self.connected = True
                self.since = ticks_ms()
                self._tell("up")
            elif self.left:
                self._start(self.left - 1 if self.left > 0 else -1)
            else:
                self.joining = False
                self.reason = r
                self._tell("failed")

    def _tell(self, what):
        if self.events:
            self.events(what)
