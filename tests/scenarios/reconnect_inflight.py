# More requests in flight than fit one write when the link dies: 40 QoS 1
# publishes (maxInflight 40) are written while the proxy forwards nothing;
# then the connection is cut. After the reconnect they are resent; each
# callback fires exactly once, and the broker got each message.
# env: MQTT_URL (through tests/faultproxy.py), FAULT_PORT
import mqtt
from scenario import url, check, wait, idle, fault, Events, connected, subscribe, end

N = 40
c = mqtt.connect(url(), {"clientId": "s-rif", "maxInflight": N, "queueSize": N + 5, "reconnectPeriod": 100,
                         "keepalive": 30})
ev = Events(c, "A", quiet=("message",))
connected(c, ev)
subscribe(c, "rif/t", {"qos": 1})
fault("freeze")
calls = {}
sent = []
c.on("packetsend", lambda p: p["cmd"] == "publish" and sent.append(p["messageId"]))


def cb(i):
    return lambda err: calls.setdefault(i, []).append(err)


for i in range(N):
    c.publish("rif/t", b"m%02d" % i + b"x" * 64, {"qos": 1}, cb(i))
idle(300)  # everything written (into the frozen proxy), nothing acknowledged
first = len(sent)
check(first == N and not calls, "before the cut: %d sent, %d callbacks" % (first, len(calls)))
fault("cut")
fault("pass")
wait(lambda: len(calls) == N and len(ev.messages) >= N, 10000, "all callbacks after the reconnect")
idle(300)
print("sent %d then %d; callbacks %d, each once: %s" % (first, len(sent) - first, len(calls),
                                                        all(len(v) == 1 for v in calls.values())))
check(all(calls[i] == [None] for i in range(N)), "callbacks %r" % (calls,))
got = sorted(set(m[1][:3] for m in ev.messages))
check(got == [b"m%02d" % i for i in range(N)], "messages %r" % (got,))
check(ev.count("connect") == 2, "connects %d" % ev.count("connect"))
end(c, ev)
print("OK")
