# Connect, check the CONNACK, end cleanly (DISCONNECT), and check that
# mqtt.run() then returns True because nothing is left open.
# env: MQTT_URL, CLIENT_ID, PROTO (protocolVersion, default 4)
import mqtt
from scenario import env, url, check, wait, Events, connected, end

cid = env("CLIENT_ID", "s-connect")
proto = int(env("PROTO", "4"))
c = mqtt.connect(url(), {"clientId": cid, "protocolVersion": proto}, keepalive=10)
check(c.options["clientId"] == cid, "options clientId is %r" % c.options.get("clientId"))
check(c.options["keepalive"] == 10, "options keepalive is %r" % c.options.get("keepalive"))
check(not c.connected, "connected before the loop ran")
ev = Events(c, "A")
connected(c, ev)
print("connected=%s sessionPresent=%s" % (c.connected, ev.connacks[0]["sessionPresent"]))
r = end(c, ev)
print("end callback ran %d time(s)" % r.done)
wait(lambda: ev.count("close") > 0, 2000, "close after end")
check(ev.count("reconnect") == 0, "reconnect after end")
check(ev.count("error") == 0, "unexpected error event")
left = mqtt.run(timeout_ms=2000)
check(left is True, "mqtt.run() after end returned %r, not True (something left open)" % (left,))
print("run returned True: nothing left open")
print("connected=%s" % c.connected)
print("OK")
