# MQTT 5: the server's receiveMaximum caps the QoS 1/2 publishes in flight.
# 30 QoS Q publishes at once; the client's own maxInflight is 20; at every
# step at most receiveMaximum are unacknowledged, and none is refused.
# env: MQTT_URL, QOS, RECEIVE_MAX (the broker's)
import mqtt
from scenario import env, url, check, wait, Events, connected, subscribe, end

q = int(env("QOS"))
rm = int(env("RECEIVE_MAX"))
c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-rm", "queueSize": 40})
ev = Events(c, "A", quiet=("message",))
connected(c, ev)
got = ev.connacks[0]["properties"].get("receiveMaximum")
check(got == rm, "receiveMaximum %r" % (got,))
check(c.options["maxInflight"] == rm, "maxInflight %r" % (c.options["maxInflight"],))
subscribe(c, "v5/rm", {"qos": q})
acks = []
most = [0]
for i in range(30):
    c.publish("v5/rm", "m%d" % i, {"qos": q}, lambda err: acks.append(err))


def done():
    most[0] = max(most[0], len(c._pend))  # requests sent and not yet acknowledged
    return len(acks) == 30 and len(ev.messages) == 30


wait(done, 10000, "30 acks and 30 messages")
print("most in flight %d" % most[0])
check(most[0] <= rm, "more than receiveMaximum in flight")
check(acks == [None] * 30, "errors: %r" % ([a for a in acks if a],))
check([m[1] for m in ev.messages] == [b"m%d" % i for i in range(30)], "messages out of order")
end(c, ev)
print("OK")
