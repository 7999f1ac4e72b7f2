# MQTT 5 enhanced authentication against tests/fakebroker.py: the CONNECT
# carries authenticationMethod/Data; the server's AUTH (0x18, continue) goes
# to the 'auth' option, whose answer is sent back as AUTH; then CONNACK.
# env: MQTT_URL
import mqtt
from scenario import url, check, Events, connected, end

seen = []


def auth(pk):
    seen.append(pk)
    pr = pk["properties"]
    return {"reasonCode": 0x18, "properties": {"authenticationMethod": pr["authenticationMethod"],
                                               "authenticationData": pr["authenticationData"] + b"+answer"}}


c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-v5-auth", "reconnectPeriod": 0, "auth": auth,
                         "properties": {"authenticationMethod": "X-TEST", "authenticationData": b"hello"}})
ev = Events(c, "A")
connected(c, ev)
check(len(seen) == 1, "auth called %d times" % len(seen))
print("auth got reasonCode=0x%02x data=%r" % (seen[0]["reasonCode"], seen[0]["properties"]["authenticationData"]))
end(c, ev)
print("OK")
