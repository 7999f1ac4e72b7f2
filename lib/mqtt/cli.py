# The command line client, as MQTTX CLI and mosquitto_pub/sub:
#   python -m mqtt pub|sub|conn|bench [options]   (micropython -m mqtt ... on the unix port;
#   .venv/bin/mqtt, made by make venv, is the latter with lib/ on the path)
# Same code on CPython and the MicroPython unix port. Not frozen into board
# firmware by default (boards/packages/mqtt-cli).
import os
import sys
import mqtt
from . import script
from .client import filters, topic_bytes
from .compat import ticks_ms, ticks_diff

# the help: `mqtt --help` (or -h, help) all of it, `mqtt COMMAND --help` (or
# help COMMAND) that command's. After a command, -h is the host (as mosquitto_pub)
_CMDS = {
    "pub": """pub -t TOPIC -m MESSAGE [-q 0|1|2] [-r] [--count N] [--interval MS] [--script FILE]
         publish MESSAGE (N times, one per MS, 1000; --interval 0: as fast as the client's queue takes them)""",
    "sub": """sub -t TOPIC [-t TOPIC ...] [-q 0|1|2] [-v] [--format json] [-C COUNT] [--script FILE]
         print each message's payload (-v: topic and payload; json: an object) on stdout; end after COUNT""",
    "conn": """conn [--script FILE]
         connect, and stay connected until Ctrl-C or the script's exit() (it subscribes to nothing)""",
    "bench": """bench conn|pub|sub -c CLIENTS [-I MS] [-im MS] [-t TOPIC] [-q 0|1|2] [-s BYTES] [-d SECONDS]
         many clients on one loop, progress each second; -I: between connection starts (10),
         -im: between one client's publishes (1000), %i in -t: the client's number""",
}
_CONN = """connection (every command):
  -h HOST (MQTT_URL's, else localhost)  -p PORT (1883, mqtts 8883, ws 80, wss 443)  -i CLIENT_ID
  -u USERNAME  -P PASSWORD  -k KEEPALIVE (s, 30)  -V 3|4|5 (MQTT 3.1, 3.1.1, 5.0; 4)  -l mqtt|mqtts|ws|wss
  --path PATH (ws, wss: /mqtt)  -wh "KEY: VALUE"  WebSocket upgrade header (repeatable)
  --ca FILE  --cert FILE  --key FILE  --insecure   (any of them: mqtts, or wss with -l wss)
  --will-topic TOPIC  --will-message MESSAGE  --will-qos 0|1|2  --will-retain
  -up "KEY: VALUE"   MQTT 5 user property (repeatable): of the CONNECT, PUBLISH or SUBSCRIBE
  --script FILE      a user script attached to the client (pub, sub, conn)
cloud endpoint and login (mqtt.cloud; not with -u/-P; -h/-p: another broker):
  --aliyun PK,DEVICE,SECRET[,region=R|instance=ID,timestamp=MS,signMethod=M]  Alibaba Cloud IoT Platform
  --azure HUB,DEVICE,KEY[,expiry=UNIX_SECONDS]  Azure IoT Hub   --aws ENDPOINT -i ID --cert F --key F  AWS IoT Core
exit status: 0 done, 1 failed (refused, unreachable, TLS, a publish), 2 bad arguments"""


def usage(cmd=None):
    # the help text: every command's, or one's
    if cmd:
        return "usage: mqtt " + _CMDS[cmd] + "\n" + _CONN
    return ("usage: mqtt COMMAND [options]     (python -m mqtt; micropython -m mqtt on the unix port)\n  "
            + "\n  ".join(_CMDS[c] for c in ("pub", "sub", "conn", "bench"))
            + "\n  help [COMMAND]   this, or one command's (also: COMMAND --help)\n" + _CONN)


