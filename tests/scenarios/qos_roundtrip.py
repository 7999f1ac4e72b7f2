# Subscribe at QoS Q, publish N messages at QoS Q (as bytes, str, bytearray
# and memoryview), check each publish callback runs once without error and
# every payload comes back exactly once, in order, at QoS Q.
# env: MQTT_URL, QOS, COUNT (default 50), WINDOW (0: publish all at once;
# else at most WINDOW unacknowledged, the next one sent from a callback),
# SIZES ("0,1,125,...": a message of each size, their count COUNT), MAX (maximumPacketSize)
import mqtt
from scenario import env, url, check, fail, wait, idle, Events, connected, subscribe, end

q = int(env("QOS"))
n = int(env("COUNT", "50"))
window = int(env("WINDOW", "0"))
topic = "rt/qos%d" % q
sizes = [int(x) for x in env("SIZES", "").split(",") if x]
c = mqtt.connect(url(), clientId="s-qos%d" % q, queueSize=n + 10, maximumPacketSize=int(env("MAX", "4096")))
ev = Events(c, "A", quiet=("message",))
connected(c, ev)
r = subscribe(c, topic, {"qos": q})
check(r.err is None, "subscribe error: %r" % (r.err,))
check(r.value == [{"topic": topic, "qos": q}], "granted %r" % (r.value,))
print("granted %r" % (r.value,))

acks = []
want = [(b"m%03d" % i + b"x" * sizes[i])[: sizes[i]] if sizes else b"m%03d" % i for i in range(n)]
sent = [0]


def cb(err, i):
    acks.append((i, err))
    pump()


def send(i):
    p = want[i]
    k = i % 4
    if k == 1:
        m = p.decode()
    elif k == 2:
        m = bytearray(p)
    elif k == 3:
        m = memoryview(bytearray(b"xx" + p))[2:]
    else:
        m = p
    c.publish(topic, m, {"qos": q}, lambda err: cb(err, i))


def pump():
    # window 0: everything at once; else at most `window` unacknowledged
    while sent[0] < n and (not window or sent[0] - len(acks) < window):
        sent[0] += 1
        send(sent[0] - 1)


pump()
wait(lambda: len(ev.messages) >= n and len(acks) >= n, 10000, "%d messages and publish callbacks" % n)
idle(300)  # duplicates would show up now
got = ev.payloads(topic)
for i, e in acks:
    check(e is None, "publish %d callback error %r" % (i, e))
check(len(acks) == n, "%d publish callbacks for %d publishes" % (len(acks), n))
check(sorted(i for i, e in acks) == list(range(n)), "publish callbacks not once each")
check(len(got) == n, "received %d messages, expected %d" % (len(got), n))
for i in range(n):
    if got[i] != want[i]:
        fail("message %d is %r, expected %r (out of order, lost or duplicated)" % (i, got[i], want[i]))
for t, p, mq, ret, dup in ev.messages:
    check(isinstance(p, bytes), "payload type %s, not bytes" % type(p).__name__)
    check(t == topic, "topic %r" % t)
    check(mq == q, "delivered at qos %r, expected %d" % (mq, q))
    check(ret is False, "retain flag %r on a live message" % (ret,))
print("received %d messages at qos %d in order, each once" % (len(got), q))
print("publish callbacks %d" % len(acks))
end(c, ev)
check(ev.count("error") == 0, "unexpected error event")
print("OK")
