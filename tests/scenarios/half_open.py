# A half-open link: the proxy stops forwarding without closing anything. The
# client publishes QoS 0 every 250 ms (writes into a dead socket succeed) and
# one QoS 1 message; keepalive 2 s. It must notice within 1.5 x keepalive
# (3 s), reconnect once the link is back, and deliver the QoS 1 message.
# env: MQTT_URL (through tests/faultproxy.py), FAULT_PORT
import mqtt
from scenario import url, check, wait, idle, fault, Events, connected, subscribe, end
from mqtt.compat import ticks_ms, ticks_diff

c = mqtt.connect(url(), {"clientId": "s-half", "keepalive": 2, "reconnectPeriod": 200, "clean": False})
ev = Events(c, "A", quiet=("message",))
connected(c, ev)
subscribe(c, "half/q1", {"qos": 1})
fault("freeze")
t0 = ticks_ms()
h = mqtt.setInterval(lambda: c.publish("half/q0", b"x"), 250)
acked = []
c.publish("half/q1", b"kept", {"qos": 1}, acked.append)
wait(lambda: ev.count("close"), 6000, "the dead link to be noticed")
ms = ticks_diff(ticks_ms(), t0)
mqtt.clearInterval(h)
# 1.5 x keepalive, plus the loop's step (at most 100 ms apart) and a loaded machine's delays
print("noticed after %s ms: %s" % ("<=3400" if ms <= 3400 else ms, ev.errors[-1] if ev.errors else "no error"))
check(ms <= 3400, "noticed only after %d ms" % ms)
check(ev.errors and "keepalive timeout" in str(ev.errors[-1]), "errors %r" % (ev.errors,))
fault("cut")  # what the frozen proxy still holds
fault("pass")
wait(lambda: acked and ev.payloads("half/q1"), 10000, "the QoS 1 message after the reconnect")
print("after the reconnect: ack %r, received %r" % (acked, ev.payloads("half/q1")))
check(acked == [None] and ev.payloads("half/q1") == [b"kept"], "QoS 1 message lost or doubled")
end(c, ev)
print("OK")