# option -> (key, kind): 0 a flag, 1 text, 2 an integer, 3 text, repeatable
_OPTS = {"-h": ("host", 1), "--hostname": ("host", 1), "-p": ("port", 2), "--port": ("port", 2),
         "-i": ("clientId", 1), "--client-id": ("clientId", 1), "-u": ("username", 1), "--username": ("username", 1),
         "-P": ("password", 1), "--password": ("password", 1), "-k": ("keepalive", 2), "--keepalive": ("keepalive", 2),
         "-V": ("version", 1), "--mqtt-version": ("version", 1), "-l": ("protocol", 1), "--protocol": ("protocol", 1),
         "--path": ("path", 1), "-wh": ("wh", 3), "--ws-headers": ("wh", 3), "--ca": ("ca", 1), "--cert": ("cert", 1), "--key": ("key", 1), "--insecure": ("insecure", 0),
         "--will-topic": ("will_topic", 1), "--will-message": ("will_message", 1), "--will-qos": ("will_qos", 2),
         "--will-retain": ("will_retain", 0), "-up": ("up", 3), "--user-properties": ("up", 3),
         "--script": ("script", 1), "-t": ("topic", 3), "--topic": ("topic", 3), "-m": ("message", 1),
         "--message": ("message", 1), "-q": ("qos", 2), "--qos": ("qos", 2), "-r": ("retain", 0),
         "--retain": ("retain", 0), "--count": ("count", 2), "--interval": ("interval", 2), "-v": ("verbose", 0),
         "--verbose": ("verbose", 0), "--format": ("format", 1), "-C": ("limit", 2), "-c": ("clients", 2),
         "--clients": ("clients", 2), "-I": ("connect_interval", 2), "-im": ("message_interval", 2),
         "--message-interval": ("message_interval", 2), "-s": ("size", 2), "--size": ("size", 2),
         "-d": ("duration", 2), "--duration": ("duration", 2), "--aliyun": ("aliyun", 1), "--azure": ("azure", 1),
         "--aws": ("aws", 1)}
_CLOUDS = ("aliyun", "azure", "aws")
_COMMON = ("host", "port", "clientId", "username", "password", "keepalive", "version", "protocol", "ca", "cert",
           "key", "insecure", "will_topic", "will_message", "will_qos", "will_retain", "up", "path", "wh") + _CLOUDS
_FOR = {"pub": ("topic", "message", "qos", "retain", "count", "interval", "script"),
        "sub": ("topic", "qos", "verbose", "format", "limit", "script"), "conn": ("script",),
        "bench": ("clients", "connect_interval", "message_interval", "topic", "qos", "size", "duration")}
_VERSIONS = {"3": 3, "3.1": 3, "4": 4, "3.1.1": 4, "5": 5, "5.0": 5}


class Usage(ValueError):  # bad arguments: exit status 2
    pass


class Failed(Exception):  # the script did not start: exit status 1
    pass


class Help(Exception):  # --help (or help, or -h before a command): args[0] the command, or None
    pass


def _topic(t, wild):
    # a topic (wild: a filter) checked now, as the client will once connected
    try:
        (filters if wild else topic_bytes)(t)
    except ValueError:
        raise Usage("bad topic %r" % t)


def _pairs(opt, xs):  # a repeatable "KEY: VALUE" option's values -> {KEY: VALUE}
    d = {}
    for x in xs:
        kv = x.split(":", 1)
        if len(kv) != 2 or not kv[0].strip():
            raise Usage('%s takes "KEY: VALUE", not %r' % (opt, x))
        d[kv[0].strip()] = kv[1].strip()
    return d


