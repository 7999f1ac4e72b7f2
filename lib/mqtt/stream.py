# The stream transport (option stream; optional module, imported only when a
# client has one): the connection over any byte stream (a machine.UART to a
# modem in transparent mode, a USB CDC, a test double), with the TCP
# transport's interface. The stream needs non-blocking readinto(buf) and
# write(buf), each returning a count or None (nothing now), as machine.UART's
# do, and close() if it has one. A stream has no end: a dead one is found by
# keepalive only (nothing came for 1.5 keepalives).
import select
from errno import EAGAIN
from .compat import MPY


class Stream:
    err = None  # a write error, raised by the client's next step
    opening = rd = 0  # open as soon as made: no connect to wait for, no handshake
    short = 1  # a read shorter than asked for: nothing more for now
    polled = 1  # poll() takes it (else 0: read at every step of the loop)

    def __init__(self, s):
        self.sock = s
        # Pollable (machine.UART, a socket, a stream with fileno() on CPython):
        # the loop sleeps on it; else (a plain Python object) it checks it every few ms.
        try:
            p = select.poll()
            p.register(s if MPY else s.fileno(), 1)
            p.unregister(s if MPY else s.fileno())
        except Exception:  # (OSError, TypeError, AttributeError, io.UnsupportedOperation)
            self.polled = 0

    def ready(self):
        return 1

    def write(self, b, n):  # of b[:n], bytes written; 0 if none could be
        try:
            return self.sock.write(memoryview(b)[:n]) or 0
        except OSError as e:
            if e.args[0] != EAGAIN:
                self.err = e
            return 0

    def read(self, mv):  # bytes read, 0 if none yet (never the end: keepalive finds a dead stream)
        return self.sock.readinto(mv) or 0
