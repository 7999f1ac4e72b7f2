# The documents' publish options from a script (tests/scripts/props.py) on
# an MQTT 3.1.1 client (properties dropped, one warning line for the
# script) and on an MQTT 5 client (every property arrives); on both,
# subscriptionIdentifier is a clear error in the hook and the client stays
# connected (no DISCONNECT from the broker).
# env: MQTT_URL, SCRIPT
import mqtt
import mqtt.script
from scenario import url, env, check, wait, idle, Events, connected, end

out = {}
for v in (4, 5):
    c = mqtt.connect(url(), {"clientId": "s-script-props-%d" % v, "protocolVersion": v})
    ev = Events(c, "v%d" % v, quiet=("message",))
    props = []
    c.on("message", lambda t, p, k, props=props: props.append(k.get("properties")))
    dis = []
    c.on("disconnect", dis.append)
    c.subscribe("pr/#", {"qos": 1})
    s = mqtt.script.run(env("SCRIPT"), c)
    connected(c, ev)
    wait(lambda: len(ev.payloads("pr/a")) == 2, 5000, "two messages")
    idle(200)
    print("v%d: messages %r, hook errors %d, connected %s, disconnect %d, closes %d" % (
        v, ev.payloads("pr/a"), s.errors, c.connected, len(dis), ev.count("close")))
    out[v] = props
    end(c, ev)
p = out[5][0]
print("v5 properties: contentType=%r userProperties=%r correlationData=%r responseTopic=%r "
      "payloadFormatIndicator=%r expiry<=4321:%s" % (p.get("contentType"), p.get("userProperties"),
                                                    p.get("correlationData"), p.get("responseTopic"),
                                                    p.get("payloadFormatIndicator"),
                                                    0 < p.get("messageExpiryInterval", 0) <= 4321))
print("v4 properties: %r" % (out[4],))
print("OK")
