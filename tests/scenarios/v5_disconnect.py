# MQTT 5 DISCONNECT from the server. The broker has retain_available false,
# so a retained publish makes it send DISCONNECT 0x9A (retain not supported):
# A, listening for 'disconnect', gets it with its reason code, then
# 'offline' and 'close' (no 'error', as mqtt.js); C, not listening, has it
# printed (and no 'error' either). Then a session takeover (B connects with A2's client id):
# A2 gets 'close', and 'disconnect' 0x8E if the broker sends one (mosquitto
# 2.0.11 closes the old connection without a DISCONNECT).
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, idle, Events, connected, end

a = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-dis-a", "reconnectPeriod": 0})
ea = Events(a, "A")
dis = []
a.on("disconnect", lambda p: dis.append(p))
connected(a, ea)
check(ea.connacks[0]["properties"].get("retainAvailable") == 0, "connack %r" % (ea.connacks[0],))
a.publish("v5/dis", "kept?", {"qos": 1, "retain": True})
wait(lambda: dis and ea.count("close"), 5000, "A to be disconnected")
p = dis[0]
print("A disconnect cmd=%s reasonCode=0x%02x" % (p["cmd"], p["reasonCode"]))
check(p["reasonCode"] == 0x9A, "reason code")
check(ea.count("error") == 0, "an error event too: %r" % (ea.errors,))
check(not a.connected and ea.count("offline") == 0, "A still connected, or offline with reconnectPeriod 0")
end(a, ea)

c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-dis-c", "reconnectPeriod": 0})
ec = Events(c, "C")
connected(c, ec)
c.publish("v5/dis", "kept?", {"retain": True})
wait(lambda: ec.count("close"), 5000, "C to be disconnected")
check(ec.count("error") == 0, "C error %r" % (ec.errors,))
end(c, ec)

a2 = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-same", "reconnectPeriod": 0})
ea2 = Events(a2, "A2")
dis2 = []
a2.on("disconnect", lambda p: dis2.append(p))
connected(a2, ea2)
b = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-same"})
eb = Events(b, "B")
connected(b, eb)
wait(lambda: ea2.count("close"), 5000, "A2 to be closed")
if dis2:
    check(dis2[0]["reasonCode"] == 0x8E, "takeover reason %r" % (dis2[0],))
    print("takeover: disconnect 0x8e")
else:
    print("takeover: closed without DISCONNECT")
idle(200)
check(b.connected, "B lost its connection")
end(b, eb)
end(a2, ea2)
print("OK")
