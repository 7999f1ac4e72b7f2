# CPython stand-ins for MicroPython's names (never frozen into a board).
import time
import traceback

MPY = 0
_MASK = 0x3FFFFFFF  # MicroPython's ticks period is 2**30 ms on every port


def const(x):
    return x


def ticks_ms():
    return int(time.monotonic() * 1000) & _MASK


def ticks_us():
    return int(time.perf_counter() * 1000000) & _MASK


def ticks_add(t, d):
    return (t + d) & _MASK


def ticks_diff(a, b):
    return ((a - b + 0x20000000) & _MASK) - 0x20000000


def print_exc(e):
    traceback.print_exception(type(e), e, e.__traceback__)


def _pem(x, label):  # str/bytes, PEM or DER -> PEM text
    if isinstance(x, str):
        return x
    x = bytes(x)
    if b"-----BEGIN" in x:
        return x.decode()
    import base64

    return "-----BEGIN %s-----\n%s-----END %s-----\n" % (label, base64.encodebytes(x).decode(), label)


def tls_wrap(sock, o, host, verify):
    # CPython's ssl behind the stream calls tls.py makes on MicroPython:
    # readinto(mv) and write(b, n) return None while they would block.
    import ssl

    x = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, and checks the host name
    ca = o.get("ca")
    if not verify:
        x.check_hostname = False
        x.verify_mode = ssl.CERT_NONE
    elif ca:
        x.load_verify_locations(cadata=ca if isinstance(ca, str) or b"-----BEGIN" not in ca else bytes(ca).decode())
    else:
        x.load_default_certs()
    if o.get("cert"):  # CPython loads a certificate chain only from a file
        import os
        import tempfile

        k = o.get("key") or ""
        # a DER key's PEM label names its format: PKCS#8, SEC1 (EC), PKCS#1 (RSA)
        for label in ("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"):
            fd, p = tempfile.mkstemp(suffix=".pem")
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(_pem(o["cert"], "CERTIFICATE") + "\n" + _pem(k, label))
                x.load_cert_chain(p)
                break
            except ssl.SSLError:
                if isinstance(k, str) or b"-----BEGIN" in k or label[0] == "R":
                    raise
            finally:
                os.remove(p)
    return _TLSStream(sock, x, host)


class _TLSStream:
    def __init__(self, sock, ctx, host):
        self.s = sock
        self._c = (ctx, host)

    def fileno(self):
        return self.s.fileno()

    def close(self):
        self.s.close()

    def _io(self, name, *a):
        import os
        import socket
        import ssl

        try:
            c = self._c
            if c:  # TCP is up (the client reads and writes only then): wrap, then handshake
                if not isinstance(self.s, ssl.SSLSocket):
                    e = self.s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if e:  # the connect failed: say why
                        raise OSError(e, os.strerror(e))
                    self.s = c[0].wrap_socket(self.s, server_hostname=c[1], do_handshake_on_connect=False)
                self.s.do_handshake()
                self._c = None
            return getattr(self.s, name)(*a)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return None
        except ssl.SSLCertVerificationError as e:
            raise ValueError(e.verify_message)
        except ssl.SSLError as e:
            raise OSError(-1, str(e))

    def readinto(self, mv):
        return self._io("recv_into", mv)

    def write(self, b, n):
        return self._io("send", memoryview(b)[:n])


def ws_mask(o, a, b, j, n):
    # ws.py's masking (viper on MicroPython): o[a:a+n] = b[j:j+n] XOR the key
    # at o[a-4:a], as one big integer (CPython's loop would take 40 ns a byte)
    w = (n + 3) >> 2
    x = int.from_bytes(memoryview(b)[j : j + n], "little") ^ int.from_bytes(bytes(o[a - 4 : a]) * w, "little")
    o[a : a + n] = x.to_bytes(4 * w, "little")[:n]
