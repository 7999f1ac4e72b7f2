# The README's asyncio pattern: a task steps every client and timer while
# other tasks run; the client's callbacks arrive meanwhile.
import asyncio
import mqtt
from scenario import url, check

got = []
c = mqtt.connect(url(), clientId="s-asyncio")
c.on("connect", lambda ack: c.subscribe("as/t", {"qos": 1}, lambda err, g: c.publish("as/t", "hi", {"qos": 1})))
c.on("message", lambda t, m, p: got.append(m))
sleep_ms = getattr(asyncio, "sleep_ms", None) or (lambda ms: asyncio.sleep(ms / 1000))


async def mqtt_driver():
    while True:
        mqtt.run(timeout_ms=0)  # one non-blocking step of every client and timer
        await sleep_ms(10)


async def main():
    task = asyncio.create_task(mqtt_driver())
    ticks = 0
    while not got and ticks < 300:  # another task's work, 3 s at most
        ticks += 1
        await sleep_ms(10)
    print("received %r while another task ran %d times" % (got, ticks))
    check(got == [b"hi"], "messages %r" % (got,))
    c.end()
    await sleep_ms(300)
    task.cancel()
    check(not c.connected, "still connected after end")


asyncio.run(main())
print("OK")
