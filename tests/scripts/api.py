# A script for a HaaS createClient() client (tests/scenarios/script_apis.py).
def onConnect(connack):
    print("file onConnect", connack["returnCode"])
    publish("api/haas", "from the file script", {"qos": 1})


def onPublish(topic, message, opts):
    print("file onPublish", topic, message)


def onMessage(topic, payload, packet):
    print("file onMessage", topic, payload)


def onWillExit():
    print("file onWillExit")
