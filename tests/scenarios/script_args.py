# What a script's helpers and run() refuse, each with a clear error, without
# a broker: bad topics, messages and options, a property no client may send,
# a source that is not there, a client of no known API; module helpers with
# no script, or two, running. A script that ends with publishes it held
# for a client that never came reports each of them.
# env: SCRIPT
import mqtt.script
from scenario import env, check


def refused(label, f, *a):
    try:
        f(*a)
    except Exception as e:  # (ValueError, TypeError, OSError: printed with their text)
        print("%s: %s: %s" % (label, type(e).__name__, e))
        return
    print("%s: accepted" % label)


refused("module publish, no script", mqtt.script.publish, "a", "x")
refused("missing file", mqtt.script.run, "/nonexistent/script.py")
s = mqtt.script.run(env("SCRIPT"))
refused("topic with +", s.publish, "a/+", "x")
refused("empty topic", s.publish, "", "x")
refused("topic with NUL", s.publish, "a\x00b", "x")
refused("topic too long", s.publish, "a" * 65536, "x")
refused("topic not str", s.publish, b"a", "x")
refused("message int", s.publish, "a", 5)
refused("opts not dict", s.publish, "a", "x", "qos=1")
refused("qos 3", s.publish, "a", "x", {"qos": 3})
refused("unknown option", s.publish, "a", "x", {"qso": 1})
refused("properties not dict", s.publish, "a", "x", {"properties": 1})
refused("unknown property", s.publish, "a", "x", {"properties": {"contentTyp": "t"}})
refused("subscriptionIdentifier", s.publish, "a", "x", {"properties": {"subscriptionIdentifier": 1}})
refused("attach a str", s.attach, "mqtt://broker")
refused("module publish, one script", mqtt.script.publish, "q/one", "held")
s2 = mqtt.script.run(env("SCRIPT"))
refused("module publish, two scripts", mqtt.script.publish, "a", "x")
s2.stop()
print("held %d, failed %d" % (len(s._held), s.failed))
s.stop()  # no client came: the held publishes are reported
check(s.ended and s2.ended and s.failed == 4, "%r failed %d" % (s, s.failed))
refused("publish after the end", s.publish, "a", "x")
refused("attach after the end", s.attach, None)
print("OK")
