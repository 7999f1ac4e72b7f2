# Minimum-heap scenario with umqtt.simple's API (this package's drop-in or
# the original, whichever MICROPYPATH gives): the same steps as mp_ours_min.
# Usage: micropython -X heapsize=N -m mp_umqtt_min MODE PORT ...  (MODE ignored)
import sys
import time
from umqtt.simple import MQTTClient

tag = b"%d" % time.ticks_us()
topic = b"bench/min/" + tag
st = [0]


def msg(t, p):
    st[0] += 1


c = MQTTClient(b"min" + tag, "127.0.0.1", int(sys.argv[2]))
c.connect()
c.set_callback(msg)
c.subscribe(topic, 1)
p = bytes(64)
for i in range(20):
    c.publish(topic, p, False, 1)  # returns at its PUBACK
    while st[0] <= i:
        c.wait_msg()
c.disconnect()
print('{"ok": 1}')
