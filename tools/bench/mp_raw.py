# Raw-socket ceiling under MicroPython: hand-built packets, one write per
# message, no client logic. Usage: micropython -m mp_raw MODE PORT N
#   qos0: N prebuilt QoS 0 PUBLISHes, confirmed by PINGREQ/PINGRESP.
#   recv: subscribe, print READY, count N inbound PUBLISHes (minimal parser).
import sys
import socket
import time
import json

mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
topic = b"bench/raw/%d" % time.ticks_us()


def s16(b):
    return bytes((len(b) >> 8, len(b) & 255)) + b


def packet(h, body):
    # remaining length < 16384 here: at most 2 varint bytes
    n = len(body)
    rl = bytes((n,)) if n < 128 else bytes(((n & 127) | 128, n >> 7))
    return bytes((h,)) + rl + body


s = socket.socket()
s.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
s.write(packet(0x10, s16(b"MQTT") + b"\x04\x02\x00\x3c" + s16(b"raw%d" % time.ticks_us())))
assert s.read(4) == b"\x20\x02\x00\x00"

if mode == "qos0":
    pkt = packet(0x30, s16(topic) + bytes(64))
    w = s.write
    t0 = time.ticks_us()
    for _ in range(n):
        w(pkt)
    w(b"\xc0\x00")
    r = s.read(2)
    dt = time.ticks_diff(time.ticks_us(), t0)
    assert r == b"\xd0\x00", r
    res = {"n": n, "us": dt}
elif mode == "recv":
    s.write(packet(0x82, b"\x00\x01" + s16(topic) + b"\x00"))
    assert s.read(5)[0] == 0x90
    print("READY", topic.decode())
    # readinto on a blocking socket waits for a full buffer: go non-blocking
    # and poll, so each readinto returns whatever has arrived.
    import select
    s.setblocking(False)
    poller = select.poll()
    poller.register(s, select.POLLIN)
    buf = bytearray(4096)
    mv = memoryview(buf)
    have = got = 0
    t0 = t1 = 0
    while got < n:
        k = s.readinto(mv[have:])
        if k is None:
            if not poller.poll(5000):
                break  # idle: messages lost, report what arrived
            continue
        if not k:
            break
        have += k
        i = 0
        while have - i >= 2:  # parse whole packets in buf[i:have]
            rl = 0
            sh = 0
            j = i + 1
            while j < have:
                b = buf[j]
                rl |= (b & 127) << sh
                sh += 7
                j += 1
                if b < 128:
                    break
            else:
                break
            if j + rl > have:
                break
            if buf[i] & 0xF0 == 0x30:
                got += 1
                if got == 1:
                    t0 = time.ticks_us()
            i = j + rl
        t1 = time.ticks_us()
        if i:
            buf[: have - i] = mv[i:have]
        have -= i
    res = {"n": got, "us": time.ticks_diff(t1, t0)}
s.setblocking(True)
s.write(b"\xe0\x00")
s.close()
res["mode"] = mode
print(json.dumps(res))
