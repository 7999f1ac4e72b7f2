# MQTT 5 message expiry: a retained message with messageExpiryInterval 3 is
# delivered at once (with what is left of its interval) and gone after 4 s;
# a QoS 1 message with expiry 3 queued for an offline clean=False session is
# dropped when the session comes back after 4 s, one without expiry is not.
# (3 s, not 1: mosquitto keeps expiry in whole seconds, so a 1 s message
# published late in a second may be gone before the subscriber asks.)
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, idle, Events, connected, subscribe, end

# the offline session
s = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-exp-off", "clean": False,
                         "properties": {"sessionExpiryInterval": 60}})
es = Events(s, "S")
connected(s, es)
subscribe(s, "v5/exp/q/#", {"qos": 1})
end(s, es)

a = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-exp-a"})
ea = Events(a, "A")
connected(a, ea)
acks = []
cb = lambda err: acks.append(err)  # noqa: E731
a.publish("v5/exp/ret/short", "short", {"qos": 1, "retain": True, "properties": {"messageExpiryInterval": 3}}, cb)
a.publish("v5/exp/ret/long", "long", {"qos": 1, "retain": True}, cb)
a.publish("v5/exp/q/short", "short", {"qos": 1, "properties": {"messageExpiryInterval": 3}}, cb)
a.publish("v5/exp/q/long", "long", {"qos": 1}, cb)
wait(lambda: len(acks) == 4, 5000, "4 publish callbacks")
check(acks == [None] * 4, "publish errors %r" % (acks,))

b = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-exp-b"})
eb = Events(b, "B")
got = []
b.on("message", lambda t, m, p: got.append((t, p["properties"].get("messageExpiryInterval"))))
connected(b, eb)
subscribe(b, "v5/exp/ret/#", {"qos": 1})
wait(lambda: len(got) == 2, 3000, "2 retained messages")
got.sort()
print("at once: %r" % (got,))
check(got[0][0] == "v5/exp/ret/long" and got[0][1] is None, "long: %r" % (got[0],))
check(got[1][0] == "v5/exp/ret/short" and got[1][1] in (1, 2, 3), "short: %r" % (got[1],))
end(b, eb)

idle(4200)
c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-exp-c"})
ec = Events(c, "C")
later = []
c.on("message", lambda t, m, p: later.append(t))
connected(c, ec)
subscribe(c, "v5/exp/ret/#", {"qos": 1})
s.connect()
sq = []
s.on("message", lambda t, m, p: sq.append(t))
wait(lambda: es.count("connect") == 2, 5000, "S to reconnect")
check(es.connacks[1]["sessionPresent"], "S: no session")
idle(500)
print("after 4.2 s: retained %r, queued %r" % (sorted(later), sorted(sq)))
check(later == ["v5/exp/ret/long"], "retained after expiry: %r" % (later,))
check(sq == ["v5/exp/q/long"], "queued after expiry: %r" % (sq,))
for x, e in ((a, ea), (c, ec), (s, es)):
    end(x, e)
print("OK")
