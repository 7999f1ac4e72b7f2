# Bad arguments raise ValueError at once, with a message that says what is
# wrong; the client is unharmed and still works afterwards.
import mqtt
from scenario import url, check, fail, wait, Events, connected, subscribe, end, ename

c = mqtt.connect(url(), clientId="s-badargs")
ev = Events(c, "A")
connected(c, ev)


def expect(label, fn, *words):
    try:
        fn()
    except ValueError as e:
        msg = str(e)
        print("%s: %s: %s" % (label, ename(e), msg))
        for w in words:
            check(w in msg, "%s: message %r does not mention %r" % (label, msg, w))
        return
    except Exception as e:
        fail("%s: raised %s: %s, expected ValueError" % (label, ename(e), e))
    fail("%s: no exception, expected ValueError" % label)


expect("publish qos=3", lambda: c.publish("t", b"x", {"qos": 3}), "qos")
expect("publish topic with #", lambda: c.publish("a/#", b"x"), "a/#")
expect("publish topic with +", lambda: c.publish("a/+/b", b"x"), "a/+/b")
expect("publish empty topic", lambda: c.publish("", b"x"))
expect("unknown option keyword", lambda: mqtt.connect(url(), bogusOption=1), "bogusOption")
expect("unknown option dict", lambda: mqtt.connect(url(), {"clientid": "x"}), "clientid")
expect("subscribe empty topic", lambda: c.subscribe(""))
expect("subscribe qos=3", lambda: c.subscribe("a/b", {"qos": 3}), "qos")
expect("subscribe bad wildcard", lambda: c.subscribe("a/b#"), "a/b#")
expect("unsubscribe empty topic", lambda: c.unsubscribe(""))

check(c.connected, "disconnected by bad arguments")
subscribe(c, "ok/t", {"qos": 1})
c.publish("ok/t", b"still fine", {"qos": 1})
wait(lambda: ev.messages, 5000, "a message after the bad calls")
check(ev.payloads("ok/t") == [b"still fine"], "messages %r" % (ev.messages,))
check(ev.count("error") == 0, "error events")
end(c, ev)
print("OK")
