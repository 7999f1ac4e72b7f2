"""A scripted WebSocket MQTT "broker" for hostile-input tests (CPython, in a
thread), as tests/fakebroker.py is for MQTT over TCP.

    fs = WSFake([frame(2, CONNACK), frame(9, b"hi")])   # chunks sent after the client's CONNECT
    fs.url                                  # ws://127.0.0.1:PORT/mqtt
    ... run the client ...
    fs.join()
    fs.request          # the upgrade request (bytes, up to its blank line)
    fs.frames           # the client's frames: [(first byte, mask key or None, payload unmasked)]
    fs.connect_packet   # the CONNECT, from the frames' data
    fs.after            # the client's data after its CONNECT
    fs.client_closed    # the client closed its end

It accepts ONE connection, reads the upgrade request, answers it with
answer(request) (default: the right 101; None: no answer at all; b"": close),
reads the CONNECT out of the client's frames, sends each chunk (bytes as they
go on the wire: frame() makes them), then closes (close=True) or reads the
client's frames until it closes or `hold` seconds pass.
"""
import base64
import hashlib
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios"))
from wsframe import frame  # noqa: E402  (in tests/scenarios: MicroPython's checks use it too)
from fakebroker import FakeBroker  # noqa: E402

CONNACK = b"\x20\x02\x00\x00"
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_key(request):
    k = re.search(rb"(?im)^sec-websocket-key:\s*(\S+)\s*$", request)
    return base64.b64encode(hashlib.sha1(k.group(1) + GUID).digest()) if k else b""


def switching(request, protocol=b"mqtt", accept=None, extra=b""):
    """The 101 a good server answers request with (protocol None: no
    Sec-WebSocket-Protocol; accept: another Sec-WebSocket-Accept)."""
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + (accept if accept is not None else accept_key(request)) + b"\r\n"
            + (b"Sec-WebSocket-Protocol: " + protocol + b"\r\n" if protocol else b"") + extra + b"\r\n")


class WSFake(FakeBroker):
    # FakeBroker's serving, with the upgrade and the client's frames in its place
    poll = None  # (a frame is read whole: the wait for it is the hold's)

    def __init__(self, chunks, answer=switching, close=False, hold=10.0, pause=0.05, accept_timeout=15.0,
                 path="/mqtt"):
        self.answer = answer
        self.request = None
        self.frames = []
        self.data = b""  # the client's frames' payloads (data frames), joined
        FakeBroker.__init__(self, chunks, close, hold, pause, accept_timeout, "ws", path)

    @property
    def after(self):
        return self.data[len(self.connect_packet or b""):]

    def _frame(self, conn):
        h = self._need(conn, 2)
        n = h[1] & 127
        if n == 126:
            n = int.from_bytes(self._need(conn, 2), "big")
        elif n == 127:
            n = int.from_bytes(self._need(conn, 8), "big")
        key = self._need(conn, 4) if h[1] & 128 else None
        p = self._need(conn, n)
        if key:
            p = bytes(x ^ key[i % 4] for i, x in enumerate(p))
        self.frames.append((h[0], key, p))
        if h[0] & 15 in (0, 2):
            self.data += p

    def _connect_done(self):
        d = self.data
        if len(d) < 2:
            return False
        n, m, i = 0, 1, 1
        while i < len(d):
            n += (d[i] & 127) * m
            m <<= 7
            i += 1
            if d[i - 1] < 128:
                break
        else:
            return False
        if len(d) >= i + n:
            self.connect_packet = d[: i + n]
            return True
        return False

    def _open(self, conn):
        # the upgrade, answered as answer() says, then the client's frames up to its CONNECT
        r = b""
        while b"\r\n\r\n" not in r:
            x = conn.recv(4096)
            if not x:
                raise EOFError("client closed during the upgrade")
            r += x
        self.request = r
        a = self.answer(r)
        if a is None:  # silence
            time.sleep(self.hold)
            return False
        if not a:
            return False
        conn.sendall(a)
        while not self._connect_done():
            self._frame(conn)
        return True

    def _more(self, conn):
        self._frame(conn)
        return True
