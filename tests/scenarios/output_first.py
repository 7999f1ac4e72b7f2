# Output waiting in the client is written before the loop waits for input:
# a publish made from a callback (a chain of QoS 1 publishes, each from the
# previous one's ack) or by umqtt.simple's blocking publish goes out at once,
# not after the loop's wait times out. Counts the waits that ran out with
# nothing to do (each used to cost a whole wait: 20 ms for umqtt, up to 100
# ms for run()).
# env: MQTT_URL
import mqtt
from mqtt import client as mc
from umqtt.simple import MQTTClient
from scenario import url, check, wait, Events, connected, end

N = 30
_w = mc._wait
empty = [0]


def counted(ms):
    r = list(_w(ms) or ())  # (MicroPython's ipoll gives an iterator: kept for the loop)
    if ms and not r:
        empty[0] += 1
    return r


mc._wait = counted

c = mqtt.connect(url(), {"clientId": "s-out-first"})
ev = Events(c, "A")
connected(c, ev)
acks = []


def chain(err):
    acks.append(err)
    if len(acks) < N:
        c.publish("out/first", "m", {"qos": 1}, chain)


empty[0] = 0
c.publish("out/first", "m", {"qos": 1}, chain)
wait(lambda: len(acks) >= N, 20000, "%d chained publishes" % N)
check(acks == [None] * N, "acks %r" % (acks,))
print("chained: %d QoS 1 publishes, %d waits ran out" % (N, empty[0]))
check(empty[0] < N // 3, "chained publishes waited for the loop's timeout")
end(c, ev)

u = MQTTClient("s-out-first-u", url().split("//")[1].split(":")[0], int(url().rsplit(":", 1)[1]))
u.connect()
empty[0] = 0
for i in range(N):
    u.publish(b"out/first", b"u", qos=1)
print("umqtt: %d QoS 1 publishes, %d waits ran out" % (N, empty[0]))
check(empty[0] < N // 3, "umqtt publishes waited for the loop's timeout")
u.disconnect()
print("OK")
