# Every public entry point is safe against the background driver (a thread
# on the unix port and CPython): QoS 0 publish + drain() in a loop (as
# umqtt.simple's publish does), timers set and cleared and listeners added
# and removed meanwhile. Every message arrives once, in order, no error.
# env: MQTT_URL, N (messages)
import mqtt
import mqtt.driver
from scenario import url, env, check, fail, Events, connected, subscribe, end
import time

N = int(env("N", "3000"))
s = mqtt.connect(url(), {"clientId": "s-dd-s"})
es = Events(s, "S", quiet=("message",))
connected(s, es)
subscribe(s, "dd/t", {"qos": 0})
c = mqtt.connect(url(), {"clientId": "s-dd-c"})
ec = Events(c, "C", quiet=("message",))
connected(c, ec)
mqtt.driver.start()
got = []
s.on("message", lambda t, m, p: got.append(int(m)))
fired = []
noop = lambda *a: None  # noqa: E731
for i in range(N):
    c.publish("dd/t", b"%d" % i)
    c.drain()
    if i % 50 == 0:  # the rest of the public surface, meanwhile
        h = mqtt.setTimeout(lambda: fired.append(1), 10000 if i % 100 == 0 else 1)
        if i % 100 == 0:  # (cleared long before it is due)
            mqtt.clearTimeout(h)
        c.on("packetsend", noop)
        c.off("packetsend", noop)
sleep = getattr(time, "sleep_ms", None) or (lambda ms: time.sleep(ms / 1000))
for _ in range(500):  # the driver delivers; this thread only waits
    if len(got) >= N:
        break
    sleep(20)
mqtt.driver.stop()
print("driver: %d of %d received, in order %s, errors %d" % (len(got), N, got == list(range(N)),
                                                          len(es.errors) + len(ec.errors)))
if got != list(range(N)):
    fail("lost, doubled or reordered: first differences %r" % ([(i, x) for i, x in enumerate(got) if x != i][:5],))
check(not es.errors and not ec.errors and c.connected and s.connected, "errors %r %r" % (es.errors, ec.errors))
check(len(fired) == N // 100, "timers fired %d" % len(fired))
end(c, ec)
end(s, es)
print("OK")
