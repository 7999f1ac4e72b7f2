# A: connect with a will, print READY, then just keep the connection up until
# the test kills this process.
# env: MQTT_URL, WILL_TOPIC
import mqtt
from scenario import env, url, idle, Events, connected

topic = env("WILL_TOPIC", "will/a")
a = mqtt.connect(url(), clientId="s-will-a", keepalive=30,
                 will={"topic": topic, "payload": b"A died", "qos": 1, "retain": False})
ea = Events(a, "A")
connected(a, ea)
print("READY")
idle(20000)
print("FAIL: not killed")
