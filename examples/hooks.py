# A user script (MQTTX style): hooks that react to the client's messages and
# events, with publish() and exit() at hand, no imports needed. This one
# plays a thermostat: it publishes five temperature readings, switches a fan
# on when a reading is over 25, and says goodbye in onWillExit.
#
#   make cli ARGS="sub -t 'demo/#' -v --script examples/hooks.py"
#
# (the command line client under the MicroPython unix port, against a
# private mosquitto; CPYTHON=1 for CPython; MQTT_URL=mqtt://host:1883 for
# your broker). From a program: mqtt.script.run("examples/hooks.py", client).
import mqtt

readings = [21.5, 23.0, 25.5, 26.0, 24.5]
sent = []
timer = []


def onConnect(connack):
    publish("demo/status", "online", {"qos": 1})

    def next_reading():
        if len(sent) == len(readings):
            return mqtt.clearInterval(timer[0])
        sent.append(readings[len(sent)])
        publish("demo/temp", str(sent[-1]), {"qos": 1})

    timer.append(mqtt.setInterval(next_reading, 300))


def onMessage(topic, payload, packet):
    if topic == "demo/temp":
        t = float(payload)
        if t > 25:
            publish("demo/fan", "on (%.1f)" % t)
        if len(sent) == len(readings) and t == readings[-1]:
            exit()  # the last reading came back: the script ends (and the command with it)


def onWillExit():
    # 2 seconds to finish: the last publish goes out before the client disconnects
    publish("demo/status", "offline", {"qos": 1})
