# MQTT 5 topic aliases: A publishes with topicAlias 1 (the topic goes once,
# then the empty topic: see packetsend), B gets every message under its real
# topic; an alias over the server's topicAliasMaximum fails the callback.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end

b = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-alias-b", "properties": {"topicAliasMaximum": 5}})
eb = Events(b, "B", quiet=("message",))
connected(b, eb)
subscribe(b, "v5/alias/#", {"qos": 1})
a = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-alias-a"})
ea = Events(a, "A")
connected(a, ea)
tam = ea.connacks[0]["properties"].get("topicAliasMaximum")
print("server topicAliasMaximum %r" % (tam,))
sent = []
a.on("packetsend", lambda p: p["cmd"] == "publish" and sent.append(p["topic"]))
acks = []
for i in range(3):
    for t in ("v5/alias/one/long/topic", "v5/alias/two"):
        a.publish(t, "%s-%d" % (t[9:12], i), {"qos": i % 2, "properties": {"topicAlias": 1 if t[9] == "o" else 2}},
                  lambda err: acks.append(err))
wait(lambda: len(acks) == 6 and len(eb.messages) == 6, 5000, "6 acks and 6 messages")
print("sent topics %r" % (sent,))
check(sent == ["v5/alias/one/long/topic", "v5/alias/two"] + [""] * 4, "sent topics")
got = [(m[0], m[1]) for m in eb.messages]
print("received %r" % (got,))
check(sorted(got) == sorted([("v5/alias/one/long/topic", b"one-%d" % i) for i in range(3)]
                            + [("v5/alias/two", b"two-%d" % i) for i in range(3)]), "received")
check(acks == [None] * 6, "errors %r" % (acks,))
r = []
a.publish("v5/alias/x", "x", {"properties": {"topicAlias": tam + 1}}, lambda err: r.append(err))
wait(lambda: r, 2000, "the callback of a publish with a too large alias")
check(isinstance(r[0], mqtt.MQTTError), "no error for alias %d" % (tam + 1))
print("alias %d: %s" % (tam + 1, r[0]))
# autoAssignTopicAlias: every topic gets an alias, the oldest reused when all
# tam are taken; B still gets each message under its real topic, in order
c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-alias-c", "autoAssignTopicAlias": True})
ec = Events(c, "C")
connected(c, ec)
sent = []
c.on("packetsend", lambda p: p["cmd"] == "publish" and sent.append(p["topic"]))
del eb.messages[:]
acks = []
ts = ["v5/alias/auto/%d" % i for i in range(tam + 2)]
want = [(t, b"%d" % k) for k in range(2) for t in ts[:2]] + [(t, b"2") for t in ts] + [(ts[0], b"3")]
for t, m in want:
    c.publish(t, m, {"qos": 1}, lambda err: acks.append(err))
wait(lambda: len(acks) == len(want) and len(eb.messages) == len(want), 5000, "auto-aliased messages")
check(acks == [None] * len(want), "errors %r" % (acks,))
check([(m[0], m[1]) for m in eb.messages] == want, "auto-aliased messages %r" % (eb.messages,))
# ts[0] and ts[1] lost their aliases to the last two: ts[0] goes in full again
check(sent == ts[:2] + ["", "", "", ""] + ts[2:] + ts[:1], "sent topics %r" % (sent,))
print("auto aliases: %d publishes, %d topics sent in full" % (len(want), len([t for t in sent if t])))
end(c, ec)
end(a, ea)
end(b, eb)
print("OK")
