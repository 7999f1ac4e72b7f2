# Raw-socket ceilings under MicroPython: hand-built packets, no client logic.
# Usage: micropython -m mp_raw MODE PORT N SIZE WINDOW MS
#   qos0     N prebuilt QoS 0 PUBLISHes, one write each, confirmed by PINGREQ/PINGRESP
#   qos0w    the same, timed until the last is written (in the socket, not yet confirmed)
#   qos1one  one QoS 1 PUBLISH at a time, a blocking read of its PUBACK
#   qos1busy the same on a non-blocking socket, spinning on readinto
#   qos1     QoS 1 pipelined: at most WINDOW unacknowledged
#   recv     persistent session (clean session 0, QoS 1 subscription),
#            disconnect, READY; GO on stdin once the burst is queued at the
#            broker; connect again, readinto a 32 KB buffer and parse the
#            packets in place, timed from the first to the last
#   recvbuf  the same reader on a connection that stayed subscribed (QoS 0)
#            but did not read while the burst was sent
# SIZE: payload bytes; MS: time limit of the one-at-a-time modes.
# env BENCH_SCHEME=ws: to the broker's WebSocket listener (PORT), qos0, qos0w
# and qos1 only: the upgrade, then each packet in a prebuilt masked frame (the
# same key every time: no masking work), the ceiling for a ws:// client; a
# PUBACK comes back as a frame of 6 bytes.
import os
import sys
import socket
import select
import time
import json

mode, port, n, size, win, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
us = time.ticks_us
diff = time.ticks_diff
topic = b"bench/raw/%d" % us()


def s16(b):
    return bytes((len(b) >> 8, len(b) & 255)) + b


def packet(h, body):
    n = len(body)
    rl = bytearray()
    while True:
        rl.append((n & 127) | (128 if n > 127 else 0))
        n >>= 7
        if not n:
            return bytearray(bytes((h,)) + rl + body)


WS = os.getenv("BENCH_SCHEME") == "ws"


def frame(p):  # p in a masked binary frame (key 0x5a5a5a5a: the broker unmasks it as any other)
    n = len(p)
    h = bytes((0x82, 0x80 | n)) if n < 126 else bytes((0x82, 0xFE, n >> 8, n & 255))
    return bytearray(h + b"\x5a\x5a\x5a\x5a" + bytes(x ^ 0x5A for x in p))


s = socket.socket()
s.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
s.setsockopt(6, 1, 1)  # TCP_NODELAY: one write is one segment
if WS:
    s.write(b"GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Protocol: mqtt\r\n\r\n")
    r = b""
    while not r.endswith(b"\r\n\r\n"):
        r += s.read(1)
    assert r.startswith(b"HTTP/1.1 101"), r
    s.write(frame(packet(0x10, s16(b"MQTT") + b"\x04\x02\x00\x3c" + s16(b"raw%d" % us()))))
    assert s.read(6) == b"\x82\x04\x20\x02\x00\x00"
else:
    s.write(packet(0x10, s16(b"MQTT") + b"\x04\x02\x00\x3c" + s16(b"raw%d" % us())))
    assert s.read(4) == b"\x20\x02\x00\x00"
res = {"mode": mode}


def pub1():
    # a QoS 1 PUBLISH; returns (packet, offset of its packet id)
    p = packet(0x32, s16(topic) + b"\x00\x01" + bytes(size))
    return p, len(p) - size - 2


def writeall(p):
    mv = memoryview(p)
    o = 0
    while o < len(p):
        k = s.write(mv[o:])
        if k is None:  # non-blocking and full: wait until it takes more
            po = select.poll()
            po.register(s, select.POLLOUT)
            po.poll(1000)
            continue
        o += k


def run_qos0(written):
    pkt = packet(0x30, s16(topic) + bytes(size))
    ping = b"\xc0\x00"
    if WS:
        pkt = frame(pkt)
        ping = frame(ping)
    w = s.write
    t0 = us()
    for _ in range(n):
        w(pkt)
    t1 = us()
    w(ping)
    r = s.read(4 if WS else 2)
    res.update(n=n, us=diff(t1 if written else us(), t0))
    assert r[-2:] == b"\xd0\x00", r


