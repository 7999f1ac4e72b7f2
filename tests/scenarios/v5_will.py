# MQTT 5 will properties and end() with a reason code: A has a will with
# properties and ends with reasonCode 0x04 (disconnect with will message),
# so the broker publishes the will; B gets it with its properties. Then A2
# ends with end(False, {'reasonCode': 0}, callback): no will.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, idle, Events, connected, subscribe

b = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-will-b"})
eb = Events(b, "B")
got = []
b.on("message", lambda t, m, p: got.append((t, m, p["properties"])))
connected(b, eb)
subscribe(b, "v5/will/#", {"qos": 1})
will = {"topic": "v5/will/a", "payload": "gone", "qos": 1,
        "properties": {"willDelayInterval": 0, "contentType": "text/plain", "userProperties": {"why": "test"}}}
for cid, rc in (("s-v5-will-a", 4), ("s-v5-will-a2", 0)):
    a = mqtt.connect(url(), {"protocolVersion": 5, "clientId": cid, "will": will})
    ea = Events(a, "A")
    connected(a, ea)
    done = []
    a.end(False, {"reasonCode": rc, "properties": {"reasonString": "bye"}}, lambda: done.append(1))
    wait(lambda: done and ea.count("end"), 3000, "%s to end" % cid)
idle(500)
print("B got %r" % (got,))
check(len(got) == 1 and got[0][:2] == ("v5/will/a", b"gone"), "one will")
pr = got[0][2]
check(pr.get("contentType") == "text/plain" and pr.get("userProperties") == {"why": "test"}, "will properties")
b.end()
wait(lambda: eb.count("end"), 3000, "B to end")
print("OK")
