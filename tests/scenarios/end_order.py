# end() as mqtt.js: an in-flight request's callback ('client ended' when
# end(True) abandons it) fires before 'close' and 'end'; a second end()'s
# callback fires at once, the first one's after 'end'. And errors name the
# errno as mqtt.js does on every runtime. env: MQTT_URL (tests/fakebroker.py:
# it never acknowledges, so the publish is surely in flight)
import mqtt
from mqtt.transport import errname
from scenario import url, check, wait, Events

print("errno names: %s %s %s %s" % (errname(32), errname(104), errname(111), errname(110)))
c = mqtt.connect(url(), {"clientId": "s-end-order", "reconnectPeriod": 0})
ev = Events(c, "A")
wait(lambda: c.connected, 5000, "the connection")
order = []
c.on("close", lambda: order.append("close"))
c.on("end", lambda: order.append("end"))
c.publish("eo/t", b"x", {"qos": 1}, lambda err: order.append("publish cb: %s" % err))
c.end(True, lambda: order.append("end cb 1"))
c.end(True, lambda: order.append("end cb 2"))
wait(lambda: "end cb 1" in order, 3000, "end")
print("order: " + ", ".join(order))
check(order == ["end cb 2", "publish cb: client ended", "close", "end", "end cb 1"], "order %r" % (order,))
print("OK")
