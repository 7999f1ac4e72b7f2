# MQTT 5 Server Reference: the fake broker refuses with 0x9C and names a real
# broker; the client goes there next (a refusal with a reference is retried).
# env: MQTT_URL (the fake broker)
import mqtt
from scenario import url, check, wait, Events

c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-moved", "reconnectPeriod": 100})
ev = Events(c, "A", quiet=("error",))
wait(lambda: ev.count("connect"), 5000, "a connection to the referred server")
print("error: %s (code %s)" % (ev.errors[0], ev.errors[0].code))
check(c.connected, "not connected")
print("connected to the referred server")
c.end()
wait(lambda: ev.count("end"), 3000, "end")
print("OK")
