# Messages over maximumPacketSize from a real broker (MQTT 3.1.1 cannot tell
# it the limit): a retained one, and one queued in a clean=False session.
# Each is reported once (topic and size), acknowledged, never brought back;
# the connection stays and the messages after it arrive.
# env: MQTT_URL
import mqtt
from scenario import url, check, wait, idle, Events, connected, subscribe, end

BIG = 200000
p = mqtt.connect(url(), {"clientId": "s-big-pub", "maximumPacketSize": 1 << 20, "queueSize": 4})
ep = Events(p, "P")
connected(p, ep)
acks = []
p.publish("big/r", b"r" * BIG, {"qos": 1, "retain": True}, acks.append)
p.publish("big/s", b"small", {"qos": 1, "retain": True}, acks.append)
wait(lambda: len(acks) == 2, 10000, "the retained messages")

a = mqtt.connect(url(), {"clientId": "s-big", "clean": False, "maximumPacketSize": 4096, "reconnectPeriod": 100})
ea = Events(a, "A", quiet=("error", "message"))
connected(a, ea)
subscribe(a, "big/#", {"qos": 1})
wait(lambda: ea.payloads("big/s") and ea.errors, 10000, "the retained messages")
idle(1000)
print("retained: errors %d, connects %d, small %r" % (len(ea.errors), ea.count("connect"), ea.payloads("big/s")))
print("error: %s (code %s)" % (ea.errors[0], ea.errors[0].code))
check(len(ea.errors) == 1 and ea.count("connect") == 1, "reported %d times, %d connects" %
      (len(ea.errors), ea.count("connect")))
end(a, ea)

acks = []
p.publish("big/q", b"q" * BIG, {"qos": 1}, acks.append)  # queued for the offline session
p.publish("big/q", b"after", {"qos": 1}, acks.append)
wait(lambda: len(acks) == 2, 10000, "the queued messages")
a.connect()
wait(lambda: ea.payloads("big/q"), 10000, "the message after the oversize one")
idle(1000)
print("queued: errors %d, after %r" % (len(ea.errors), ea.payloads("big/q")))
check(len(ea.errors) == 2 and "'big/q'" in str(ea.errors[1]), "errors %r" % (ea.errors,))
end(a, ea)
a.connect()  # acknowledged: the session holds nothing more
wait(lambda: ea.count("connect") == 3 and a.connected, 5000, "the third connection")
idle(1000)
check(len(ea.errors) == 2, "brought back: %r" % (ea.errors,))
a.publish("big/r", b"", {"retain": True})
a.publish("big/s", b"", {"retain": True})
end(a, ea)
end(p, ep)
print("OK")
