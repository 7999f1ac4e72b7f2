# The publisher the kill test starts again and again (SIGKILL at random
# points): TOTAL messages, even numbers at QoS 1, odd at QoS 2, each
# numbered. What publish() returned for is in the store; the program's own
# progress (a line appended after each publish() returns) and the restored
# requests together say where to go on. env: MQTT_URL, STORE, PROGRESS, TOTAL
import mqtt
from mqtt.store import FileStore
from scenario import env, url, wait, check

total = int(env("TOTAL"))
prog = env("PROGRESS")
s = FileStore(env("STORE"))
c = mqtt.connect(url(), {"clientId": "s-kill-pub", "clean": False, "outgoingStore": s, "incomingStore": s,
                         "reconnectPeriod": 100, "keepalive": 30})
errors = []
c.on("error", errors.append)
done = 0
try:
    with open(prog) as f:
        for line in f:
            if line.strip():
                done = int(line) + 1
except OSError:
    pass
for p in c.restored:
    done = max(done, int(p["payload"]) + 1)
print("START at %d, restored %d" % (done, len(c.restored)))
log = open(prog, "a")
for i in range(done, total):
    if len(c.queue) > 16:
        wait(lambda: len(c.queue) < 8, 20000, "the queue to drain")
    c.publish("kt/%d" % (1 + i % 2), b"%06d" % i, {"qos": 1 + i % 2})
    log.write("%d\n" % i)
    log.flush()
wait(lambda: c.connected and not c.queue and not c.outgoing, 20000, "every ack")
check(not errors, "errors: %r" % (errors,))
c.end()
wait(lambda: not c.connected, 2000, "the end")
print("DONE")
print("OK")
