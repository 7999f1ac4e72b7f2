# CPython raw-socket publisher for the receive bench: floods N QoS 0
# PUBLISHes (64-byte payload) to TOPIC as fast as the broker accepts them,
# then waits for PINGRESP so every message has reached the broker.
# Usage: python cpy_flood.py PORT TOPIC N
import os
import socket
import sys


def s16(b):
    return len(b).to_bytes(2, "big") + b


def packet(h, body):
    n, rl = len(body), bytearray()
    while True:
        rl.append((n & 127) | (128 if n > 127 else 0))
        n >>= 7
        if not n:
            return bytes((h,)) + bytes(rl) + body


def main(port, topic, n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(packet(0x10, s16(b"MQTT") + b"\x04\x02\x00\x3c" + s16(b"flood%d" % os.getpid())))
    assert s.recv(4) == b"\x20\x02\x00\x00"
    pkt = packet(0x30, s16(topic.encode()) + bytes(64))
    for i in range(0, n, 1000):  # ~75 KB writes: big enough to be cheap
        s.sendall(pkt * min(1000, n - i))
    s.sendall(b"\xc0\x00")
    assert s.recv(2) == b"\xd0\x00"
    s.sendall(b"\xe0\x00")
    s.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