def parse(argv):
    # argv (without the program) -> (command, {key: value}); Usage when wrong
    if not argv:
        raise Usage("no command")
    cmd = argv[0]
    if cmd in ("-h", "--help", "help"):
        cmd = argv[1] if len(argv) > 1 else None
        if cmd is not None and cmd not in _FOR:
            raise Usage("help: unknown command %r" % cmd)
        raise Help(cmd)
    if cmd not in _FOR:
        raise Usage("unknown command %r" % cmd)
    a = {}
    i = 1
    if cmd == "bench":
        if len(argv) > 1 and argv[1] == "--help":
            raise Help(cmd)
        if len(argv) < 2 or argv[1] not in ("conn", "pub", "sub"):
            raise Usage("bench: conn, pub or sub")
        a["mode"] = argv[1]
        i = 2
    while i < len(argv):
        o = argv[i]
        if o == "--help":  # (in an option's place only: `-m --help` is a message)
            raise Help(cmd)
        k, kind = _OPTS.get(o, (None, 0))
        if k is None or k not in _COMMON and k not in _FOR[cmd]:
            raise Usage("%s: unknown option %s" % (cmd, o))
        i += 1
        if not kind:
            a[k] = True
            continue
        if i == len(argv):
            raise Usage("%s needs a value%s" % (o, " (the broker's host; --help for help)" if o == "-h" else ""))
        v = argv[i]
        i += 1
        if kind == 2:
            try:
                v = int(v)
            except ValueError:
                raise Usage("%s needs a number, not %r" % (o, v))
            if v < 0:
                raise Usage("%s must not be negative" % o)
        if kind == 3:
            a[k] = a.get(k, []) + [v]
        else:
            a[k] = v
    for k in ("qos", "will_qos"):
        if a.get(k, 0) > 2:
            raise Usage("-q and --will-qos must be 0, 1 or 2")
    if a.get("version", "4") not in _VERSIONS:
        raise Usage("-V must be 3, 4 or 5")
    a["version"] = _VERSIONS[a.get("version", "4")]
    p = a.get("protocol", "mqtt")
    if p not in ("mqtt", "mqtts", "ws", "wss"):
        raise Usage("-l must be mqtt, mqtts, ws or wss")
    if ("path" in a or "wh" in a) and p[:2] != "ws":
        raise Usage("--path and -wh are for -l ws or wss")
    if "wh" in a:
        a["wh"] = _pairs("-wh", a["wh"])
    if a.get("up"):
        if a["version"] != 5:
            raise Usage("-up: user properties are MQTT 5 (-V 5)")
        a["up"] = _pairs("-up", a["up"])
    c = [k for k in _CLOUDS if k in a]
    if len(c) > 1 or c and ("username" in a or "password" in a):
        raise Usage("one of --aliyun, --azure, --aws, and not with -u or -P: it makes them")
    if ("will_message" in a or "will_qos" in a or "will_retain" in a) and "will_topic" not in a:
        raise Usage("--will-message, --will-qos, --will-retain need --will-topic")
    ts = a.get("topic", [])
    wild = cmd == "sub" or a.get("mode") == "sub"
    for t in ts:
        _topic(t, wild)
    if "will_topic" in a:
        _topic(a["will_topic"], False)
    if cmd == "pub" and (len(ts) != 1 or "message" not in a):
        raise Usage("pub needs one -t TOPIC and -m MESSAGE")
    if cmd == "sub" and not ts:
        raise Usage("sub needs -t TOPIC")
    if a.get("format", "json") != "json":
        raise Usage("--format: json")
    if cmd == "bench":
        if len(ts) > 1:
            raise Usage("bench takes one -t")
        if not a.get("clients"):
            raise Usage("bench needs -c CLIENTS (1 or more)")
    return cmd, a


def options(a):
    # the parsed arguments -> (URL, options) for mqtt.connect(). Without -h,
    # the broker is MQTT_URL's when that is set (as for the examples and
    # `make cli`), else localhost
    url = None
    if "host" not in a:
        url = getattr(os, "getenv", lambda k: None)("MQTT_URL")
    tls = "ca" in a or "cert" in a or "key" in a or "insecure" in a
    if tls and a.get("protocol") in ("mqtt", "ws"):
        raise Usage("--ca, --cert, --key and --insecure are for -l mqtts or wss")
    o = {"keepalive": a.get("keepalive", 30), "protocolVersion": a["version"]}
    if not url:
        o["host"] = a.get("host", "localhost")
    if tls or "protocol" in a:
        o["protocol"] = a.get("protocol") or "mqtts"
    if "wh" in a:
        o["wsOptions"] = {"headers": a["wh"]}
    for k in ("port", "clientId", "username", "password", "path"):
        if k in a:
            o[k] = a[k]
    for k in ("ca", "cert", "key"):
        if k in a:
            try:
                with open(a[k], "rb") as f:
                    o[k] = f.read()
            except OSError as e:
                raise Usage("--%s %s: %s" % (k, a[k], e))
    for k in _CLOUDS:
        if k in a:  # the cloud's URL and login; -h, -p, -l and the TLS files, when given, say where and how
            url, c = _cloud(k, a, o)
            if "host" not in a:
                o.pop("host", None)
            c.update(o)
            o = c
    if "insecure" in a:
        o["rejectUnauthorized"] = False
    if "will_topic" in a:
        o["will"] = {"topic": a["will_topic"], "payload": a.get("will_message", ""), "qos": a.get("will_qos", 0),
                     "retain": "will_retain" in a}
    return url, o


