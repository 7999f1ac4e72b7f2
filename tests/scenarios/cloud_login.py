# A cloud helper's (url, options) logging in to a private mosquitto that
# stands in for the cloud: its password file holds exactly what the helper
# must produce for these inputs (or, for aws, its TLS listener wants a client
# certificate). The broker's address replaces the cloud's (options host and
# port win over the URL's, as in mqtt.js); the rest is the helper's.
# env: MQTT_URL (the broker), CLOUD (aliyun, azure, aws), ARGS and KW (JSON:
# the helper's arguments; for aws, cert/key/ca are file names read here),
# CA_FILE (the broker's CA, for TLS), EXPECT: connect (a QoS 1 round trip),
# refused (a CONNACK refusal) or qos2 (a QoS 2 publish the broker will not
# take: its callback gets an error, bounded by resendLimit)
import json

import mqtt
from mqtt import cloud
from scenario import env, url, check, wait, Events, connected, subscribe, end


def read(name):
    f = open(name)
    try:
        return f.read()
    finally:
        f.close()


args = json.loads(env("ARGS"))
kw = json.loads(env("KW", "{}"))
which = env("CLOUD")
if which == "aws":
    args = args[:2] + [read(x) for x in args[2:]]
u, o = getattr(cloud, which)(*args, **kw)
print("url %s" % u)
b = url().split("://")[1].split(":")
o["host"], o["port"] = b[0], int(b[1])
if env("CA_FILE", ""):
    o["ca"] = read(env("CA_FILE"))
o["reconnectPeriod"] = 200
o["connectTimeout"] = 4000
c = mqtt.connect(u, o)
ev = Events(c, "A")
expect = env("EXPECT", "connect")
if expect == "refused":
    wait(lambda: ev.count("close"), 5000, "close after a refused CONNECT")
    check(ev.count("connect") == 0 and ev.errors, "no refusal: %r" % (ev.errors,))
    print("refused: code=%d" % ev.errors[0].code)
    end(c, ev)
    print("OK")
    raise SystemExit(0)
connected(c, ev)
print("connected as %s" % c.options["clientId"])
if expect == "qos2":
    r = []
    c.publish("cloud/t", "q2", {"qos": 2}, lambda err: r.append(err))
    wait(lambda: r, 15000, "the QoS 2 publish's callback")
    print("qos 2 publish: %s" % r[0])
    check(len(r) == 1 and r[0], "qos 2 publish callbacks %r" % (r,))
subscribe(c, "cloud/t", {"qos": 1})
acks = []
c.publish("cloud/t", "m", {"qos": 1}, lambda err: acks.append(err))
wait(lambda: ev.messages and acks, 5000, "the message back")
check(acks == [None] and ev.messages[0][1] == b"m", "round trip: %r %r" % (acks, ev.messages))
print("round trip at qos 1")
end(c, ev)
print("OK")
