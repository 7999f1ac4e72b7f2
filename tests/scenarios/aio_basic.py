# mqtt.aio against a real broker: two clients and an mqtt.setInterval timer
# on one event loop; QoS 0/1/2 publishes awaited one after another arrive in
# order through messages(); subscribe returns the granted list, unsubscribe
# stops them; a refused request raises MQTTError; end() ends. env: MQTT_URL
import asyncio
import mqtt
import mqtt.aio
from scenario import url, check, fail


async def within(aw, ms, what):
    try:
        return await asyncio.wait_for(aw, ms / 1000)
    except asyncio.TimeoutError:
        fail("timed out after %d ms waiting for %s" % (ms, what))


async def main():
    try:
        await mqtt.aio.connect(url(), {"clientId": "s-aio-bad"}, queue_len=-1)
        fail("queue_len -1 taken")
    except ValueError as e:
        print("bad queue_len: %s" % e)
    a = await mqtt.aio.connect(url(), {"clientId": "s-aio-a", "keepalive": 5})
    b = await mqtt.aio.connect(url(), {"clientId": "s-aio-b"})
    check(a.connected and b.connected, "not connected")
    closes = []
    a.on("close", lambda: closes.append(1))
    g = await a.subscribe("aio/t/#", {"qos": 2})
    print("granted %r" % (g,))
    check(g == [{"topic": "aio/t/#", "qos": 2}], "granted %r" % (g,))
    ticks = []
    h = mqtt.setInterval(lambda: ticks.append(1), 50)
    for i in range(30):
        await b.publish("aio/t/%d" % (i % 3), b"m%02d" % i, {"qos": i % 3})
    got = []

    async def consume():
        async for topic, payload, packet in a.messages():
            got.append((topic, payload, packet["qos"]))
            if len(got) == 30:
                return

    await within(consume(), 5000, "30 messages")
    await asyncio.sleep(0.3)
    mqtt.clearInterval(h)
    print("messages in order: %s, timer ran: %s" % (
        got == [("aio/t/%d" % (i % 3), b"m%02d" % i, i % 3) for i in range(30)], len(ticks) >= 3))
    check(got == [("aio/t/%d" % (i % 3), b"m%02d" % i, i % 3) for i in range(30)], "messages %r" % (got,))
    check(len(ticks) >= 3, "the timer ran %d times" % len(ticks))
    await a.unsubscribe("aio/t/#")
    await b.publish("aio/t/0", b"after", {"qos": 1})
    await asyncio.sleep(0.3)
    check(len(got) == 30 and not a._queue, "a message after unsubscribe")
    fired = []
    await asyncio.sleep(0.3)  # all quiet: the loop sleeps until its next deadline (seconds away)
    mqtt.setTimeout(lambda: fired.append(1), 50)
    await asyncio.sleep(0.4)
    print("a timer set while the loop slept fired: %s" % (fired == [1]))
    check(fired == [1], "a timer set while the loop slept did not fire")
    try:
        await a.publish("aio/#", b"x")
        fail("a wildcard topic was published")
    except mqtt.MQTTError as e:
        print("refused: %s" % e)
    await a.end()
    await b.end()
    print("ended: %s %s, closes %d" % (a.connected, b.connected, len(closes)))
    check(not a.connected and not b.connected and closes == [1], "end")


asyncio.run(main())
print("OK")
