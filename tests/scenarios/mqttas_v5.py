# mqtt_as's MQTT 5 (mqttv5): connect properties, publish and subscribe
# properties by identifier, incoming properties by identifier (None without),
# the event interface's 4-tuples and the callback interface's 4 arguments.
import asyncio
from mqtt_as import MQTTClient
from scenario import check
from mqttas_common import conf, within, until

got = []


async def reader(c):
    async for m in c.queue:
        got.append(("queue",) + m)


async def main():
    a = MQTTClient(conf(client_id="s-mqttas-v5", mqttv5=True, mqttv5_con_props={0x11: 60, 0x22: 5}, queue_len=4))
    b = MQTTClient(conf(client_id="s-mqttas-v5cb", mqttv5=True, subs_cb=lambda *m: got.append(("cb",) + m)))
    await within(a.connect(), 5, "connect")
    await within(b.connect(), 5, "connect")
    asyncio.create_task(reader(a))
    await within(a.subscribe("as/v5/#", 1, {0x0B: 7}), 5, "SUBACK")
    await within(b.subscribe("as/v5/#", 1), 5, "SUBACK")
    props = {0x03: "text/plain", 0x26: {"k": "v"}, 0x09: b"cd", 0x08: "as/v5/reply", 0x01: 1}
    await within(a.publish("as/v5/p", "with", qos=1, properties=props), 5, "publish with properties")
    await within(b.publish("as/v5/n", "without", qos=1), 5, "publish without")
    await until(lambda: len(got) == 4, 5, "the messages")
    for m in sorted(got, key=lambda m: (m[0], m[1])):
        p = m[4]
        print(m[:4], None if p is None else sorted(p.items()))
    try:
        await a.publish("as/v5/p", "x", properties={0x7F: 1})
    except ValueError as e:
        print("unknown identifier:", e)
    await within(a.disconnect(), 5, "disconnect")
    await within(b.disconnect(), 5, "disconnect")


asyncio.run(main())
print("OK")
