# B: subscribe to the will topic, print READY, wait for the will of client A
# (which the test kills with SIGKILL: its socket drops without DISCONNECT).
# env: MQTT_URL, WILL_TOPIC, WAIT_MS
import mqtt
from scenario import env, url, check, wait, Events, connected, subscribe, end

topic = env("WILL_TOPIC", "will/a")
b = mqtt.connect(url(), clientId="s-will-b")
eb = Events(b, "B")
connected(b, eb)
s = subscribe(b, topic, {"qos": 1})
check(s.err is None, "subscribe error %r" % (s.err,))
print("READY")
wait(lambda: eb.messages, int(env("WAIT_MS", "15000")), "the will message")
t, p, q, ret, dup = eb.messages[0]
print("will received: topic=%s payload=%r qos=%d retain=%s" % (t, p, q, ret))
end(b, eb)
print("OK")
