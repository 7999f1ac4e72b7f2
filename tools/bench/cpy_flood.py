# CPython raw-socket publisher for the receive bench: floods N QoS 0
# PUBLISHes of SIZE bytes to TOPIC as fast as the broker takes them, then
# waits for PINGRESP: every message has then been routed by the broker (queued
# for the subscriber, which is not reading yet). Returns (prints) its msg/s.
# Usage: python cpy_flood.py PORT TOPIC N [SIZE]
import os
import socket
import sys
import time


def s16(b):
    return len(b).to_bytes(2, "big") + b


def packet(h, body):
    n, rl = len(body), bytearray()
    while True:
        rl.append((n & 127) | (128 if n > 127 else 0))
        n >>= 7
        if not n:
            return bytes((h,)) + bytes(rl) + body


def main(port, topic, n, size=64):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(packet(0x10, s16(b"MQTT") + b"\x04\x02\x00\x3c" + s16(b"flood%d" % os.getpid())))
    assert s.recv(4) == b"\x20\x02\x00\x00"
    pkt = packet(0x30, s16(topic.encode()) + bytes(size))
    k = max(1, 65536 // len(pkt))  # ~64 KB writes: big enough to be cheap
    t0 = time.perf_counter()
    for i in range(0, n, k):
        s.sendall(pkt * min(k, n - i))
    s.sendall(b"\xc0\x00")
    r = b""
    while len(r) < 2:
        b = s.recv(2 - len(r))
        assert b, "broker closed"
        r += b
    assert r == b"\xd0\x00", r
    dt = time.perf_counter() - t0
    s.sendall(b"\xe0\x00")
    s.close()
    return n / dt


if __name__ == "__main__":
    a = sys.argv[1:]
    print("%.0f msg/s" % main(int(a[0]), a[1], int(a[2]), int(a[3]) if len(a) > 3 else 64))
