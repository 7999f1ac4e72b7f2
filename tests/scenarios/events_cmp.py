# Event order for one case of tests/test_faults.py's mqtt.js comparison:
# connect, watch for MS ms, print the events as mqtt.js's side prints them.
# env: MQTT_URL, RP (reconnectPeriod), MS, RETRY (reconnectOnConnackError: 1)
import mqtt
from scenario import env, idle

rp = int(env("RP"))
o = {"clientId": "s-cmp", "reconnectPeriod": rp, "reconnectPeriodMax": max(rp, 1)}
if env("RETRY", "0") == "1":
    o["reconnectOnConnackError"] = True
c = mqtt.connect(env("MQTT_URL"), o)
ev = []
for name in ("connect", "reconnect", "close", "offline", "end", "error"):
    c.on(name, (lambda n: lambda *a: ev.append(n + ("(%s)" % a[0].code if n == "error" else "")))(name))
idle(int(env("MS")))
c.end(True)
idle(100)
print("EVENTS " + " ".join(e for e in ev if e != "end"))
print("OK")
