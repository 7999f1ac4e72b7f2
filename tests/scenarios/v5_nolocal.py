# MQTT 5 no-local subscription: A's own publishes do not come back on a
# filter subscribed with nl, and do on one without it; B gets both.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, idle, Events, connected, subscribe, end

a = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-nl-a"})
ea = Events(a, "A")
connected(a, ea)
r = subscribe(a, {"v5/nl/quiet": {"qos": 1, "nl": True}, "v5/nl/echo": {"qos": 1}})
check(r.err is None, "subscribe %r" % (r.err,))
b = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-nl-b"})
eb = Events(b, "B")
connected(b, eb)
subscribe(b, "v5/nl/#", {"qos": 1})
a.publish("v5/nl/quiet", "q", {"qos": 1})
a.publish("v5/nl/echo", "e", {"qos": 1})
wait(lambda: len(eb.messages) == 2, 3000, "B to get both")
idle(300)
print("A got %r" % ([m[0] for m in ea.messages],))
check([m[0] for m in ea.messages] == ["v5/nl/echo"], "no-local not honoured")
end(a, ea)
end(b, eb)
print("OK")
