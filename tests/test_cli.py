"""The command line client (python -m mqtt / micropython -m mqtt) end to end,
under both runtimes, against mosquitto: pub -> sub output, exit codes and
their one line, TLS, will, MQTT 5 user properties, a user script attached,
Ctrl-C and SIGTERM, bench with 100 clients."""
import json
import os
import re
import signal
import sys
import time

import pytest

from broker import Broker, Certs, free_port, micropython_path
from conftest import LIB, Proc, describe
from test_script import script


def cli(runtime, *args, env=None, timeout=30):
    """A running `-m mqtt ARGS` (conftest.Proc: stdout lines can be awaited)."""
    e = dict(os.environ)
    for k in ("PYTHONPATH", "MICROPYPATH", "MQTT_URL"):
        e.pop(k, None)
    e.update(env or {})
    if runtime.name == "cpython":
        e["PYTHONPATH"] = LIB
        e["PYTHONUNBUFFERED"] = "1"
        cmd = [sys.executable]
    else:
        e["MICROPYPATH"] = os.path.abspath(e.get("MQTT_LIB") or LIB) + ":.frozen"
        cmd = [micropython_path()]
    return Proc(cmd + ["-m", "mqtt"] + [str(a) for a in args], e, timeout)


def run(runtime, *args, **kw):
    return cli(runtime, *args, **kw).wait()


def at(b):
    return ["-h", "127.0.0.1", "-p", b.port]


def until(pred, timeout, what):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            pytest.fail("timed out waiting for " + what)
        time.sleep(0.05)


def subscribed(b, cid):
    until(lambda: "Received SUBSCRIBE from " + cid in b.log(), 10, "SUBSCRIBE from " + cid)


def one_line(res, start):
    """Failed: exit status 1 or 2 and exactly one line, on stderr, starting so."""
    rc, out, err = res
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(start) and out == "", describe(*res)
    return lines[0]


def test_pub_to_sub(runtime, broker):
    s = cli(runtime, "sub", *at(broker), "-i", "c-sub", "-t", "cli/#", "-q", "2", "-v", "-C", "4")
    subscribed(broker, "c-sub")
    for args, n in ((("-m", "hello"), 1), (("-m", "with space", "-q", "1"), 1),
                    (("-m", "again", "-q", "2", "--count", "2", "--interval", "50"), 2)):
        rc, out, err = res = run(runtime, "pub", *at(broker), "-t", "cli/a", *args)
        assert rc == 0 and "published %d message(s) to cli/a" % n in err, describe(*res)
    rc, out, err = res = s.wait()
    assert rc == 0 and out.splitlines() == ["cli/a hello", "cli/a with space", "cli/a again", "cli/a again"], \
        describe(*res)
    assert "subscribed to cli/# (qos 2)" in err, err
    log = broker.log()
    assert "Received DISCONNECT from c-sub" in log, log
    assert len(re.findall(r"Received PUBLISH from \S+ \(d0, q2, r0, m\d+, 'cli/a'", log)) == 2, log


def test_pub_as_fast_as_it_goes(runtime, broker):
    """--interval 0: 200 QoS 1 messages through the client's bounded queue."""
    s = cli(runtime, "sub", *at(broker), "-i", "c-count", "-t", "cli/n", "-q", "1", "-C", "200")
    subscribed(broker, "c-count")
    res = run(runtime, "pub", *at(broker), "-t", "cli/n", "-m", "x", "-q", "1", "--count", "200", "--interval", "0")
    assert res[0] == 0 and "published 200 message(s) to cli/n" in res[2], describe(*res)
    rc, out, err = res = s.wait()
    assert rc == 0 and out.splitlines() == ["x"] * 200, describe(*res)


def test_sub_json_with_mqtt5_user_properties(runtime, broker):
    s = cli(runtime, "sub", *at(broker), "-V", "5", "-i", "c-json", "-t", "cli/j", "-q", "1", "--format", "json", "-C", "1",
            "-up", "role: watcher")
    subscribed(broker, "c-json")
    res = run(runtime, "pub", *at(broker), "-V", "5", "-t", "cli/j", "-m", '{"t": 21.5}', "-q", "1", "-r",
              "-up", "name: mqttx cli", "-up", "k: v")
    assert res[0] == 0, describe(*res)
    rc, out, err = res = s.wait()
    assert rc == 0, describe(*res)
    d = json.loads(out)
    assert d["topic"] == "cli/j" and d["payload"] == '{"t": 21.5}' and d["qos"] == 1, d
    assert d["properties"]["userProperties"] == {"name": "mqttx cli", "k": "v"}, d
    log = broker.log()
    assert "as c-json (p5," in log, log
    run(runtime, "pub", *at(broker), "-t", "cli/j", "-m", "", "-r")  # (clear the retained message)


