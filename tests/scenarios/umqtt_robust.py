# umqtt.robust across a broker restart: the failed call reconnects, the
# client resubscribes (the new broker has no session) and messages flow.
import os
import time
from umqtt.robust import MQTTClient

url = os.getenv("MQTT_URL")
PORT = int(url.rsplit(":", 1)[1])
got = []
c = MQTTClient("s-robust", "127.0.0.1", PORT, keepalive=5)
c.DELAY = 0.3
c.DEBUG = True
c.set_callback(lambda t, m: got.append(m))
c.connect(clean_session=False)
c.subscribe(b"rb/t", 1)


def until(n, secs):
    t0 = time.time()
    while len(got) < n and time.time() - t0 < secs:
        c.check_msg()
        time.sleep(0.01)


c.publish(b"rb/t", b"before", qos=1)
until(1, 5)
assert got == [b"before"], got
print("READY-FOR-RESTART")
time.sleep(0.5)  # the broker is down now
c.publish(b"rb/t", b"after", qos=1)  # fails, reconnects, resubscribes, publishes again
until(2, 10)
print("messages %r" % (got,))
assert got[0] == b"before" and b"after" in got[1:], got
c.disconnect()
print("OK")