def run_qos1one(busy):
    # blocking: readinto waits for all 4 bytes; busy: spin on a non-blocking one
    p, o = pub1()
    ack = bytearray(4)
    mv = memoryview(ack)
    s.setblocking(not busy)
    w = s.write
    ri = s.readinto
    t0 = us()
    i = 0
    while i < n:
        i += 1
        pid = i % 65535 + 1  # 1..65535
        p[o] = pid >> 8
        p[o + 1] = pid & 255
        w(p)
        h = 0
        while h < 4:
            k = ri(mv[h:])
            if k:
                h += k
            elif k == 0:
                raise SystemExit("connection closed by the broker")
        if ack[0] != 0x40:
            raise SystemExit("not a PUBACK: %r" % ack)
        if not i & 15 and diff(us(), t0) > limit * 1000:
            break
    res.update(n=i, us=diff(us(), t0))


def run_qos1():
    p, o = pub1()
    m = 0  # the mask of the pid's bytes in a frame
    if WS:
        p = frame(p)
        o += len(p) - len(pub1()[0])
        m = 0x5A
    a = 6 if WS else 4  # bytes per PUBACK
    buf = bytearray(a * win + a)
    mv = memoryview(buf)
    s.setblocking(False)
    poll = select.poll()
    poll.register(s, select.POLLIN)
    ri = s.readinto
    sent = acked = have = 0
    t0 = us()
    while acked < n:
        if sent < n and sent - acked < win:
            sent += 1
            pid = sent % 65535 + 1
            p[o] = pid >> 8 ^ m
            p[o + 1] = pid & 255 ^ m
            writeall(p)
            k = ri(mv[have:])
        else:
            poll.poll(1000)
            k = ri(mv[have:])
            if k == 0:
                raise SystemExit("connection closed by the broker")
        if k:
            k += have
            acked += k // a  # every packet coming back is a PUBACK (in a frame of its own over ws://)
            have = k % a
            if have:
                buf[:have] = buf[k - have:k]
    res.update(n=n, us=diff(us(), t0))


def connect(cid, flags):
    c = socket.socket()
    c.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
    c.setsockopt(6, 1, 1)
    c.write(packet(0x10, s16(b"MQTT") + bytes((4, flags, 0, 60)) + s16(cid)))
    r = c.read(4)
    assert r[0] == 0x20 and r[3] == 0, r
    return c


def run_recv():
    # persistent session: subscribe at QoS 1, disconnect, READY; after GO the
    # burst is queued at the broker, and a new connection receives it
    global s
    cid = b"rawr%d" % us()
    r = connect(cid, 0)
    r.write(packet(0x82, b"\x00\x01" + s16(topic) + b"\x01"))
    assert r.read(5)[0] == 0x90
    r.write(b"\xe0\x00")
    r.close()
    print("READY", topic.decode())
    sys.stdin.readline()
    s.write(b"\xe0\x00")
    s.close()
    s = connect(cid, 0)
    read_burst()


def run_recvbuf():
    # connected and subscribed but not reading while the burst is sent: it
    # waits in the socket buffers (on loopback they hold a 64-byte burst of
    # 20000), so this is the parser's own speed, not the broker's
    s.write(packet(0x82, b"\x00\x01" + s16(topic) + b"\x00"))
    assert s.read(5)[0] == 0x90
    print("READY", topic.decode())
    sys.stdin.readline()
    read_burst()


def read_burst():
    # readinto on a blocking socket waits for a full buffer: go non-blocking
    # and poll, so each readinto returns whatever has arrived.
    s.setblocking(False)
    poll = select.poll()
    poll.register(s, select.POLLIN)
    buf = bytearray(32768)
    mv = memoryview(buf)
    ri = s.readinto
    have = got = 0
    t0 = t1 = 0
    while got < n:
        k = ri(mv[have:])
        if k is None:
            if not poll.poll(5000):
                break  # idle: messages lost, report what arrived
            continue
        if not k:
            break
        if not got:
            t0 = us()
        have += k
        i = 0
        while have - i >= 2:  # whole packets in buf[i:have]
            rl = sh = 0
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
            i = j + rl
        if i:
            buf[: have - i] = mv[i:have]
        have -= i
        if len(buf) - have < 16 + size:  # room for at least one more packet
            raise SystemExit("packet larger than the buffer")
    t1 = us()
    res.update(n=got, us=diff(t1, t0))


if mode in ("qos1one", "qos1busy"):
    run_qos1one(mode == "qos1busy")
elif mode in ("qos0", "qos0w"):
    run_qos0(mode == "qos0w")
else:
    {"qos1": run_qos1, "recv": run_recv, "recvbuf": run_recvbuf}[mode]()
s.setblocking(True)
s.write(frame(b"\xe0\x00") if WS else b"\xe0\x00")
s.close()
print(json.dumps(res))
