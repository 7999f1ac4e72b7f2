# The network link (mqtt.link) over the stand-in network and netmgr modules
# of tests/standins: no board and no radio here, the access point (or the
# LAN cable) is a variable this script changes. The client talks to the
# broker through tests/faultproxy.py, which counts connections and, at a
# drop, "stalls" the connection open then (silent, not closed: the address
# it used is gone). An observer client talks to the broker directly.
#  1. The link is down at the start: no connection attempt, one 'offline',
#     one ENETDOWN error; QoS 1 publishes made meanwhile wait. It comes up:
#     connected within 100 ms of the link's watchers hearing so; every
#     queued publish delivered, in order.
#  2. The link drops while connected (clean False, a subscription, a QoS 1
#     publish in flight): the connection ends at once (keepalive is 10 s),
#     no attempt while down, one more 'offline'; back up: reconnected, the
#     in-flight publish delivered once, the message sent to the subscription
#     meanwhile delivered.
# KIND: wlan (mqtt.link.WLAN), netmgr (mqtt.link.NetMgr; its drop is a blip
# shorter than a poll, seen through netmgr's event), lan (mqtt.link.Plain over
# network.LAN). DRIVE: run (mqtt.run) or driver (the background driver's
# thread; this thread only sleeps and looks).
# env: MQTT_URL (the proxy), FAULT_PORT, BROKER_URL (direct), KIND, DRIVE
import mqtt
import mqtt.link
from mqtt.compat import ticks_ms, ticks_diff
from scenario import env, url, fault, check, fail, Events

KIND = env("KIND", "wlan")
DRIVE = env("DRIVE", "run")
if DRIVE == "driver":
    import time
    import mqtt.driver

    mqtt.driver.start()
    _sleep = getattr(time, "sleep_ms", None) or (lambda ms: time.sleep(ms / 1000))


def wait(pred, ms, what):
    if DRIVE == "run":
        mqtt.run(until=pred, timeout_ms=ms)
    else:
        t0 = ticks_ms()
        while not pred() and ticks_diff(ticks_ms(), t0) < ms:
            _sleep(5)
    if not pred():
        fail("timed out after %d ms waiting for %s" % (ms, what))


def idle(ms):
    t0 = ticks_ms()
    if DRIVE == "run":
        mqtt.run(until=lambda: False, timeout_ms=ms)
    else:
        while ticks_diff(ticks_ms(), t0) < ms:
            _sleep(5)


if KIND == "lan":
    import network

    network.LAN.cable[0] = False
    link = mqtt.link.Plain(network.LAN())

    def air(on):
        network.LAN.cable[0] = on
else:
    if KIND == "wlan":
        import network as radio

        link = mqtt.link.WLAN("home", "secret", timeout_ms=3000, stable_ms=300)
    else:
        import netmgr as radio

        link = mqtt.link.NetMgr("home", "secret", timeout_ms=3000, stable_ms=300)
    radio.ap(on=False)

    def air(on):
        radio.ap(on=on)

link_errors = []
link.onerror = link_errors.append
marks = {}
outside = []  # watchers called from outside the loop (the background driver's guard)


def seen(up):  # (watching after the client: it has acted when this runs)
    marks["up" if up else "down"] = ticks_ms()
    g = mqtt.client.guard
    if g and g.outside():
        outside.append(up)


got = []
obs = mqtt.connect(env("BROKER_URL"), {"clientId": "s-link-obs", "reconnectPeriod": 200})
obs.on("message", lambda t, m, p: got.append(m))
obs.on("connect", lambda ack: obs.subscribe("lk/out", {"qos": 1}, lambda err, g: marks.__setitem__("obs", 1)))
c = mqtt.connect(url(), {"clientId": "s-link-%s" % KIND, "clean": False, "keepalive": 10, "reconnectPeriod": 300,
                         "link": link})
link.watch(seen)
ev = Events(c, "C", quiet=("error",))
c.on("connect", lambda ack: marks.__setitem__("connect", ticks_ms()))
wait(lambda: "obs" in marks, 5000, "the observer's subscription")

# 1. down at the start
acks = []
for i in range(5):
    c.publish("lk/out", "q%d" % i, {"qos": 1}, acks.append)
