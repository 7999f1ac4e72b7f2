# chumicro-mqtt under MicroPython, driven the runner way: handle(now) per tick.
# Usage: micropython -m mp_chumicro MODE PORT N [WINDOW]
#   MODE: qos0 qos1 recv | heap alloc (memory figures; minimum heap: mp_chumicro_min)
# Library knobs stay at their defaults (rx_buffer_size 256, max_tx_queue_size 20).
import sys
import gc
import time
import json

mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
win = int(sys.argv[4]) if len(sys.argv) > 4 else 32
gc.collect()
m_import0 = gc.mem_alloc()
from chumicro_mqtt import MQTTClient, MQTTBackpressureError
from chumicro_sockets.sockets_factory import fixed_connector_factory
from chumicro_timing import ticks_ms
import chumicro_sockets._adapters.mp  # noqa: F401  (lazily imported on connect: count it as code, not client state)

gc.collect()
m_import = gc.mem_alloc()
us = time.ticks_us
topic = "bench/chu/%d" % us()
payload = bytes(64)
st = {"acked": 0, "got": 0, "t0": 0, "t1": 0}


def on_ack(t, p):
    st["acked"] += 1


def on_msg(t, p):
    st["got"] += 1
    if st["got"] == 1:
        st["t0"] = us()
    st["t1"] = us()


def spin(c, cond, ms=30000):
    t = time.ticks_ms()
    while not cond():
        if c.state == "failed" or time.ticks_diff(time.ticks_ms(), t) > ms:
            raise SystemExit("chumicro %s: state %s, %r" % (mode, c.state, c.last_error))
        c.handle(ticks_ms())


def publish(c, topic, payload, qos, cb=None):
    while True:
        try:
            return c.publish(topic, payload, qos=qos, on_publish=cb)
        except MQTTBackpressureError:
            c.handle(ticks_ms())


gc.collect()
m_pre = gc.mem_alloc()  # held heap: after connect minus before it (as for ours)
c = MQTTClient(transport_factory=fixed_connector_factory("127.0.0.1", port),
               client_id="chu%d" % us())
c.on_message = on_msg
if mode == "recv":
    c.subscribe(topic, 0, on_subscribe=on_ack)
c.connect()
spin(c, lambda: c.state == "connected" and (mode != "recv" or st["acked"]))
gc.collect()
m_held = gc.mem_alloc() - m_pre
st["acked"] = 0
res = {"mode": mode}

if mode == "qos0":
    t0 = us()
    for _ in range(n):
        publish(c, topic, payload, 0)
        c.handle(ticks_ms())
    publish(c, topic, payload, 1, on_ack)  # confirmation: acked after all QoS 0
    spin(c, lambda: st["acked"])
    res.update(n=n, us=time.ticks_diff(us(), t0))
elif mode == "qos1":
    t0 = us()
    sent = 0
    while sent < n:
        if sent - st["acked"] < win:
            publish(c, topic, payload, 1, on_ack)
            sent += 1
        c.handle(ticks_ms())
    spin(c, lambda: st["acked"] >= n)
    res.update(n=n, us=time.ticks_diff(us(), t0))
elif mode == "recv":
    print("READY", topic)
    last = time.ticks_ms()
    seen = 0
    while st["got"] < n:
        c.handle(ticks_ms())
        if st["got"] != seen:
            seen, last = st["got"], time.ticks_ms()
        elif time.ticks_diff(time.ticks_ms(), last) > 5000 or c.state == "failed":
            break
    res.update(n=st["got"], us=time.ticks_diff(st["t1"], st["t0"]))
elif mode == "heap":
    res["held"] = m_held
    res["imported"] = m_import - m_import0
    res["modules"] = sorted(k for k in sys.modules if k.startswith("chumicro"))
elif mode == "alloc":
    tb = b"bench/chu/alloc"
    for _ in range(100):  # warm up to steady state
        publish(c, tb, payload, 0)
        c.handle(ticks_ms())
    gc.collect()
    gc.disable()  # nothing is freed behind our back: the delta is all allocation
    a = gc.mem_alloc()
    for _ in range(n):
        publish(c, tb, payload, 0)
        c.handle(ticks_ms())
    res["per_publish"] = (gc.mem_alloc() - a) / n
    gc.enable()
c.disconnect()
print(json.dumps(res))
