# umqtt.simple's API (micropython-lib's MQTTClient) under MicroPython: the
# same script runs this package's drop-in (lib/umqtt/simple.py) and the
# original; MICROPYPATH decides which `umqtt.simple` is imported.
# Usage: micropython -m mp_umqtt MODE PORT N SIZE WINDOW MS
#   qos0     N publish(qos=0), then one publish(qos=1), which returns at its PUBACK
#   qos1one  publish(qos=1) one after the other (each waits for its PUBACK);
#            stops after N or MS milliseconds
#   recv     persistent session (clean_session=False, QoS 1 subscription),
#            disconnect; READY; the harness queues the burst and sends GO;
#            connect again and wait_msg() until all N arrived, timed first to last
#   ralloc   as recv, with the GC disabled: bytes allocated per message
#   heap     gc.mem_alloc() around the import and around connect
#   alloc    bytes allocated per QoS 0 publish (GC disabled)
# Prints one JSON line.
import sys
import gc
import time
import json

mode, port, n, size, win, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
gc.collect()
m0 = gc.mem_alloc()
from umqtt.simple import MQTTClient

gc.collect()
m1 = gc.mem_alloc()
us = time.ticks_us
diff = time.ticks_diff
tag = b"%d" % us()
topic = b"bench/umqtt/" + tag
payload = bytes(size)
st = [0, 0, 0]  # messages, first message us, last message us
res = {"mode": mode}


def on_msg(t, p):
    st[0] += 1
    if st[0] == 1:
        st[1] = us()
    st[2] = us()


def run_qos0(c):
    pub = c.publish
    t0 = us()
    for _ in range(n):
        pub(topic, payload)
    pub(topic, payload, False, 1)  # returns at its PUBACK: after all the QoS 0 ones
    res.update(n=n, us=diff(us(), t0))


def run_qos1one(c):
    pub = c.publish
    t0 = us()
    i = 0
    while i < n:
        i += 1
        pub(topic, payload, False, 1)
        if diff(us(), t0) > limit * 1000:
            break
    res.update(n=i, us=diff(us(), t0))


def run_recv(c, alloc):
    c.connect(False)
    c.set_callback(on_msg)
    c.subscribe(topic, 1)
    c.disconnect()
    print("READY", topic.decode())
    sys.stdin.readline()  # GO: the burst is queued at the broker for this session
    c.connect(False)
    wait = c.wait_msg
    if alloc:  # warm up on the first 100, then count the rest with the GC off
        while st[0] < 100:
            wait()
        gc.collect()
        gc.disable()
        a = gc.mem_alloc()
    while st[0] < n:
        wait()
    if alloc:
        res["per_message"] = (gc.mem_alloc() - a) / (n - 100)
        gc.enable()
    res.update(n=st[0], us=diff(st[2], st[1]))


if mode in ("recv", "ralloc"):
    c = MQTTClient(b"umqttr" + tag, "127.0.0.1", port)
    run_recv(c, mode == "ralloc")
else:
    gc.collect()
    m2 = gc.mem_alloc()
    c = MQTTClient(b"umqtt" + tag, "127.0.0.1", port)
    c.connect()
    gc.collect()
    m3 = gc.mem_alloc()
    if mode == "qos0":
        run_qos0(c)
    elif mode == "qos1one":
        run_qos1one(c)
    elif mode == "heap":
        res.update(imported=m1 - m0, connect=m3 - m2, total=m3 - m0,
                   modules=sorted(k for k in sys.modules if k[:4] in ("mqtt", "umqt")))
    elif mode == "alloc":
        tb = b"bench/umqtt/alloc"
        pub = c.publish
        for _ in range(256):  # warm up to steady state
            pub(tb, payload)
        gc.collect()
        gc.disable()  # nothing is freed behind our back: the delta is all allocation
        a = gc.mem_alloc()
        for _ in range(n):
            pub(tb, payload)
        res["per_publish"] = (gc.mem_alloc() - a) / n
        gc.enable()
    else:
        raise SystemExit("unknown mode " + mode)
c.disconnect()
print(json.dumps(res))
