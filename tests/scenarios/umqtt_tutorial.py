# A typical umqtt.simple program, as tutorials write them; only the broker
# address comes from the environment.
import os
import time
from umqtt.simple import MQTTClient

url = os.getenv("MQTT_URL")
SERVER = url.split("//")[1].split(":")[0]
PORT = int(url.rsplit(":", 1)[1])
CLIENT_ID = b"umqtt_tutorial"
TOPIC = b"tutorial/led"
received = []


def sub_cb(topic, msg):
    print("received %r %r" % (topic, msg))
    received.append(msg)


c = MQTTClient(CLIENT_ID, SERVER, PORT, keepalive=60)
c.set_callback(sub_cb)
c.set_last_will(b"tutorial/status", b"offline", retain=True)
c.connect()
print("Connected to %s, subscribed to %s topic" % (SERVER, TOPIC))
c.subscribe(TOPIC)
c.publish(TOPIC, b"on")
c.wait_msg()
c.publish(TOPIC, b"off", qos=1)
c.publish(TOPIC, b"exactly once", qos=2)
start = time.time()
while len(received) < 3 and time.time() - start < 5:
    c.check_msg()
    time.sleep(0.01)
c.ping()
c.unsubscribe(TOPIC)
c.publish(TOPIC, b"not for us")
c.check_msg()
c.disconnect()
print("messages %r" % (received,))
assert received == [b"on", b"off", b"exactly once"], received
print("OK")
