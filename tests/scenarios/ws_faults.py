# ws:// through tests/faultproxy.py: QoS 1 and 2 round trips in 1-byte
# pieces (frame headers and packets split everywhere, both ways), then
# large QoS 1 and 2 messages trickled through the proxy and the connection
# cut while their frames are under way: after the reconnect every publish
# completes once, each message arrives (QoS 2: exactly once), nothing lost.
# env: MQTT_URL (ws:// through the proxy), FAULT_PORT
import mqtt
from scenario import check, wait, idle, fault, url, Events, connected, subscribe, end

c = mqtt.connect(url(), {"clientId": "s-wsfaults", "clean": False, "reconnectPeriod": 100, "keepalive": 30,
                         "maximumPacketSize": 20000, "queueSize": 50})
ev = Events(c, "A", quiet=("message",))
connected(c, ev)
subscribe(c, "wsf/#", {"qos": 2})
fault("fragment 1")
acks = []
for i in range(4):
    c.publish("wsf/a", b"a%d" % i + b"." * 150, {"qos": 1 + i % 2}, lambda e: acks.append(e))
wait(lambda: len(acks) == 4 and len(ev.messages) >= 4, 20000, "round trips in 1-byte pieces")
check(acks == [None] * 4, "acks %r" % (acks,))
got = sorted(m[1][:2] for m in ev.messages)
check(got == [b"a0", b"a1", b"a2", b"a3"], "messages %r" % (got,))
print("1-byte pieces: 4 round trips")
fault("pass")
idle(100)
ev.messages[:] = []
calls = {}


def cb(i):
    return lambda err: calls.setdefault(i, []).append(err)


fault("trickle 64 5")  # 64 bytes every 5 ms: each 6 KB message takes about half a second
big = [b"b%d" % i + bytes([48 + i]) * 6000 for i in range(4)]
for i in range(4):
    c.publish("wsf/b%d" % i, big[i], {"qos": 1 + i % 2}, cb(i))
idle(250)  # the first frames on their way, none through
fault("cut")
fault("pass")
print("cut with frames under way")
wait(lambda: len(calls) == 4 and len(set(m[0] for m in ev.messages)) == 4, 20000, "all four after the reconnect")
idle(500)
check(all(calls.get(i) == [None] for i in range(4)), "callbacks %r" % (calls,))
got = {}
for m in ev.messages:
    got.setdefault(m[0], []).append(m[1])
check(sorted(got) == ["wsf/b%d" % i for i in range(4)], "topics %r" % sorted(got))
for i in range(4):
    t = "wsf/b%d" % i
    check(all(p == big[i] for p in got[t]), "%s: a payload changed" % t)
    if i % 2:  # QoS 2: exactly once
        check(len(got[t]) == 1, "%s (QoS 2) came %d times" % (t, len(got[t])))
print("after the reconnect: every publish completed once, every message intact, QoS 2 once")
check(ev.count("connect") == 2, "connects %d" % ev.count("connect"))
end(c, ev)
print("OK")
