# HaaS events across a broker restart: 'disconnect' when the connection is
# lost, 'reconnect' when a reconnection succeeds (seed 003), and the
# subscription works again.
import mqtt
from scenario import url, check, wait

port = int(url().rsplit(":", 1)[1])
log = []
got = []
c = mqtt.createClient({"host": "127.0.0.1", "port": port, "clientId": "s-haas-rc", "keepalive_interval": 5,
                       "reconnectPeriod": 300})
for ev in ("connect", "reconnect", "disconnect", "close"):
    c.on(ev, (lambda ev: lambda: log.append(ev))(ev))
c.on("message", lambda t, m: got.append(m))
c.subscribe({"topic": "hr/t", "qos": 1})
wait(lambda: "connect" in log, 5000, "connect")
c.publish({"topic": "hr/t", "message": "before", "qos": 1})
wait(lambda: got, 5000, "the first message")
print("READY-FOR-RESTART")
wait(lambda: "disconnect" in log, 10000, "disconnect after the broker was killed")
wait(lambda: "reconnect" in log, 20000, "reconnect after the restart")
c.publish({"topic": "hr/t", "message": "after", "qos": 1})
wait(lambda: len(got) >= 2, 5000, "a message after the reconnect")
print("events %r messages %r" % (log, got))
check(log.count("connect") == 1 and log.count("reconnect") == 1, "events %r" % (log,))
check(got == [b"before", b"after"], "messages %r" % (got,))
c.close()
wait(lambda: "close" in log, 5000, "close")
print("OK")
