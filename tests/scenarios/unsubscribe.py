# After UNSUBACK, messages on the topic stop; another subscribed topic still
# gets messages (a marker published after the unsubscribed one proves that
# the broker handled it).
import mqtt
from scenario import url, check, wait, idle, Events, connected, subscribe, end, Result

c = mqtt.connect(url(), clientId="s-unsub")
ev = Events(c, "A")
connected(c, ev)
subscribe(c, {"un/t": 1, "un/marker": 1})
c.publish("un/t", b"one", {"qos": 1})
wait(lambda: ev.payloads("un/t"), 5000, "the first message")
r = Result()
c.unsubscribe("un/t", None, r.cb)
wait(lambda: r.done, 5000, "UNSUBACK")
check(r.err is None, "unsubscribe error %r" % (r.err,))
print("unsubscribed")
c.publish("un/t", b"two", {"qos": 1})
c.publish("un/marker", b"marker", {"qos": 1})
wait(lambda: ev.payloads("un/marker"), 5000, "the marker")
idle(300)
print("un/t got %r" % (ev.payloads("un/t"),))
check(ev.payloads("un/t") == [b"one"], "messages on un/t after unsubscribe: %r" % (ev.payloads("un/t"),))
r = Result()
c.unsubscribe(["un/marker"], None, r.cb)
wait(lambda: r.done, 5000, "UNSUBACK of a list")
check(r.err is None, "unsubscribe error %r" % (r.err,))
end(c, ev)
print("OK")