@pytest.mark.parametrize("args,why", [
    ((), "no command"),
    (("nope",), "unknown command 'nope'"),
    (("pub", "-t", "a"), "pub needs one -t TOPIC and -m MESSAGE"),
    (("pub", "-t", "a", "-m", "x", "-q", "3"), "-q and --will-qos must be 0, 1 or 2"),
    (("pub", "-t", "a/+", "-m", "x"), "bad topic 'a/+'"),
    (("sub", "-t", "a/#/b"), "bad topic 'a/#/b'"),
    (("conn", "--will-topic", "w/#"), "bad topic 'w/#'"),
    (("sub",), "sub needs -t TOPIC"),
    (("sub", "-t", "a", "-m", "x"), "sub: unknown option -m"),
    (("sub", "-t", "a", "-p"), "-p needs a value"),
    (("sub", "-t", "a", "-p", "many"), "-p needs a number, not 'many'"),
    (("sub", "-t", "a", "-V", "6"), "-V must be 3, 4 or 5"),
    (("sub", "-t", "a", "-up", "k: v"), "-up: user properties are MQTT 5 (-V 5)"),
    (("sub", "-t", "a", "-V", "5", "-up", "novalue"), '-up takes "KEY: VALUE"'),
    (("conn", "--will-message", "x"), "--will-message, --will-qos, --will-retain need --will-topic"),
    (("conn", "-l", "mqtt", "--insecure"), "--ca, --cert, --key and --insecure are for -l mqtts"),
    (("conn", "--ca", "/nonexistent/ca.pem"), "--ca /nonexistent/ca.pem: "),
    (("conn", "--script", "/nonexistent/s.py"), "--script /nonexistent/s.py: "),
    (("bench", "pub"), "bench needs -c CLIENTS"),
    (("bench", "conn", "-c", "2", "--script", "x.py"), "bench: unknown option --script"),
    (("help", "nope"), "help: unknown command 'nope'"),
    (("pub", "-t", "a", "-m", "x", "-h"), "-h needs a value (the broker's host; --help for help)"),
    (("conn", "--aliyun", "pk,device"), "--aliyun takes 3 fields, then NAME=VALUE, not 'pk,device'"),
    (("conn", "--azure", "h,d,k,ws"), "--azure takes 3 fields, then NAME=VALUE, not 'h,d,k,ws'"),
    (("conn", "--aliyun", "pk,d,s,zone=x"), "zone"),  # (a TypeError, worded by each runtime)
    (("conn", "--aliyun", "pk,d,s", "-k", "10"), "keepalive must be 30 to 1200 s: Alibaba Cloud IoT Platform"),
    (("conn", "--azure", "h,d,k", "-u", "me"), "one of --aliyun, --azure, --aws, and not with -u or -P"),
    (("conn", "--azure", "h,d,!!!!"), "key must be the device's key as base64"),
    (("conn", "--aws", "e.amazonaws.com", "-i", "t"), "cert and key: the device's certificate and its private key"),
    (("conn", "--aws", "e.amazonaws.com"), "clientId: 1 to 128 bytes of UTF-8"),
])
def test_bad_arguments(runtime, args, why):
    line = one_line(run(runtime, *args), "mqtt: bad arguments: ")
    assert why in line, line


def test_unreachable_and_refused(runtime, make_broker):
    port = free_port()
    line = one_line(run(runtime, "pub", "-h", "127.0.0.1", "-p", port, "-t", "a", "-m", "x"), "mqtt: error: ")
    assert line == "mqtt: error: 127.0.0.1:%d: ECONNREFUSED" % port
    b = make_broker(users={"alice": "s3cret"})
    res = run(runtime, "conn", *at(b), "-u", "alice", "-P", "wrong")
    assert res[0] == 1 and "connection refused" in one_line(res, "mqtt: error: "), describe(*res)
    res = run(runtime, "pub", *at(b), "-u", "alice", "-P", "s3cret", "-t", "a", "-m", "x")
    assert res[0] == 0, describe(*res)


