# mqtt_as's event interface over mqtt.aio: QoS 0/1/2 round trips through the
# client's own subscription, retained messages, unsubscribe, broker_up(),
# wan_ok() against a local UDP responder, disconnect().
import asyncio
from mqtt_as import MQTTClient
from scenario import check, env
from mqttas_common import conf, within

got = []


async def reader(c):
    async for m in c.queue:
        got.append(m)
    got.append("end")


async def main():
    c = MQTTClient(conf(client_id="s-mqttas-qos", queue_len=4))
    check(not c.isconnected(), "connected before connect()")
    await within(c.connect(), 5, "connect")
    check(c.isconnected(), "not connected after connect()")
    await within(c.up.wait(), 1, "the up event")
    c.up.clear()
    asyncio.create_task(reader(c))
    await within(c.subscribe("as/q/#", 2), 5, "SUBACK")
    for q in (0, 1, 2):
        await within(c.publish("as/q/%d" % q, "qos %d" % q, qos=q), 5, "publish qos %d" % q)
    await within(c.publish(b"as/q/bytes", b"\x00\xff", qos=1), 5, "publish bytes")
    await within(c.publish(bytearray(b"as/q/ba"), bytearray(b"ba"), qos=1), 5, "publish bytearray")
    for _ in range(250):
        if len(got) >= 5:
            break
        await asyncio.sleep(0.02)
    print("round trips:", got)
    check(got == [(b"as/q/0", b"qos 0", False), (b"as/q/1", b"qos 1", False), (b"as/q/2", b"qos 2", False),
                  (b"as/q/bytes", b"\x00\xff", False), (b"as/q/ba", b"ba", False)], "round trips %r" % got)
    # retained: the broker keeps it and hands it over to a new subscription, marked retained
    await within(c.publish("as/r", "kept", retain=True, qos=1), 5, "retained publish")
    await within(c.subscribe(b"as/r", 1), 5, "SUBACK for as/r")
    for _ in range(250):
        if len(got) >= 6:
            break
        await asyncio.sleep(0.02)
    print("retained:", got[5:])
    check(got[5:] == [(b"as/r", b"kept", True)], "retained %r" % got[5:])
    await within(c.unsubscribe("as/q/#"), 5, "UNSUBACK")
    await within(c.unsubscribe(b"as/r"), 5, "UNSUBACK")
    await within(c.publish("as/r", "", retain=True, qos=1), 5, "clearing the retained message")
    await within(c.publish("as/q/0", "after unsubscribe", qos=1), 5, "publish")
    await asyncio.sleep(0.3)
    check(len(got) == 6, "a message after unsubscribe: %r" % got[6:])
    print("broker_up:", await within(c.broker_up(), 12, "broker_up"))
    # wan_ok(): a DNS question answered by the test's UDP responder on this
    # machine (UDP_PORT), then one that nothing answers (DEAD_UDP_PORT)
    MQTTClient.DNS = ("127.0.0.1", int(env("UDP_PORT")))
    print("wan_ok:", await within(c.wan_ok(), 5, "wan_ok"))
    MQTTClient.DNS = ("127.0.0.1", int(env("DEAD_UDP_PORT")))
    print("wan_ok, no answer:", await within(c.wan_ok(), 5, "wan_ok"))
    await within(c.disconnect(), 5, "disconnect")
    check(not c.isconnected(), "connected after disconnect()")
    await asyncio.sleep(0.1)
    print("after disconnect:", got[-1])
    print("down after disconnect:", c.down.is_set())


asyncio.run(main())
print("OK")
