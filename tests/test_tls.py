"""TLS (mqtts://) against mosquitto with a TLS listener, certificates made at
test time with the openssl command (broker.Certs), under CPython and the
MicroPython unix port (the `runtime` fixture)."""
import socket
import time

import pytest

from broker import Certs, free_port
from conftest import describe
from test_integration import ok


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return Certs(str(tmp_path_factory.mktemp("certs")))


def broker_log(b, *texts, timeout=5.0):
    """The broker's log once it holds every text (mosquitto may log a moment
    after the client has exited); fails after timeout."""
    end = time.monotonic() + timeout
    while True:
        log = b.log()
        if all(t in log for t in texts):
            return log
        assert time.monotonic() < end, "%r not all in the broker log\n%s" % (texts, log[-3000:])
        time.sleep(0.05)


def tls_env(b, certs, **kw):
    e = {"MQTT_URL": b.url, "CA_FILE": certs.ca, "EXPECT": "connect", "COUNT": "5"}
    e.update((k, str(v)) for k, v in kw.items())
    return e


def refused(res, *texts):
    """The scenario saw no connection and an 'error' event: returns its message."""
    got = ok(res)
    assert not any(line.startswith("A connect") for line in got), describe(*res)
    msg = [line for line in got if line.startswith("error MQTTError: ")][0][len("error MQTTError: "):]
    for t in texts:
        assert t in msg, "%r not in the error %r\n%s" % (t, msg, describe(*res))
    return msg


def test_tls_options(runtime):
    got = ok(runtime.run("tls_options.py"), "plain: port 1883, no TLS module",
             "ports: mqtts/ssl 8883 unless given",
             "ca, ca_len, cert, key, servername, rejectUnauthorized kept",
             "ca_len too long: ValueError: ca_len must be the length of ca",
             "ca not bytes: TypeError: ca must be str or bytes",
             "cert without key: ValueError: cert and key go together",
             "unknown option: ValueError: unknown option 'cafile'")
    assert len([line for line in got if ": " in line and "Error" in line]) == 10, got


@pytest.mark.parametrize("form", ["str", "bytes", "der", "len"])
def test_tls_roundtrip(runtime, make_broker, certs, form):
    """QoS 1 round trip over mqtts:// with `ca` as PEM str, PEM bytes, DER
    bytes, or (seed 002) PEM with `ca_len` and bytes past it."""
    b = make_broker(tls=certs.listener())
    env = tls_env(b, certs, CA_FORM=form, COUNT=50 if form == "str" else 5)
    if form == "der":
        env["CA_FILE"] = certs.ca_der
    n = env["COUNT"]
    got = ok(runtime.run("tls_connect.py", env), "A connect returnCode=0 sessionPresent=False",
             "round trip: %s messages at qos 1 in order" % n, "A end")
    steps, ms = [(int(x.split()[3]), int(x.split()[5])) for x in got if x.startswith("steps to connect: ")][0]
    # the handshake waits in poll for the server's records, not in a busy loop:
    # a step is a poll wakeup (a few per handshake) or the loop's 100 ms tick
    # (spinning took 36 to 87 steps for a handshake of a few ms)
    assert steps <= 10 + ms // 50, got
    log = broker_log(b, "New client connected from 127.0.0.1", "Received DISCONNECT from s-tls")
    assert log.count("Received PUBLISH from s-tls (d0, q1") == int(n), log[-3000:]


def test_tls_servername(runtime, make_broker, certs):
    """servername (SNI and the name checked) given: the cert's DNS name localhost."""
    b = make_broker(tls=certs.listener())
    ok(runtime.run("tls_connect.py", tls_env(b, certs, SERVERNAME="localhost")), "A end")


def test_tls_other_ca_refused(runtime, make_broker, certs):
    """A server certificate from another CA: a clear error, no connection, no
    hang, and the retries keep reconnectPeriod (500 ms)."""
    b = make_broker(tls=certs.listener(other=True))
    t0 = time.monotonic()
    res = runtime.run("tls_connect.py", tls_env(b, certs, EXPECT="error", RUN_MS=2000), timeout=20)
    assert time.monotonic() - t0 < 15, describe(*res)
    refused(res, "TLS: certificate verify failed: ",
            {"cpython": "unable to get local issuer certificate",
             "micropython": "The certificate is not correctly signed by the trusted CA"}[runtime.name])
    got = res[1].splitlines()
    n = [int(line.split("reconnect=")[1].split()[0]) for line in got if line.startswith("in the run:")][0]
    assert 2 <= n <= 6, describe(*res)
    # every failed attempt's socket is closed (mbedtls drops its socket on a failed handshake)
    fds = [line for line in got if line.startswith("open fds:")][0].split()
    assert fds[2] == fds[4], describe(*res)


def test_tls_wrong_host_refused(runtime, make_broker, certs):
    """The certificate is for 127.0.0.1 and localhost; servername
    'wrong.example' must be refused. Both runtimes check the name: CPython's
    ssl (check_hostname), and MicroPython's mbedtls (the server_hostname given
    to wrap_socket is checked against the certificate's subjectAltName/CN)."""
    b = make_broker(tls=certs.listener())
    res = runtime.run("tls_connect.py", tls_env(b, certs, EXPECT="error", SERVERNAME="wrong.example"))
    refused(res, "TLS: certificate verify failed: ",
            {"cpython": "Hostname mismatch, certificate is not valid for 'wrong.example'",
             "micropython": "The certificate Common Name (CN) does not match with the expected CN"}[runtime.name])


