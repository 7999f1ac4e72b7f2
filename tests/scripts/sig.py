# Ended by a signal (tests/test_script.py): onWillExit publishes, and the
# loop runs on until the message is acknowledged.
def onWillExit():
    print("script onWillExit")
    publish("sig/bye", "bye", {"qos": 1})


def onPublish(topic, message, opts):
    print("script onPublish", topic, message)
