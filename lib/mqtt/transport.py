# Non-blocking TCP with the small interface the client drives: opening and
# ready(), write(buf, n), read(mv), err, and sock. TLS wraps this same interface.
# socket is imported by the first TCP connection, not here: a port without it
# (a UART or modem link, firmware built without networking) imports mqtt all the same.
import select
from errno import EAGAIN, EINPROGRESS
from .compat import MPY


def errname(c):
    # 'ECONNREFUSED' for an errno, as mqtt.js puts it in err.code; None if unknown
    try:
        from errno import errorcode

        n = errorcode.get(c)
    except ImportError:  # a build without the table
        n = None
    return n or {32: "EPIPE", 101: "ENETUNREACH"}.get(c)  # (not in MicroPython's table)


class TCP:
    err = None  # a write error, raised by the client's next step
    opening = 1  # the socket connects: nothing to write or read yet (ready() says when it is done)
    rd = 0  # output waits for input (a TLS handshake): no POLLOUT
    short = 1  # a read shorter than asked for means the socket is empty (not so for TLS)
    polled = 1  # poll() takes sock (a stream that is a plain Python object: 0, see stream.py)

    def __init__(self, host, port):
        # DNS blocks: MicroPython has no other getaddrinfo. The connect doesn't.
        import socket

        try:
            a = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
        except OSError as e:  # MicroPython: [addrinfo error -2]; CPython: socket.gaierror
            from .core import MQTTError

            raise MQTTError("cannot resolve %s: %s" % (host, e), "ENOTFOUND")
        s = self.sock = socket.socket(a[0], socket.SOCK_STREAM)
        try:  # the client batches its own writes: Nagle would only delay them
            s.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY (Linux and lwIP alike)
        except (OSError, AttributeError):
            pass
        s.setblocking(False)
        try:
            s.connect(a[-1])
        except OSError as e:
            if e.args[0] != EINPROGRESS:
                s.close()
                raise
        self._p = select.poll()
        self._p.register(s, select.POLLOUT)

    def ready(self):  # connected (or failed: the first write will say how)
        if self.opening and self._p.poll(0):
            self._p = None
            self.opening = 0
        return not self.opening

    def write(self, b, n):  # of b[:n], bytes written; 0 if none could be (an error: err)
        try:
            return (self.sock.write(b, n) if MPY else self.sock.send(memoryview(b)[:n])) or 0
        except OSError as e:
            if e.args[0] != EAGAIN:
                self.err = e
            return 0

    def read(self, mv):  # bytes read, 0 if none yet, -1 at end of stream
        try:
            n = self.sock.readinto(mv) if MPY else self.sock.recv_into(mv)
        except OSError as e:
            if e.args[0] == EAGAIN:
                return 0
            raise
        if n is None:
            return 0
        return n or -1
