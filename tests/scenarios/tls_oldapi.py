# tls_connect.py on firmware without ssl.SSLContext: the ssl module is replaced
# by one with only wrap_socket(), as MicroPython 1.20 had it (OLD=1.20: with
# cert_reqs and cadata), or as 1.17 (HaaS Python) had it (OLD=1.17: no
# cert_reqs/cadata, so no verification). MicroPython only.
import os
import sys

import ssl as _ssl


class _OldSSL:
    pass


old = _OldSSL()
if os.getenv("OLD") == "1.17":

    def wrap_socket(sock, server_side=False, key=None, cert=None, server_hostname=None, do_handshake=True):
        return _ssl.wrap_socket(sock, server_side=server_side, key=key, cert=cert,
                                server_hostname=server_hostname, do_handshake=do_handshake)

    old.wrap_socket = wrap_socket
else:
    old.wrap_socket = _ssl.wrap_socket
sys.modules["ssl"] = old
print("ssl without SSLContext")
import tls_connect  # noqa: E402,F401  (runs the scenario)
