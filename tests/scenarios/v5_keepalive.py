# MQTT 5: the server's keep alive (serverKeepAlive in CONNACK) replaces the
# client's. env: MQTT_URL, KEEPALIVE (the client asks), SERVER (expected)
import mqtt
from scenario import env, url, check, Events, connected, end

c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-ka", "keepalive": int(env("KEEPALIVE"))})
ev = Events(c, "A")
connected(c, ev)
ska = ev.connacks[0]["properties"].get("serverKeepAlive")
print("serverKeepAlive %r keepalive %r" % (ska, c.options["keepalive"]))
check(ska == int(env("SERVER")) and c.options["keepalive"] == ska, "not honoured")
end(c, ev)
print("OK")
