# The faces over ws:// (FACE: umqtt, haas, mqtt_as): each connects to the
# broker's WebSocket listener (MQTT_URL ws://127.0.0.1:PORT/mqtt), subscribes,
# gets its own QoS 1 message back, disconnects.
import mqtt
from scenario import env, url, check, wait

face = env("FACE")
u = url()
if face == "umqtt":
    from umqtt.simple import MQTTClient

    got = []
    c = MQTTClient("s-umqtt-ws", u, keepalive=30)  # the server as a URL
    c.set_callback(lambda t, m: got.append((t, m)))
    check(c.connect() == 0, "session present")
    c.subscribe(b"wsface/u", 1)
    c.publish(b"wsface/u", b"hello umqtt", qos=1)
    while not got:
        c.wait_msg()
    c.disconnect()
    check(got == [(b"wsface/u", b"hello umqtt")], "got %r" % got)
    check(c.c.options["protocol"] == "ws" and c.c.options["path"] == "/mqtt", "options %r" % c.c.options)
elif face == "haas":
    h, _, p = u.split("://")[1].partition(":")
    got = []
    st = []
    c = mqtt.createClient({"host": h, "port": int(p.split("/")[0]), "protocol": "ws", "path": "/mqtt",
                           "clientId": "s-haas-ws", "success": lambda: st.append("ok"),
                           "fail": lambda e: st.append(e)})
    check(c is not None, "createClient refused")
    c.on("message", lambda t, m: got.append((t, m)))
    wait(lambda: st, 5000, "success")
    check(st == ["ok"], "success/fail %r" % st)
    check(c.subscribe({"topic": "wsface/h", "qos": 1}) == 0, "subscribe")
    check(c.publish({"topic": "wsface/h", "message": "hello haas", "qos": 1}) == 0, "publish")
    wait(lambda: got, 5000, "the message")
    check(got == [("wsface/h", b"hello haas")], "got %r" % got)
    check(mqtt.createClient({"host": h, "protocol": "wss?"}) is None, "a bad protocol taken")
    c.close()
    mqtt.run(timeout_ms=1000)
else:
    import asyncio
    from mqtt_as import MQTTClient, config

    got = []

    async def main():
        cf = dict(config)
        cf.update(server=u, client_id="s-mqttas-ws", queue_len=2)  # the server as a URL
        c = MQTTClient(cf)
        await asyncio.wait_for(c.connect(), 5)
        await asyncio.wait_for(c.subscribe("wsface/a", 1), 5)
        await asyncio.wait_for(c.publish("wsface/a", "hello mqtt_as", qos=1), 5)

        async def first():
            async for m in c.queue:
                return m

        got.append(await asyncio.wait_for(first(), 5))
        await c.disconnect()

    asyncio.run(main())
    check(got == [(b"wsface/a", b"hello mqtt_as", False)], "got %r" % got)
print("%s: round trip over ws" % face)
print("OK")
