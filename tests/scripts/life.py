# A user script's life (tests/scenarios/script_life.py): its top level runs
# when it starts, before any client exists, and publishes 34 messages: 32
# are held for the client (mqtt.script.HOLD), 2 are reported. A hook that
# raises is reported and counted; exit() from a hook ends the script.
for i in range(34):
    publish("life/early", "early %d" % i, {"qos": 1})


def onMessage(topic, payload, packet):
    if topic == "life/early":
        return
    if payload == b"boom":
        raise RuntimeError("boom from onMessage")
    print("script got", topic, payload)
    if payload == b"quit":
        exit()


def onWillExit():
    print("script onWillExit")
    publish("life/bye", "bye", {"qos": 1})
