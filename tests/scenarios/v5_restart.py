# MQTT 5 across a broker restart (the test SIGKILLs it after
# READY-FOR-RESTART): the client resubscribes with the options and the
# properties each filter had (no local; subscription identifiers 5 and 6),
# and topic aliases start again on the new connection.
import mqtt
from scenario import url, check, wait, idle, Events, connected, subscribe, end

c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-restart", "reconnectPeriod": 300, "keepalive": 5})
ev = Events(c, "A", quiet=("message",))
ids = []
c.on("message", lambda t, m, p: ids.append((t, m, p["properties"].get("subscriptionIdentifier"))))
subacks = []
c.on("packetreceive", lambda p: p["cmd"] == "suback" and subacks.append(p))
connected(c, ev)
subscribe(c, {"v5/rs/a": {"qos": 1, "nl": True}}, {"properties": {"subscriptionIdentifier": 5}})
subscribe(c, "v5/rs/b", {"qos": 1, "properties": {"subscriptionIdentifier": 6}})
b = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-restart-b", "reconnectPeriod": 300})
eb = Events(b, "B")
connected(b, eb)


def round(tag):
    del ids[:]
    al = {"qos": 1, "properties": {"topicAlias": 1}}
    for x in (c, b):
        x.publish("v5/rs/a", tag, al)
        x.publish("v5/rs/b", tag, al)
    wait(lambda: len(ids) >= 3, 5000, "messages " + tag)
    idle(300)
    got = sorted(ids, key=lambda x: x[0])
    print("%s: %r" % (tag, got))
    check(got == [("v5/rs/a", tag.encode(), 5), ("v5/rs/b", tag.encode(), 6), ("v5/rs/b", tag.encode(), 6)],
          "messages")


round("before")
print("READY-FOR-RESTART")
wait(lambda: ev.count("connect") >= 2 and eb.count("connect") >= 2, 20000, "both to reconnect")
# B's messages must not reach the broker before A has resubscribed: another
# client's order says nothing about A's, so wait for A's SUBACK
wait(lambda: len(subacks) >= 3, 5000, "A's resubscription acknowledged")
check(not ev.connacks[1]["sessionPresent"], "session present after a restart")
round("after")
end(c, ev)
end(b, eb)
print("OK")
