# Minimum-heap scenario for chumicro-mqtt: the same steps as mp_ours_min,
# driven with its tick loop (check/handle).
# Usage: micropython -X heapsize=N -m mp_chumicro_min MODE PORT ...  (MODE ignored)
import sys
import time
from chumicro_mqtt import MQTTClient
from chumicro_sockets.sockets_factory import fixed_connector_factory
from chumicro_timing import ticks_ms

tag = "%d" % time.ticks_us()
topic = "bench/min/" + tag
st = [0, 0]  # acks, messages


def ack(*a):
    st[0] += 1


def msg(t, p):
    st[1] += 1


def wait(cond):
    t = time.ticks_ms()
    while not cond():
        if c.state == "failed" or time.ticks_diff(time.ticks_ms(), t) > 5000:
            raise SystemExit("failed: %s %r" % (c.state, c.last_error))
        now = ticks_ms()
        if c.check(now):
            c.handle(now)


c = MQTTClient(transport_factory=fixed_connector_factory("127.0.0.1", int(sys.argv[2])),
               client_id="min" + tag)
c.on_message = msg
c.subscribe(topic, 1, on_subscribe=ack)
c.connect()
wait(lambda: st[0])
p = bytes(64)
for i in range(20):
    c.publish(topic, p, qos=1, on_publish=ack)
    wait(lambda: st[0] > i + 1 and st[1] > i)
c.disconnect()
print('{"ok": 1}')
