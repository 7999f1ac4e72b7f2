# Callbacks while the program sleeps: no run(), no loop(). Boards start the
# background driver by themselves; the unix port and CPython opt in.
import time
import mqtt
import mqtt.driver
from scenario import url

mqtt.driver.start()
got = []
c = mqtt.connect(url(), clientId="s-driver")
c.on("connect", lambda ack: c.subscribe("dr/t", {"qos": 1}, lambda err, g: c.publish("dr/t", "ping", {"qos": 1})))
c.on("message", lambda t, m, p: got.append(m))
time.sleep(2)
print("received while sleeping: %r, driver running: %s" % (got, mqtt.driver.running()))
assert got == [b"ping"], got
c.end()
time.sleep(1)
print("connected after end: %s" % c.connected)
assert not c.connected
time.sleep(0.2)
print("driver running with nothing left: %s" % mqtt.driver.running())
assert not mqtt.driver.running()
print("OK")
