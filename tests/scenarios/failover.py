# Failover between two brokers bridged to each other (options servers: the
# client moves on when one is gone). C publishes to fo/out and listens on
# fo/in; W watches fo/out on broker B. After the first batch, broker A (where
# C is) is frozen (SIGSTOP) and C publishes the second batch to it: sent, never
# acknowledged. Then A is killed: C goes on with B, its subscription renewed
# there, and no QoS 1 message of the second batch (in flight when A died, or
# queued while C was offline) is lost. A message A had acknowledged is A's to
# keep, and a killed broker keeps nothing: hence the freeze, so that every
# message the test counts is still the client's. env: URL_A, URL_B, FROZEN (a
# file the test makes once A is stopped)
import mqtt
from scenario import env, check, wait, idle, Events, connected, subscribe, end


def hp(u):
    h, p = u.split("//")[1].rsplit(":", 1)
    return {"host": h, "port": int(p)}


c = mqtt.connect({"servers": [hp(env("URL_A")), hp(env("URL_B"))], "clientId": "s-fo-c", "reconnectPeriod": 100,
                  "keepalive": 10})
ec = Events(c, "C", quiet=("message",))
connected(c, ec)
subscribe(c, "fo/in", {"qos": 1})
w = mqtt.connect(env("URL_B"), {"clientId": "s-fo-w"})
ew = Events(w, "W", quiet=("message",))
connected(w, ew)
subscribe(w, "fo/out", {"qos": 1})
idle(500)  # the bridge is up (B connects to A)
acks = []
for i in range(10):
    c.publish("fo/out", b"a%02d" % i, {"qos": 1}, acks.append)
wait(lambda: len(set(ew.payloads("fo/out"))) == 10, 10000, "the first batch through A and the bridge")
print("READY-TO-FREEZE")


def frozen():
    try:
        open(env("FROZEN")).close()
        return True
    except OSError:
        return False


wait(frozen, 10000, "the test to freeze A")
for i in range(10):  # sent to a frozen A: in flight when it dies
    c.publish("fo/out", b"b%02d" % i, {"qos": 1}, acks.append)
idle(300)
check(len(acks) == 10, "a frozen broker acknowledged: %d acks" % len(acks))
print("READY-FOR-KILL")
wait(lambda: ec.count("close"), 10000, "C to lose A")
for i in range(10, 20):  # while C is offline
    c.publish("fo/out", b"b%02d" % i, {"qos": 1}, acks.append)
wait(lambda: ec.count("connect") == 2 and len(acks) == 30, 15000, "C on B with every ack")
print("C: connects %d, acks %d, errors %d" % (ec.count("connect"), len(acks), len([a for a in acks if a])))
check(acks == [None] * 30, "acks %r" % (acks,))
want = set([b"a%02d" % i for i in range(10)] + [b"b%02d" % i for i in range(20)])
wait(lambda: set(ew.payloads("fo/out")) == want, 10000, "all 30 messages at W")
w.publish("fo/in", b"to C on B", {"qos": 1})
wait(lambda: ec.payloads("fo/in"), 5000, "a message on C's subscription, renewed on B")
print("W got %d distinct of 30; C got %r" % (len(set(ew.payloads("fo/out"))), ec.payloads("fo/in")))
end(c, ec)
end(w, ew)
print("OK")