idle(1500)
n = fault("count")
print("attempts while down: %s" % n[3:])
check(n == "ok 0", "the client tried to connect while the link was down: %s" % n)
down = [e for e in ev.errors if getattr(e, "code", None) == "ENETDOWN"]
print("offline %d, ENETDOWN errors %d, closes %d" % (ev.count("offline"), len(down), ev.count("close")))
check(ev.count("offline") == 1 and len(down) == 1 and ev.count("close") == 0, "events while down")
if KIND != "lan":
    print("link error: %s" % link_errors[0] if link_errors else "no link error")
    check(link_errors and link_errors[0].code == ("STAT_NO_AP_FOUND" if KIND == "wlan" else "NET_FAILED"),
          "link errors %r" % (link_errors,))
air(True)
wait(lambda: c.connected, 8000, "the connection once the link is back")
ms = ticks_diff(marks["connect"], marks["up"])
print("connected within 100 ms of the link coming up: %s" % (ms < 100))
print("(link up -> connected: %d ms)" % ms)
check(ms < 100, "%d ms from the link coming up to the connection" % ms)
wait(lambda: len(acks) == 5 and len(got) == 5, 5000, "the queued publishes")
print("queued while down, delivered: %r, acks %r" % (got, acks))
check(got == [b"q0", b"q1", b"q2", b"q3", b"q4"] and acks == [None] * 5, "queued publishes")

# 2. a drop while connected
mine = []
c.on("message", lambda t, m, p: mine.append(m))
sub = []
c.subscribe("lk/in", {"qos": 1}, lambda err, g: sub.append(err))
wait(lambda: sub, 5000, "SUBACK")
fault("stall")  # the connection open now is dead from here on
c.publish("lk/out", "inflight", {"qos": 1}, acks.append)
t0 = ticks_ms()
if KIND == "netmgr":  # a blip: off and back on long before the next poll (1 s)
    air(False)
    mqtt.setTimeout(lambda: air(True), 50)
else:
    air(False)
wait(lambda: ev.count("close") == 1, 3000, "the connection to end")
ms = ticks_diff(ticks_ms(), t0)
print("ended within 1.5 s of the drop (keepalive 10 s): %s" % (ms < 1500))
print("(drop -> closed: %d ms; errors %r)" % (ms, [str(e) for e in ev.errors[1:]]))
check(ms < 1500, "the connection ended %d ms after the drop" % ms)
check(str(ev.errors[-1]) == "network link down", "error %r" % (ev.errors[-1],))
obs.publish("lk/in", "meanwhile", {"qos": 1})
if KIND != "netmgr":
    idle(700)
    n = fault("count")
    check(n == "ok 1", "attempts while the link was down: %s" % n)
    check(not c.connected, "connected while the link is down")
fault("pass")
air(True)
wait(lambda: ev.count("connect") == 2, 10000, "the reconnection")
wait(lambda: len(acks) == 6 and len(got) == 6 and mine, 5000, "the in-flight publish and the session's message")
idle(300)
print("after the drop: observer %r, client %r, acks %d" % (got[5:], mine, len(acks)))
check(got[5:] == [b"inflight"] and mine == [b"meanwhile"] and acks == [None] * 6, "lost or doubled")
n = fault("count")
print("connections %s, offline %d, connects %d" % (n[3:], ev.count("offline"), ev.count("connect")))
check(n == "ok 2" and ev.count("offline") == 2, "one connection and one offline an outage")

if KIND == "wlan":
    w = radio.WLAN()
    print("power saving off: %s, driver reconnects: %s" % (w.config("pm") == w.PM_NONE, w.config("reconnects")))
c.end()
obs.end()
wait(lambda: ev.count("end"), 5000, "the client's end")
marks.pop("down")
link.close()
print("closed: up %s, watchers told %r, called from outside the loop %r" % (link.up(), marks.get("down") is not None,
                                                                          outside))
check(not link.up() and "down" in marks and not outside, "close()")
if KIND == "wlan":
    check(not w.active(), "the radio is still on")
if DRIVE == "run":
    check(mqtt.run(timeout_ms=5000), "something is left running")
else:
    wait(lambda: not mqtt.client.busy(), 5000, "the end")
print("OK")
