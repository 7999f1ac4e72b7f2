# The HaaS and umqtt faces take a store too (createClient: options
# outgoingStore/incomingStore; umqtt: MQTTClient(..., store=)). Phase 1: each
# connects through a proxy that then freezes, publishes at QoS 1 (no ack can
# come) and the process ends without closing: a reset. Phase 2: each starts
# again on the broker itself with the same store, and the message arrives.
# env: MQTT_URL (the broker), PROXY_PORT, FAULT_PORT, DIR, PHASE
import mqtt
from mqtt.store import FileStore
from umqtt.simple import MQTTClient
from scenario import env, wait, fault, check

d = env("DIR")
phase = env("PHASE")
port = int(env("PROXY_PORT")) if phase == "1" else int(env("MQTT_URL").rsplit(":", 1)[1])
got = []
if phase == "2":  # the watcher first: what the two send again comes as soon as they connect
    w = mqtt.connect(env("MQTT_URL"), {"clientId": "s-face-w"})
    w.on("message", lambda t, m, p: got.append((t, bytes(m))))
    w.subscribe("sf/#", {"qos": 1})
    wait(lambda: w.connected and not w.outgoing and not w.queue, 5000, "the watcher's SUBACK")
sh = FileStore(d + "/haas.store")
su = FileStore(d + "/umqtt.store")
h = mqtt.createClient({"host": "127.0.0.1", "port": port, "clientId": "s-face-h", "clean": False,
                       "outgoingStore": sh, "incomingStore": sh})
u = MQTTClient("s-face-u", "127.0.0.1", port, store=su)
u.connect(clean_session=False)
wait(lambda: h.client.connected, 5000, "HaaS connected")
if phase == "1":
    fault("freeze")
    check(h.publish({"topic": "sf/h", "message": "from haas", "qos": 1}) == 0, "HaaS publish")
    u.TIMEOUT = 300
    try:
        u.publish("sf/u", "from umqtt", qos=1)
        check(False, "an ack through a frozen proxy")
    except OSError as e:
        print("umqtt publish: %s" % e)
    print("reset with %d + %d in flight" % (len(h.client.outgoing), len(u.c.outgoing)))
else:
    print("restored: haas %r, umqtt %r" % ([p["payload"] for p in h.client.restored],
                                           [p["payload"] for p in u.c.restored]))
    wait(lambda: len(got) == 2, 5000, "both at the watcher")
    print("watcher got %r" % sorted(got))
print("OK")
