# MQTT 5 CONNACK refusal: a wrong password gives "connection refused: ..."
# with the reason code (0x86 or 0x87); the right one connects.
# env: MQTT_URL, USER, PASS
import mqtt
from scenario import env, url, check, wait, Events, connected, end

c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-bad", "username": env("USER"),
                         "password": "wrong", "reconnectPeriod": 0})
ec = Events(c, "BAD")
wait(lambda: ec.count("close"), 5000, "close after a refused CONNECT")
e = ec.errors and ec.errors[0]
check(isinstance(e, mqtt.MQTTError) and e.code in (0x86, 0x87), "error %r" % (e,))
print("refused: code=0x%02x %s" % (e.code, e))
end(c, ec)
g = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-good", "username": env("USER"),
                         "password": env("PASS")})
eg = Events(g, "GOOD")
connected(g, eg)
end(g, eg)
print("OK")
