# The test SIGKILLs the broker after READY-FOR-RESTART and starts it again on
# the same port ~1 s later. The client must notice, retry on its own, get a
# second 'connect', resubscribe (the new broker has no session), and send
# what was published while it was offline.
import mqtt
from scenario import url, check, wait, Events, connected, subscribe, end, Result

c = mqtt.connect(url(), clientId="s-restart", reconnectPeriod=300, keepalive=5)
ev = Events(c, "A")
connected(c, ev)
subscribe(c, "rs/t", {"qos": 1})
c.publish("rs/t", b"before", {"qos": 1})
wait(lambda: ev.payloads("rs/t"), 5000, "the first message")
print("READY-FOR-RESTART")
wait(lambda: ev.count("close"), 10000, "close after the broker was killed")
check(not c.connected, "c.connected is True after close")
q = Result()
c.publish("rs/t", b"queued", {"qos": 1}, q.cb)  # offline: queued
wait(lambda: ev.count("connect") >= 2, 20000, "a second connect after the broker restart")
print("reconnected: connect=%d reconnect>=1:%s close>=1:%s offline>=1:%s" % (
    ev.count("connect"), ev.count("reconnect") >= 1, ev.count("close") >= 1, ev.count("offline") >= 1))
check(ev.count("reconnect") >= 1, "no reconnect event")
check(ev.count("offline") >= 1, "no offline event")
check(ev.connacks[1]["returnCode"] == 0, "second connack %r" % (ev.connacks[1],))
r = Result()
c.publish("rs/t", b"after", {"qos": 1}, r.cb)
wait(lambda: len(ev.payloads("rs/t")) >= 3 and r.done and q.done, 5000, "messages after the restart")
check(q.err is None and r.err is None, "publish errors %r %r" % (q.err, r.err))
print("rs/t got %r" % (ev.payloads("rs/t"),))
check(ev.payloads("rs/t") == [b"before", b"queued", b"after"], "messages %r" % (ev.payloads("rs/t"),))
end(c, ev)
print("OK")
