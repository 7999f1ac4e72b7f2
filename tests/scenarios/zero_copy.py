# zeroCopy: a message's payload is a memoryview of the receive buffer, valid
# during the handler; nothing is allocated for it but the view, and a
# handler that keeps bytes(payload) keeps the right bytes. env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end

c = mqtt.connect(url(), {"clientId": "s-zc", "zeroCopy": True})
ev = Events(c, "A", quiet=("message",))
kept = []
kinds = []
n = [0]


def handler(topic, payload, packet):
    n[0] += 1
    if len(kept) < 200:
        kinds.append(type(payload).__name__)
        kept.append(bytes(payload))


c.on("message", handler)
connected(c, ev)
subscribe(c, "zc/t", {"qos": 0})
p = mqtt.connect(url(), {"clientId": "s-zc-p"})
ep = Events(p, "P", quiet=("message",))
connected(p, ep)
for i in range(200):
    p.publish("zc/t", b"m%03d" % i + b"." * 60)
wait(lambda: n[0] >= 200, 10000, "200 messages")
check(kept == [b"m%03d" % i + b"." * 60 for i in range(200)], "payloads wrong")
check(set(kinds) == {"memoryview"}, "payload types %r" % (set(kinds),))
print("zeroCopy: 200 payloads as memoryviews, right bytes")
end(p, ep)
end(c, ev)
print("OK")
