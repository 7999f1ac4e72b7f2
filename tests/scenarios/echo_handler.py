# A message handler that drives the client while more input is already
# buffered: a burst of N QoS 1 messages sits unread in the subscriber's
# socket, then each is echoed from its handler by a blocking QoS 1 publish
# (umqtt.simple: publish(qos=1) in the callback; mqtt.connect: publish, then
# client.loop() until its ack). Every input echoed exactly once, in order,
# and the subscriber's connection kept.
# env: MQTT_URL, MODE (umqtt or mqtt)
import mqtt
from scenario import env, url, check, fail, Events, connected, subscribe, end
from mqtt.compat import ticks_ms, ticks_diff

N = 30
mode = env("MODE")
host, port = url().split("//")[1].rsplit(":", 1)


def pump(c, cond, ms, what):  # drive only client c until cond()
    t0 = ticks_ms()
    while not cond():
        if ticks_diff(ticks_ms(), t0) > ms:
            fail("timed out after %d ms waiting for %s" % (ms, what))
        c.loop(20)


src = mqtt.connect(url(), {"clientId": "s-echo-src"})
es = Events(src, "SRC", quiet=("message",))
connected(src, es)
subscribe(src, "echo/out", {"qos": 1})
seen = []  # what the echoing handler was given
closes = []

if mode == "umqtt":
    from umqtt.simple import MQTTClient

    u = MQTTClient("s-echo-u", host, int(port), keepalive=30)

    def cb(topic, msg):
        seen.append(msg)
        u.publish(b"echo/out", msg, qos=1)  # blocks: the client reads on inside this handler

    u.set_callback(cb)
    u.connect()
    u.c.on("close", lambda: closes.append(1))
    u.subscribe(b"echo/in", qos=1)
else:
    s = mqtt.connect(url(), {"clientId": "s-echo-m", "keepalive": 30})
    ev = Events(s, "S", quiet=("message",))
    connected(s, ev)
    s.on("close", lambda: closes.append(1))

    def handler(topic, payload, packet):
        seen.append(payload)
        acked = []
        s.publish("echo/out", payload, {"qos": 1}, acked.append)
        while not acked:  # a blocking publish written on the mqtt.js client
            s.loop(20)
        check(acked == [None], "echo publish failed: %r" % (acked,))

    s.on("message", handler)
    subscribe(s, "echo/in", {"qos": 1})

# the burst: published and acknowledged while the subscriber reads nothing
acks = []
for i in range(N):
    src.publish("echo/in", b"m%02d" % i, {"qos": 1}, acks.append)
pump(src, lambda: len(acks) == N, 10000, "the burst's acks")
# now the subscriber reads: its handlers echo
if mode == "umqtt":
    t0 = ticks_ms()
    while len(seen) < N and ticks_diff(ticks_ms(), t0) < 15000:
        u.check_msg()
        u.c.loop(10)
else:
    pump(s, lambda: len(seen) >= N, 15000, "the subscriber's messages")
pump(src, lambda: len(es.payloads("echo/out")) >= N, 10000, "the echoes")
echoes = es.payloads("echo/out")
print("handled %d, echoed %d, closes %d" % (len(seen), len(echoes), len(closes)))
want = [b"m%02d" % i for i in range(N)]
check(seen == want, "handler saw %r" % (seen,))
check(echoes == want, "echoes %r" % (echoes,))
check(not closes, "the subscriber's connection closed")
if mode == "umqtt":
    u.disconnect()
else:
    end(s, ev)
end(src, es)
print("OK")
