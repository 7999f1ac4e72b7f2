# Minimum-heap scenario for this package, kept apart from mp_ours so the
# harness's own bytecode barely counts: connect, subscribe at QoS 1, 20 QoS 1
# round trips of 64 bytes (publish, wait for its PUBACK and for the message to
# come back), end.
# Usage: micropython -X heapsize=N -m mp_ours_min MODE PORT ...  (MODE ignored)
# env BENCH_SCHEME: mqtt (the default) or ws: PORT is the broker's WebSocket listener.
import os
import sys
import time
import mqtt

tag = "%d" % time.ticks_us()
topic = "bench/min/" + tag
st = [0, 0, 0]  # acks, messages, ended


def ack(err, *g):
    if err:
        raise SystemExit("failed: %r" % err)
    st[0] += 1


def msg(t, p, pk):
    st[1] += 1


def ended():
    st[2] = 1


def wait(cond):
    if not mqtt.run(until=cond, timeout_ms=5000):
        raise SystemExit("timed out")


c = mqtt.connect("%s://127.0.0.1:%s" % (os.getenv("BENCH_SCHEME") or "mqtt", sys.argv[2]), {"clientId": "min" + tag})
c.on("message", msg)
c.subscribe(topic, {"qos": 1}, ack)
wait(lambda: st[0])
p = bytes(64)
o = {"qos": 1}
for i in range(20):
    c.publish(topic, p, o, ack)
    wait(lambda: st[0] > i + 1 and st[1] > i)
c.end(False, ended)
wait(lambda: st[2])
print('{"ok": 1}')
