# The 'published' event: once per completed publish of this client (QoS 0
# when written, QoS 1 at PUBACK, QoS 2 at PUBCOMP), after its callback.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, end

c = mqtt.connect(url(), {"clientId": "s-published"})
ev = Events(c, "A")
order = []
c.on("published", lambda t, m, o: order.append(("published", t, m, o["qos"], o["retain"])))
connected(c, ev)
for q in (0, 1, 2):
    c.publish("pub/%d" % q, b"m%d" % q, {"qos": q, "retain": q == 2}, lambda err, q=q: order.append(("cb", q, err)))
wait(lambda: len(order) == 6, 5000, "3 callbacks and 3 published events")
for o in order:
    print(o)
check([o for o in order if o[0] == "published"] == [("published", "pub/0", b"m0", 0, False),
                                                     ("published", "pub/1", b"m1", 1, False),
                                                     ("published", "pub/2", b"m2", 2, True)], "published %r" % order)
check(order.index(("cb", 1, None)) < order.index(("published", "pub/1", b"m1", 1, False)), "callback first")
c.publish("pub/2", b"", {"qos": 0, "retain": True})  # clear the retained message
end(c, ev)
# MQTT 5: the properties given, and dup
c5 = mqtt.connect(url(), {"clientId": "s-published-5", "protocolVersion": 5})
e5 = Events(c5, "B")
opts = []
c5.on("published", lambda t, m, o: opts.append(o))
connected(c5, e5)
c5.publish("pub/5", b"p", {"qos": 1, "dup": False, "properties": {"contentType": "text/plain",
                                                                   "userProperties": {"k": "v"}}})
c5.publish("pub/5", b"q", {"qos": 0, "properties": {"messageExpiryInterval": 60}})
wait(lambda: len(opts) == 2, 5000, "2 published events")
opts.sort(key=lambda o: o["qos"])  # (the QoS 0 one completes first: when written)
print("v5 published opts: %r" % (sorted(opts[1].items()),))
check(opts[1] == {"qos": 1, "retain": False, "dup": False,
                  "properties": {"contentType": "text/plain", "userProperties": {"k": "v"}}}, "%r" % (opts,))
check(opts[0]["properties"] == {"messageExpiryInterval": 60}, "%r" % (opts,))
end(c5, e5)
print("OK")
