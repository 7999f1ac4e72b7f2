# Helpers for the mqtt_as scenarios: a config for the test broker (MQTT_URL),
# bounded waits under asyncio, on CPython and MicroPython alike.
import asyncio
from scenario import url, fail


def conf(**kw):
    from mqtt_as import config

    c = dict(config)
    h, _, p = url().split("://")[1].partition(":")
    c["server"] = h
    c["port"] = int(p)
    c.update(kw)
    return c


async def within(aw, s, what):
    try:
        return await asyncio.wait_for(aw, s)
    except asyncio.TimeoutError:
        fail("timed out after %s s waiting for %s" % (s, what))


async def until(pred, s, what):
    for _ in range(int(s * 50)):
        if pred():
            return
        await asyncio.sleep(0.02)
    fail("timed out after %s s waiting for %s" % (s, what))
