# Seed 002's example (HaaS JavaScript, mqtt.connect), line by line in Python:
# connect with options, subscribe with JSON.stringify'd options, publish every
# 2 s with setInterval, print what arrives.
#   make run SCRIPT=examples/seed002.py   (a private mosquitto, MicroPython unix port;
#                                          CPYTHON=1: CPython; MQTT_URL=...: your broker)
# RUN_MS bounds the run (the JavaScript runs forever): RUN_MS=5000 make run ...
import json
import os

import mqtt

connectUrl = os.getenv("MQTT_URL") or "mqtt://127.0.0.1:1883"
id = "aumvlad542372100000000b"
user = "thingidp@aumvlad|542372100000000b|0|MD5"
pass_ = "1a00563e5b89651dfe04987e5e0ec267"
time_id1 = 0
time_id2 = 0

option = {
    "clientId": id,
    "keepalive": 60,
    "clean": False,
    "version": 4,
    "reconnectPeriod": 1000,
    "connectTimeout": 4000,
    "ca": "",
    "ca_len": 0,
    "username": user,
    "password": pass_,
}
# ca/ca_len matter for mqtts:// only; an empty ca there fails with a clear
# error unless rejectUnauthorized is False (see README, TLS)


def onConnect():
    global time_id1
    # subscribe
    topic_obj = "story/542372100000000b/server"
    sub_option = {"qos": 0}

    def event(err, granted):
        print("err = ", err)
        cnt = len(granted)  # noqa: F841

    mqttClient.subscribe(topic_obj, json.dumps(sub_option), event)

    # publish
    option = {
        "cmd": "customer",
        "head": {"id": 4098, "sn": 20322, "cmd": "getConfigInfo", "src": "542372100000000b", "dst": "server"},
        "body": {"version": "", "config": []},
    }

    def publish():
        mqttClient.publish("story/542372100000000b/client", json.dumps(option), {"qos": 0, "retain": False},
                           lambda err: print("err = ", err))

    time_id1 = mqtt.setInterval(publish, 2 * 1000)


# create mqtt client
mqttClient = mqtt.connect(connectUrl, option)


def on_connect(connack):
    print("mqtt connected ", connack)
    onConnect()


mqttClient.on("connect", on_connect)


def on_message(topic, payload, packet):
    print("topic = ", topic)
    print("message = ", payload)
    print("packet = ", packet)


mqttClient.on("message", on_message)

mqtt.run(timeout_ms=int(os.getenv("RUN_MS", "0")) or None)
mqtt.clearInterval(time_id1)  # (the JavaScript never gets here: no publish after the end)
mqttClient.end()
mqtt.run(timeout_ms=2000)
