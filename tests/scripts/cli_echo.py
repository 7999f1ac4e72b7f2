# For the command line client (tests/test_cli.py): answers each message on
# cli/in with one on cli/out; "quit" ends the script, and with it the
# command; onWillExit says goodbye on cli/bye.
def onConnect(connack):
    print("script connected")


def onMessage(topic, payload, packet):
    if payload == b"quit":
        exit()
    else:
        publish("cli/out", b"re: " + payload, {"qos": 1})


def onWillExit():
    print("script onWillExit")
    publish("cli/bye", "bye", {"qos": 1})
