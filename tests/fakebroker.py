"""A scripted MQTT "broker" for malformed-input tests (CPython, in a thread).

    fb = FakeBroker([CONNACK, b'\\xf0\\x00'])   # chunks sent after the CONNECT
    fb.url                                       # mqtt://127.0.0.1:PORT
    ... run the client ...
    fb.join()
    fb.connect_packet   # the CONNECT the client sent (bytes)
    fb.client_closed    # True if the client closed its end (EOF/reset seen)

It accepts ONE connection (then stops listening, so a reconnect is refused),
reads the CONNECT, sends each chunk (with a short pause between chunks),
then either closes the connection (close=True) or waits up to `hold`
seconds for the client to close its end.
"""
import socket
import threading
import time

CONNACK = b"\x20\x02\x00\x00"


def vlen(n):
    """MQTT remaining-length encoding."""
    out = bytearray()
    while True:
        b = n & 127
        n >>= 7
        out.append(b | 128 if n else b)
        if not n:
            return bytes(out)


class FakeBroker:
    # A subclass over another transport (tests/wsfake.py) replaces _open(),
    # _more() and the url's scheme and path; the serving is this class's.
    after = b""  # bytes the client sent after its CONNECT
    poll = 0.01  # s a read waits while the client is watched after the chunks (None: hold)

    def __init__(self, chunks, close=False, hold=10.0, pause=0.05, accept_timeout=15.0, scheme="mqtt", path=""):
        self.chunks = list(chunks)
        self.close = close
        self.hold = hold
        self.pause = pause
        self.connect_packet = None
        self.arrivals = []  # (time.monotonic(), len(after) once those bytes came): when each part arrived
        self.client_closed = False
        self.error = None
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(1)
        self.srv.settimeout(accept_timeout)
        self.port = self.srv.getsockname()[1]
        self.url = "%s://127.0.0.1:%d%s" % (scheme, self.port, path)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _need(self, conn, n):  # n bytes from the client (EOFError if it closes first)
        b = b""
        while len(b) < n:
            x = conn.recv(n - len(b))
            if not x:
                raise EOFError("client closed before %d bytes" % n)
            b += x
        return b

    def _read_packet(self, conn):
        def need(n):
            return self._need(conn, n)

        head = need(1)
        mult, n = 1, 0
        while True:
            c = need(1)
            head += c
            n += (c[0] & 127) * mult
            mult <<= 7
            if c[0] < 128:
                break
        return head + need(n)

    def _open(self, conn):
        # the client's opening, up to its CONNECT; False: the connection ends here
        self.connect_packet = self._read_packet(conn)
        return True

    def _more(self, conn):
        # what the client sends after it (socket.timeout: nothing yet); False once it closed
        x = conn.recv(4096)
        if not x:
            return False
        self.after += x
        self.arrivals.append((time.monotonic(), len(self.after)))
        return True

    def _serve(self):
        conn = None
        try:
            conn, _ = self.srv.accept()
            self.srv.close()
            conn.settimeout(self.hold)
            if not self._open(conn):
                return
            for i, chunk in enumerate(self.chunks):
                if i:
                    time.sleep(self.pause)
                conn.sendall(chunk)
            if self.close:
                return
            deadline = time.monotonic() + self.hold
            if self.poll:
                conn.settimeout(self.poll)
            while time.monotonic() < deadline:
                try:
                    if not self._more(conn):
                        self.client_closed = True
                        return
                except socket.timeout:
                    continue
                except (EOFError, ConnectionResetError):
                    self.client_closed = True
                    return
        except Exception as e:  # reported by the test
            self.error = e
        finally:
            if conn:
                conn.close()
            self.srv.close()

    def join(self, timeout=20.0):
        self.thread.join(timeout)
        return not self.thread.is_alive()
