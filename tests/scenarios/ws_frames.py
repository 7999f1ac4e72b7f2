# mqtt.ws's sans-IO framing (Frames) and the upgrade's accept key, through
# their own interface, no socket: for tests/test_ws.py on either runtime.
# Prints one line per check, then OK; a failed check prints FAIL and exits 1.
from mqtt import ws
from mqtt.core import ProtocolError
from scenario import check
from wsframe import frame as sframe  # (a frame as a server sends it)


def cframe(b):
    # a client frame -> (fin+opcode byte, mask key, unmasked payload); checks it is whole and masked
    check(b[1] & 128, "client frame not masked: %r" % (b[:2],))
    n = b[1] & 127
    check(n != 127, "client frame length form 127 for a frame under 64 KB")
    a = 2
    if n == 126:
        n = b[2] << 8 | b[3]
        a = 4
        check(n > 125, "client frame length %d not in its shortest form" % n)
    key = b[a : a + 4]
    p = bytes(x ^ key[i & 3] for i, x in enumerate(b[a + 4 :]))
    check(len(p) == n, "client frame length %d, payload %d" % (n, len(p)))
    return b[0], bytes(key), p


def out(f):  # the frame waiting in f.out, taken
    b = bytes(f.out[f.start : f.end])
    f.start = f.end
    return b


def feed(f, data, step=None):
    # data in, step bytes a read (each read in a buffer of its own, as a client's
    # receive buffer would be): the data that came out, joined
    got = b""
    step = step or len(data) or 1
    for i in range(0, len(data), step):
        chunk = data[i : i + step]
        buf = bytearray(len(chunk) + 3)
        buf[: len(chunk)] = chunk
        k = f.unframe(memoryview(buf), len(chunk))
        got += bytes(buf[:k])
    return got


def refused(data, text, step=None):
    f = ws.Frames()
    try:
        feed(f, data, step)
    except ProtocolError as e:
        check(text in str(e), "error %r, not %r" % (str(e), text))
        return str(e)
    check(False, "no error for %r (%s)" % (data[:12], text))


print("masking: %s" % ("python" if ws._mask is ws._pymask else "big integer (CPython)"
                       if getattr(ws._mask, "__name__", "") == "ws_mask" else "viper"))

# -- output

f = ws.Frames()
src = bytes(range(256)) * 20
keys = set()
for n in (0, 1, 2, 3, 4, 5, 7, 8, 9, 125, 126, 127, 255, 256, 1000, 4096):
    k = f.frame(src, n)
    check(k == n, "frame(%d) took %d" % (n, k))
    h, key, p = cframe(out(f))
    check(h == 0x82, "frame header %x: FIN and binary wanted" % h)
    check(p == src[:n], "frame(%d): payload %r" % (n, p[:16]))
    keys.add(key)
check(len(keys) >= 15, "mask keys: %d different in 16 frames" % len(keys))
print("frame: masked binary frames, the length in its shortest form, a fresh key each")
k = f.frame(src, 5000, 2, 7)  # (b[7:5007]: from an offset, as write() takes a long one)
check(k == 4096 and cframe(out(f))[2] == src[7 : 7 + 4096], "frame(5000) took %d" % k)
check(len(f.out) == 4096 + 8, "output buffer %d" % len(f.out))
print("frame: a long write goes out in frames of 4096 bytes, the buffer grown once")
g = ws.Frames()
check(len(g.out) == 256 + 8, "output buffer to start with: %d" % len(g.out))
g.frame(src, 300)
check(len(g.out) == 512 + 8, "grown to %d for 300 bytes" % len(g.out))
print("frame: the buffer starts at 256 bytes and doubles as writes need")
k = f.frame(b"\x03\xe8", 2, 8)
h, key, p = cframe(out(f))
check(h == 0x88 and p == b"\x03\xe8", "close frame %x %r" % (h, p))
print("frame: control frames (a close)")
sb = bytearray(src)  # (word-aligned where both ends are: 4 bytes at a time)
for a, n, j in ((6, 0, 0), (6, 1, 0), (6, 5, 3), (6, 7, 0), (6, 33, 1), (6, 300, 17), (8, 2048, 0),
                (8, 303, 4), (8, 3, 0), (8, 301, 2), (8, 1000, 2048)):  # the pure-Python masking agrees
    o = bytearray(n + 16)
    o[a - 4 : a] = b"\x9a\x0b\xfc\x47"
    ws._pymask(o, a, sb, j, n)
    o2 = bytearray(n + 16)
    o2[a - 4 : a] = b"\x9a\x0b\xfc\x47"
    ws._mask(o2, a, sb, j, n)
    check(o == o2 and bytes(o[a : a + n]) == bytes(x ^ o[a - 4 + (i & 3)] for i, x in enumerate(src[j : j + n])),
          "masking %d bytes from %d at %d" % (n, j, a))
    b = bytearray(src[: n + 9])
    ws._pymove(b, 2, 9, n)
    b2 = bytearray(src[: n + 9])
    ws._move(b2, 2, 9, n)
    check(b == b2 and bytes(b[2 : 2 + n]) == src[9 : 9 + n], "moving %d bytes" % n)
