# mqtt.aio over the network link (mqtt.link.WLAN on the stand-in network
# module of tests/standins: no board, no radio): as link_drop.py under
# asyncio. aio.connect() waits while the link is down (no attempt) and
# returns within 100 ms of the link coming up; a drop while a QoS 1 publish
# is in flight ends the connection at once, the awaited publish completes
# after the reconnect, the session's message arrives. Then a wrong password:
# aio.connect() gives up at connectTimeout and the link's error names it.
# env: MQTT_URL (tests/faultproxy.py), FAULT_PORT, BROKER_URL (direct)
import asyncio
import mqtt
import mqtt.aio
import mqtt.link
import network
from mqtt.compat import ticks_ms, ticks_diff
from scenario import env, url, fault, check, fail

sleep_ms = getattr(asyncio, "sleep_ms", None) or (lambda ms: asyncio.sleep(ms / 1000))


async def until(pred, ms, what):
    t0 = ticks_ms()
    while not pred():
        if ticks_diff(ticks_ms(), t0) > ms:
            fail("timed out after %d ms waiting for %s" % (ms, what))
        await sleep_ms(5)


async def main():
    network.ap(on=False)
    wlan = mqtt.link.WLAN("home", "secret", timeout_ms=3000, stable_ms=300)
    errs = []
    wlan.onerror = errs.append
    marks = {}
    wlan.watch(lambda up: marks.__setitem__("up" if up else "down", ticks_ms()))
    got = []
    obs = await mqtt.aio.connect(env("BROKER_URL"), {"clientId": "s-linkaio-obs"})
    obs.on("message", lambda t, m, p: got.append(m))
    await obs.subscribe("lk/out", {"qos": 1})
    task = asyncio.create_task(mqtt.aio.connect(url(), {
        "clientId": "s-link-aio", "clean": False, "keepalive": 10, "reconnectPeriod": 300, "connectTimeout": 20000,
        "link": wlan}))
    await sleep_ms(1500)
    n = fault("count")
    print("attempts while down: %s, connect() waiting: %s" % (n[3:], not task.done()))
    check(n == "ok 0" and not task.done(), "aio.connect while the link is down")
    check(errs and errs[0].code == "STAT_NO_AP_FOUND", "link errors %r" % (errs,))
    network.ap(on=True)
    a = await task
    ms = ticks_diff(ticks_ms(), marks["up"])
    print("connected within 100 ms of the link coming up: %s" % (ms < 100))
    print("(link up -> aio.connect returned: %d ms)" % ms)
    check(ms < 100, "%d ms" % ms)
    await a.publish("lk/out", "first", {"qos": 1})

    closes = []
    mine = []
    a.on("close", lambda: closes.append(ticks_ms()))
    a.on("error", lambda e: marks.__setitem__("error", e))
    a.on("message", lambda t, m, p: mine.append(m))
    await a.subscribe("lk/in", {"qos": 1})
    fault("stall")
    pub = asyncio.create_task(a.publish("lk/out", "inflight", {"qos": 1}))
    await sleep_ms(50)
    t0 = ticks_ms()
    network.ap(on=False)
    await until(lambda: closes, 3000, "the connection to end")
    ms = ticks_diff(closes[0], t0)
    print("ended within 1.5 s of the drop (keepalive 10 s): %s" % (ms < 1500))
    print("(drop -> closed: %d ms; error: %s)" % (ms, marks.get("error")))
    check(ms < 1500 and not pub.done(), "ended after %d ms" % ms)
    await obs.publish("lk/in", "meanwhile", {"qos": 1})
    await sleep_ms(700)
    n = fault("count")
    check(n == "ok 1" and not a.connected, "attempts while down: %s" % n)
    fault("pass")
    network.ap(on=True)
    await until(lambda: pub.done() and len(got) == 2 and mine, 10000, "the in-flight publish and the session's message")
    await sleep_ms(300)
    print("after the drop: observer %r, client %r, publish awaited: %r" % (got, mine, await pub))
    check(got == [b"first", b"inflight"] and mine == [b"meanwhile"], "lost or doubled")
    n = fault("count")
    print("connections %s" % n[3:])
    check(n == "ok 2", "connections %s" % n)
    await a.end()
    wlan.close()

    # a wrong password: connect() gives up at connectTimeout, the link's error says why
    wrong = mqtt.link.WLAN("home", "oops", stable_ms=300)
    t0 = ticks_ms()
    try:
        await mqtt.aio.connect(url(), {"clientId": "s-link-aio2", "connectTimeout": 2000, "link": wrong})
        fail("connected with a wrong password")
    except mqtt.MQTTError as e:
        ms = ticks_diff(ticks_ms(), t0)
        print("wrong password: %s" % e)
        print("link: %s" % wrong.error)
        check(1900 < ms < 2600, "gave up after %d ms" % ms)
    n = fault("count")
    check(n == "ok 2", "attempts with the wrong password: %s" % n)
    wrong.close()
    await obs.end()
    await until(lambda: not mqtt.client.busy(), 5000, "the end")


asyncio.run(main())
print("OK")