def _cloud(name, a, o):
    # --aliyun/--azure/--aws FIELDS -> mqtt.cloud's (url, options)
    from . import cloud

    n = 1 if name == "aws" else 3
    f = a[name].split(",")
    kw = {}
    for x in f[n:]:  # NAME=VALUE: a keyword argument of mqtt.cloud's function (it refuses a wrong NAME)
        k, _, v = x.partition("=")
        kw[k] = int(v) if v.isdigit() else v
    f = f[:n]
    if len(f) < n or not all(f) or "" in kw.values():
        raise Usage("--%s takes %d fields, then NAME=VALUE, not %r" % (name, n, a[name]))
    if name == "aliyun":  # (its client id, keepalive and TLS are in what it signs or checks)
        kw["keepalive"] = o["keepalive"]
        kw["tls"] = o.get("protocol") != "mqtt"
        if "clientId" in o:
            kw["clientId"] = o.pop("clientId")
    if name == "aws":  # (it says what is missing)
        f += [o.get("clientId"), o.get("cert"), o.get("key"), o.get("ca")]
    try:
        return getattr(cloud, name)(*f, **kw)
    except ImportError as e:  # the firmware lacks a hash
        raise Failed(str(e))


def _out(*x):  # a message, a progress line: out at once, also into a pipe
    print(*x)
    sys.stdout.flush()


def _say(*x):  # status and errors: stderr, so that stdout holds only messages
    print(*x, file=sys.stderr)


def _text(p):
    try:
        return str(p, "utf-8")
    except UnicodeError:
        return repr(p)


def _plain(x):  # properties -> what json.dumps takes (binary data as hex)
    if isinstance(x, (bytes, bytearray)):
        from binascii import hexlify

        return str(hexlify(x), "ascii")
    if isinstance(x, dict):
        return dict((k, _plain(x[k])) for k in x)
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


class Run:
    # one pub, sub or conn: the client, its script, and the exit status
    def __init__(self, cmd, a):
        self.cmd = cmd
        self.a = a
        self.status = None  # set: the run is over, with this exit status
        self.up = False  # connected once
        self.err = None  # the last error before the first connection
        self.sent = self.done = self.got = 0
        self.n = a.get("count", 1)  # pub: messages to send
        self.paced = self.n > 1 and a.get("interval", 1000)  # pub: one per interval, else as fast as they go
        self.s = None
        if "script" in a:  # started before the client exists, as MQTTX does
            try:
                self.s = script.run(a["script"])
            except OSError as e:
                raise Usage("--script %s: %s" % (a["script"], e))
            except Exception as e:  # the script's own top-level code failed
                script.traceback(e)
                raise Failed("script %s: %s: %s" % (a["script"], type(e).__name__, e))
            self.s.on_end(lambda: self.finish(0))  # exit() in the script ends the command
            if cmd == "conn" and "onMessage" in self.s.hooks:
                _say("mqtt: note: conn subscribes to nothing, so the script's onMessage gets no message "
                     "(sub -t TOPIC --script %s subscribes)" % a["script"])
        url, o = options(a)
        if cmd == "conn" and "up" in a:
            o["properties"] = {"userProperties": a["up"]}
        o["manualConnect"] = True
        c = self.c = mqtt.connect(url, o)
        c.on("connect", self.connected)
        c.on("error", self.error)
        c.on("close", self.closed)
        if cmd == "sub":
            c.on("message", self.message)
        if self.s:
            self.s.attach(c)
        c.connect()

    def finish(self, status, why=None):
        if self.status is None:
            self.status = status
            if why:
                _say("mqtt: " + why)

    def error(self, e):
        if self.up:
            _say("mqtt: error:", e)
        else:
            self.err = e

    def closed(self):
        if not self.up:  # the first attempt failed: say why, and stop
            self.finish(1, "error: %s" % (self.err or "the broker closed the connection"))

    def connected(self, connack):
        o = self.c.options
        if self.up:
            return _say("reconnected")
        self.up = True
        _say("connected to %s://%s:%d as %s" % (o["protocol"], o["host"], o["port"], o["clientId"]))
        a = self.a
        if self.cmd == "sub":
            ts = [(t, a.get("qos", 0)) for t in a["topic"]]
            opts = {"properties": {"userProperties": a["up"]}} if "up" in a else None
            self.c.subscribe(ts, opts, self.subscribed)
        elif self.cmd == "pub":
            if self.paced:
                self.timer = mqtt.setInterval(self.publish, self.paced)
            self.publish()

    def subscribed(self, err, granted):
        if err:
            return self.finish(1, "error: %s" % err)
        _say("subscribed to %s" % ", ".join("%s (qos %d)" % (g["topic"], g["qos"]) for g in granted))

    def message(self, topic, payload, packet):
        a = self.a
        if "format" in a:
            d = {"topic": topic, "payload": _text(payload), "qos": packet["qos"], "retain": packet["retain"]}
            if packet.get("properties"):
                d["properties"] = _plain(packet["properties"])
            from json import dumps

            _out(dumps(d))
        elif "verbose" in a:
            _out(topic, _text(payload))
        else:
            _out(_text(payload))
        self.got += 1
        if self.got == a.get("limit"):
            self.finish(0)

    def publish(self):
        # the next message: at the interval (--count with --interval), or as
        # fast as the client's queue takes them (--interval 0)
        a = self.a
        o = {"qos": a.get("qos", 0), "retain": "retain" in a}
        if "up" in a:
            o["properties"] = {"userProperties": a["up"]}
        while self.sent < self.n:
            self.sent += 1
            self.c.publish(a["topic"][0], a["message"], o, self.published)
            if self.paced or len(self.c.queue) > 8:
                break
        if self.sent == self.n and self.paced:
            mqtt.clearInterval(self.timer)

    def published(self, err):
        self.done += 1
        if err:
            return self.finish(1, "error: publish failed: %s" % err)
        if self.done == self.n:
            _say("published %d message(s) to %s" % (self.n, self.a["topic"][0]))
            self.finish(0)
        elif self.sent < self.n and not self.paced:
            self.publish()

    def end(self):
        # the script's onWillExit and grace (the client still connected), then DISCONNECT
        script.stop_all()
        c = self.c
        ended = []
        c.end(False, lambda: ended.append(1))
        # DISCONNECT once the acks in flight are in (end() bounds that by
        # connectTimeout); a second Ctrl-C leaves at once, the socket closing with the process
        script.drive(lambda: ended, c.options["connectTimeout"] + 1000)
        if self.cmd == "pub" and self.status is None:
            self.finish(1, "interrupted: %d of %d message(s) published" % (self.done, self.n))
        return self.status or 0


