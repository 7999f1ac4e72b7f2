# This package (lib/mqtt) under MicroPython, through its public API only.
# Usage: micropython -m mp_ours MODE PORT N SIZE WINDOW MS
#   qos0     N QoS 0 publishes (c.loop(0) once per queueSize = 32 of them),
#            then one QoS 1 publish, timed until its PUBACK (broker-confirmed)
#   qos0w    the same, timed until the last is written (the client's own cost:
#            the socket takes all of them, the broker confirms later)
#   qos1one  QoS 1, one at a time: publish, mqtt.run() until its callback
#            (stops after N or MS milliseconds)
#   qos1 qos2  pipelined: at most WINDOW unacknowledged (maxInflight WINDOW)
#   recv     persistent session (clean=False, QoS 1 subscription), ended;
#            READY; the harness queues the burst at the broker and sends GO;
#            a new connection then receives it, timed first to last message
#   ralloc   as recv, with the GC disabled: bytes allocated per message
#   heap     gc.mem_alloc() around `import mqtt` and around connect
#   alloc    bytes allocated per QoS 0 publish (GC disabled)
#   flat     QoS 1 round trips through its own subscription: heap after 1,000
#            and after N messages
#   held     heap a connected client holds (gc.mem_alloc() after gc.collect())
#            after subscribing and N QoS 1 round trips through its own
#            subscription, over what it was with the transport's module imported
# env BENCH_SCHEME: mqtt (the default) or ws: PORT is the broker's WebSocket listener.
# Prints one JSON line.
import sys
import gc
import os
import time
import json

mode, port, n, size, win, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
gc.collect()
m0 = gc.mem_alloc()
import mqtt

gc.collect()
m1 = gc.mem_alloc()
us = time.ticks_us
diff = time.ticks_diff
tag = "%d" % us()
url = "%s://127.0.0.1:%d" % (os.getenv("BENCH_SCHEME") or "mqtt", port)
topic = "bench/ours/" + tag
payload = bytes(size)
st = [0, 0, 0, 0]  # acks, messages, first message us, last message us
res = {"mode": mode}


def on_ack(err, *g):
    if err:
        raise SystemExit("ours %s: request failed: %r" % (mode, err))
    st[0] += 1


def on_msg(t, p, pk):
    st[1] += 1
    if st[1] == 1:
        st[2] = us()
    st[3] = us()


def spin(cond, ms=30000):
    if not mqtt.run(until=cond, timeout_ms=ms):
        raise SystemExit("ours %s: timed out" % mode)


def end(c):
    ended = []
    c.end(False, lambda: ended.append(1))
    spin(lambda: ended, 5000)


def client(**o):
    o["clientId"] = o.get("clientId") or "ours" + tag
    if mode in ("qos1", "qos2", "flat"):
        o["maxInflight"] = win
    return mqtt.connect(url, o)


def on_error(e):
    print("ours error:", repr(e))


def run_qos0(c, written):
    pub = c.publish
    loop = c.loop
    q0 = {"qos": 0}
    t0 = us()
    for i in range(n):
        pub(topic, payload, q0)
        if i & 31 == 31:
            loop(0)
    while c.drain():  # (the last ones out)
        pass
    t1 = us()
    c.publish(topic, payload, {"qos": 1}, on_ack)  # acked after all the QoS 0 ones
    spin(lambda: st[0])
    res.update(n=n, us=diff(t1 if written else us(), t0))


def run_qos1one(c):
    pub = c.publish
    run = mqtt.run
    o = {"qos": 1}
    done = lambda: st[0] == i  # noqa: E731
    t0 = us()
    i = 0
    while i < n:
        i += 1
        pub(topic, payload, o, on_ack)
        if not run(until=done, timeout_ms=10000):
            raise SystemExit("ours qos1one: no PUBACK")
        if not i & 15 and diff(us(), t0) > limit * 1000:
            break
    res.update(n=i, us=diff(us(), t0))


def run_window(c, q):
    pub = c.publish
    loop = c.loop
    o = {"qos": q}
    t0 = us()
    sent = 0
    while sent < n:
        if sent - st[0] < win:
            pub(topic, payload, o, on_ack)
            sent += 1
        else:
            loop(5)
    spin(lambda: st[0] >= n)
    res.update(n=n, us=diff(us(), t0))


