# mqtt_as's connect(): OSError when the first connection fails (nothing
# listens: DEAD_PORT; the broker refuses: AUTH_PORT with a wrong password),
# at once rather than after response_time; ValueError for unusable config;
# a publish made before connect() waits for it; a callback client's messages.
import asyncio
import time
from mqtt_as import MQTTClient
from scenario import check, env
from mqttas_common import conf, within, until

got = []


async def main():
    for what, port, kw in (("unreachable", env("DEAD_PORT"), {}),
                           ("refused", env("AUTH_PORT"), {"user": "alice", "password": "wrong"})):
        c = MQTTClient(conf(client_id="s-mqttas-fail", port=int(port), **kw))
        t0 = time.time()
        try:
            await within(c.connect(), 12, "connect to fail")
            check(False, "%s: connected" % what)
        except OSError as e:
            print("%s: OSError %r, within 3 s: %s" % (what, e.args, time.time() - t0 < 3))
        check(not c.isconnected(), "connected after a failure")
    for k, v in (("server", None), ("gateway", True)):
        try:
            MQTTClient(conf(**{k: v}))
        except ValueError as e:
            print("%s %r: ValueError %s" % (k, v, e))
    c = MQTTClient(conf(client_id="s-mqttas-cbs", subs_cb=lambda t, m, r: got.append((t, m, r)),
                        user="alice", password="s3cret", port=int(env("AUTH_PORT"))))
    sub = asyncio.create_task(c.subscribe(b"as/f/#", 2))
    pub = asyncio.create_task(c.publish("as/f/x", "early", qos=2))
    await asyncio.sleep(0.2)
    print("before connect: waiting %s %s" % (not sub.done(), not pub.done()))
    await within(c.connect(), 5, "connect")
    await within(sub, 5, "the early subscribe")
    await within(pub, 5, "the early publish")
    await within(c.publish("as/f/y", b"late", qos=1), 5, "publish")
    await until(lambda: len(got) == 2, 5, "the messages")
    print("callback got:", got)
    await within(c.disconnect(), 5, "disconnect")
    last[0] = MQTTClient(conf(client_id="s-mqttas-close", will=("as/f/will", "gone", False, 1), user="alice",
                                 password="s3cret", port=int(env("AUTH_PORT"))))
    await within(last[0].connect(), 5, "connect")


last = [None]
asyncio.run(main())  # returns with a client still connected: close() it as mqtt_as's samples do
last[0].close()
print("closed after asyncio.run(): connected", last[0].isconnected())
print("OK")
