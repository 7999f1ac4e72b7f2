# A long handler that drives the client while messages pile up: with
# queueSize 2 the client stops reading once two are held, and keepalive 1 s
# must not take the input it does not read for a dead link (it did: 1.5 s
# after the last read, a keepalive timeout). env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end
from mqtt.compat import ticks_ms, ticks_diff

c = mqtt.connect(url(), {"clientId": "s-hk", "keepalive": 1, "queueSize": 2})
ev = Events(c, "A", quiet=("message",))
p = mqtt.connect(url(), {"clientId": "s-hk-p"})
ep = Events(p, "P", quiet=("message",))
got = []


def handler(topic, payload, packet):
    got.append(payload)
    if payload == b"0":
        for i in range(1, 11):
            p.publish("hk/t", b"%d" % i, {"qos": 1})
        t0 = ticks_ms()
        while ticks_diff(ticks_ms(), t0) < 2500:  # a long handler that drives the client
            mqtt.run(timeout_ms=50)


c.on("message", handler)
connected(c, ev)
connected(p, ep)
subscribe(c, "hk/t", {"qos": 1})
p.publish("hk/t", b"0", {"qos": 1})
wait(lambda: len(got) >= 11, 10000, "eleven messages")
print("held: %d messages, in order %s, closes %d, errors %r" % (len(got), got == [b"%d" % i for i in range(11)],
                                                               ev.count("close"), [str(e) for e in ev.errors]))
check(ev.count("close") == 0 and not ev.errors, "a paused read taken for a dead link")
end(p, ep)
end(c, ev)
print("OK")
