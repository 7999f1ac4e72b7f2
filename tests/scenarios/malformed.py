# Connect to tests/fakebroker.py, which answers with broken bytes. The client
# must report an mqtt.ProtocolError in an 'error' event, then 'close'; after
# end() nothing is left running.
# env: MQTT_URL, MAX (maximumPacketSize)
import mqtt
from scenario import env, url, check, wait, Events

c = mqtt.connect(url(), clientId="s-malformed", maximumPacketSize=int(env("MAX", "1024")),
                 reconnectPeriod=5000, keepalive=30)
ev = Events(c, "A")
wait(lambda: ev.count("close"), 5000, "close")
c.end(True)
wait(lambda: ev.count("end"), 3000, "end")
check(ev.errors, "no error event before close")
e = ev.errors[0]
print("first error: %s: %s" % (type(e).__name__, e))
check(isinstance(e, mqtt.ProtocolError), "first error is %s, not mqtt.ProtocolError" % type(e).__name__)
check(ev.count("reconnect") == 0, "reconnected")
check(mqtt.run(timeout_ms=2000) is True, "something left open after end")
print("OK")
