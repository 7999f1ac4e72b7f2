# 300 ms of latency each way (the proxy delays every chunk) and keepalive 1 s:
# a PINGRESP comes 600 ms after its PINGREQ; idle for 8 s, the client must
# not take that for a dead link. env: MQTT_URL (through the proxy), FAULT_PORT
import mqtt
from scenario import url, check, idle, fault, Events, connected, end

c = mqtt.connect(url(), {"clientId": "s-slow", "keepalive": 1, "reconnectPeriod": 200})
ev = Events(c, "A")
pings = []
c.on("packetreceive", lambda p: p["cmd"] == "pingresp" and pings.append(1))
connected(c, ev)
fault("delay 300")
idle(8000)
print("8 s at 300 ms each way, keepalive 1: closes %d, pingresps %d" % (ev.count("close"), len(pings)))
check(ev.count("close") == 0, "a slow link taken for a dead one: %r" % (ev.errors,))
check(len(pings) >= 5, "too few PINGRESPs")
end(c, ev)
print("OK")
