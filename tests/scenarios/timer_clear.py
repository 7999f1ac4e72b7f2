# clearTimeout/clearInterval from a callback: a timer cleared by an earlier
# callback of the same step does not run (as in JavaScript). Both timers are
# due at the first step; the first clears the second.
import mqtt

ran = []
other = [None]


def first():
    mqtt.clearTimeout(other[0])
    ran.append("first")


mqtt.setTimeout(first, 0)
other[0] = mqtt.setTimeout(lambda: ran.append("cleared timeout"), 0)
mqtt.run(timeout_ms=100)
mqtt.setTimeout(first, 0)
other[0] = mqtt.setInterval(lambda: ran.append("cleared interval"), 0)
mqtt.run(timeout_ms=100)
print("ran: %r" % (ran,))
print("OK")
