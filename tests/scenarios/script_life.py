# A user script's life (tests/scripts/life.py). It starts before any
# client: of the 34 publishes of its top level, 32 are held and 2 reported.
# Attached to a client with queueSize 20, whose queue holds a SUBSCRIBE
# already, 19 go into the queue and 13 are reported: all 34 accounted for.
# A hook that raises is reported, counted, and the script and the client go
# on. exit() from a hook: onWillExit publishes, and the script is detached
# as soon as that completes (well within its 2 s). The program goes on.
# env: MQTT_URL, SCRIPT
import mqtt
import mqtt.script
from mqtt.compat import ticks_ms, ticks_diff
from scenario import url, env, check, wait, idle, Events, connected, end

s = mqtt.script.run(env("SCRIPT"))
print("before a client: held %d, failed %d" % (len(s._held), s.failed))
check(s.failed == 2 and not s.ended, "held")
c = mqtt.connect(url(), {"clientId": "s-script-life", "queueSize": 20})
ev = Events(c, "A", quiet=("message",))
c.subscribe("life/#", {"qos": 1})
s.attach(c)
connected(c, ev)
wait(lambda: len(ev.payloads("life/early")) == 19 and s.failed == 15, 5000, "19 early messages")
print("early messages %d, first %r, failed %d" % (len(ev.payloads("life/early")), ev.payloads("life/early")[0],
                                                  s.failed))
c.publish("life/x", "boom")
c.publish("life/x", "after")
wait(lambda: ev.payloads("life/x") == [b"boom", b"after"], 5000, "boom and after")
idle(50)
print("hook errors %d" % s.errors)
t0 = ticks_ms()
c.publish("life/x", "quit")
wait(lambda: s.ended, 3000, "the script to end")
print("detached %s ms after quit" % ("within 1000" if ticks_diff(ticks_ms(), t0) < 1000 else "later than 1000"))
wait(lambda: ev.payloads("life/bye"), 3000, "the script's last message")
c.publish("life/x", "later")  # no hook any more
wait(lambda: b"later" in ev.payloads("life/x"), 3000, "later")
try:
    s.publish("life/x", "too late")
except ValueError as e:
    print("publish after the end: ValueError:", e)
check(c.connected, "the client went with the script")
end(c, ev)
print("OK")
