# chumicro-mqtt under MicroPython, driven as its README shows: a tick loop
# `now = ticks_ms(); if client.check(now): client.handle(now)`, written out in
# each loop (no helper function), and publish() retried after driving the
# loop when it raises MQTTBackpressureError ("drain via handle() and retry").
# Library knobs at their defaults (rx_buffer_size 256, max_tx_queue_size 20), but
# rx_buffer_size grows for payloads that would not fit it (--growth, 1 KB).
# Usage: micropython -m mp_chumicro MODE PORT N SIZE WINDOW MS
#   qos0 qos1one qos1 recv ralloc heap alloc: as in mp_ours.py (no QoS 2)
# Prints one JSON line.
import sys
import gc
import time
import json

mode, port, n, size, win, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
gc.collect()
m0 = gc.mem_alloc()
from chumicro_mqtt import MQTTClient, MQTTBackpressureError
from chumicro_sockets.sockets_factory import fixed_connector_factory
from chumicro_timing import ticks_ms
import chumicro_sockets._adapters.mp  # noqa: F401  (imported lazily on connect: count it as code)

gc.collect()
m1 = gc.mem_alloc()
us = time.ticks_us
diff = time.ticks_diff
tag = "%d" % us()
topic = "bench/chu/" + tag
payload = bytes(size)
st = [0, 0, 0, 0]  # acks, messages, first message us, last message us
res = {"mode": mode}


def on_ack(*a):
    st[0] += 1


def on_msg(t, p):
    st[1] += 1
    if st[1] == 1:
        st[2] = us()
    st[3] = us()


def client(cid=None, clean=True):
    # rx_buffer_size: a message larger than it is dropped (when_oversized's
    # default), so a larger payload gets a larger buffer, as its docs say to
    kw = {"rx_buffer_size": size + 128} if size + 64 > 256 else {}
    return MQTTClient(transport_factory=fixed_connector_factory("127.0.0.1", port),
                      client_id=cid or "chu" + tag, clean_session=clean, **kw)


def drive_until(c, cond, ms=30000):
    t = time.ticks_ms()
    while not cond():
        if c.state == "failed" or diff(time.ticks_ms(), t) > ms:
            raise SystemExit("chumicro %s: state %s, %r" % (mode, c.state, c.last_error))
        now = ticks_ms()
        if c.check(now):
            c.handle(now)


def run_qos0(c, topic, n):
    for _ in range(n):
        while True:
            try:
                c.publish(topic, payload, qos=0)
                break
            except MQTTBackpressureError:
                now = ticks_ms()
                if c.check(now):
                    c.handle(now)
        now = ticks_ms()
        if c.check(now):
            c.handle(now)


def run_qos1one(c):
    t0 = us()
    i = 0
    while i < n:
        i += 1
        c.publish(topic, payload, qos=1, on_publish=on_ack)
        while st[0] < i:
            now = ticks_ms()
            if c.check(now):
                c.handle(now)
        if not i & 15 and diff(us(), t0) > limit * 1000:
            break
    res.update(n=i, us=diff(us(), t0))


def run_qos1(c):
    t0 = us()
    sent = 0
    while sent < n:
        if sent - st[0] < win:
            try:
                c.publish(topic, payload, qos=1, on_publish=on_ack)
                sent += 1
            except MQTTBackpressureError:
                pass
        now = ticks_ms()
        if c.check(now):
            c.handle(now)
    drive_until(c, lambda: st[0] >= n)
    res.update(n=n, us=diff(us(), t0))


def run_recv(alloc):
    cid = "chur" + tag
    c = client(cid, False)
    c.subscribe(topic, 1, on_subscribe=on_ack)
    c.connect()
    drive_until(c, lambda: st[0])
    c.disconnect()
    print("READY", topic)
    sys.stdin.readline()  # GO: the burst is queued at the broker for this session
    c = client(cid, False)
    c.on_message = on_msg
    c.connect()
    if alloc:  # warm up on the first 100, then count the rest with the GC off
        while st[1] < 100:
            now = ticks_ms()
            if c.check(now):
                c.handle(now)
        gc.collect()
        gc.disable()
        k = st[1]
        a = gc.mem_alloc()
    last = time.ticks_ms()
    seen = 0
    while st[1] < n:
        now = ticks_ms()
        if c.check(now):
            c.handle(now)
        if st[1] != seen:
            seen = st[1]
            last = time.ticks_ms()
        elif diff(time.ticks_ms(), last) > 5000 or c.state == "failed":
            break
    if alloc:
        res["per_message"] = (gc.mem_alloc() - a) / max(1, st[1] - k)
        gc.enable()
    res.update(n=st[1], us=diff(st[3], st[2]))
    return c


if mode in ("recv", "ralloc"):
    c = run_recv(mode == "ralloc")
else:
    gc.collect()
    m2 = gc.mem_alloc()
    c = client()
    c.connect()
    drive_until(c, lambda: c.state == "connected")
    gc.collect()
    m3 = gc.mem_alloc()
    if mode == "qos0":
        t0 = us()
        run_qos0(c, topic, n)
        c.publish(topic, payload, qos=1, on_publish=on_ack)  # acked after all the QoS 0 ones
        drive_until(c, lambda: st[0])
        res.update(n=n, us=diff(us(), t0))
    elif mode == "qos1one":
        run_qos1one(c)
    elif mode == "qos1":
        run_qos1(c)
    elif mode == "heap":
        res.update(imported=m1 - m0, connect=m3 - m2, total=m3 - m0,
                   modules=sorted(k for k in sys.modules if k.startswith("chumicro")))
    elif mode == "alloc":
        tb = "bench/chu/alloc"
        run_qos0(c, tb, 100)  # warm up to steady state
        gc.collect()
        gc.disable()  # nothing is freed behind our back: the delta is all allocation
        a = gc.mem_alloc()
        run_qos0(c, tb, n)
        res["per_publish"] = (gc.mem_alloc() - a) / n
        gc.enable()
    else:
        raise SystemExit("unknown mode " + mode)
c.disconnect()
print(json.dumps(res))
