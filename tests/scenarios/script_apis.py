# Scripts on the other APIs: a file script (tests/scripts/api.py) on a HaaS
# createClient() client, and a module script (us_module.py, helpers
# imported from mqtt.script) on a umqtt MQTTClient, attached before its
# first connect(). Both run at once: each hook's publish goes to its own
# client.
# env: MQTT_URL, SCRIPT
import mqtt
import mqtt.script
from umqtt.simple import MQTTClient
from scenario import url, env, check, wait

host, port = url()[7:].split(":")
module = mqtt.script.run("us_module")
file = mqtt.script.run(env("SCRIPT"))
h = mqtt.createClient({"host": host, "port": int(port), "clientId": "s-script-haas"})
file.attach(h)
got = []
h.on("message", lambda t, m: got.append(("haas", t, m)))
h.subscribe({"topic": "api/#", "qos": 1})
wait(lambda: ("haas", "api/haas", b"from the file script") in got, 5000, "the file script's message")

u = MQTTClient("s-script-umqtt", host, int(port), keepalive=30)
module.attach(u)  # before connect(): it attaches to the client connect() makes
u.set_callback(lambda t, m: got.append(("umqtt", t, m)))
u.connect()  # the module script's onConnect publishes (the HaaS client is subscribed)
u.subscribe(b"api/umqtt", 1)
h.publish({"topic": "api/umqtt", "message": "stop", "qos": 1})  # the module script exits on it
for _ in range(100):  # (bounded) umqtt's own loop drives it, mqtt.run() the HaaS client
    if module.ended:
        break
    u.check_msg()
    mqtt.run(timeout_ms=20)
check(("haas", "api/umqtt", b"from the module script") in got, "the module script's message: %r" % (got,))
check(("umqtt", b"api/umqtt", b"stop") in got, "stop: %r" % (got,))
check(module.ended and not file.ended, "module %r file %r" % (module, file))
u.disconnect()
file.stop()
check(file.wait(3000), "the file script to end")
h.close()
print("OK")
