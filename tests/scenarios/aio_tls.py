# mqtt.aio over mqtts:// (the test CA): the watcher waits on the TLS
# socket's readiness; 50 QoS 1 round trips through its own subscription
# arrive in order. env: MQTT_URL, CA_FILE
import asyncio
import mqtt.aio
from scenario import env, url, check, fail


async def main():
    ca = open(env("CA_FILE")).read()
    c = await mqtt.aio.connect(url(), {"clientId": "s-aio-tls", "ca": ca})
    await c.subscribe("aiotls/t", {"qos": 1})
    got = []
    for i in range(50):
        await c.publish("aiotls/t", b"%02d" % i, {"qos": 1})
        try:
            m = await asyncio.wait_for(c.__anext__(), 5)
        except asyncio.TimeoutError:
            fail("message %d did not come back" % i)
        got.append(m[1])
    print("over TLS: 50 round trips in order: %s" % (got == [b"%02d" % i for i in range(50)]))
    check(got == [b"%02d" % i for i in range(50)], "messages %r" % (got,))
    await c.end()


asyncio.run(main())
print("OK")
