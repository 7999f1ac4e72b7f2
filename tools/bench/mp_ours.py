# This package (lib/mqtt, loaded as .mpy) under MicroPython.
# Usage: micropython -m mp_ours MODE PORT N [WINDOW]
#   MODE: qos0 qos1 qos2 recv | heap alloc (memory figures; minimum heap: mp_ours_min)
# QoS 0 bursts call c.loop(0) once per queueSize (32) publishes: at most that
# many may wait for the socket, so this is the least driving the API allows.
import sys
import gc
import time
import json

mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
win = int(sys.argv[4]) if len(sys.argv) > 4 else 32
gc.collect()
m0 = gc.mem_alloc()
import mqtt

gc.collect()
m_import = gc.mem_alloc()
us = time.ticks_us
topic = "bench/ours/%d" % us()
payload = bytes(64)
st = [0, 0, 0, 0]  # acks, messages, first message us, last message us


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
        raise SystemExit("ours %s: timed out (connected=%r)" % (mode, c.connected))


# held heap: after connect minus before it; the script's own objects (made
# after the import) don't count, nor the listeners, registered afterwards
gc.collect()
m_pre = gc.mem_alloc()
c = mqtt.connect("mqtt://127.0.0.1:%d" % port, clientId="ours%d" % us())
spin(lambda: c.connected, 10000)
gc.collect()
m_held = gc.mem_alloc() - m_pre
c.on("message", on_msg)
c.on("error", lambda e: print("ours error:", repr(e)))
if mode == "recv":
    c.subscribe(topic, {"qos": 0}, on_ack)
    spin(lambda: st[0])
    st[0] = 0
res = {"mode": mode}
Q0 = {"qos": 0}

if mode == "qos0":
    pub = c.publish
    t0 = us()
    for i in range(n):
        pub(topic, payload, Q0)
        if i & 31 == 31:
            c.loop(0)
    c.publish(topic, payload, {"qos": 1}, on_ack)  # confirmation: acked after all QoS 0
    spin(lambda: st[0])
    res.update(n=n, us=time.ticks_diff(us(), t0))
elif mode in ("qos1", "qos2"):
    o = {"qos": int(mode[-1])}
    t0 = us()
    sent = 0
    while sent < n:
        if sent - st[0] < win:
            c.publish(topic, payload, o, on_ack)
            sent += 1
        else:
            c.loop(5)
    spin(lambda: st[0] >= n)
    res.update(n=n, us=time.ticks_diff(us(), t0))
elif mode == "recv":
    print("READY", topic)
    last = time.ticks_ms()
    seen = 0
    while st[1] < n:
        c.loop(100)
        if st[1] != seen:
            seen, last = st[1], time.ticks_ms()
        elif time.ticks_diff(time.ticks_ms(), last) > 5000:
            break
    res.update(n=st[1], us=time.ticks_diff(st[3], st[2]))
elif mode == "heap":
    res["held"] = m_held
    res["imported"] = m_import - m0
elif mode == "alloc":
    tb = b"bench/ours/alloc"
    for i in range(256):  # warm up to steady state
        c.publish(tb, payload, Q0)
        if i & 31 == 31:
            c.loop(0)
    gc.collect()
    gc.disable()  # nothing is freed behind our back: the delta is all allocation
    a = gc.mem_alloc()
    for i in range(n):
        c.publish(tb, payload, Q0)
        if i & 31 == 31:
            c.loop(0)
    res["per_publish"] = (gc.mem_alloc() - a) / n
    gc.enable()
ended = []
c.end(False, lambda: ended.append(1))
spin(lambda: ended, 5000)
print(json.dumps(res))
