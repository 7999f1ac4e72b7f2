# A long run through a FileStore: N QoS 1 messages of 64 bytes, every one
# acknowledged; the store's file and the heap stay bounded (compaction), and
# what it cost in bytes written per message is printed. env: MQTT_URL, STORE, N
import gc
import os
import mqtt
from mqtt.store import FileStore
from scenario import env, url, wait, check

n = int(env("N"))
s = FileStore(env("STORE"), fsync=env("FSYNC", "1") == "1")
o = {"clientId": "s-long", "clean": False, "outgoingStore": s, "incomingStore": s}
if env("NOSTORE", "0") == "1":  # (the same run without the store, to compare)
    o = {"clientId": "s-long"}
c = mqtt.connect(url(), o)
wait(lambda: c.connected, 5000, "connected")
acks = [0]


def acked(err):
    if not err:
        acks[0] += 1


m = b"x" * 64
biggest = 0
heap = []
for i in range(n):
    if len(c.queue) > 16:
        wait(lambda: len(c.queue) < 4, 10000, "the queue")
    c.publish("s/long", m, {"qos": 1}, acked)
    if i % 5000 == 4999:
        if c.journal:
            biggest = max(biggest, os.stat(env("STORE"))[6])
        gc.collect()
        heap.append(gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0)
wait(lambda: not c.queue and not c.outgoing, 10000, "every ack")
check(acks[0] == n, "acks %d of %d" % (acks[0], n))
packet = 2 + 2 + len("s/long") + 2 + 64
print("%d messages acknowledged; store file at most %d bytes; %.2f bytes written per message (%.2f x its %d-byte "
      "PUBLISH)" % (n, biggest, s.written / n, s.written / n / packet, packet))
print("heap after each 5,000 (MicroPython): %s" % heap[1:])
check(biggest < 3 * s.limit, "file %d over %d" % (biggest, 3 * s.limit))
check(not heap[0] or max(heap[1:]) - min(heap[1:]) < 4096, "heap grows: %r" % heap)
check(s.written / n <= 3 * packet, "written per message %.1f" % (s.written / n))
c.end()
print("OK")
