# connect() and reconnect() on a connected client, each twice in a row: a
# live connection is kept by connect() and replaced once by reconnect(); a
# QoS 1 publish made right after completes at once (not after a keepalive);
# the client's attribute table stays small.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, end
from mqtt.compat import ticks_ms, ticks_diff

c = mqtt.connect(url(), {"clientId": "s-again", "keepalive": 4, "reconnectPeriod": 200})
ev = Events(c, "A")
connected(c, ev)


def publish_now(what):
    t0 = ticks_ms()
    r = []
    c.publish("again/t", what, {"qos": 1}, r.append)
    wait(lambda: r, 5000, "the ack of %s" % what)
    ms = ticks_diff(ticks_ms(), t0)
    print("%s: ack after %s ms" % (what, "<1000" if ms < 1000 else ms))
    check(r == [None] and ms < 1000, "%s: %r after %d ms" % (what, r, ms))


c.connect()
c.connect()
check(c.connected, "connect() on a connected client dropped it")
publish_now("after connect() x2")
check(ev.count("close") == 0 and ev.count("connect") == 1, "connect() replaced the connection")
c.reconnect()
c.reconnect()
publish_now("after reconnect() x2")
print("closes %d, connects %d" % (ev.count("close"), ev.count("connect")))
check(ev.count("close") == 1 and ev.count("connect") == 2, "reconnect() twice: one new connection")
# after an outage, the most a client sets: its attribute table (a dict) stays
# within 47 entries, where the next size up takes 944 bytes on a 64-bit heap
check(len(c.__dict__) <= 47, "%d attributes: %s" % (len(c.__dict__), sorted(c.__dict__)))
end(c, ev)
refused = []  # requests to an ended client: refused, nothing queued
c.subscribe("again/s", {"qos": 1}, lambda err, g: refused.append(str(err)))
c.unsubscribe("again/s", lambda err: refused.append(str(err)))
wait(lambda: len(refused) == 2, 2000, "the refusals")
print("on an ended client: %s" % refused)
check(refused == ["client is closed"] * 2 and not c.queue, "refused %r, queued %r" % (refused, c.queue))
c.connect()  # an ended client connects again
wait(lambda: ev.count("connect") == 3, 5000, "connect after end")
publish_now("after end() and connect()")
end(c, ev)
print("OK")
