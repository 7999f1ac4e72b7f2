# MQTT 5: connecting with clientId '' gets one from the server
# (assignedClientIdentifier), which becomes client.clientId (options stay as given).
# env: MQTT_URL
import mqtt
from scenario import url, check, Events, connected, end

c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": ""})
ev = Events(c, "A")
connected(c, ev)
cid = ev.connacks[0]["properties"].get("assignedClientIdentifier")
check(cid, "no assignedClientIdentifier in %r" % (ev.connacks[0],))
check(c.clientId == cid and c.options["clientId"] == "", "clientId %r, assigned %r" % (c.clientId, cid))
print("assigned " + cid)
end(c, ev)
print("OK")
