# This package's asyncio face (mqtt.aio) under MicroPython, public API only.
# Usage: micropython -m mp_aio MODE PORT N SIZE WINDOW MS
#   qos1one  QoS 1, one at a time: await publish (stops after N or MS ms)
#   qos1     pipelined: WINDOW tasks each awaiting its publishes in turn
#   recv     persistent session, as mp_ours: READY, GO, then a new
#            connection receives the burst through messages()
#   heap     gc.mem_alloc() around `import mqtt.aio` and around connect
#   work     heap after `import mqtt.aio`, connect, subscribe and N QoS 1
#            round trips through its own subscription; workrun: the same
#            with mqtt.run() (no mqtt.aio), for the difference
#   idle     connected, keepalive 60, idle for MS ms (the harness counts the
#            process's poll calls); idlerun: the same under mqtt.run();
#            idlereadme: mqtt.run(timeout_ms=0) then asyncio.sleep(0.01) in
#            a loop, the way programs mixed asyncio with this client before
# Prints one JSON line.
import sys
import gc
import time
import json

mode, port, n, size, win, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
import asyncio  # (an asyncio program has it either way: not counted)

gc.collect()
m0 = gc.mem_alloc()
import mqtt  # noqa: E402

if mode not in ("workrun", "idlerun", "idlereadme"):
    import mqtt.aio  # noqa: E402

gc.collect()
m1 = gc.mem_alloc()
us = time.ticks_us
diff = time.ticks_diff
tag = "%d" % us()
url = "mqtt://127.0.0.1:%d" % port
topic = "bench/aio/" + tag
payload = bytes(size)
res = {"mode": mode}


async def client(**o):
    o["clientId"] = o.get("clientId") or "aio" + tag
    return await mqtt.aio.connect(url, o)


async def qos1one(c):
    o = {"qos": 1}
    t0 = us()
    i = 0
    while i < n:
        await c.publish(topic, payload, o)
        i += 1
        if not i & 15 and diff(us(), t0) > limit * 1000:
            break
    res.update(n=i, us=diff(us(), t0))


async def window(c, q):
    o = {"qos": q}
    left = [n]

    async def worker():
        while left[0] > 0:
            left[0] -= 1
            await c.publish(topic, payload, o)

    t0 = us()
    await asyncio.gather(*[worker() for _ in range(win)])
    res.update(n=n, us=diff(us(), t0))


async def recv():
    cid = "aior" + tag
    c = await client(clientId=cid, clean=False)
    await c.subscribe(topic, {"qos": 1})
    await c.end()
    print("READY", topic)
    sys.stdin.readline()  # GO: the burst is queued at the broker for this session
    c = await client(clientId=cid, clean=False)
    k = 0
    t0 = t1 = 0
    async for _t, _p, _pk in c.messages():
        k += 1
        if k == 1:
            t0 = us()
        t1 = us()
        if k >= n:
            break
    res.update(n=k, us=diff(t1, t0))
    return c


async def work(c):
    await c.subscribe(topic, {"qos": 1})
    o = {"qos": 1}
    for i in range(n):
        await c.publish(topic, payload, o)
        async for _m in c.messages():
            break
    gc.collect()
    res["heap"] = gc.mem_alloc() - m0


def workrun():
    done = []
    c = mqtt.connect(url, {"clientId": "aiow" + tag})
    mqtt.run(until=lambda: c.connected, timeout_ms=10000)
    c.on("message", lambda t, p, pk: done.append(1))
    c.subscribe(topic, {"qos": 1}, lambda e, g: done.append(1))
    mqtt.run(until=lambda: done, timeout_ms=10000)
    o = {"qos": 1}
    for i in range(n):
        k = len(done)
        c.publish(topic, payload, o, lambda e: done.append(1))
        mqtt.run(until=lambda: len(done) >= k + 2, timeout_ms=10000)
    gc.collect()
    res["heap"] = gc.mem_alloc() - m0
    c.end()
    mqtt.run(timeout_ms=2000)


async def main():
    if mode == "recv":
        c = await recv()
    elif mode == "idlereadme":
        c = mqtt.connect(url, {"clientId": "aioi" + tag})
        t0 = time.ticks_ms()
        while diff(time.ticks_ms(), t0) < limit:
            mqtt.run(timeout_ms=0)
            await asyncio.sleep(0.01)
        c.end()
        mqtt.run(timeout_ms=2000)
        print(json.dumps(res))
        return
    else:
        gc.collect()
        m2 = gc.mem_alloc()
        c = await client(keepalive=60)
        gc.collect()
        m3 = gc.mem_alloc()
        if mode == "qos1one":
            await qos1one(c)
        elif mode in ("qos1", "qos2"):
            await window(c, int(mode[-1]))
        elif mode == "heap":
            res.update(imported=m1 - m0, connect=m3 - m2, total=m3 - m0)
        elif mode == "work":
            await work(c)
        elif mode == "idle":
            await asyncio.sleep(limit / 1000)
        else:
            raise SystemExit("unknown mode " + mode)
    await c.end()
    print(json.dumps(res))


if mode == "workrun":
    workrun()
    print(json.dumps(res))
elif mode == "idlerun":
    c = mqtt.connect(url, {"clientId": "aioi" + tag, "keepalive": 60})
    mqtt.run(until=lambda: False, timeout_ms=limit)
    c.end()
    mqtt.run(timeout_ms=2000)
    print(json.dumps(res))
else:
    asyncio.run(main())