@pytest.mark.parametrize("args,first", [
    (("--help",), "usage: mqtt COMMAND"), (("-h",), "usage: mqtt COMMAND"), (("help",), "usage: mqtt COMMAND"),
    (("help", "pub"), "usage: mqtt pub -t TOPIC"), (("pub", "--help"), "usage: mqtt pub -t TOPIC"),
    (("pub", "-t", "a", "-q", "1", "--help"), "usage: mqtt pub -t TOPIC"), (("sub", "--help"), "usage: mqtt sub -t"),
    (("help", "conn"), "usage: mqtt conn"), (("conn", "--help"), "usage: mqtt conn"),
    (("bench", "--help"), "usage: mqtt bench conn|pub|sub"), (("bench", "sub", "-c", "3", "--help"), "usage: mqtt bench"),
])
def test_help_at_every_level(runtime, args, first):
    """--help (and help, and -h before a command) at the top and for each command, on stdout, status 0,
    connection options included; nothing connects (no broker here)."""
    rc, out, err = res = run(runtime, *args)
    assert rc == 0 and out.startswith(first) and err == "" and "\n  -h HOST" in out, describe(*res)
    if first == "usage: mqtt COMMAND":
        assert all("\n  %s " % c in out for c in ("pub", "sub", "conn", "bench")), out


def test_h_after_a_command_is_the_host_and_help_a_message(runtime, broker):
    """As mosquitto_pub: -h after a command is the host; --help in a value's place is that value."""
    s = cli(runtime, "sub", "-h", "127.0.0.1", "-p", broker.port, "-i", "c-help", "-t", "cli/h", "-C", "1")
    subscribed(broker, "c-help")
    res = run(runtime, "pub", "-h", "127.0.0.1", "-p", broker.port, "-t", "cli/h", "-m", "--help")
    assert res[0] == 0 and "published 1 message(s) to cli/h" in res[2], describe(*res)
    rc, out, err = res = s.wait()
    assert rc == 0 and out == "--help\n", describe(*res)


def test_conn_says_a_script_gets_no_message(runtime):
    """conn --script with an onMessage hook: one note that conn subscribes to nothing (and sub -t does)."""
    port = free_port()  # (nothing listens: the note comes before the connection fails)
    rc, out, err = res = run(runtime, "conn", "-h", "127.0.0.1", "-p", port, "--script", script("cli_echo.py"))
    assert rc == 1 and err.splitlines()[0] == (
        "mqtt: note: conn subscribes to nothing, so the script's onMessage gets no message "
        "(sub -t TOPIC --script %s subscribes)" % script("cli_echo.py")), describe(*res)
    rc, out, err = res = run(runtime, "conn", "-h", "127.0.0.1", "-p", port, "--script", script("connect_exit.py"))
    assert rc == 1 and "note" not in err, describe(*res)


@pytest.fixture(scope="module")
def certs():
    return Certs()


def test_tls(runtime, certs):
    b = Broker(tls=certs.listener()).start()
    try:
        tls = ["-l", "mqtts", "-h", "127.0.0.1", "-p", b.port]
        res = run(runtime, "pub", *tls, "--ca", certs.ca, "-t", "a", "-m", "x", "-q", "1")
        assert res[0] == 0 and "connected to mqtts://127.0.0.1:%d" % b.port in res[2], describe(*res)
        res = run(runtime, "pub", *tls, "--ca", certs.other_ca, "-t", "a", "-m", "x")
        assert res[0] == 1 and "certificate verify failed" in one_line(res, "mqtt: error: TLS: "), describe(*res)
        res = run(runtime, "pub", *tls, "-t", "a", "-m", "x")  # no CA: none on a board, the system's on CPython
        assert res[0] == 1, describe(*res)
        one_line(res, "mqtt: error: TLS: ")
        res = run(runtime, "pub", "-h", "127.0.0.1", "-p", b.port, "--insecure", "-t", "a", "-m", "x")
        assert res[0] == 0, describe(*res)
    finally:
        b.stop()


