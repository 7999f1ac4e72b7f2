# paho-mqtt 2.x under CPython, driven from one thread with client.loop().
# Usage: python cpy_paho.py MODE PORT N SIZE WINDOW MS
#   qos0 qos1one qos1 qos2 recv: as in mp_ours.py (recv: persistent session,
#   READY, GO on stdin, reconnect, timed first to last message)
import json
import os
import sys
import time

import paho.mqtt.client as mqtt

mode, port, n, size, win, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
tag = "%d" % os.getpid()
topic = "bench/paho/" + tag
payload = bytes(size)
st = {"acked": 0, "got": 0, "t0": 0.0, "t1": 0.0}
now = time.perf_counter


def on_publish(client, userdata, mid, reason, props):
    st["acked"] += 1


def on_message(client, userdata, msg):
    st["got"] += 1
    if st["got"] == 1:
        st["t0"] = now()
    st["t1"] = now()


def client(cid=None, clean=True):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid or "paho" + tag,
                    clean_session=clean)
    c.max_inflight_messages_set(win)
    c.max_queued_messages_set(0)
    c.on_publish = on_publish
    c.on_message = on_message
    c.connect("127.0.0.1", port, 60)
    wait(c, c.is_connected)
    return c


def wait(c, cond, limit=60.0):
    end = now() + limit
    while not cond():
        if now() > end:
            raise SystemExit("paho %s: timed out" % mode)
        c.loop(1.0)


res = {"mode": mode}
if mode == "recv":
    cid = "pahor" + tag
    c = client(cid, False)
    subbed = []
    c.on_subscribe = lambda *a: subbed.append(1)
    c.subscribe(topic, 1)
    wait(c, lambda: subbed)
    c.disconnect()
    c.loop(0.1)
    print("READY", topic, flush=True)
    sys.stdin.readline()  # GO: the burst is queued at the broker for this session
    c = client(cid, False)
    idle = now()
    while st["got"] < n and now() - max(idle, st["t1"]) < 5:
        c.loop(1.0)
    res.update(n=st["got"], us=int((st["t1"] - st["t0"]) * 1e6))
else:
    c = client()
    if mode == "qos0":
        t0 = now()
        for _ in range(n):
            c.publish(topic, payload, 0)
        c.publish(topic, payload, 1)  # acked after all the QoS 0 ones
        wait(c, lambda: st["acked"])
        res.update(n=n, us=int((now() - t0) * 1e6))
    elif mode == "qos1one":
        t0 = now()
        i = 0
        while i < n:
            i += 1
            c.publish(topic, payload, 1)
            while st["acked"] < i:
                c.loop(1.0)
            if now() - t0 > limit / 1000:
                break
        res.update(n=i, us=int((now() - t0) * 1e6))
    elif mode in ("qos1", "qos2"):
        q = int(mode[-1])
        t0 = now()
        sent = 0
        while sent < n:
            if sent - st["acked"] < win:
                c.publish(topic, payload, q)
                sent += 1
            else:
                c.loop(1.0)
        wait(c, lambda: st["acked"] >= n)
        res.update(n=n, us=int((now() - t0) * 1e6))
    else:
        raise SystemExit("unknown mode " + mode)
c.disconnect()
print(json.dumps(res))
