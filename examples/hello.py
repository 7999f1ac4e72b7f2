# Hello, MQTT! Subscribe to a topic, publish a message every half second,
# print what comes back, and stop after five.
#
#   make run SCRIPT=examples/hello.py   (a private mosquitto, MicroPython unix port;
#                                        CPYTHON=1: CPython)
#   MQTT_TLS=1 make run SCRIPT=examples/hello.py    (the same over TLS: mqtts:// and a fresh CA)
#   MQTT_URL=mqtt://broker.example:1883 make run SCRIPT=examples/hello.py   (your broker)
#   MQTT_URL=mqtts://broker.example MQTT_CA=ca.pem make run SCRIPT=...    (MQTT_CA: its CA, PEM or DER)
import os
import sys

import mqtt

URL = os.getenv("MQTT_URL") or "mqtt://127.0.0.1:1883"
TOPIC = "hello/world"
COUNT = 5

options = {"keepalive": 30}
if os.getenv("MQTT_CA"):  # for mqtts://: the CA that signed the broker's certificate
    with open(os.getenv("MQTT_CA"), "rb") as f:
        options["ca"] = f.read()
client = mqtt.connect(URL, options)
received = []
sent = [0]


def on_connect(connack):
    print("connected to %s" % URL)


def on_subscribed(err, granted):
    if err:
        print("subscribe failed: %s" % err)
        client.end()
        return
    print("subscribed to %s" % TOPIC)
    timer = None

    def send():
        sent[0] += 1
        text = "hello #%d" % sent[0]
        print("-> %s" % text)
        client.publish(TOPIC, text, {"qos": 1})
        if sent[0] == COUNT:
            mqtt.clearInterval(timer)

    timer = mqtt.setInterval(send, 500)


def on_message(topic, payload, packet):
    received.append(payload)
    print("<- %s: %s" % (topic, payload.decode()))
    if len(received) == COUNT:
        client.end()


client.on("connect", on_connect)
client.on("message", on_message)
client.on("error", lambda err: print("error: %s" % err))
client.on("end", lambda: print("bye"))
client.subscribe(TOPIC, {"qos": 1}, on_subscribed)  # sent once connected

# run() returns True once nothing is left to do (client ended, timer cleared)
if not mqtt.run(timeout_ms=20000):
    print("timed out")
    sys.exit(1)