def test_cloud_logins(runtime, make_broker, certs):
    """--aliyun, --azure and --aws make the login (tests/test_cloud.py's
    published credentials, in the brokers' password files); -h and -p point
    it at the private broker instead of the cloud's."""
    from test_cloud import ALIYUN_DOC, AZ_RS, AZ_RS_KEY, AZ_RS_USER

    o = ALIYUN_DOC[1]
    b = make_broker(users={o["username"]: o["password"]})
    res = run(runtime, "pub", *at(b), "-l", "mqtt", "-i", "12345", "--aliyun",
              "pk,device,secret,timestamp=789,signMethod=hmacsha1", "-t", "a", "-m", "x", "-q", "1")
    assert res[0] == 0 and "as %s" % o["clientId"] in res[2], describe(*res)
    assert " as %s (p2, c1, k30, u'device&pk')." % o["clientId"] in b.log(), b.log()
    res = run(runtime, "pub", *at(b), "-l", "mqtt", "--aliyun", "pk,device,secret", "-t", "a", "-m", "x")
    assert "connection refused" in one_line(res, "mqtt: error: "), describe(*res)  # its own client id and time
    b = make_broker(users={AZ_RS_USER: AZ_RS}, tls=certs.listener())
    res = run(runtime, "pub", *at(b), "--ca", certs.ca, "--azure", "myiothub,FirstDevice,%s,expiry=1587123309"
              % AZ_RS_KEY, "-t", "a", "-m", "x", "-q", "1")
    assert res[0] == 0 and "connected to mqtts://127.0.0.1:%d as FirstDevice" % b.port in res[2], describe(*res)
    b = make_broker(tls=certs.listener(require_certificate=True))
    aws = ["--aws", "abc123-ats.iot.eu-west-1.amazonaws.com", "-i", "thing-1", "--cert", certs.client,
           "--key", certs.client_key, "--ca", certs.ca]
    res = run(runtime, "pub", *at(b), *aws, "-t", "a", "-m", "x", "-q", "1")
    assert res[0] == 0 and "as thing-1" in res[2], describe(*res)


def test_will(runtime, broker):
    w = cli(runtime, "sub", *at(broker), "-i", "c-will-watch", "-t", "cli/will", "-v", "-C", "1")
    subscribed(broker, "c-will-watch")
    c = cli(runtime, "conn", *at(broker), "-i", "c-will", "--will-topic", "cli/will", "--will-message", "gone",
            "--will-qos", "1", "-k", "5")
    until(lambda: "as c-will (p2, c1, k5)" in broker.log(), 10, "c-will to connect")
    c.kill()  # no DISCONNECT: the broker publishes the will
    rc, out, err = res = w.wait()
    assert rc == 0 and out == "cli/will gone\n", describe(*res)


def test_script_on_sub(runtime, broker):
    """sub --script: the script answers messages; its exit() ends the command
    (onWillExit's publish first, then DISCONNECT, exit status 0)."""
    w = cli(runtime, "sub", *at(broker), "-i", "c-watch", "-t", "cli/out", "-t", "cli/bye", "-v", "-C", "2")
    subscribed(broker, "c-watch")
    s = cli(runtime, "sub", *at(broker), "-i", "c-script", "-t", "cli/in", "-v", "--script", script("cli_echo.py"))
    s.wait_line("script connected", 10)
    subscribed(broker, "c-script")
    assert run(runtime, "pub", *at(broker), "-t", "cli/in", "-m", "ping")[0] == 0
    assert run(runtime, "pub", *at(broker), "-t", "cli/in", "-m", "quit")[0] == 0
    rc, out, err = res = s.wait()
    assert rc == 0 and out.splitlines() == ["script connected", "cli/in ping", "cli/in quit", "script onWillExit"], \
        describe(*res)
    rc, out, err = res = w.wait()
    assert rc == 0 and out.splitlines() == ["cli/out re: ping", "cli/bye bye"], describe(*res)
    log = broker.log()
    assert log.index("'cli/bye'") < log.index("Received DISCONNECT from c-script"), log


def test_script_on_pub_and_conn(runtime, broker):
    rc, out, err = res = run(runtime, "pub", *at(broker), "-i", "c-pub-script", "-t", "cli/p", "-m", "m", "-q", "1",
                             "--script", script("hooks.py"))
    assert rc == 0, describe(*res)
    got = out.splitlines()
    for line in ("HOOK onConnect returnCode=0 sessionPresent=False", "HOOK onPublish cli/p b'm' qos=1 retain=False",
                 "HOOK onPublish sh/hello b'from the script' qos=1 retain=False", "HOOK onWillExit",
                 "HOOK onPublish sh/bye b'script exits' qos=1 retain=False"):
        assert line in got, describe(*res)
    assert got.index("HOOK onWillExit") > got.index("HOOK onPublish cli/p b'm' qos=1 retain=False")
    assert "Received DISCONNECT from c-pub-script" in broker.log()
    rc, out, err = res = run(runtime, "conn", *at(broker), "-i", "c-conn-script", "--script",
                             script("connect_exit.py"), timeout=10)
    assert rc == 0 and out == "script: connected, exiting\n", describe(*res)
    assert "Received DISCONNECT from c-conn-script" in broker.log()
    rc, out, err = res = run(runtime, "conn", *at(broker), "--script", script("bad_start.py"))
    assert rc == 1 and "RuntimeError: this script cannot start" in err, describe(*res)
    assert err.splitlines()[-1] == "mqtt: error: script %s: RuntimeError: this script cannot start" \
        % script("bad_start.py"), describe(*res)


