# A handler that raises: its traceback is printed on stderr (as on CPython),
# and the client carries on: the next message still arrives. env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end

c = mqtt.connect(url(), {"clientId": "s-broken"})
ev = Events(c, "A", quiet=("message",))
got = []


def handler(topic, payload, packet):
    got.append(payload)
    if payload == b"boom":
        raise RuntimeError("boom from a handler")


c.on("message", handler)
connected(c, ev)
subscribe(c, "broken/t", {"qos": 1})
c.publish("broken/t", b"boom", {"qos": 1})
c.publish("broken/t", b"after", {"qos": 1})
wait(lambda: len(got) == 2, 5000, "both messages")
print("handled: %r" % (got,))
check(c.connected, "the connection went with the handler")
end(c, ev)
print("OK")
