# Under mqtt.aio, a link of the program's own whose watchers an asyncio task
# calls (the loop of an asyncio program): down at first, so the client waits
# with nothing due for a minute; the task says up, and the client must
# connect at once, not when the driver next wakes up by itself.
# env: MQTT_URL
import asyncio
import mqtt
import mqtt.aio
from mqtt.compat import ticks_ms, ticks_diff
from scenario import url, check, fail

sleep_ms = getattr(asyncio, "sleep_ms", None) or (lambda ms: asyncio.sleep(ms / 1000))


class TaskLink:  # up(), watch(fn): what options link asks of a link
    def __init__(self):
        self.on = False
        self.fns = []

    def up(self):
        return self.on

    def watch(self, fn):
        self.fns.append(fn)


async def flip(link, marks):
    await sleep_ms(500)
    link.on = True
    marks["up"] = ticks_ms()
    for f in link.fns:
        f(True)


async def main():
    link = TaskLink()
    marks = {}
    asyncio.create_task(flip(link, marks))
    try:
        a = await mqtt.aio.connect(url(), {"clientId": "s-link-task", "connectTimeout": 5000, "link": link})
    except mqtt.MQTTError as e:
        fail("not connected: %s" % e)
    ms = ticks_diff(ticks_ms(), marks["up"])
    print("connected within 100 ms of the task saying up: %s" % (ms < 100))
    print("(%d ms)" % ms)
    check(ms < 100, "%d ms" % ms)
    await a.end()


asyncio.run(main())
print("OK")
