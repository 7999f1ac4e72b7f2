# What a message handler and a packet listener may rely on, against a real
# broker: a zeroCopy payload stays valid for the whole call even when the
# handler drives the client; without zeroCopy each message has its own
# packet, which a program may keep; packet listeners run from the loop,
# never inside a call into the client, and one that drives the client does
# not reorder messages. env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end

p = mqtt.connect(url(), {"clientId": "s-hr-p"})
ep = Events(p, "P", quiet=("message",))
connected(p, ep)

# 1. zeroCopy: publish, loop(200) inside the handler, read the payload again
z = mqtt.connect(url(), {"clientId": "s-hr-z", "zeroCopy": True})
ez = Events(z, "Z", quiet=("message",))
seen = []


def zc(topic, payload, packet):
    before = bytes(payload)
    if before == b"first-payload-1234":
        z.publish("hr/z", b"SECOND-payload-xyz")
        z.loop(200)
    seen.append((before, bytes(payload)))


z.on("message", zc)
connected(z, ez)
subscribe(z, "hr/z", {"qos": 0})
p.publish("hr/z", b"first-payload-1234")
wait(lambda: len(seen) >= 2, 5000, "two zeroCopy messages")
print("zeroCopy: %r" % (seen,))
check(seen == [(b"first-payload-1234", b"first-payload-1234"), (b"SECOND-payload-xyz", b"SECOND-payload-xyz")],
      "a view changed inside its handler, or messages out of order")
end(z, ez)

# 2. packets kept by the program: each message its own
k = mqtt.connect(url(), {"clientId": "s-hr-k"})
ek = Events(k, "K", quiet=("message",))
kept = []
k.on("message", lambda t, m, pk: kept.append(pk))
connected(k, ek)
subscribe(k, "hr/k/#", {"qos": 1})
p.publish("hr/k/a", b"one", {"qos": 1})
p.publish("hr/k/b", b"two", {"qos": 0})
wait(lambda: len(kept) >= 2, 5000, "two messages")
got = [(x["topic"], x["payload"], x["qos"]) for x in kept]
print("kept packets: %r" % (got,))
check(got == [("hr/k/a", b"one", 1), ("hr/k/b", b"two", 0)] and kept[0] is not kept[1], "packets refilled")
end(k, ek)

# 3. packet listeners: not inside publish(); one that calls loop(0) keeps the order
c = mqtt.connect(url(), {"clientId": "s-hr-c"})
ec = Events(c, "C", quiet=("message",))
inside = [False]
calls = []


def on_send(pk):
    calls.append((pk["cmd"], inside[0]))


def on_receive(pk):
    if pk["cmd"] == "publish":
        c.loop(0)  # drives the client from inside a packet listener


c.on("packetsend", on_send)
c.on("packetreceive", on_receive)
msgs = []
c.on("message", lambda t, m, pk: msgs.append(m))
connected(c, ec)
subscribe(c, "hr/c", {"qos": 1})
inside[0] = True
c.publish("hr/c/x", b"x", {"qos": 1})
inside[0] = False
wait(lambda: ("publish", False) in calls or ("publish", True) in calls, 3000, "the packetsend event")
check(("publish", True) not in calls, "a packetsend listener ran inside publish(): %r" % (calls,))
for i in range(5):
    p.publish("hr/c", b"msg-%d" % (i + 1), {"qos": 1})
wait(lambda: len(msgs) >= 5, 5000, "five messages")
print("packet listeners: inside publish %s, order %r" % (("publish", True) in calls, msgs))
check(msgs == [b"msg-1", b"msg-2", b"msg-3", b"msg-4", b"msg-5"], "messages reordered")
end(c, ec)
end(p, ep)
print("OK")