@pytest.mark.parametrize("with_script", [True, False])
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_signal_ends_cleanly(runtime, broker, sig, with_script):
    """Ctrl-C (and SIGTERM on CPython): the script's onWillExit and its
    publish, then DISCONNECT, exit status 0. The unix port has no signal
    module: SIGTERM ends it at once there (README)."""
    s = cli(runtime, "sub", *at(broker), "-i", "c-sig", "-t", "cli/x", *(("--script", script("sig.py"))
                                                                      if with_script else ()))
    subscribed(broker, "c-sig")
    s.p.send_signal(getattr(signal, sig))
    rc, out, err = res = s.wait()
    log = broker.log()
    if sig == "SIGTERM" and runtime.name == "micropython":
        assert rc == -signal.SIGTERM and out == "" and "Received DISCONNECT from c-sig" not in log, describe(*res)
        return
    assert rc == 0 and "Received DISCONNECT from c-sig" in log, describe(*res)
    if with_script:
        assert out.splitlines() == ["script onWillExit", "script onPublish sig/bye b'bye'"], describe(*res)
        assert log.index("'sig/bye'") < log.index("Received DISCONNECT from c-sig"), log


def test_interrupted_pub(runtime, broker):
    """Ctrl-C before every message went: status 1, saying how many did."""
    p = cli(runtime, "pub", *at(broker), "-i", "c-int", "-t", "cli/i", "-m", "x", "--count", "100", "--interval",
            "100")
    until(lambda: "Received PUBLISH from c-int" in broker.log(), 10, "a first message")
    p.p.send_signal(signal.SIGINT)
    rc, out, err = res = p.wait()
    assert rc == 1 and re.search(r"^mqtt: interrupted: \d+ of 100 message\(s\) published$", err, re.M), \
        describe(*res)
    assert "Received DISCONNECT from c-int" in broker.log()


def progress(out):
    return [x for x in out.splitlines() if x.startswith("[")]


def test_bench_conn_100_clients(runtime, broker):
    rc, out, err = res = run(runtime, "bench", "conn", *at(broker), "-c", "100", "-I", "2", "-d", "3", timeout=30)
    assert rc == 0, describe(*res)
    lines = progress(out)
    assert len(lines) >= 3 and re.match(r"\[\d+s\] connected 100/100, sent 0 msg/s, received 0 msg/s, errors 0, "
                                        r"loop \d+ steps/s, (< )?\d+ us/step$", lines[-1]), describe(*res)
    # once every client started, idle clients leave the loop a step per 100 ms (no 10 ms start timer left)
    assert int(re.search(r"loop (\d+) steps/s", lines[-1]).group(1)) <= 30, describe(*res)
    assert out.splitlines()[-1] == "bench conn: 100 of 100 clients connected at the end, 0 sent, 0 received, " \
                                   "0 errors", describe(*res)
    log = broker.log()
    assert len(set(re.findall(r"New client connected from \S+ as (mqtt_bench_\d+) ", log))) == 100
    assert log.count("Received DISCONNECT from mqtt_bench_") == 100


def test_bench_pub_and_sub(runtime, broker):
    s = cli(runtime, "bench", "sub", *at(broker), "-i", "bs", "-c", "5", "-t", "bench/#", "-d", "4", "-I", "0")
    until(lambda: broker.log().count("Received SUBSCRIBE from bs_") == 5, 10, "5 subscribers")
    rc, out, err = res = run(runtime, "bench", "pub", *at(broker), "-i", "bp", "-c", "10", "-im", "100", "-s",
                             "64", "-q", "1", "-d", "2", timeout=30)
    assert rc == 0, describe(*res)
    m = re.search(r"bench pub: 10 of 10 clients connected at the end, (\d+) sent, 0 received, 0 errors", out)
    assert m and 100 <= int(m.group(1)) <= 220, describe(*res)  # 10 clients x 10/s x 2 s
    rc, out, err = res = s.wait()
    m = re.search(r"bench sub: 5 of 5 clients connected at the end, 0 sent, (\d+) received, 0 errors", out)
    assert rc == 0 and m and int(m.group(1)) >= 500, describe(*res)  # each message to 5 subscribers
    assert any(re.search(r"received [1-9]\d* msg/s", x) for x in progress(out)), describe(*res)


