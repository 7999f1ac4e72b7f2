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
subscribe(c, "v5/rm", {"qos": q})
acks = []
most = [0]
flight = [0]  # PUBLISHes sent and not yet completed (PUBACK or PUBCOMP), from the packet events


def sent(p):
    if p["cmd"] == "publish" and p["qos"]:
        flight[0] += 1
        most[0] = max(most[0], flight[0])


def received(p):
    if p["cmd"] == ("puback" if q == 1 else "pubcomp"):
        flight[0] -= 1


c.on("packetsend", sent)
c.on("packetreceive", received)
for i in range(30):
    c.publish("v5/rm", "m%d" % i, {"qos": q}, lambda err: acks.append(err))


def done():
    return len(acks) == 30 and len(ev.messages) == 30


wait(done, 10000, "30 acks and 30 messages")
print("most in flight %d" % most[0])
check(most[0] <= rm, "more than receiveMaximum in flight")
check(acks == [None] * 30, "errors: %r" % ([a for a in acks if a],))
check([m[1] for m in ev.messages] == [b"m%d" % i for i in range(30)], "messages out of order")
end(c, ev)
print("OK")
