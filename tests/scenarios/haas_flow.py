# Seed 003 end to end: createClient -> success -> subscribe -> publish ->
# message -> unsubscribe -> close -> 'close' event; and the return codes.
import mqtt
from scenario import url, check, wait, idle

port = int(url().rsplit(":", 1)[1])
log = []


def note(*a):
    print(" ".join(str(x) for x in a))
    log.append(a[0])


# options that can't be used: None, and the reason goes to fail
bad = []
check(mqtt.createClient({"port": port, "fail": bad.append}) is None, "no host: a client")
check(mqtt.createClient({"host": "127.0.0.1", "port": "abc", "fail": bad.append}) is None, "port 'abc': a client")
print("unusable options: %d fail calls: %s" % (len(bad), "; ".join(str(e) for e in bad)))
check(len(bad) == 2 and "host" in str(bad[0]) and "port" in str(bad[1]), "fail reasons %r" % (bad,))

c = mqtt.createClient({"host": "127.0.0.1", "port": port, "clientId": "s-haas", "keepalive_interval": 30,
                       "success": lambda: note("success"), "fail": lambda err: note("fail", err)})
check(c is not None, "createClient returned None")
got = []
c.on("connect", lambda: note("connect event"))
c.on("message", lambda topic, message: got.append((topic, message)))
c.on("close", lambda: note("close event"))
c.on("disconnect", lambda: note("disconnect event"))
# requests made before the connection is up are queued, not refused
check(c.subscribe({"topic": "h/t", "qos": 1, "success": lambda: note("subscribed"),
                   "fail": lambda e: note("subscribe failed", e)}) == 0, "subscribe before connect")
wait(lambda: "connect event" in log and "subscribed" in log, 5000, "connect and subscribe")
codes = [c.subscribe({}), c.subscribe("h/t"), c.publish({"topic": "h/t"}),
         c.publish({"topic": "a/#", "message": "x"}), c.publish({"topic": "h/t", "message": 5}),
         c.publish({"topic": "h/t", "message": "m", "qos": 3}), c.unsubscribe({"topic": ""})]
print("bad argument codes %r" % (codes,))
check(codes == [-1] * 7, "bad argument codes %r" % (codes,))
check(c.publish({"topic": "h/t", "message": "hello", "qos": 1, "success": lambda: note("published")}) == 0,
      "publish rc")
wait(lambda: got and "published" in log, 5000, "the message back")
print("message %r" % (got[0],))
check(got[0] == ("h/t", b"hello"), "message %r" % (got[0],))
check(c.unsubscribe({"topic": "h/t", "success": lambda: note("unsubscribed")}) == 0, "unsubscribe rc")
wait(lambda: "unsubscribed" in log, 5000, "unsubscribe success")
check(c.publish({"topic": "h/t", "message": b"after"}) == 0, "publish after unsubscribe")
idle(300)
check(len(got) == 1, "a message after unsubscribe: %r" % (got,))
check(c.close() == 0, "close rc")
wait(lambda: "close event" in log, 5000, "the close event")
codes = [c.close(), c.publish({"topic": "h/t", "message": "x"}), c.subscribe({"topic": "h/t"})]
print("after close codes %r" % (codes,))
check(codes == [-2, -2, -2], "codes after close %r" % (codes,))
check(log.count("success") == 1 and "fail" not in log and "disconnect event" not in log, "events %r" % (log,))
print("OK")
