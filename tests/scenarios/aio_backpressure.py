# mqtt.aio: a consumer whose messages() queue (queue_len 4) is full stops
# reading (TCP pushes back on the broker): 200 QoS 1 messages published
# while it does not consume all arrive, in order, once it does; its queue
# never holds more than 4. env: MQTT_URL
import asyncio
import mqtt
import mqtt.aio
from scenario import url, check, fail

N = 200


async def main():
    a = await mqtt.aio.connect(url(), {"clientId": "s-aio-bp", "keepalive": 2}, queue_len=4)
    await a.subscribe("aiobp/t", {"qos": 1})
    b = await mqtt.aio.connect(url(), {"clientId": "s-aio-bpp"})
    for i in range(N):
        await b.publish("aiobp/t", b"%03d" % i, {"qos": 1})
    await asyncio.sleep(3.5)  # not consuming, longer than 1.5 x keepalive: no false timeout
    paused = not a.client.reading
    most = len(a._queue)
    got = []

    async def consume():
        async for topic, payload, packet in a.messages():
            got.append(payload)
            check(len(a._queue) <= 4, "queue holds %d" % len(a._queue))
            if len(got) == N:
                return

    try:
        await asyncio.wait_for(consume(), 10)
    except asyncio.TimeoutError:
        fail("%d of %d messages" % (len(got), N))
    print("paused while full: %s, queue at most %d, %d in order: %s, still connected: %s" % (
        paused, most, len(got), got == [b"%03d" % i for i in range(N)], a.connected))
    check(paused and most == 4 and got == [b"%03d" % i for i in range(N)] and a.connected, "back-pressure")
    await a.end()
    await b.end()


asyncio.run(main())
print("OK")
