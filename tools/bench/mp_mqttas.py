# mqtt_as's API (peterhinch/micropython-mqtt's MQTTClient) under MicroPython:
# the same script runs this package's adapter (lib/mqtt_as) and mqtt_as
# itself; MICROPYPATH decides which `mqtt_as` is imported. mqtt_as wants a
# board: network.WLAN comes from the stand-in on the path (tests/mqtt_as_env),
# machine.unique_id from the one made below.
# Usage: micropython -m mp_mqttas MODE PORT N SIZE WINDOW MS
#   qos1one  await publish(qos=1) one after the other (each returns at its
#            PUBACK); stops after N or MS milliseconds
#   recv     QoS 1 subscription; READY; the harness queues the burst while the
#            loop is blocked, and sends GO; count what subs_cb gets, timed first
#            to last; stops after N messages or 5 x MS milliseconds after the
#            first ("timed": the rate is over what came by then)
# Prints one JSON line.
import sys
import time
import json


class _Machine:  # (the unix port's machine module has no unique_id)
    @staticmethod
    def unique_id():
        return b"\x02\x00\x00\x00\x00\x01"


sys.modules["machine"] = _Machine
import asyncio  # noqa: E402
from mqtt_as import MQTTClient, config  # noqa: E402

mode, port, n, size, win, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
us = time.ticks_us
diff = time.ticks_diff
tag = "%d" % us()
topic = "bench/mqttas/" + tag
payload = bytes(size)
st = [0, 0, 0]  # messages, first message us, last message us
res = {"mode": mode}
config["server"] = "127.0.0.1"
config["port"] = port
config["ssid"] = "bench"
config["wifi_pw"] = "bench"
config["keepalive"] = 60


def on_msg(t, m, r, *p):
    st[0] += 1
    if st[0] == 1:
        st[1] = us()
    st[2] = us()


async def qos1one():
    c = MQTTClient(dict(config, client_id=("mqttas" + tag).encode()))
    await c.connect(quick=True)
    pub = c.publish
    t0 = us()
    i = 0
    while i < n:
        i += 1
        await pub(topic, payload, qos=1)
        if diff(us(), t0) > limit * 1000:
            break
    res.update(n=i, us=diff(us(), t0))
    await c.disconnect()


async def recv():
    # (mqtt_as 0.8.3 cannot resume a session: its connect() raises "CONNACK flags
    # not 0" at session present. So the client stays connected, subscribed, and
    # its loop blocked in readline() while the harness queues the burst.)
    c = MQTTClient(dict(config, client_id=("mqttasr" + tag).encode(), subs_cb=on_msg))
    await c.connect(quick=True)
    await c.subscribe(topic, 1)
    print("READY", topic)
    sys.stdin.readline()  # GO: the burst is queued (at the broker, in the socket) while nothing reads
    t0 = time.ticks_ms()
    while st[0] < n:
        await asyncio.sleep_ms(20)
        if st[0] and diff(us(), st[1]) > 5000 * limit or diff(time.ticks_ms(), t0) > 30000:
            res["timed"] = True
            break
    res.update(n=st[0], us=diff(st[2], st[1]))
    await c.disconnect()


if mode == "qos1one":
    asyncio.run(qos1one())
elif mode == "recv":
    asyncio.run(recv())
else:
    raise SystemExit("unknown mode " + mode)
print(json.dumps(res))
