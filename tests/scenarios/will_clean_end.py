# A client with a will that ends cleanly (DISCONNECT): its will must NOT be
# published. B watches the will topic; A's last normal message is a marker
# so B knows A's traffic is over, then B waits a little more.
import mqtt
from scenario import url, check, wait, idle, Events, connected, subscribe, end, Result

b = mqtt.connect(url(), clientId="s-wce-b")
eb = Events(b, "B")
connected(b, eb)
subscribe(b, "wce/#", {"qos": 1})
a = mqtt.connect(url(), clientId="s-wce-a",
                 will={"topic": "wce/will", "payload": b"A died", "qos": 1})
ea = Events(a, "A")
connected(a, ea)
r = Result()
a.publish("wce/marker", b"bye", {"qos": 1}, r.cb)
wait(lambda: r.done, 5000, "PUBACK of the marker")
end(a, ea)
wait(lambda: eb.payloads("wce/marker"), 5000, "the marker")
idle(1000)
check(eb.payloads("wce/will") == [], "will published after a clean end: %r" % (eb.payloads("wce/will"),))
print("no will after clean end")
end(b, eb)
print("OK")
