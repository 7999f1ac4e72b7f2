# clean=False: A subscribes at QoS 1 and 2 and ends. P publishes QoS 1 and 2
# messages while A is away. A new client with A's clientId (and clean=False,
# no subscribe call) finds its session and receives all of them, once each,
# in order.
import mqtt
from scenario import url, check, wait, idle, Events, connected, subscribe, end

cid = "s-persist"
a = mqtt.connect(url(), clientId=cid, clean=False)
ea = Events(a, "A1")
connected(a, ea)
r = subscribe(a, {"cf/1": 1, "cf/2": 2})
check(r.err is None, "subscribe error %r" % (r.err,))
end(a, ea)

p = mqtt.connect(url(), clientId="s-persist-pub")
ep = Events(p, "P")
connected(p, ep)
acks = []
for i in range(5):
    p.publish("cf/1", b"one-%d" % i, {"qos": 1}, lambda err: acks.append(err))
    p.publish("cf/2", b"two-%d" % i, {"qos": 2}, lambda err: acks.append(err))
wait(lambda: len(acks) >= 10, 5000, "publish callbacks")
check(acks == [None] * 10, "publish callbacks %r" % (acks,))
end(p, ep)
print("published 10 while A was away")

b = mqtt.connect(url(), clientId=cid, clean=False)
eb = Events(b, "A2", quiet=("message",))
connected(b, eb)
check(eb.connacks[0]["sessionPresent"] is True, "sessionPresent %r" % (eb.connacks[0]["sessionPresent"],))
wait(lambda: len(eb.messages) >= 10, 5000, "the 10 queued messages")
idle(300)
one = eb.payloads("cf/1")
two = eb.payloads("cf/2")
print("cf/1 %r" % (one,))
print("cf/2 %r" % (two,))
check(one == [b"one-%d" % i for i in range(5)], "QoS 1 messages %r" % (one,))
check(two == [b"two-%d" % i for i in range(5)], "QoS 2 messages %r" % (two,))
check(len(eb.messages) == 10, "%d messages" % len(eb.messages))
for t, m, q, ret, dup in eb.messages:
    check(q == (1 if t == "cf/1" else 2), "%s delivered at qos %d" % (t, q))
end(b, eb)
print("OK")
