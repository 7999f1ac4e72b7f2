# Every hook of a user script (tests/scripts/hooks.py), in order, against
# mosquitto with retain_available false: the script starts before the
# client exists, is attached, and sees connect, its own publish (onPublish,
# onMessage), an error, the server's DISCONNECT 0x9A (onDisconnect,
# onClose), the reconnection (onReconnect, onConnect), the end (onClose,
# onEnd), where it calls exit(): onWillExit, whose publish on the ended
# client is reported. The program goes on after the script has exited.
# env: MQTT_URL, SCRIPT
import mqtt
import mqtt.script
from scenario import url, env, wait, Events, connected, end

s = mqtt.script.run(env("SCRIPT"))  # before any client
print("started", s)
c = mqtt.connect(url(), {"protocolVersion": 5, "clientId": "s-script-hooks", "reconnectPeriod": 300})
s.attach(c)
ev = Events(c, "A", quiet=("message",))
c.subscribe("sh/#", {"qos": 1})  # (queued: it goes before what the script's onConnect publishes)
connected(c, ev)
wait(lambda: ev.payloads("sh/hello"), 5000, "the script's publish")
print("STEP error")
c.publish("sh/alias", "x", {"properties": {"topicAlias": 99}})  # over mosquitto's 10: an 'error' event
wait(lambda: ev.count("error"), 5000, "the alias error")
print("STEP disconnect")
c.publish("sh/retained", "x", {"retain": True})  # retain not supported: DISCONNECT 0x9A
wait(lambda: ev.count("connect") == 2, 5000, "the reconnection")
print("STEP end")
end(c, ev)
wait(lambda: s.ended, 3000, "the script to end")
print("script ended: errors=%d failed=%d" % (s.errors, s.failed))
# the program carries on: the client connects again, no hook is called
c.connect()
wait(lambda: ev.count("connect") == 3, 5000, "the third connection")
end(c, ev)
print("program went on after the script")
print("OK")
