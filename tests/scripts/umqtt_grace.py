# Exits on a umqtt client whose broker never acknowledges anything
# (tests/scenarios/script_umqtt_grace.py): onWillExit's QoS 1 publish can't
# complete, and umqtt's loop runs no timers, so the end of the 2 s is seen at
# the first event after them, and no hook is called for that event.
def onMessage(topic, payload, packet):
    print("script onMessage", topic, payload)


def onWillExit():
    print("script onWillExit")
    publish("g/last", "unacknowledged", {"qos": 1})
