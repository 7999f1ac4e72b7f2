"""User scripts (lib/mqtt/script.py): hooks, helpers, independence, the end
of a script (exit(), stop(), the 2-second cut-off, Ctrl-C, SIGTERM), on the
three APIs, under both CPython and the MicroPython unix port, against
mosquitto. The scripts are tests/scripts/*.py (and tests/scenarios/us_module.py)."""
import os
import re
import signal

import pytest

from broker import free_port
from conftest import TESTS, describe
from test_integration import ok

SCRIPTS = os.path.join(TESTS, "scripts")


def script(name):
    return os.path.join(SCRIPTS, name)


def hooks(out):
    """The hook calls a script printed as 'HOOK name args', packet hooks apart."""
    calls = [line[5:] for line in out.splitlines() if line.startswith("HOOK ")]
    return [c for c in calls if not c.startswith("onPacket")], [c for c in calls if c.startswith("onPacket")]


def test_every_hook_in_order(runtime, make_broker):
    b = make_broker(extra=["retain_available false"])
    res = runtime.run("script_hooks.py", {"MQTT_URL": b.url, "SCRIPT": script("hooks.py")})
    rc, out, err = res
    got = ok(res, "started <Script hooks running>", "script ended: errors=0 failed=1",
             "program went on after the script")
    calls, packets = hooks(out)
    first = calls[:3]  # the script's own QoS 1 publish: its PUBACK and the message come in either order
    assert first[0] == "onConnect returnCode=0 sessionPresent=False", describe(*res)
    assert sorted(first[1:]) == ["onMessage sh/hello b'from the script' qos=1",
                                 "onPublish sh/hello b'from the script' qos=1 retain=False"], describe(*res)
    assert calls[3:] == [
        "onError MQTTError code=148",  # topicAlias 99 over mosquitto's 10 (0x94)
        "onPublish sh/retained b'x' qos=0 retain=True",
        "onDisconnect disconnect reasonCode=0x9a",  # retain not supported
        "onClose",
        "onReconnect",
        "onConnect returnCode=0 sessionPresent=False",
        "onClose",
        "onEnd",
        "onWillExit",  # exit() from onEnd: onWillExit at once, then the rest of onEnd
        "onEnd-after-exit",
    ], describe(*res)
    assert packets[:3] == ["onPacketSend connect", "onPacketReceive connack", "onPacketSend subscribe"], packets
    for p in ("onPacketSend publish", "onPacketReceive suback", "onPacketReceive publish", "onPacketSend puback",
              "onPacketReceive puback", "onPacketReceive disconnect", "onPacketSend disconnect"):
        assert p in packets, (p, packets)
    # nothing after the script ended: the third connection is not seen
    assert got.index("script ended: errors=0 failed=1") > max(i for i, x in enumerate(got) if x.startswith("HOOK "))
    # onWillExit's publish on the ended client: reported, not silently lost
    assert "script hooks: publish to 'sh/bye' failed: client is closed" in err, describe(*res)
    assert "Traceback" not in err


def test_a_scripts_life(runtime, broker):
    """Started before a client (publishes held, overflow reported), attached
    (the client's queue full reported), a hook that raises, exit() from a hook
    with the grace ending as soon as onWillExit's publish completed."""
    res = runtime.run("script_life.py", {"MQTT_URL": broker.url, "SCRIPT": script("life.py")})
    rc, out, err = res
    assert rc == 0 and "OK" in out.splitlines(), describe(*res)
    ok((rc, out, ""), "before a client: held 32, failed 2", "early messages 19, first b'early 0', failed 15",
       "script got life/x b'after'", "hook errors 1", "script got life/x b'quit'", "script onWillExit",
       "detached within 1000 ms after quit", "publish after the end: ValueError: script life has ended")
    lines = err.splitlines()
    assert lines.count("script life: publish to 'life/early' failed: 32 held already, and no client attached") == 2
    assert lines.count("script life: publish to 'life/early' failed: queue full (queueSize)") == 13, err
    assert "script life: onMessage raised:" in lines and "boom from onMessage" in err, err
    assert "script got life/x b'boom'" not in out and "script got life/x b'later'" not in out, out
    log = broker.log()
    assert len(re.findall(r"Received PUBLISH from s-script-life \(d0, q1, r0, m\d+, 'life/early'", log)) == 19, log
    assert re.search(r"Received PUBLISH from s-script-life \(d0, q1, r0, m\d+, 'life/bye'", log), log


