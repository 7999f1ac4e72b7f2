# mqtt.aio over the stream transport (option stream): a plain Python stream
# (poll() cannot take it, as a UART driver's object on some ports) and a
# pollable one; connect, subscribe, QoS 1 round trips through messages(),
# and the end. env: MQTT_URL, POLL (1: pollable, 0: plain)
import socket
import sys

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from mqtt import aio
from scenario import env, url, check
from sockstream import Plain

MPY = sys.implementation.name == "micropython"
host, _, port = url().split("://")[1].rpartition(":")


class Pollable(Plain):
    def fileno(self):  # (CPython's poll takes it; MicroPython: the socket itself is given)
        return self.s.fileno()


def link():
    s = socket.socket()
    s.connect(socket.getaddrinfo(host, int(port))[0][-1])
    s.setblocking(False)
    if env("POLL") == "1":
        return s if MPY else Pollable(s)
    return Plain(s)


async def main():
    c = await aio.connect(stream=link, clientId="s-aio-stream", keepalive=30)
    await c.subscribe("aio/stream", {"qos": 1})
    got = []
    for i in range(10):
        await c.publish("aio/stream", b"m%d" % i, {"qos": 1})
        t, m, p = await asyncio.wait_for(_next(c), 5)
        got.append(bytes(m))
    check(got == [b"m%d" % i for i in range(10)], "got %r" % got)
    print("aio over a %s stream: 10 QoS 1 round trips in order" % ("pollable" if env("POLL") == "1" else "plain"))
    await c.end()


async def _next(c):
    async for x in c.messages():
        return x


asyncio.run(main())
print("OK")
