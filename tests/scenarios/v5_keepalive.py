# MQTT 5: the server's keep alive (serverKeepAlive in CONNACK) replaces the
# client's. The client asks for KEEPALIVE s, the broker allows SERVER s: the
# client pings after half of SERVER without input (it would wait half of
# KEEPALIVE if it kept to its own).
# env: MQTT_URL, KEEPALIVE (the client asks), SERVER (expected)
import mqtt
from scenario import env, url, check, idle, Events, connected, end

ka = int(env("SERVER"))
c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-ka", "keepalive": int(env("KEEPALIVE"))})
ev = Events(c, "A")
pings = []
c.on("packetsend", lambda p: p["cmd"] == "pingreq" and pings.append(p))
connected(c, ev)
ska = ev.connacks[0]["properties"].get("serverKeepAlive")
print("serverKeepAlive %r" % (ska,))
check(ska == ka, "serverKeepAlive %r, expected %d" % (ska, ka))
idle(ka * 600)
print("after %d ms: connected %s, pings %d" % (ka * 600, c.connected, len(pings)))
check(c.connected and ev.count("close") == 0, "closed")
check(len(pings) >= 1, "no PINGREQ within the server's keepalive")
end(c, ev)
print("OK")
