# A user script with every hook: prints "HOOK name args" for each call, so
# that tests/scenarios/script_hooks.py (and the command line tests) can
# check the order and the arguments. Uses only what a script gets without
# imports: publish, exit, UserScriptHelper, CommonHelper.
seen = {}


def note(name, *args):
    print("HOOK " + " ".join([name] + [str(a) for a in args]))


def onConnect(connack):
    note("onConnect", "returnCode=%s" % connack["returnCode"], "sessionPresent=%s" % connack["sessionPresent"])
    if "hello" not in seen:  # once: the script's own publish, UserScriptHelper's name
        seen["hello"] = 1
        UserScriptHelper.publish("sh/hello", "from the script", {"qos": 1})


def onMessage(topic, payload, packet):
    note("onMessage", topic, payload, "qos=%d" % packet["qos"])


def onReconnect():
    note("onReconnect")


def onDisconnect(packet):
    note("onDisconnect", packet["cmd"], "reasonCode=0x%02x" % packet["reasonCode"])


def onClose():
    note("onClose")


def onEnd():
    note("onEnd")
    CommonHelper.exit()  # from a hook: ends the script, not the program
    note("onEnd-after-exit")


def onError(error):
    note("onError", type(error).__name__, "code=%s" % getattr(error, "code", None))


def onPacketSend(packet):
    note("onPacketSend", packet["cmd"])


def onPublish(topic, message, opts):
    note("onPublish", topic, message, "qos=%d" % opts["qos"], "retain=%s" % opts["retain"])


def onPacketReceive(packet):
    note("onPacketReceive", packet["cmd"])


def onWillExit():
    note("onWillExit")
    publish("sh/bye", "script exits", {"qos": 1})  # the client has ended: reported, not lost silently
