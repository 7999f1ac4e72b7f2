# mqtt.aio: end() with requests outstanding (each awaited publish either
# acknowledged or raising 'client ended', once), and a cancelled wait (the
# request stays the client's: a success needs no word, a failure is told
# once as an 'error' event); nothing left in the client. env: MQTT_URL
import asyncio
import mqtt
import mqtt.aio
from scenario import url, check


async def main():
    a = await mqtt.aio.connect(url(), {"clientId": "s-aio-e"})
    res = []

    async def pub(i):
        try:
            await a.publish("aioe/t", b"%d" % i, {"qos": 1})
            res.append("ok")
        except mqtt.MQTTError as e:
            res.append(str(e))

    tasks = [asyncio.create_task(pub(i)) for i in range(50)]
    await asyncio.sleep(0)  # (they are all made: in flight or queued)
    await a.end(True)
    await asyncio.gather(*tasks)
    print("end with 50 outstanding: %d outcomes, each acknowledged or ended: %s, some ended: %s" % (
        len(res), res.count("ok") + res.count("client ended") == 50, res.count("client ended") > 0))
    check(len(res) == 50 and res.count("ok") + res.count("client ended") == 50, "outcomes %r" % (res,))
    check(res.count("client ended") > 0, "nothing was outstanding at end()")

    b = await mqtt.aio.connect(url(), {"clientId": "s-aio-c"})
    errors = []
    b.on("error", errors.append)
    t = asyncio.create_task(b.publish("aioc/t", b"kept", {"qos": 1}))
    await asyncio.sleep(0)
    t.cancel()
    await asyncio.sleep(0.3)  # its PUBACK comes: nothing to tell
    ok_quiet = not errors and not b.client.outgoing
    b.client.reading = False  # (its PUBACK is not read: the request is still open at end())
    t = asyncio.create_task(b.publish("aioc/t", b"lost", {"qos": 1}))
    await asyncio.sleep(0)
    t.cancel()
    await asyncio.sleep(0)
    await b.end(True)  # its failure: told once, as 'error'
    await asyncio.sleep(0.1)
    print("cancelled waits: acked quietly %s, failure told %r, left in the client: %d" % (
        ok_quiet, [str(e) for e in errors], len(b.client.outgoing) + len(b.client.queue)))
    check(ok_quiet and [str(e) for e in errors] == ["client ended"], "errors %r" % (errors,))
    check(not b.client.outgoing and not b.client.queue, "requests left")


asyncio.run(main())
print("OK")
