# A message over maximumPacketSize (from tests/fakebroker.py): reported once
# on 'error' naming topic and size, acknowledged, the connection kept, the
# next message delivered. env: MQTT_URL, MAX (maximumPacketSize)
import mqtt
from scenario import env, url, wait, idle, Events

c = mqtt.connect(url(), clientId="s-oversize", maximumPacketSize=int(env("MAX")), reconnectPeriod=0)
ev = Events(c, "A", quiet=("message", "error"))
wait(lambda: ev.messages, 10000, "the message after the oversize one")
idle(200)
for e in ev.errors:
    print("error: %s (code %s)" % (e, e.code))
for m in ev.messages:
    print("message %s %r" % (m[0], m[1]))
print("close events: %d" % ev.count("close"))
c.end(True)
wait(lambda: ev.count("end"), 3000, "end")
print("OK")
