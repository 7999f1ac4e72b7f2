# Across a broker restart (the test kills mosquitto after READY-FOR-RESTART and
# starts it again on the same port): the event interface's down and up
# events, the callback interface's wifi_coro(False)/(True) and connect_coro;
# a QoS 1 publish made while the broker is down waits, then is delivered
# (both clients subscribe again in their up/connect handlers, as mqtt_as's
# samples do).
import asyncio
from mqtt_as import MQTTClient
from scenario import check
from mqttas_common import conf, within, until

ev = []  # what happened to the event interface's client, in order
cbs = []  # and to the callback interface's
got = []


def cb(topic, msg, retained):
    got.append(("cb", topic, msg))


async def wifi(state):
    cbs.append("wifi %s" % state)


async def conn(client):
    cbs.append("connect_coro")
    await client.subscribe("as/rs/#", 1)


async def messages(c):
    async for topic, msg, retained in c.queue:
        got.append(("queue", topic, msg))


async def up(c):
    while True:
        await c.up.wait()
        c.up.clear()
        ev.append("up")
        await c.subscribe("as/rs/#", 1)


async def down(c):
    while True:
        await c.down.wait()
        c.down.clear()
        ev.append("down")


async def main():
    a = MQTTClient(conf(client_id="s-mqttas-ev", queue_len=2, keepalive=10))
    b = MQTTClient(conf(client_id="s-mqttas-cb", subs_cb=cb, wifi_coro=wifi, connect_coro=conn, keepalive=10))
    await within(a.connect(), 5, "connect (events)")
    await within(b.connect(), 5, "connect (callbacks)")
    for f in (up, down, messages):
        asyncio.create_task(f(a))
    await until(lambda: ev.count("up") == 1 and cbs.count("connect_coro") == 1, 5, "up and connect_coro")
    await asyncio.sleep(0.2)  # (their SUBACKs)
    await within(a.publish("as/rs/a", "before", qos=1), 5, "publish before")
    await until(lambda: len(got) == 2, 5, "the messages before the restart")
    print("READY-FOR-RESTART")
    await until(lambda: "down" in ev and "wifi False" in cbs, 10, "down and wifi_coro(False)")
    print("during the outage: isconnected %s %s" % (a.isconnected(), b.isconnected()))
    t = asyncio.create_task(a.publish("as/rs/a", "during", qos=1))
    await asyncio.sleep(0.05)
    print("publish waits while down:", not t.done())
    await within(t, 20, "the publish made during the outage")
    print("after the publish:", a.isconnected(), ev.count("up"))
    check(a.isconnected(), "the publish returned while not connected")
    # (its own subscription was renewed before its queue went out; the other
    # client's may come later: the next message is for both)
    await until(lambda: ("queue", b"as/rs/a", b"during") in got, 10, "the message published during the outage")
    await until(lambda: cbs.count("connect_coro") == 2, 5, "connect_coro again")
    await asyncio.sleep(0.2)  # (its SUBACK)
    await within(b.publish("as/rs/b", "after", qos=1), 5, "publish after")
    await until(lambda: len([m for m in got if m[2] == b"after"]) == 2, 10, "the message after the restart")
    got.remove(("cb", b"as/rs/a", b"during")) if ("cb", b"as/rs/a", b"during") in got else None
    print("events:", ev)
    print("callbacks:", cbs)
    print("messages:", sorted(got))
    a.close()
    b.close()


asyncio.run(main())
print("OK")