def test_cut_off_after_two_seconds(runtime):
    res = runtime.run("script_cutoff.py", {"DEAD_PORT": str(free_port()), "SCRIPT": script("cutoff.py")})
    ok(res, "script onWillExit", "stop returned, script <Script cutoff exiting>",
       "cut off after 2 s")
    assert re.search(r"^script cutoff: detached after 2\d\d\d ms with 1 publish\(es\) unfinished$", res[2], re.M), \
        describe(*res)


def test_publish_options_and_properties(runtime, broker):
    res = runtime.run("script_props.py", {"MQTT_URL": broker.url, "SCRIPT": script("props.py")})
    rc, out, err = res
    assert rc == 0 and "OK" in out.splitlines(), describe(*res)
    for v in (4, 5):
        assert "v%d: messages [b'one', b'two'], hook errors 1, connected True, disconnect 0, closes 0" % v in out, \
            describe(*res)
    assert "v5 properties: contentType='test' userProperties={'test': 'test'} correlationData=b'\\x01\\x02\\x03\\x04' " \
           "responseTopic='pr/resp' payloadFormatIndicator=1 expiry<=4321:True" in out, describe(*res)
    assert "v4 properties: [None, None]" in out
    lines = err.splitlines()
    assert lines.count("script props: properties dropped: the client speaks MQTT 3.1.1, they are MQTT 5") == 1, err
    assert lines.count("script props: onConnect raised:") == 2, err
    assert err.count("ValueError: subscriptionIdentifier is the server's to send (MQTT 5, 3.3.4-6)") == 2, err
    assert "not reached" not in out
    assert "pr/sid" not in broker.log()


def test_scripts_on_haas_and_umqtt_clients(runtime, broker):
    res = runtime.run("script_apis.py", {"MQTT_URL": broker.url, "SCRIPT": script("api.py")})
    got = ok(res, "file onConnect 0", "file onPublish api/haas b'from the file script'",
             "file onMessage api/haas b'from the file script'", "module onConnect 0",
             "module onPublish api/umqtt b'from the module script'", "module onMessage api/umqtt b'stop'",
             "module onWillExit", "file onWillExit")
    assert got.index("module onWillExit") < got.index("file onWillExit")
    log = broker.log()
    assert re.search(r"Received PUBLISH from s-script-umqtt \(d0, q1, r0, m\d+, 'api/umqtt'", log), log
    assert re.search(r"Received PUBLISH from s-script-haas \(d0, q1, r0, m\d+, 'api/haas'", log), log


@pytest.mark.parametrize("mode", ["run", "wait"])
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_a_signal_ends_the_script(runtime, broker, mode, sig):
    """Ctrl-C (SIGINT) on both runtimes, SIGTERM on CPython: onWillExit runs
    and its publish is acknowledged before the program ends. The unix port
    has no signal module: SIGTERM ends it at once there (README)."""
    p = runtime.start("script_signal.py", {"MQTT_URL": broker.url, "SCRIPT": script("sig.py"), "MODE": mode})
    p.wait_line("READY", 10)
    p.p.send_signal(getattr(signal, sig))
    rc, out, err = res = p.wait()
    got = out.splitlines()
    published = re.search(r"Received PUBLISH from s-script-sig \(d0, q1, r0, m\d+, 'sig/bye'", broker.log())
    if sig == "SIGTERM" and runtime.name == "micropython":
        assert rc == -signal.SIGTERM and "script onWillExit" not in got and not published, describe(*res)
        return
    assert "script onWillExit" in got and "script onPublish sig/bye b'bye'" in got, describe(*res)
    assert published, broker.log()
    assert "FAIL: no signal came" not in got
    if sig == "SIGTERM":
        assert rc == 143, describe(*res)
    else:  # an uncaught KeyboardInterrupt: CPython ends by SIGINT, MicroPython with 130
        assert rc in (-signal.SIGINT, 130) and "KeyboardInterrupt" in out + err, describe(*res)


