# A subscriber killed after it acknowledged a QoS 2 message (PUBREC written)
# and before the broker had that PUBREC or sent PUBREL: the proxy between
# them is frozen from inside the handler, so the PUBREC never arrives, and
# the broker sends the PUBLISH again to the next process. The store says it
# was delivered: it is not delivered twice. env: MQTT_URL (the fault proxy),
# FAULT_PORT, STORE, PHASE (1: until killed; 2: after the restart)
import mqtt
from mqtt.store import FileStore
from scenario import env, url, wait, fault, idle

s = FileStore(env("STORE"))
c = mqtt.connect(url(), {"clientId": "s-kill-sub2", "clean": False, "outgoingStore": s, "incomingStore": s,
                         "reconnectPeriod": 100})
got = []


def on_message(t, m, pk):
    got.append(bytes(m))
    print("GOT %s dup=%s" % (str(m, "utf-8"), pk["dup"]))
    if m == b"freeze":
        fault("freeze")  # (returns once the proxy forwards nothing more: the PUBREC after this stays in it)
        mqtt.setTimeout(lambda: print("KILL-ME"), 200)


c.on("message", on_message)
wait(lambda: c.connected, 5000, "connected")
if env("PHASE") == "1":
    c.subscribe("kq/#", {"qos": 2})
    wait(lambda: not c.outgoing and not c.queue, 5000, "SUBACK")
    print("READY")
    idle(20000)  # (killed before this ends)
else:
    print("READY")
    wait(lambda: b"after" in got, 10000, "the message after")
    print("phase 2 got %r" % (got,))
    c.end()
    idle(100)
    print("OK")
