# A ws:// client against tests/wsfake.py, which answers the upgrade (or not)
# and sends scripted frames. EXPECT=error: an 'error' event (an MQTTError)
# within a bounded time, printed with its code; EXPECT=connect: a connection,
# kept for RUN_MS. Then end(): nothing is left running.
# env: MQTT_URL, EXPECT, PROTO (protocolVersion), HEADERS ("name=value;..."
# for wsOptions), CONNECT_TIMEOUT (ms), RUN_MS
import mqtt
from mqtt.compat import ticks_ms, ticks_diff
from scenario import env, url, check, wait, idle, Events, connected

o = {"clientId": "s-wsfake", "reconnectPeriod": 5000, "connectTimeout": int(env("CONNECT_TIMEOUT", "4000")),
     "keepalive": 30, "protocolVersion": int(env("PROTO", "4"))}
h = env("HEADERS", "")
if h:
    o["wsOptions"] = {"headers": dict(x.split("=", 1) for x in h.split(";"))}
t0 = ticks_ms()
c = mqtt.connect(url(), o)
ev = Events(c, "A")
if env("EXPECT") == "error":
    wait(lambda: ev.errors, o["connectTimeout"] + 3000, "an error event")
    e = ev.errors[0]
    check(isinstance(e, mqtt.MQTTError), "error %r is not an MQTTError" % (e,))
    print("first error: %s: %s" % (type(e).__name__, e))
    print("code: %r, after %s ms" % (e.code, "<%d" % (o["connectTimeout"] + 1000)
                                    if ticks_diff(ticks_ms(), t0) < o["connectTimeout"] + 1000 else "more"))
else:
    connected(c, ev)
    idle(int(env("RUN_MS", "300")))
c.end(True)
wait(lambda: ev.count("end"), 3000, "end")
check(mqtt.run(timeout_ms=2000) is True, "something left open after end")
print("connects: %d" % ev.count("connect"))
print("OK")
