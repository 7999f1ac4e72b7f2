# A user script written as a module (tests/scenarios/script_apis.py): the
# helpers come from an import.
from mqtt.script import publish, CommonHelper


def onConnect(connack):
    print("module onConnect", connack["returnCode"])
    publish("api/umqtt", "from the module script", {"qos": 1})


def onPublish(topic, message, opts):
    print("module onPublish", topic, message)


def onMessage(topic, payload, packet):
    print("module onMessage", topic, payload)
    if payload == b"stop":
        CommonHelper.exit()


def onWillExit():
    print("module onWillExit")
