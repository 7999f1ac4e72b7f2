# The connection is cut in the middle of a packet (tests/fakebroker.py
# closes after half a PUBLISH): a lost link like any other, as mqtt.js has
# it: close, no error (and no offline: reconnectPeriod 0). env: MQTT_URL
import mqtt
from scenario import url, wait, Events

c = mqtt.connect(url(), clientId="s-cut", reconnectPeriod=0)
ev = Events(c, "A", quiet=("connect", "offline", "close", "end"))
names = []
for n in ("connect", "offline", "close", "end"):
    c.on(n, (lambda n: lambda *a: names.append(n))(n))
wait(lambda: ev.count("close"), 5000, "close")
c.end(True)
wait(lambda: ev.count("end"), 3000, "end")
print("events: %s" % " ".join(names))
print("errors: %r" % ([str(e) for e in ev.errors],))
print("OK")