def test_subscription_refused_and_publish_failed(runtime, make_broker):
    b = make_broker(deny_subscribe=["secret/#"], extra=["retain_available false"])
    rc, out, err = res = run(runtime, "sub", *at(b), "-t", "secret/x")
    assert rc == 1 and err.splitlines()[-1] == "mqtt: error: subscription to 'secret/x' refused by broker", \
        describe(*res)
    # MQTT 5, a retained QoS 1 message to a broker without retain: DISCONNECT each time; dropped after 3
    rc, out, err = res = run(runtime, "pub", *at(b), "-V", "5", "-t", "a", "-m", "x", "-q", "1", "-r")
    assert rc == 1 and err.splitlines()[-1] == "mqtt: error: publish failed: dropped: the broker closed the " \
                                               "connection on it 3 times", describe(*res)


def test_json_binary_property(runtime, broker):
    """correlationData (binary) in --format json: as hex."""
    import paho.mqtt.client as paho
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    s = cli(runtime, "sub", *at(broker), "-V", "5", "-i", "c-bin", "-t", "cli/b", "--format", "json", "-C", "1")
    subscribed(broker, "c-bin")
    p = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="c-bin-pub", protocol=paho.MQTTv5)
    p.connect("127.0.0.1", broker.port)
    props = Properties(PacketTypes.PUBLISH)
    props.CorrelationData = b"\x01\xfe"
    p.loop_start()
    try:
        p.publish("cli/b", b"\xff\x00", 1, properties=props).wait_for_publish(5)
    finally:
        p.loop_stop()
        p.disconnect()
    rc, out, err = res = s.wait()
    assert rc == 0, describe(*res)
    d = json.loads(out)
    assert d["properties"]["correlationData"] == "01fe" and d["payload"] == repr(b"\xff\x00"), d


def test_bench_raises_the_descriptor_limit(broker):
    """CPython: 60 clients under a soft limit of 40 descriptors (the hard one above)."""
    import resource
    import subprocess

    def low():
        resource.setrlimit(resource.RLIMIT_NOFILE, (40, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    e = dict(os.environ, PYTHONPATH=LIB)
    e.pop("MQTT_URL", None)
    r = subprocess.run([sys.executable, "-m", "mqtt", "bench", "conn", *map(str, at(broker)), "-c", "60", "-I", "0",
                        "-d", "2"], env=e, preexec_fn=low, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "bench conn: 60 of 60 clients connected" in r.stdout, (r.stdout, r.stderr)


@pytest.mark.parametrize("heap", ["400K", "1M"])
def test_bench_out_of_memory_on_the_unix_port(broker, heap):
    """A heap too small for the clients asked for: a line saying so and the
    way out, no traceback, status 1. With 1 MB, bench stops adding clients in
    time and goes on with those; with 400 KB the heap fragments so that the
    loop's own tables find no room, and it ends there."""
    e = dict(os.environ, MICROPYPATH=os.path.abspath(os.environ.get("MQTT_LIB") or LIB) + ":.frozen")
    e.pop("MQTT_URL", None)
    p = Proc([micropython_path(), "-X", "heapsize=" + heap, "-m", "mqtt", "bench", "conn"] + [str(x) for x in at(broker)]
             + ["-c", "1000", "-I", "0", "-d", "2"], e, 30)
    rc, out, err = res = p.wait()
    assert rc == 1 and "Traceback" not in out + err, describe(*res)
    assert re.search(r"^mqtt: out of memory .*\(on the unix port: micropython -X heapsize=32M\)$", err, re.M), \
        describe(*res)
    if heap == "1M":
        m = re.search(r"^mqtt: out of memory at client (\d+) ", err, re.M)
        n = int(m.group(1)) - 1
        assert n >= 100 and "bench conn: %d of 1000 clients connected at the end" % n in out, describe(*res)
        assert err.splitlines()[-1] == "mqtt: only %d of 1000 clients connected" % n, describe(*res)
