# MQTT 5 against tests/fakebroker.py, which sends what mosquitto does not:
# PUBLISHes using a topic alias (the 'message' event gets the real topic) and
# a DISCONNECT 0x8E (session taken over) with a reasonString.
# env: MQTT_URL
import mqtt
from scenario import check, url, wait, Events

c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-fake", "reconnectPeriod": 0,
                         "properties": {"topicAliasMaximum": 4}})
ev = Events(c, "A")
dis = []
c.on("disconnect", lambda p: dis.append(p))
seen = []  # packetreceive: each packet once
c.on("packetreceive", lambda p: seen.append(p["cmd"]))
wait(lambda: ev.count("close"), 5000, "close")
for m in ev.messages:
    print("message %s %r" % (m[0], m[1]))
check(dis, "no disconnect event")
p = dis[0]
print("disconnect reasonCode=0x%02x properties=%r" % (p["reasonCode"], p["properties"]))
check(ev.count("error") == 0, "error events %r" % (ev.errors,))
print("packetreceive: %s" % " ".join(seen))
check(seen == ["connack", "publish", "publish", "disconnect"], "packetreceive %r" % (seen,))
c.end(True)
wait(lambda: ev.count("end"), 3000, "end")
print("OK")
