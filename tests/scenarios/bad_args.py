# Bad arguments raise ValueError at once, with a message that says what is
# wrong; given a callback, they go to it instead (as mqtt.js), as an
# MQTTError with that message, and nothing is sent. The client is unharmed
# and still works afterwards. Topics a broker would close the connection
# for (NUL, not UTF-8, over 65,535 bytes) are refused here, not sent.
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
expect("publish topic with NUL", lambda: c.publish("a\x00b", b"x"), "NUL")
expect("publish topic not UTF-8", lambda: c.publish(b"a\xff", b"x"), "UTF-8")
expect("publish topic over 65535 bytes", lambda: c.publish("t" * 65536, b"x"), "65535")
expect("subscribe filter with NUL", lambda: c.subscribe("a\x00b"))

told = []
c.subscribe("a/b#", {"qos": 1}, lambda err, granted: told.append(("subscribe", err, granted)))
c.subscribe("a/b", {"qos": 3}, lambda err, granted: told.append(("subscribe qos", err, granted)))
c.unsubscribe("", lambda err: told.append(("unsubscribe", err)))
c.publish("a/+", b"x", {"qos": 1}, lambda err: told.append(("publish", err)))
wait(lambda: len(told) == 4, 2000, "the callbacks")
for t in told:
    print("callback %s: %s: %s" % (t[0], ename(t[1]), t[1]))
check([t[0] for t in told] == ["subscribe", "subscribe qos", "unsubscribe", "publish"], "order %r" % (told,))
check(all(isinstance(t[1], mqtt.MQTTError) for t in told), "not MQTTErrors: %r" % (told,))
check(told[0][2] is None and "a/b#" in str(told[0][1]) and "a/+" in str(told[3][1]), "%r" % (told,))

check(c.connected, "disconnected by bad arguments")
subscribe(c, "ok/t", {"qos": 1})
c.publish("ok/t", b"still fine", {"qos": 1})
wait(lambda: ev.messages, 5000, "a message after the bad calls")
check(ev.payloads("ok/t") == [b"still fine"], "messages %r" % (ev.messages,))
check(ev.count("error") == 0, "error events")
end(c, ev)
print("OK")
