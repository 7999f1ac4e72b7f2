# This package with a FileStore (mqtt.store) under MicroPython.
# Usage: micropython -m mp_store MODE PORT N SIZE WINDOW MS [fsync]
#   qos1     pipelined QoS 1, at most WINDOW unacknowledged, through a
#            FileStore (fsync: each sync on the disk; else to the OS only);
#            also the bytes written to the store per message
#   qos1one  QoS 1 one at a time, the same way
#   work     heap after connect and 20 QoS 1 round trips with a FileStore;
#   workrun  the same without one (the store's cost: work - workrun)
#   wake     a board's wake: from the script's first line (before `import
#            mqtt`) to the PUBACK of one QoS 1 publish, clean False, with a
#            FileStore (fsync); wakeno: the same without one
# Prints one JSON line.
import time

t_start = time.ticks_us()
import sys
import gc
import json
import os

mode, port, n, size, win, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
fsync = "fsync" in sys.argv[7:] or mode == "wake"
import mqtt

us = time.ticks_us
diff = time.ticks_diff
path = "bench-%s.store" % mode
res = {"mode": mode, "fsync": fsync}
st = [0]


def on_ack(err, *g):
    if err:
        raise SystemExit("store %s: request failed: %r" % (mode, err))
    st[0] += 1


def spin(cond, ms=30000):
    if not mqtt.run(until=cond, timeout_ms=ms):
        raise SystemExit("store %s: timed out" % mode)


for p in (path, path + ".new"):
    try:
        os.remove(p)
    except OSError:
        pass
o = {"clientId": "store-" + mode, "clean": False, "maxInflight": win}
s = None
if mode not in ("workrun", "wakeno"):
    from mqtt.store import FileStore

    s = FileStore(path, fsync=fsync)
    o["outgoingStore"] = o["incomingStore"] = s
gc.collect()
m0 = gc.mem_alloc()
c = mqtt.connect("mqtt://127.0.0.1:%d" % port, o)
topic = "bench/store/" + mode
payload = bytes(size)
q1 = {"qos": 1}
if mode in ("wake", "wakeno"):
    c.publish(topic, payload, q1, on_ack)
    spin(lambda: st[0])
    res.update(n=1, us=diff(us(), t_start))
else:
    spin(lambda: c.connected, 10000)
    t0 = us()
    if mode == "qos1":
        sent = 0
        while sent < n:
            if sent - st[0] < win:
                c.publish(topic, payload, q1, on_ack)
                sent += 1
            else:
                c.loop(5)
        spin(lambda: st[0] >= n)
    else:
        k = 20 if mode in ("work", "workrun") else n
        i = 0
        while i < k:
            i += 1
            c.publish(topic, payload, q1, on_ack)
            spin(lambda: st[0] == i, 10000)
            if mode == "qos1one" and not i & 15 and diff(us(), t0) > limit * 1000:
                break
        n = i
    res.update(n=n, us=diff(us(), t0))
    if s:
        res["written"] = s.written
    gc.collect()
    res["heap"] = gc.mem_alloc() - m0
ended = []
c.end(False, lambda: ended.append(1))
spin(lambda: ended, 5000)
print(json.dumps(res))
