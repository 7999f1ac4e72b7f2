"""A private mosquitto for tests and demos (CPython only).

    b = Broker(users={'alice': 'secret'}, acl=['topic readwrite ok/#'])
    b.start()          # free 127.0.0.1 port, config/log/password files in a temp dir
    b.url              # 'mqtt://127.0.0.1:PORT'
    b.kill(); b.restart()   # SIGKILL, then start again on the SAME port
    b.log()            # the broker's log file (log_type all: PINGREQ etc.)
    b.stop()           # SIGTERM (SIGKILL if it lingers), removes the temp dir

    c = Certs(dir)     # CA, server, client and other-CA certificates (openssl command)
    Broker(tls=c.listener())               # b.url 'mqtts://127.0.0.1:PORT'
    Broker(tls=c.listener(require_certificate=True))   # clients need a cert from c.ca
    Broker(tls=c.listener(other=True))     # server cert from a CA clients don't trust
    Broker(websockets=True)   # also a WebSocket listener: b.ws_port, b.ws_url 'ws://127.0.0.1:PORT/mqtt'
                              # (with tls=...: TLS too, 'wss://...')

As a script (used by `make run` and `make cli`): start a broker, run a
MicroPython (or, with --cpython, CPython) script or module with MQTT_URL set,
then stop the broker, also on Ctrl-C or SIGTERM. With MQTT_URL already set,
no broker is started: the script gets that one.

    python tests/broker.py --run examples/hello.py
    python tests/broker.py --tls --run examples/hello.py   # or MQTT_TLS=1: a TLS
        # broker with a fresh CA; MQTT_URL=mqtts://..., MQTT_CA=path of the CA (PEM)
    python tests/broker.py --module mqtt -- sub -t 'hello/#' -v   # the command line client
"""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port(other=None):
    """A TCP port on 127.0.0.1 that nothing listens on right now, other than `other`
    (a port picked a moment ago and not bound yet: the kernel may hand it out again)."""
    while True:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        finally:
            s.close()
        if p != other:
            return p