print("masking and moving: the fast way and the plain one agree")

# -- input

pk = [b"\x20\x02\x00\x00", b"\x30\x0a\x00\x03a/bhello", b"\x90\x03\x00\x01\x01", b"\xd0\x00",
      b"\x30\x82\x01\x00\x03big" + bytes(125)]  # CONNACK, PUBLISH, SUBACK, PINGRESP, a 130-byte PUBLISH
stream = b"".join(pk)
one = sframe(2, stream)
for step in (None, 1, 2, 3, 7):
    f = ws.Frames()
    check(feed(f, one, step) == stream, "one frame, %s bytes a read" % step)
print("input: several packets in one frame, whole or in reads of 1, 2, 3, 7 bytes")
split = b"".join(sframe(2, stream[i : i + 3]) for i in range(0, len(stream), 3))
for step in (None, 1, 4, 5):
    check(feed(ws.Frames(), split, step) == stream, "3-byte frames, %s a read" % step)
print("input: a packet over several frames (3 bytes each), whole or split")
frag = sframe(2, stream[:10], fin=False) + sframe(9, b"are you there") + sframe(0, stream[10:20], fin=False) \
    + sframe(10, b"") + sframe(0, stream[20:], fin=True) + sframe(2, b"\xd0\x00")
for step in (None, 1, 6):
    f = ws.Frames()
    check(feed(f, frag, step) == stream + b"\xd0\x00", "fragmented message, %s a read" % step)
    check(f.owe == (10, b"are you there"), "pong owed %r" % (f.owe,))
    check(f.closed is None, "closed %r" % (f.closed,))
print("input: continuation frames joined, a ping between them owes a pong with its payload")
for form, n in ((126, 5), (127, 5), (126, 300), (127, 70000)):
    data = (b"\x30" + bytes(n))[:n]
    for step in (None, 1, 3):
        if n > 1000 and step:
            continue
        check(feed(ws.Frames(), sframe(2, data, form=form), step) == data, "length form %d, %d bytes" % (form, n))
print("input: 16- and 64-bit lengths (also not minimal), headers split anywhere")
check(feed(ws.Frames(), sframe(2, b"") + sframe(2, b"\xd0\x00") + sframe(2, b"")) == b"\xd0\x00", "empty frames")
print("input: empty frames are nothing")

f = ws.Frames()
got = feed(f, sframe(2, b"\x30\x0a\x00\x03a/b") + sframe(8, b"\x03\xe9going away") + sframe(2, b"after"), 5)
check(got == b"\x30\x0a\x00\x03a/b", "data before the close %r" % got)
check(f.closed == (1001, "going away"), "closed %r" % (f.closed,))
check(f.owe == (8, b"\x03\xe9"), "close echo owed %r" % (f.owe,))
print("input: a close (in the middle of a packet): code and reason, its echo owed, nothing after it")
f = ws.Frames()
feed(f, sframe(8, b""))
check(f.closed == (None, "") and f.owe == (8, b""), "empty close %r %r" % (f.closed, f.owe))
f = ws.Frames()
feed(f, sframe(8, b"\x03\xe8\xff\xfe"))
check(f.closed[0] == 1000 and "\\xff" in f.closed[1], "close with a reason not UTF-8: %r" % (f.closed,))
print("input: a close without a code, or with a reason not UTF-8")

# -- hostile input: a ProtocolError each, at once

for data, text in (
        (sframe(2, b"\x20\x02\x00\x00", masked=True), "masked frame from the server"),
        (sframe(2, b"x", rsv=0x40), "reserved bits set"),
        (sframe(2, b"x", rsv=0x10), "reserved bits set"),
        (sframe(1, b"\x20\x02\x00\x00"), "text or reserved frame (opcode 1)"),
        (sframe(3, b"x"), "text or reserved frame (opcode 3)"),
        (sframe(11, b"x"), "bad control frame (opcode 11"),
        (sframe(9, bytes(126)), "bad control frame (opcode 9, 126 bytes)"),
        (sframe(8, bytes(200)), "bad control frame (opcode 8, 200 bytes)"),
        (sframe(9, b"ab", fin=False), "bad control frame (opcode 9, 2 bytes, not FIN)"),
        (sframe(0, b"x"), "continuation frame without a start"),
        (sframe(2, b"x", fin=False) + sframe(2, b"y"), "new frame inside a fragmented one"),
        (b"\x82\x7f\x80" + bytes(7), "frame length over 2**63")):
    for step in (None, 1):
        refused(data, text, step)
print("hostile: masked, reserved bits, text, reserved opcodes, long or fragmented control frames, "
      "stray continuations, a 64-bit length: each a ProtocolError")

# -- the upgrade's accept key (RFC 6455 1.3's example)

check(ws.accept(b"dGhlIHNhbXBsZSBub25jZQ==") == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "accept key")
k = ws._key()
check(len(k) == 24 and k[-2:] == b"==" and k != ws._key(), "Sec-WebSocket-Key %r" % k)
print("upgrade: the accept key as RFC 6455 computes it; a fresh 16-byte key each time")
print("OK")
