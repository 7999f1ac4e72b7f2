# A QoS 1 message is acknowledged only once its handler returned: the
# handler publishes a QoS 1 answer (written at once) and works on for
# 300 ms; the fake broker times the PUBACK. env: MQTT_URL (tests/fakebroker.py)
import mqtt
from scenario import url, wait, idle, Events, connected
from mqtt.compat import ticks_ms, ticks_diff

c = mqtt.connect(url(), {"clientId": "s-ack", "reconnectPeriod": 0})
ev = Events(c, "A", quiet=("message",))
done = []


def handler(topic, payload, packet):
    c.publish("answer", b"a", {"qos": 1})
    t0 = ticks_ms()
    while ticks_diff(ticks_ms(), t0) < 300:  # work that does not drive the client
        pass
    done.append(packet["messageId"])


c.on("message", handler)
connected(c, ev)
wait(lambda: done, 5000, "the message")
idle(300)
print("handled message %r" % (done,))
c.end(True)
idle(200)
print("OK")