def _find(name):
    p = shutil.which(name)
    if p:
        return p
    for d in ("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def mosquitto_path():
    p = _find("mosquitto")
    if not p:
        raise RuntimeError("mosquitto not found: run `make deps` (apt-get install mosquitto)")
    return p


def make_password_file(path, users):
    """Write a mosquitto password file for {user: password} with mosquitto_passwd."""
    tool = _find("mosquitto_passwd")
    if not tool:
        raise RuntimeError("mosquitto_passwd not found (it comes with the mosquitto package)")
    first = True
    for user, password in users.items():
        cmd = [tool, "-b"] + (["-c"] if first else []) + [path, user, password]
        subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        first = False
    return path


def dynsec_plugin():
    """mosquitto's dynamic security plugin (shipped in Debian's mosquitto package)."""
    for pat in ("/usr/lib/*/mosquitto_dynamic_security.so", "/usr/lib/mosquitto_dynamic_security.so",
                "/usr/local/lib/*mosquitto_dynamic_security.so", "/usr/local/lib/*/mosquitto_dynamic_security.so"):
        found = sorted(glob.glob(pat))
        if found:
            return found[0]
    raise RuntimeError("mosquitto_dynamic_security.so not found (it comes with the mosquitto package)")


_OPENSSL_CNF = """[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = %s
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


class Certs:
    """Certificates made now with the `openssl` command (EC P-256, valid 7 days), in dir:

    ca, ca_der       the test CA (PEM; DER)
    server, server_key   server cert for 127.0.0.1 and localhost (subjectAltName), from ca
    client, client_key   client cert (CN mqtt-test-client), from ca; client_der, client_key_der
    other_ca, other_server, other_server_key   an unrelated CA and a server cert from it
    """

    def __init__(self, dir=None, hosts=("127.0.0.1", "localhost")):
        tool = _find("openssl")
        if not tool:
            raise RuntimeError("openssl not found: run `make deps` (apt-get install openssl)")
        self.dir = dir or tempfile.mkdtemp(prefix="mqtt-certs-")
        san = ",".join(("IP:" if h.replace(".", "").isdigit() or ":" in h else "DNS:") + h for h in hosts)
        cnf = self.path("openssl.cnf")
        with open(cnf, "w") as f:
            f.write(_OPENSSL_CNF % san)
        self._serial = 1000

        def run(*args):
            subprocess.run((tool,) + args, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

        newkey = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")

        def ca(name, cn):
            run("req", "-x509", "-new", "-config", cnf, "-extensions", "ca", "-days", "7", *newkey,
                "-keyout", self.path(name + ".key"), "-out", self.path(name + ".crt"), "-subj", "/CN=" + cn)
            return self.path(name + ".crt")

        def leaf(name, cn, ca, ext):
            run("req", "-new", "-config", cnf, *newkey, "-keyout", self.path(name + ".key"),
                "-out", self.path(name + ".csr"), "-subj", "/CN=" + cn)
            self._serial += 1
            run("x509", "-req", "-in", self.path(name + ".csr"), "-CA", self.path(ca + ".crt"),
                "-CAkey", self.path(ca + ".key"), "-set_serial", str(self._serial), "-days", "7",
                "-extfile", cnf, "-extensions", ext, "-out", self.path(name + ".crt"))
            return self.path(name + ".crt"), self.path(name + ".key")

        self.ca = ca("ca", "mqtt-test-ca")
        self.server, self.server_key = leaf("server", "mqtt-test-server", "ca", "server")
        self.client, self.client_key = leaf("client", "mqtt-test-client", "ca", "client")
        self.other_ca = ca("other-ca", "mqtt-other-ca")
        self.other_server, self.other_server_key = leaf("other-server", "mqtt-test-server", "other-ca", "server")
        self.ca_der, self.client_der, self.client_key_der = (
            self.path("ca.der"), self.path("client.der"), self.path("client-key.der"))
        run("x509", "-in", self.ca, "-outform", "DER", "-out", self.ca_der)
        run("x509", "-in", self.client, "-outform", "DER", "-out", self.client_der)
        run("pkey", "-in", self.client_key, "-outform", "DER", "-out", self.client_key_der)

    def path(self, name):
        return os.path.join(self.dir, name)

    def listener(self, other=False, require_certificate=False):
        """Broker(tls=...): the mosquitto listener settings for these certificates."""
        pre = "other-" if other else ""
        d = {"cafile": self.ca, "certfile": self.path(pre + "server.crt"), "keyfile": self.path(pre + "server.key")}
        if require_certificate:
            d["require_certificate"] = "true"
        return d


class Broker:
    def __init__(self, extra=(), users=None, acl=None, deny_subscribe=(), port=None, anonymous=None, tls=None,
                 persistence=False, websockets=False):
        """extra: config lines; users: {name: password} -> password_file (and no
        anonymous access unless anonymous=True); acl: lines of an acl_file.

        tls: {mosquitto listener option: value} (cafile, certfile, keyfile,
        require_certificate, ...; see Certs.listener()) makes the listener TLS
        and url 'mqtts://'.

        deny_subscribe: topic patterns anonymous clients may not subscribe to.
        mosquitto 2.0's acl_file never refuses a SUBSCRIBE (it filters at
        delivery), so this uses the dynamic security plugin, whose refusal
        shows up as return code 0x80 in the SUBACK (MQTT 3.1.1).

        websockets: a second listener, mosquitto's own WebSocket one
        (`protocol websockets`), on ws_port, with the same TLS settings.
        mosquitto binds it on every address whatever the config says: a free
        port is taken for it all the same."""
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.dir = tempfile.mkdtemp(prefix="mqtt-broker-")
        os.chmod(self.dir, 0o755)  # readable if mosquitto drops privileges
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        self.logfile = os.path.join(self.dir, "mosquitto.log")
        self.proc = None
        self.tls = tls
        self.ws_port = free_port(self.port) if websockets else None
        if anonymous is None:
            anonymous = not users
        tls_lines = ["%s %s" % kv for kv in sorted((tls or {}).items())]
        lines = [
            "listener %d 127.0.0.1" % self.port,
        ] + tls_lines + (["listener %d 127.0.0.1" % self.ws_port, "protocol websockets"] + tls_lines
                         if websockets else []) + [
            "allow_anonymous %s" % ("true" if anonymous else "false"),
            "persistence %s" % ("true" if persistence else "false"),  # (true: sessions kept in its dir across a restart)
            "persistence_location %s/" % self.dir,
            "log_dest file %s" % self.logfile,
            "log_type all",
            "connection_messages true",
            "log_timestamp true",
        ]
        if os.geteuid() == 0:
            lines.append("user root")  # keep root: no privilege drop, temp files stay ours
        if users:
            pw = make_password_file(os.path.join(self.dir, "passwd"), users)
            lines.append("password_file %s" % pw)
        if acl is not None:
            path = os.path.join(self.dir, "acl")
            with open(path, "w") as f:
                f.write("\n".join(acl) + "\n")
            lines.append("acl_file %s" % path)
        if deny_subscribe:
            path = os.path.join(self.dir, "dynsec.json")
            with open(path, "w") as f:
                json.dump({
                    "defaultACLAccess": {"publishClientSend": True, "publishClientReceive": True,
                                         "subscribe": True, "unsubscribe": True},
                    "clients": [],
                    "groups": [{"groupname": "anon", "roles": [{"rolename": "anon"}]}],
                    "roles": [{"rolename": "anon", "acls": [
                        {"acltype": "subscribePattern", "topic": t, "priority": 0, "allow": False}
                        for t in deny_subscribe]}],
                    "anonymousGroup": "anon",
                }, f)
            lines.append("plugin %s" % dynsec_plugin())
            lines.append("plugin_opt_config_file %s" % path)
        lines.extend(extra)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    @property
    def scheme(self):
        return "mqtts" if self.tls else "mqtt"

    @property
    def url(self):
        return "%s://%s:%d" % (self.scheme, self.host, self.port)

    @property
    def ws_url(self):
        return "%s://%s:%d/mqtt" % ("wss" if self.tls else "ws", self.host, self.ws_port)

    def url_with(self, user, password):
        return "%s://%s:%s@%s:%d" % (self.scheme, user, password, self.host, self.port)

    def start(self, timeout=10.0):
        if self.running():
            return self
        self._out = open(os.path.join(self.dir, "stdout.log"), "ab")
        self.proc = subprocess.Popen(
            [mosquitto_path(), "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches us, not it
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("mosquitto exited with %s:\n%s" % (self.proc.returncode, self.output()))
            try:
                socket.create_connection((self.host, self.port), 0.2).close()
                if self.ws_port:
                    socket.create_connection((self.host, self.ws_port), 0.2).close()
                return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("mosquitto did not listen on port %d within %.0f s:\n%s"
                                   % (self.port, timeout, self.output()))
            time.sleep(0.02)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _reap(self, sig, timeout=5.0):
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout)
        self._out.close()

    def freeze(self):
        """SIGSTOP: the broker reads and answers nothing until killed."""
        self.proc.send_signal(signal.SIGSTOP)

    def kill(self):
        """SIGKILL: no goodbye to the clients, their sockets just drop."""
        self._reap(signal.SIGKILL)

    def stop(self, cleanup=True):
        self._reap(signal.SIGTERM)
        if cleanup:
            shutil.rmtree(self.dir, ignore_errors=True)

    def restart(self, timeout=10.0):
        """Start again on the same port (after kill() or stop(cleanup=False))."""
        if self.running():
            self.kill()
        return self.start(timeout)

    def _read(self, name):
        try:
            with open(os.path.join(self.dir, name), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log(self):
        return self._read("mosquitto.log")

    def output(self):
        return self._read("stdout.log") + self.log()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def micropython_path():
    """$MICROPYTHON (e.g. a firmware build with the package frozen: make
    test-frozen), else the `micropython` command of the venv running us, else
    the one on PATH."""
    if os.environ.get("MICROPYTHON"):
        return os.environ["MICROPYTHON"]
    p = os.path.join(os.path.dirname(sys.executable), "micropython")
    return p if os.access(p, os.X_OK) else shutil.which("micropython")


def _main(argv):
    import argparse

    ap = argparse.ArgumentParser(description="Run a script (or the command line client) against a private "
                                 "mosquitto, or against MQTT_URL's broker when that is set.")
    what = ap.add_mutually_exclusive_group()
    what.add_argument("--run", metavar="SCRIPT", help="script to run with MQTT_URL set")
    what.add_argument("--module", metavar="NAME", help="module to run (-m NAME), e.g. mqtt: the command line client")
    ap.add_argument("args", nargs="*", metavar="ARGS", help="after --: the script's or module's arguments")
    ap.add_argument("--cpython", action="store_true", help="run it with CPython, not MicroPython")
    ap.add_argument("--timeout", type=float, default=120, help="seconds before it is stopped")
    ap.add_argument("--tls", action="store_true", default=os.environ.get("MQTT_TLS", "") not in ("", "0"),
                    help="a TLS listener with a fresh CA (also MQTT_TLS=1): MQTT_URL=mqtts://..., "
                         "MQTT_CA=the CA file (PEM)")
    a = ap.parse_args(argv)

    def on_term(*_):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, on_term)
    lib = os.environ.get("MQTT_LIB") or os.path.join(ROOT, "lib")
    url = os.environ.get("MQTT_URL")  # a broker of yours: no private one
    certs = Certs() if a.tls and not url else None
    b = None if url else Broker(tls=certs and certs.listener())
    child = None
    try:
        if b:
            b.start()
            url = b.url
            print("mosquitto listening at %s (log: %s)" % (b.url, b.logfile), flush=True)
        if certs:
            print("TLS: CA %s (certificates in %s)" % (certs.ca, certs.dir), flush=True)
        if not (a.run or a.module):
            if not b:
                raise SystemExit("nothing to run: --run SCRIPT or --module NAME")
            print("Ctrl-C to stop", flush=True)
            while b.running():
                time.sleep(0.5)
            return 1
        env = dict(os.environ, MQTT_URL=url)
        if certs:
            env["MQTT_CA"] = certs.ca
        what = ["-m", a.module] if a.module else [a.run]
        if a.cpython:
            cmd = [sys.executable] + what
            env["PYTHONPATH"] = os.path.join(ROOT, "lib")
        else:
            mp = micropython_path()
            if not mp:
                raise SystemExit("micropython not found: run `make venv`")
            cmd = [mp] + what
            env["MICROPYPATH"] = lib + ":.frozen"  # .frozen: the port's own modules (ssl, asyncio, ...)
        cmd += a.args
        print("$ MQTT_URL=%s %s%s" % (url, "MQTT_CA=%s " % env["MQTT_CA"] if env.get("MQTT_CA") else "",
                                      " ".join(cmd)), flush=True)
        child = subprocess.Popen(cmd, env=env)
        try:
            return child.wait(a.timeout or None)
        except subprocess.TimeoutExpired:
            print("timed out after %s s" % a.timeout, file=sys.stderr)
            return 124
        except KeyboardInterrupt:  # the child got the Ctrl-C too: it may take its time to end cleanly
            try:
                return child.wait(5)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                pass
            print("\ninterrupted", file=sys.stderr)
            return 130
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        if child and child.poll() is None:
            child.terminate()
            try:
                child.wait(5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if b:
            b.stop()
            print("mosquitto stopped", flush=True)
        if certs:
            shutil.rmtree(certs.dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
