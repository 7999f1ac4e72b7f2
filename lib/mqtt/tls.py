# TLS for mqtts:// and ssl:// (optional module: imported only when such a
# client connects). The TCP transport's interface over an SSL socket whose
# handshake nothing waits for: the client's first writes and reads drive it,
# bounded by connectTimeout. MicroPython's ssl: SSLContext (1.21 on), or the
# older ssl.wrap_socket() of firmware without it (HaaS Python: 1.17);
# CPython's ssl through the same stream calls (_cpy.tls_wrap).
import ssl
from binascii import a2b_base64
from errno import ECONNREFUSED
from .transport import TCP
from .core import MQTTError
from .compat import MPY


def _der(x):
    # PEM (str or bytes, one block or more) -> [DER, ...]: mbedtls builds may
    # read no PEM (the unix port's doesn't), and take a str for a file name
    x = x.encode() if isinstance(x, str) else bytes(x)
    if b"-----BEGIN" not in x:
        return [x]
    return [a2b_base64(p.split(b"-----")[1]) for p in x.split(b"-----BEGIN")[1:]]


def _err(e, up):
    # an ssl error, or any error before the handshake is over -> MQTTError('TLS: ...');
    # a socket error (errno > 0) once TLS is up, or a refused connect, stays itself
    a = e.args
    c = a and a[0]
    if not isinstance(c, int):
        c = None
    elif c > 0:
        if up or c == ECONNREFUSED:
            return e
        a = ("handshake failed: %s" % (e,),)
    m = str(a[-1] if a else e).strip().replace("\n\n", "; ")  # mbedtls' verify info is lines
    if isinstance(e, ValueError) or c == -0x2700:  # MBEDTLS_ERR_X509_CERT_VERIFY_FAILED
        m = "certificate verify failed: " + m
    return MQTTError("TLS: " + m, c)


def options(o):
    # connect()'s check of the TLS options
    for k in ("ca", "cert", "key", "servername"):
        if o[k] is not None and not isinstance(o[k], (str, bytes, bytearray)):
            raise TypeError(k + " must be str or bytes")
    c = o["ca"]
    n = o.pop("ca_len")
    if n is not None:  # seed 002: how much of ca is data (a C string's NUL may count)
        if not isinstance(n, int) or not 0 <= n <= len(c or "") + 1:
            raise ValueError("ca_len must be the length of ca")
        c = (c or "")[:n]
    o["ca"] = c or None  # '' (seed 002): none
    if (o["cert"] is None) != (o["key"] is None):
        raise ValueError("cert and key go together")


_unverified = []  # hosts warned about rejectUnauthorized=False


class TLS(TCP):
    short = 0  # records decrypted and held by the TLS layer: read until it says none
    _w = _up = 0  # length of a write that would block: retried as it was (mbedtls counts
    # it then); something went through (the handshake is over)

    def __init__(self, c, h, port):
        o = c.options
        TCP.__init__(self, h, port)
        v = o.get("rejectUnauthorized", 1)
        ca, ce = o.get("ca"), o.get("cert")
        h = o.get("servername") or h
        if not v and h not in _unverified:  # said once per host
            _unverified.append(h)
            print("mqtt: warning: rejectUnauthorized=False: TLS to %s without verifying it" % h)
        try:
            if not MPY:
                from ._cpy import tls_wrap

                s = tls_wrap(self.sock, o, h, v)
            elif v and not ca:
                raise ValueError("no ca to verify the server with")
            else:
                ca = v and _der(ca)
                ce = ce and (_der(ce)[0], _der(o["key"])[0])
                if hasattr(ssl, "SSLContext"):
                    x = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    if ce:
                        x.load_cert_chain(*ce)
                    for d in ca or ():  # each certificate of a bundle
                        x.load_verify_locations(cadata=d)
                    x.verify_mode = 2 if v else 0  # CERT_REQUIRED, CERT_NONE
                    s = x.wrap_socket(self.sock, server_hostname=h, do_handshake_on_connect=False)
                else:  # only what is set: 1.17 has no cert_reqs nor cadata (so cannot verify)
                    a = {"server_hostname": h, "do_handshake": False}
                    if ce:
                        a["cert"], a["key"] = ce
                    if v:  # one CA: the first of a bundle
                        a["cert_reqs"] = 2
                        a["cadata"] = ca[0]
                    s = ssl.wrap_socket(self.sock, **a)
        except Exception as e:
            self.sock.close()
            raise MQTTError("TLS: %s" % (e,))
        self._r, self.sock = self.sock, s  # the TCP socket: a failed handshake leaves it open

    def _fail(self, e):  # I/O failed: the connection is done
        self._r.close()
        return _err(e, self._up)

    def write(self, b, n):
        if self.err:  # the first error is the one that says why
            return 0
        n = self._w or n
        try:
            r = self.sock.write(b, n)  # None: would block (or the handshake goes on)
        except Exception as e:
            self.err = self._fail(e)
            return 0
        self._w = 0 if r else n
        if r:
            self._up = 1
        self.rd = not self._up  # a handshake waits for the server: poll for input only
        return r or 0

    def read(self, mv):
        if self.err:  # the write's error came first (a failed handshake fails again)
            raise self.err
        try:
            n = self.sock.readinto(mv)
        except Exception as e:
            x = self._fail(e)
            if e.args[0] == -0x7280 and self._up:  # MBEDTLS_ERR_SSL_CONN_EOF: closed without close_notify
                return -1
            raise x
        if n is None:
            return 0
        return n or -1