def test_ctrl_c_out_of_run_ends_scripts_before_the_program_goes_on(runtime, broker):
    # at the REPL a KeyboardInterrupt out of mqtt.run() does not end the program:
    # the scripts end then (mqtt.client.interrupted), not at some later exit
    p = runtime.start("script_signal.py", {"MQTT_URL": broker.url, "SCRIPT": script("sig.py"), "MODE": "caught"})
    p.wait_line("READY", 10)
    p.p.send_signal(signal.SIGINT)
    rc, out, err = res = p.wait()
    got = out.splitlines()
    assert rc == 0 and "caught: the script has ended: True" in got, describe(*res)
    assert got.index("script onWillExit") < got.index("caught: the script has ended: True"), describe(*res)
    assert re.search(r"Received PUBLISH from s-script-sig \(d0, q1, r0, m\d+, 'sig/bye'", broker.log())


def test_argument_errors(runtime):
    res = runtime.run("script_args.py", {"SCRIPT": script("quiet.py")})
    got = ok(res, "module publish, no script: ValueError: no script is running",
             "topic with +: ValueError: bad topic 'a/+': 1 to 65535 bytes of UTF-8, no wildcard, no NUL",
             "empty topic: ValueError: bad topic '': 1 to 65535 bytes of UTF-8, no wildcard, no NUL",
             "topic with NUL: ValueError: bad topic 'a\\x00b': 1 to 65535 bytes of UTF-8, no wildcard, no NUL",
             "topic not str: TypeError: topic must be str",
             "message int: TypeError: message must be str or bytes", "opts not dict: TypeError: opts must be a dict",
             "qos 3: ValueError: qos must be 0, 1 or 2", "unknown option: ValueError: unknown publish option 'qso'",
             "properties not dict: TypeError: properties must be a dict",
             "unknown property: ValueError: unknown publish property 'contentTyp'",
             "subscriptionIdentifier: ValueError: subscriptionIdentifier is the server's to send (MQTT 5, 3.3.4-6)",
             "attach a str: TypeError: attach: a client of mqtt.connect(), createClient() or umqtt, not "
             "'mqtt://broker'",
             "module publish, one script: accepted",
             "module publish, two scripts: ValueError: 2 scripts are running: call it from a hook",
             "held 4, failed 0", "publish after the end: ValueError: script quiet has ended",
             "attach after the end: ValueError: script quiet has ended")
    assert any(x.startswith("missing file: ") and "rror: " in x for x in got), got  # OSError / FileNotFoundError
    assert [x for x in got if x.startswith("topic too long: ValueError: bad topic 'aaa")], got
    # s: 3 held at its top level and 1 from the module helper; s2: 3
    assert res[2].count("script quiet: publish to 'q/early' failed: the script ended with no client attached") == 6
    assert res[2].count("script quiet: publish to 'q/one' failed: the script ended with no client attached") == 1


def test_grace_under_umqtts_own_loop(runtime):
    from fakebroker import CONNACK, FakeBroker

    late = b"\x30\x08\x00\x02g/late"
    fb = FakeBroker([CONNACK, late], pause=3.0, hold=10)
    res = runtime.run("script_umqtt_grace.py", {"MQTT_URL": fb.url, "SCRIPT": script("umqtt_grace.py")})
    fb.join()
    got = ok(res, "script onWillExit", "ended at the first event after its 2 s: True")
    assert not any(x.startswith("script onMessage") for x in got), describe(*res)
    assert "script umqtt_grace: detached after " in res[2], describe(*res)


def test_a_signal_is_told_once():
    """CPython: drive() returns 15 for a SIGTERM once; the next drive() (the
    command line's wait for its DISCONNECT) runs as usual."""
    from conftest import Runtime

    res = Runtime("cpython").run("import os, signal\nimport mqtt, mqtt.script\nmqtt.script.arm()\n"
                                 "mqtt.setTimeout(lambda: os.kill(os.getpid(), signal.SIGTERM), 50)\n"
                                 "print('first', mqtt.script.drive(lambda: False, 3000))\n"
                                 "mqtt.setTimeout(lambda: None, 1000)\n"
                                 "print('second', mqtt.script.drive(lambda: False, 200))\n")
    assert res[0] == 0 and res[1].splitlines() == ["first 15", "second False"], describe(*res)
