# A publishes a retained message and ends; B connects later, subscribes and
# gets it with retain=True; a live message to B has retain=False.
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end, Result

a = mqtt.connect(url(), clientId="s-ret-a")
ea = Events(a, "A")
connected(a, ea)
r = Result()
a.publish("ret/t", b"kept", {"qos": 1, "retain": True}, r.cb)
wait(lambda: r.done, 5000, "PUBACK of the retained message")
check(r.err is None, "publish error %r" % (r.err,))
end(a, ea)

b = mqtt.connect(url(), clientId="s-ret-b")
eb = Events(b, "B")
connected(b, eb)
s = subscribe(b, "ret/#", {"qos": 1})
check(s.err is None, "subscribe error %r" % (s.err,))
wait(lambda: len(eb.messages) >= 1, 5000, "the retained message")
t, p, q, ret, dup = eb.messages[0]
check((t, p, ret) == ("ret/t", b"kept", True), "got %r" % (eb.messages[0],))
print("retained: topic=%s payload=%r retain=%s" % (t, p, ret))
b.publish("ret/live", b"now", {"qos": 1})
wait(lambda: len(eb.messages) >= 2, 5000, "the live message")
t, p, q, ret, dup = eb.messages[1]
check((t, p, ret) == ("ret/live", b"now", False), "got %r" % (eb.messages[1],))
print("live: topic=%s payload=%r retain=%s" % (t, p, ret))
end(b, eb)
print("OK")