@pytest.mark.parametrize("form", ["pem", "der"])
def test_tls_client_certificate(runtime, make_broker, certs, form):
    b = make_broker(tls=certs.listener(require_certificate=True))
    env = tls_env(b, certs, CERT_FILE=certs.client, KEY_FILE=certs.client_key)
    if form == "der":
        env.update(CERT_FILE=certs.client_der, KEY_FILE=certs.client_key_der, CERT_FORM="der")
    ok(runtime.run("tls_connect.py", env), "A connect returnCode=0 sessionPresent=False", "A end")


def test_tls_client_certificate_missing(runtime, make_broker, certs):
    """Without a client certificate the broker ends the handshake: an error,
    no connection. Its text depends on who notices first: CPython (TLS 1.3)
    gets the broker's 'certificate required' alert, or, when the broker's close
    overtakes it, an EOF; MicroPython's mbedtls (TLS 1.2 here) finds the
    connection closed during the handshake."""
    b = make_broker(tls=certs.listener(require_certificate=True))
    res = runtime.run("tls_connect.py", tls_env(b, certs, EXPECT="error"))
    msg = refused(res)
    # which of these the client sees first is a race with the broker's close
    assert any(t in msg for t in ("TLS: certificate required", "TLS: ", "closed by broker", "[Errno 104]")), \
        describe(*res)
    log = broker_log(b, "peer did not return a certificate")
    assert "New client connected" not in log, log


def test_tls_reject_unauthorized_false(runtime, make_broker, certs):
    """rejectUnauthorized=False: connects (still TLS) to a server the ca doesn't
    vouch for, and warns once per client, not once per connection."""
    b = make_broker(tls=certs.listener(other=True))
    res = runtime.run("tls_connect.py", tls_env(b, certs, REJECT=0, RECONNECT=1))
    got = ok(res, "reconnected", "A end")
    warn = [line for line in got if "rejectUnauthorized=False" in line]
    assert warn == ["mqtt: warning: rejectUnauthorized=False: TLS to 127.0.0.1 without verifying it"], describe(*res)
    assert got.count("A connect returnCode=0 sessionPresent=False") == 2, describe(*res)


def test_tls_handshake_never_finishes(runtime):
    """A server that accepts the TCP connection and never answers the TLS
    ClientHello: 'connect timeout' after connectTimeout, no hang."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        url = "mqtts://127.0.0.1:%d" % s.getsockname()[1]
        t0 = time.monotonic()
        res = runtime.run("tls_connect.py", {"MQTT_URL": url, "CA_FILE": "", "REJECT": "0", "EXPECT": "error",
                                             "CONNECT_TIMEOUT": "1000"}, timeout=20)
        assert time.monotonic() - t0 < 10, describe(*res)
    finally:
        s.close()
    assert refused(res).startswith("connect timeout: no CONNACK from 127.0.0.1:"), describe(*res)


def test_tls_connection_refused(runtime, certs):
    """Nothing listens: the TCP connect's own error, as for mqtt://, not a TLS one."""
    url = "mqtts://127.0.0.1:%d" % free_port()
    msg = refused(runtime.run("tls_connect.py", {"MQTT_URL": url, "CA_FILE": certs.ca, "EXPECT": "error"}))
    assert not msg.startswith("TLS") and ("ECONNREFUSED" in msg or "Connection refused" in msg), msg


def test_tls_to_plain_listener(runtime, broker, certs):
    """mqtts:// to a plain MQTT port: the broker drops the ClientHello; an error, no hang."""
    url = "mqtts://127.0.0.1:%d" % broker.port
    res = runtime.run("tls_connect.py", {"MQTT_URL": url, "CA_FILE": certs.ca, "EXPECT": "error"}, timeout=20)
    refused(res)


@pytest.mark.parametrize("old", ["1.20", "1.17"])
def test_tls_old_wrap_socket(runtime, make_broker, certs, old):
    """Firmware without ssl.SSLContext: ssl.wrap_socket(sock, ...) only (a stub
    ssl module over the real one). 1.20's has cert_reqs and cadata: it
    verifies; 1.17's (HaaS Python) has neither: only rejectUnauthorized=False
    connects, and a verifying client says why it can't."""
    if runtime.name == "cpython":
        pytest.skip("MicroPython's ssl API (CPython's ssl is used through _cpy.tls_wrap)")
    good = make_broker(tls=certs.listener())
    other = make_broker(tls=certs.listener(other=True))
    env = tls_env(good, certs, OLD=old)
    if old == "1.20":
        ok(runtime.run("tls_oldapi.py", env), "ssl without SSLContext", "A end")
        refused(runtime.run("tls_oldapi.py", tls_env(other, certs, OLD=old, EXPECT="error")),
                "TLS: certificate verify failed: The certificate is not correctly signed by the trusted CA")
    else:
        refused(runtime.run("tls_oldapi.py", dict(env, EXPECT="error")), "TLS: unexpected keyword argument 'cadata'")
        ok(runtime.run("tls_oldapi.py", tls_env(other, certs, OLD=old, REJECT=0)), "ssl without SSLContext",
           "mqtt: warning: rejectUnauthorized=False: TLS to 127.0.0.1 without verifying it", "A end")
