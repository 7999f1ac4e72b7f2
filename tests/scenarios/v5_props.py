# MQTT 5: publish properties round-trip at QoS 0, 1 and 2 (userProperties with
# a repeated key, correlationData as bytes, responseTopic, contentType,
# payloadFormatIndicator), and the subscription identifier comes back.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end

c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-props"})
ev = Events(c, "A")
connected(c, ev)
ck = ev.connacks[0]
check(ck.get("reasonCode") == 0 and isinstance(ck.get("properties"), dict), "connack %r" % (ck,))
r = subscribe(c, "v5/p/#", {"qos": 2, "properties": {"subscriptionIdentifier": 42, "userProperties": {"s": "1"}}})
check(r.err is None and r.value == [{"topic": "v5/p/#", "qos": 2}], "granted %r %r" % (r.err, r.value))
pk = []
c.on("message", lambda t, m, p: pk.append(dict(p)))  # (the packet dict is refilled per message)
props = {"userProperties": {"a": "1", "b": ["x", "y"]}, "correlationData": b"\x00\x01\xff",
         "responseTopic": "v5/reply", "contentType": "text/plain",
         "payloadFormatIndicator": True}  # a bool, as in mqtt.js and the user-script documents
acks = []
for q in (0, 1, 2):
    c.publish("v5/p/%d" % q, "m%d" % q, {"qos": q, "properties": props}, lambda err: acks.append(err))
wait(lambda: len(pk) == 3 and len(acks) == 3, 5000, "3 messages and 3 publish callbacks")
check(acks == [None, None, None], "publish callbacks %r" % (acks,))
for p in sorted(pk, key=lambda p: p["topic"]):
    pr = p["properties"]
    print("%s qos=%d %r" % (p["topic"], p["qos"], sorted(pr.items())))
    for k in props:
        check(pr.get(k) == props[k], "%s: %s is %r, sent %r" % (p["topic"], k, pr.get(k), props[k]))
    check(pr.get("subscriptionIdentifier") == 42, "subscriptionIdentifier %r" % (pr.get("subscriptionIdentifier"),))
    check(isinstance(pr["correlationData"], bytes), "correlationData not bytes")
print("properties round-trip at qos 0, 1, 2")
end(c, ev)
print("OK")