def run_recv(alloc):
    cid = "oursr" + tag
    c = client(clientId=cid, clean=False)
    c.on("error", on_error)
    c.subscribe(topic, {"qos": 1}, on_ack)
    spin(lambda: st[0])
    end(c)
    print("READY", topic)
    sys.stdin.readline()  # GO: the burst is queued at the broker for this session
    c = client(clientId=cid, clean=False)
    c.on("error", on_error)
    c.on("message", on_msg)
    loop = c.loop
    if alloc:  # warm up on the first 100, then count the rest with the GC off
        while st[1] < 100:
            loop(100)
        gc.collect()
        gc.disable()
        k = st[1]
        a = gc.mem_alloc()
    last = time.ticks_ms()
    seen = 0
    while st[1] < n:
        loop(100)
        if st[1] != seen:
            seen = st[1]
            last = time.ticks_ms()
        elif diff(time.ticks_ms(), last) > 5000:
            break
    if alloc:
        res["per_message"] = (gc.mem_alloc() - a) / max(1, st[1] - k)
        gc.enable()
        res["floor"] = floor()
    res.update(n=st[1], us=diff(st[3], st[2]))
    return c


def floor():
    # What a handler must be given per message: the topic as str and the
    # payload as bytes, made from a receive buffer (the least any client allocates)
    tb = bytearray(topic.encode())
    pb = bytearray(size)
    gc.collect()
    gc.disable()
    a = gc.mem_alloc()
    for _ in range(100):
        str(tb, "utf-8")
        bytes(pb)
    r = (gc.mem_alloc() - a) / 100
    gc.enable()
    return r


def run_flat(c):
    c.subscribe(topic, {"qos": 1}, on_ack)
    spin(lambda: st[0])
    st[0] = 0
    pub = c.publish
    loop = c.loop
    o = {"qos": 1}
    sent = 0
    mark = 1000
    while st[1] < n:
        if sent < n and sent - st[0] < win:
            pub(topic, payload, o, on_ack)
            sent += 1
        else:
            loop(5)
        if st[1] >= mark:
            gc.collect()
            res["heap_%d" % mark] = gc.mem_alloc()
            mark = n if mark < n else n + 1
    res.update(n=st[1], sent=sent, acked=st[0])


def run_held():
    # the transport's module first (ws.py for ws://), as a frozen one would
    # cost nothing to import: what a connection holds, not the code
    gc.collect()
    a = gc.mem_alloc()
    if url[:2] == "ws":
        import mqtt.ws  # noqa: F401
    gc.collect()
    b = gc.mem_alloc()
    c = client()
    c.on("error", on_error)
    c.on("message", on_msg)
    spin(lambda: c.connected, 10000)
    c.subscribe(topic, {"qos": 1}, on_ack)
    spin(lambda: st[0])
    o = {"qos": 1}
    for i in range(n):
        c.publish(topic, payload, o, on_ack)
        spin(lambda: st[0] > i + 1 and st[1] > i)
    gc.collect()
    res.update(held=gc.mem_alloc() - b, transport_imported=b - a)
    return c


if mode in ("recv", "ralloc"):
    c = run_recv(mode == "ralloc")
elif mode == "held":
    c = run_held()
else:
    gc.collect()
    m2 = gc.mem_alloc()
    c = client()
    spin(lambda: c.connected, 10000)
    gc.collect()
    m3 = gc.mem_alloc()
    c.on("error", on_error)
    c.on("message", on_msg)
    if mode in ("qos0", "qos0w"):
        run_qos0(c, mode == "qos0w")
    elif mode == "qos1one":
        run_qos1one(c)
    elif mode in ("qos1", "qos2"):
        run_window(c, int(mode[-1]))
    elif mode == "heap":
        res.update(imported=m1 - m0, connect=m3 - m2, total=m3 - m0,
                   modules=sorted(k for k in sys.modules if k == "mqtt" or k.startswith("mqtt.")),
                   file=getattr(mqtt, "__file__", ""))
    elif mode == "alloc":
        tb = b"bench/ours/alloc"
        q0 = {"qos": 0}
        pub = c.publish
        loop = c.loop
        for i in range(256):  # warm up to steady state
            pub(tb, payload, q0)
            if i & 31 == 31:
                loop(0)
        gc.collect()
        gc.disable()  # nothing is freed behind our back: the delta is all allocation
        a = gc.mem_alloc()
        for i in range(n):
            pub(tb, payload, q0)
            if i & 31 == 31:
                loop(0)
        res["per_publish"] = (gc.mem_alloc() - a) / n
        gc.enable()
    elif mode == "flat":
        run_flat(c)
    else:
        raise SystemExit("unknown mode " + mode)
end(c)
print(json.dumps(res))
