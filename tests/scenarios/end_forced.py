# A forced end() after a graceful one: the graceful end waits (at most
# connectTimeout) for the ack of a QoS 1 publish that the broker (a fake
# one) never sends; end(True) ends it now, the publish reported.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, idle, Events
from mqtt.compat import ticks_ms, ticks_diff

c = mqtt.connect(url(), {"clientId": "s-forced", "connectTimeout": 20000, "reconnectPeriod": 0})
ev = Events(c, "A")
wait(lambda: c.connected, 5000, "the connection")
got = []
c.publish("t", b"x", {"qos": 1}, got.append)
c.end(False, lambda: got.append("end 1"))
idle(300)
check(not ev.count("end"), "the graceful end did not wait for the ack")
t0 = ticks_ms()
c.end(True, lambda: got.append("end 2"))
wait(lambda: ev.count("end"), 2000, "the forced end")
idle(50)
print("forced end after %s ms: %r" % ("<500" if ticks_diff(ticks_ms(), t0) < 500 else "more", [str(g) for g in got]))
check(got[:1] == ["end 2"] and "end 1" in got and any(isinstance(g, mqtt.MQTTError) for g in got), "%r" % (got,))
print("OK")
