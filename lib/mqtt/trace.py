# packetsend / packetreceive events: loaded by Client.on() only when someone
# listens, so clients that don't pay nothing for them. Like every callback
# they run from the loop, in order (post()), never inside a call into the
# client nor in the middle of parsing.
_CMDS = ("reserved connect connack publish puback pubrec pubrel pubcomp subscribe "
         "suback unsubscribe unsuback pingreq pingresp disconnect auth").split()


def tap(client):
    def t(out, h, pid, topic, payload):
        pk = {"cmd": _CMDS[h >> 4], "messageId": pid}
        if topic is not None:
            pk["topic"] = topic if isinstance(topic, str) else str(topic, "utf-8")
            pk["payload"] = payload
            pk["qos"] = h >> 1 & 3
            pk["retain"] = h & 1 == 1
            pk["dup"] = h & 8 == 8
        client.post("packetsend" if out else "packetreceive", pk)

    return t
