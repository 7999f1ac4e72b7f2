# Writes follow TCP's Nagle rule: a QoS 1 publish (or a subscribe) made with
# nothing in flight is written before the call returns; made while another
# is in flight, it waits in the output for the next write (the loop's step),
# so a burst takes few writes. Then both complete.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, Events, connected, end

c = mqtt.connect(url(), {"clientId": "s-nagle"})
ev = Events(c, "A")
connected(c, ev)
acks = []
c.publish("nagle/t", "first", {"qos": 1}, acks.append)
print("first, nothing in flight: waiting bytes %d" % c.unsent)
c.publish("nagle/t", "second", {"qos": 1}, acks.append)
print("second, one in flight: waiting bytes %s" % ("none" if not c.unsent else "some"))
check(c.unsent > 0, "the second publish was written at once")
wait(lambda: len(acks) == 2, 5000, "both acks")
check(acks == [None, None] and not c.unsent, "acks %r, %d bytes waiting" % (acks, c.unsent))
granted = []
c.subscribe("nagle/s", {"qos": 1}, lambda err, g: granted.append(g))
print("subscribe, nothing in flight: waiting bytes %d" % c.unsent)
wait(lambda: granted, 5000, "the SUBACK")
end(c, ev)
print("OK")
