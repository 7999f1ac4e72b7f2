# On the emulated board (make test-mcu: qemu mps2-an385, UART1 wired to a
# private mosquitto): the client over the board's UART through the stream
# transport. The UART is the CMSDK APB UART at 0x40005000 driven through
# machine.mem32 (the port has no machine.UART): a plain Python stream, read at
# every step of the loop. Connect, subscribe, QoS 0/1/2 round trips in order,
# keepalive pings, a link that goes silent found within 1.5 x keepalive and
# a reconnect, the HaaS createClient and umqtt.simple faces, and the heap
# (gc.mem_alloc()) after import, connect and 100 QoS 1 round trips.
import gc

gc.collect()
H0 = gc.mem_alloc()
import mqtt  # noqa: E402

gc.collect()
H1 = gc.mem_alloc()
import time  # noqa: E402
from machine import mem32  # noqa: E402


def check(c, msg):
    if not c:
        print("FAIL: " + msg)
        raise SystemExit(1)


from cmsdk_uart import CmsdkUart  # noqa: E402  (pyboard.py runs one file: test_mcu.py puts cmsdk_uart.py here)


uart = CmsdkUart()
opened = [0]


def link():  # the stream, at each attempt: the same UART, what it holds dropped
    opened[0] += 1
    uart.dead = False
    uart.drain()
    return uart


def wait(pred, ms, what):
    mqtt.run(until=pred, timeout_ms=ms)
    check(pred(), "timed out after %d ms waiting for %s" % (ms, what))


FACE = globals().get("FACE", "mqtt")
if FACE == "mqtt":
    ev = {}
    errs = []
    c = mqtt.connect(stream=link, clientId="mcu", keepalive=2, reconnectPeriod=500, connectTimeout=3000)
    for e in ("connect", "close", "offline"):
        c.on(e, (lambda e: lambda *a: ev.__setitem__(e, ev.get(e, 0) + 1))(e))
    c.on("error", errs.append)
    got = []
    c.on("message", lambda t, m, p: got.append((t, bytes(m), p["qos"])))
    wait(lambda: c.connected, 5000, "CONNACK")
    gc.collect()
    H2 = gc.mem_alloc()
    print("connected over the UART")
    sub = []
    c.subscribe("mcu/#", {"qos": 2}, lambda err, g: sub.append(g))
    wait(lambda: sub, 5000, "SUBACK")
    acks = []
    for q in (0, 1, 2):
        for i in range(10):
            c.publish("mcu/q%d" % q, b"%d" % i, {"qos": q}, acks.append)
    wait(lambda: len(got) == 30 and len(acks) == 30, 20000, "round trips")
    for q in (0, 1, 2):
        mine = [m for t, m, qq in got if t == "mcu/q%d" % q and qq == q]
        check(mine == [b"%d" % i for i in range(10)], "qos %d: %r" % (q, mine))
    check(acks == [None] * 30, "acks %r" % acks)
    print("round trips: QoS 0/1/2 x 10 in order")
    t = time.ticks_ms()
    mqtt.run(until=lambda: False, timeout_ms=4500)  # keepalive 2 s: pings go out and come back
    check(c.connected and not ev.get("close"), "lost while idle")
    print("idle 4500 ms: connected, pinged %s" % c._pinged)
    n = [0]

    def step():
        n[0] += 1
        if n[0] < 100:
            c.publish("mcu/h", b"x" * 16, {"qos": 1}, lambda err: step())

    got.clear()
    step()
    wait(lambda: n[0] == 100 and len(got) == 99, 60000, "100 QoS 1 round trips")
    got.clear()
    gc.collect()
    H3 = gc.mem_alloc()
    print("heap: before import %d, import %d, connected %d, after 100 QoS 1 round trips %d (B above the import)"
          % (H0, H1 - H0, H2 - H1, H3 - H1))
    uart.dead = True
    t = time.ticks_ms()
    wait(lambda: ev.get("close"), 5000, "the silent link to be found")
    d = time.ticks_diff(time.ticks_ms(), t)
    check(d <= 3200, "silent link found after %d ms" % d)
    check("keepalive timeout" in str(errs[-1]), "error %s" % errs[-1])
    print("silent link found within 1.5 x keepalive: keepalive timeout")
    wait(lambda: ev.get("connect", 0) >= 2, 20000, "the reconnect")
    print("reconnected over the UART (%d attempts)" % opened[0])
    done = []
    c.end(False, lambda: done.append(1))
    wait(lambda: done, 5000, "end")
elif FACE == "haas":
    r = []
    got = []
    c = mqtt.createClient({"stream": link, "clientId": "mcu-haas", "keepalive_interval": 5, "reconnectPeriod": 500,
                           "connectTimeout": 3000, "success": lambda: r.append("success"), "fail": r.append})
    c.on("message", lambda t, m: got.append((t, bytes(m))))
    wait(lambda: r, 10000, "success")
    c.subscribe({"topic": "h/#", "qos": 1, "success": lambda: r.append("sub")})
    wait(lambda: "sub" in r, 5000, "subscribe")
    check(c.publish({"topic": "h/a", "message": "hi", "qos": 1}) == 0, "publish")
    wait(lambda: got, 5000, "the message")
    check(got == [("h/a", b"hi")], "got %r" % got)
    c.close()
    mqtt.run(until=lambda: False, timeout_ms=200)
    print("haas over the UART: success, subscribe, publish, message")
else:
    from umqtt.simple import MQTTClient

    got = []
    u = MQTTClient("mcu-umqtt", "uart", keepalive=5, stream=link)
    u.set_callback(lambda t, m: got.append((t, m)))
    u.connect()
    u.subscribe(b"u/#", qos=1)
    u.publish(b"u/a", b"hi", qos=1)
    if not got:
        u.wait_msg()
    check(got == [(b"u/a", b"hi")], "got %r" % got)
    u.disconnect()
    print("umqtt over the UART: connect, subscribe, publish, wait_msg")
print("OK")
