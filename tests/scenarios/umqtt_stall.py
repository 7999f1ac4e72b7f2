# umqtt.simple's QoS 0 publish writes before it returns, as umqtt's blocking
# socket write does: on a stalled link (the proxy reads nothing) it waits once
# the client's output and queue are full, and loses nothing; on a link that
# is gone it raises OSError, as umqtt's write would. (The drop-in used to
# drop messages once the client's queue was full, and never raised.)
# env: MQTT_URL (through tests/faultproxy.py), FAULT_PORT
from umqtt.simple import MQTTClient
from mqtt.compat import ticks_ms, ticks_diff
from scenario import url, check, fault

N = 1000  # x 16 KB: more than the socket buffers hold while the proxy reads nothing
host = url().split("//")[1].split(":")[0]
port = int(url().rsplit(":", 1)[1])
c = MQTTClient("s-umqtt-stall", host, port)
c.connect()
payload = bytes(16384)
fault("freeze")
print("frozen")  # the test lets the proxy forward again about a second later
t0 = ticks_ms()
for i in range(N):
    c.publish(b"stall/t", payload)
ms = ticks_diff(ticks_ms(), t0)
print("published %d in %d ms" % (N, ms))
check(ms > 500, "the publishes did not wait for the stalled link")
c.publish(b"stall/t", b"last", qos=1)  # returns at its PUBACK: the broker has them all

fault("cut")
n = 0
try:
    while n < 100000:
        c.publish(b"stall/t", b"after the cut")
        n += 1
    check(False, "100000 publishes on a cut link, no error")
except OSError as e:
    print("OSError after the cut (%d publishes): %r" % (n, e))
print("OK")
