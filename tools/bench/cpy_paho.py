# paho-mqtt 2.x under CPython, driven from one thread with client.loop().
# Usage: python cpy_paho.py MODE PORT N [WINDOW]   MODE: qos0 qos1 qos2 recv
import json
import os
import sys
import time

import paho.mqtt.client as mqtt

mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
win = int(sys.argv[4]) if len(sys.argv) > 4 else 32
topic = "bench/paho/%d" % os.getpid()
payload = bytes(64)
acked = 0
got = 0
t_first = t_last = 0.0


def on_publish(client, userdata, mid, reason, props):
    global acked
    acked += 1


def on_message(client, userdata, msg):
    global got, t_first, t_last
    got += 1
    if got == 1:
        t_first = time.perf_counter()
    t_last = time.perf_counter()


c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="paho%d" % os.getpid())
c.max_inflight_messages_set(win + 2)  # our window, not paho's queue, paces QoS>0
c.max_queued_messages_set(0)
c.on_publish = on_publish
c.on_message = on_message
c.connect("127.0.0.1", port, 60)
while not c.is_connected():
    c.loop(1.0)


def wait(cond, limit=60.0):
    end = time.perf_counter() + limit
    while not cond():
        if time.perf_counter() > end:
            raise SystemExit("timeout in " + mode)
        c.loop(1.0)


res = {"mode": mode}
if mode == "qos0":
    t0 = time.perf_counter()
    for _ in range(n):
        c.publish(topic, payload, 0)
    # confirmation: a QoS 1 publish queued behind them, acked by the broker
    acked = 0
    c.publish(topic, payload, 1)
    wait(lambda: acked)
    res.update(n=n, us=int((time.perf_counter() - t0) * 1e6))
elif mode in ("qos1", "qos2"):
    q = int(mode[-1])
    t0 = time.perf_counter()
    sent = 0
    while sent < n:
        if sent - acked < win:
            c.publish(topic, payload, q)
            sent += 1
        else:
            c.loop(1.0)
    wait(lambda: acked >= n)
    res.update(n=n, us=int((time.perf_counter() - t0) * 1e6))
elif mode == "recv":
    subbed = []
    c.on_subscribe = lambda *a: subbed.append(1)
    c.subscribe(topic, 0)
    wait(lambda: subbed)
    print("READY", topic, flush=True)
    idle = time.perf_counter()
    while got < n and time.perf_counter() - max(idle, t_last) < 5:
        c.loop(1.0)
    res.update(n=got, us=int((t_last - t_first) * 1e6))
c.disconnect()
print(json.dumps(res))