_TICK = [0]  # the resolution of _cpu(), s: 0 fine-grained (CPython), 0.01 /proc's ticks


def _cpu():  # CPU seconds this process used, or None where that is unknown
    import time

    f = getattr(time, "process_time", None)  # CPython
    if f:
        return f()
    try:  # MicroPython unix port: utime + stime, in Linux's USER_HZ (100) ticks
        f = open("/proc/self/stat")
        s = f.read()
        f.close()
        x = s[s.rindex(")") + 2 :].split()
        _TICK[0] = 0.01
        return (int(x[11]) + int(x[12])) / 100
    except (OSError, ValueError, IndexError):
        return None


def _short():
    # MicroPython: the heap is too full for another client. A third of it
    # stays free: the loop's own tables grow with the clients (poll's and its
    # socket-to-client map by reallocation), and a fragmented heap has less
    # room than mem_free() says.
    # CPython: never
    try:
        from gc import mem_free, mem_alloc, collect
    except ImportError:
        return False
    keep = (mem_free() + mem_alloc()) // 3
    if mem_free() > keep:
        return False
    collect()
    return mem_free() <= keep


def _fds(n):  # CPython: room for n sockets under the soft file descriptor limit
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 64
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))


class Bench:
    # many clients on the one loop, like mqttx bench / emqtt-bench
    def __init__(self, a):
        self.a = a
        self.mode = a["mode"]
        self.n = a["clients"]
        _fds(self.n)
        self.url, self.o = options(a)
        self.topic = a["topic"][0] if "topic" in a else "bench/#" if self.mode == "sub" else "bench/%i"
        self.payload = b"x" * a.get("size", 16)
        self.clients = []
        self.topics = []  # each client's publish topic (%i: its number), made once
        self.conn = self.sent = self.recv = self.errors = self.steps = self.ended = self.ups = 0
        self.last = None  # the last error
        self.t0 = ticks_ms()
        self.mark = (self.t0, 0, 0, 0, _cpu())  # at the last report: time, sent, received, steps, CPU
        self.status = None
        self.tm = [mqtt.setInterval(self.report, 1000)]
        self.starter = mqtt.setInterval(self.start, a.get("connect_interval", 10) or 1)  # None once all started
        self.start()
        if self.mode == "pub":
            self.tm.append(mqtt.setInterval(self.publish, a.get("message_interval", 1000) or 1))

    def start(self):  # the clients due by now, one per -I ms (a slow step doesn't slow the ramp)
        iv = self.a.get("connect_interval", 10)
        due = self.n if not iv else min(self.n, ticks_diff(ticks_ms(), self.t0) // iv + 1)
        try:
            # (at most 64 connecting at a time: what a connection takes shows before the next ones start)
            while len(self.clients) < due and len(self.clients) - self.ups < 64:
                if _short():
                    raise MemoryError
                self.client(len(self.clients) + 1)
        except MemoryError:  # no room for more: say so once, go on with those there are
            _say("mqtt: out of memory at client %d (on the unix port: micropython -X heapsize=32M)"
                 % (len(self.clients) + 1))
            self.n = len(self.clients)
        if len(self.clients) >= self.n and self.starter:  # all started: the loop may idle (a step per 100 ms)
            mqtt.clearInterval(self.starter)
            self.starter = None

    def client(self, i):
        o = dict(self.o)
        o["clientId"] = "%s_%d" % (self.o.get("clientId", "mqtt_bench"), i)
        t = self.topic.replace("%i", str(i))
        c = mqtt.connect(self.url, o)
        c.on("connect", self.connected)
        c.on("offline", self.offline)
        c.on("error", self.error)
        c.on("end", self.gone)
        if self.mode == "sub":
            c.on("message", self.message)
            c.subscribe(t, {"qos": self.a.get("qos", 0)})
        self.clients.append(c)
        self.topics.append(t)

    def connected(self, connack):
        self.conn += 1
        self.ups += 1

    def offline(self):
        self.conn -= 1

    def gone(self):
        self.ended += 1

    def error(self, e):
        self.errors += 1
        self.last = e

    def message(self, topic, payload, packet):
        self.recv += 1

    def publish(self):
        q = {"qos": self.a.get("qos", 0)}
        ts = self.topics
        for i in range(len(self.clients)):
            c = self.clients[i]
            if c.connected:
                c.publish(ts[i], self.payload, q, self.published)

    def published(self, err):
        if err:
            self.error(err)
        else:
            self.sent += 1

    def report(self):
        now = ticks_ms()
        t, s, r, k, cpu = self.mark
        dt = ticks_diff(now, t) / 1000 or 1
        c = _cpu()
        steps = self.steps - k
        self.mark = (now, self.sent, self.recv, self.steps, c)
        line = "[%ds] connected %d/%d, sent %d msg/s, received %d msg/s, errors %d" % (
            ticks_diff(now, self.t0) // 1000, self.conn, self.n, (self.sent - s) / dt, (self.recv - r) / dt,
            self.errors)
        line += ", loop %d steps/s" % (steps / dt)
        if c is not None and cpu is not None and steps:
            if c > cpu or not _TICK[0]:
                line += ", %d us/step" % ((c - cpu) * 1e6 / steps)
            else:  # less CPU than one tick of the clock this second: below what it can tell
                line += ", < %d us/step" % (_TICK[0] * 1e6 / steps)
        if self.last:
            line += " (last error: %s)" % self.last
            self.last = None
        _out(line)
        d = self.a.get("duration")
        if d and ticks_diff(now, self.t0) >= d * 1000:
            self.status = 0

    def step(self):  # until() of the loop: called once a step
        self.steps += 1
        return self.status is not None

    def end(self):
        for t in self.tm + ([self.starter] if self.starter else []):
            mqtt.clearInterval(t)
        n = self.conn
        want = self.a["clients"]
        for c in self.clients:
            c.end()
        script.drive(lambda: self.ended == len(self.clients), 5000)
        _out("bench %s: %d of %d clients connected at the end, %d sent, %d received, %d errors"
             % (self.mode, n, want, self.sent, self.recv, self.errors))
        if n < want:
            _say("mqtt: only %d of %d clients connected" % (n, want))
            return 1
        return 0


def run(argv):
    # the command line (without the program name) -> exit status
    try:
        cmd, a = parse(argv)
        r = Bench(a) if cmd == "bench" else Run(cmd, a)
    except Help as e:
        _out(usage(e.args[0]))
        return 0
    except Failed as e:
        _say("mqtt: error: %s" % e)
        return 1
    except (Usage, ValueError, TypeError) as e:  # (ValueError, TypeError: mqtt.connect() refused an option)
        c = argv[0] if argv and argv[0] in _FOR else ""
        _say("mqtt: bad arguments: %s (mqtt %s--help)" % (e, c + " " if c else ""))
        return 2
    script.arm()  # SIGTERM ends it as Ctrl-C does (CPython)
    until = r.step if cmd == "bench" else lambda: r.status is not None
    try:
        script.drive(until)  # until done, Ctrl-C or SIGTERM
        return r.end()
    except MemoryError:  # (the unix port's heap, full or too fragmented for the loop's tables)
        _say("mqtt: out of memory (on the unix port: micropython -X heapsize=32M)")
        return 1


def main():
    sys.exit(run(sys.argv[1:]))
