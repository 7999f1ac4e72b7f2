"""A private mosquitto for tests and demos (CPython only).

    b = Broker(users={'alice': 'secret'}, acl=['topic readwrite ok/#'])
    b.start()          # free 127.0.0.1 port, config/log/password files in a temp dir
    b.url              # 'mqtt://127.0.0.1:PORT'
    b.kill(); b.restart()   # SIGKILL, then start again on the SAME port
    b.log()            # the broker's log file (log_type all: PINGREQ etc.)
    b.stop()           # SIGTERM (SIGKILL if it lingers), removes the temp dir

As a script (used by `make run`): start a broker, run a MicroPython (or, with
--cpython, CPython) script with MQTT_URL set, then stop the broker, also on
Ctrl-C or SIGTERM:

    python tests/broker.py --run examples/hello.py
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


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


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


class Broker:
    def __init__(self, extra=(), users=None, acl=None, deny_subscribe=(), port=None, anonymous=None):
        """extra: config lines; users: {name: password} -> password_file (and no
        anonymous access unless anonymous=True); acl: lines of an acl_file.

        deny_subscribe: topic patterns anonymous clients may not subscribe to.
        mosquitto 2.0's acl_file never refuses a SUBSCRIBE (it filters at
        delivery), so this uses the dynamic security plugin, whose refusal
        shows up as return code 0x80 in the SUBACK (MQTT 3.1.1)."""
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.dir = tempfile.mkdtemp(prefix="mqtt-broker-")
        os.chmod(self.dir, 0o755)  # readable if mosquitto drops privileges
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        self.logfile = os.path.join(self.dir, "mosquitto.log")
        self.proc = None
        if anonymous is None:
            anonymous = not users
        lines = [
            "listener %d 127.0.0.1" % self.port,
            "allow_anonymous %s" % ("true" if anonymous else "false"),
            "persistence false",
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
    def url(self):
        return "mqtt://%s:%d" % (self.host, self.port)

    def url_with(self, user, password):
        return "mqtt://%s:%s@%s:%d" % (user, password, self.host, self.port)

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
    """The `micropython` command of the venv running us, else the one on PATH."""
    p = os.path.join(os.path.dirname(sys.executable), "micropython")
    return p if os.access(p, os.X_OK) else shutil.which("micropython")


def _main(argv):
    import argparse

    ap = argparse.ArgumentParser(description="Run a script against a private mosquitto.")
    ap.add_argument("--run", metavar="SCRIPT", help="script to run with MQTT_URL set")
    ap.add_argument("--cpython", action="store_true", help="run SCRIPT with CPython, not MicroPython")
    ap.add_argument("--timeout", type=float, default=120, help="seconds before the script is stopped")
    a = ap.parse_args(argv)

    def on_term(*_):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, on_term)
    lib = os.environ.get("MQTT_LIB") or os.path.join(ROOT, "lib")
    b = Broker()
    child = None
    try:
        b.start()
        print("mosquitto listening at %s (log: %s)" % (b.url, b.logfile), flush=True)
        if not a.run:
            print("Ctrl-C to stop", flush=True)
            while b.running():
                time.sleep(0.5)
            return 1
        env = dict(os.environ, MQTT_URL=b.url)
        if a.cpython:
            cmd = [sys.executable, a.run]
            env["PYTHONPATH"] = os.path.join(ROOT, "lib")
        else:
            mp = micropython_path()
            if not mp:
                raise SystemExit("micropython not found: run `make venv`")
            cmd = [mp, a.run]
            env["MICROPYPATH"] = lib + ":.frozen"
        print("$ MQTT_URL=%s %s" % (b.url, " ".join(cmd)), flush=True)
        child = subprocess.Popen(cmd, env=env)
        try:
            return child.wait(a.timeout)
        except subprocess.TimeoutExpired:
            print("timed out after %s s" % a.timeout, file=sys.stderr)
            return 124
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
        b.stop()
        print("mosquitto stopped", flush=True)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
