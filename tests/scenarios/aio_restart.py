# mqtt.aio across a broker restart: a QoS 1 publish awaited every 100 ms
# while the test kills the broker after READY-FOR-RESTART and starts it
# again ~1 s later. Each publish is either acknowledged once or raises once
# (here all are acknowledged: the client resends them after the reconnect).
# env: MQTT_URL
import asyncio
import mqtt
import mqtt.aio
from scenario import url, check, fail

N = 30


async def main():
    a = await mqtt.aio.connect(url(), {"clientId": "s-aio-r", "reconnectPeriod": 200, "keepalive": 5})
    ups = []
    a.on("connect", lambda ck: ups.append(1))
    outcome = []

    async def pub(i):
        try:
            await a.publish("aior/t", b"%d" % i, {"qos": 1})
            outcome.append(("ok", i))
        except mqtt.MQTTError as e:
            outcome.append(("err", i, str(e)))

    tasks = []
    for i in range(N):
        tasks.append(asyncio.create_task(pub(i)))
        if i == 5:
            print("READY-FOR-RESTART")
        await asyncio.sleep(0.1)
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), 20)
    except asyncio.TimeoutError:
        fail("publishes still awaited after 20 s: %d of %d done" % (len(outcome), N))
    ids = sorted(o[1] for o in outcome)
    print("outcomes: %d, each once: %s, acknowledged: %d, reconnected: %s" % (
        len(outcome), ids == list(range(N)), len([o for o in outcome if o[0] == "ok"]), len(ups) >= 1))
    check(ids == list(range(N)), "outcomes %r" % (outcome,))
    check(all(o[0] == "ok" for o in outcome), "errors %r" % ([o for o in outcome if o[0] != "ok"],))
    check(ups, "no reconnect")
    await a.end()


asyncio.run(main())
print("OK")
