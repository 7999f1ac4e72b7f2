# The 2 s of a script on a umqtt client, driven by umqtt's own loop only
# (Client.loop(), as umqtt's blocking calls do: no timers run). The broker
# (tests/fakebroker.py) sends CONNACK, then a message some 3 s later, and
# never acknowledges the script's last publish.
# env: MQTT_URL, SCRIPT
import mqtt.script
from mqtt.compat import ticks_ms, ticks_diff
from umqtt.simple import MQTTClient
from scenario import url, env, check

host, port = url()[7:].split(":")
u = MQTTClient("s-umqtt-grace", host, int(port))
got = []
u.set_callback(lambda t, m: got.append(m))
s = mqtt.script.run(env("SCRIPT"))
s.attach(u)
u.connect()
t0 = ticks_ms()
s.stop()
while not s.ended and ticks_diff(ticks_ms(), t0) < 6000:
    u.c.loop(20)
ms = ticks_diff(ticks_ms(), t0)
print("ended at the first event after its 2 s: %s" % (2000 <= ms < 5000))
check(got == [b"late"], "umqtt's callback got %r" % (got,))
print("OK")
