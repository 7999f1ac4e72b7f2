# mqtts:// with the TLS options, from the environment; EXPECT=connect: a QoS 1
# round trip of COUNT messages (RECONNECT=1: then reconnect once), or
# EXPECT=error: no connection, an 'error' event within a bounded time.
# env: MQTT_URL; CA_FILE, CA_FORM (str, bytes, der, len: ca_len over padded
# data); CERT_FILE, KEY_FILE, CERT_FORM (pem, der); SERVERNAME; REJECT=0
# (rejectUnauthorized False); CONNECT_TIMEOUT (ms), COUNT, RECONNECT, EXPECT
import os

import mqtt
from mqtt.compat import ticks_ms, ticks_diff
from scenario import env, url, check, wait, idle, Events, connected, subscribe, end, ename


def read(name, binary=False):
    f = open(env(name), "rb" if binary else "r")
    try:
        return f.read()
    finally:
        f.close()


def fds():  # open file descriptors (Linux), -1 where unknown
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


fd0 = fds()
o = {"clientId": "s-tls", "connectTimeout": int(env("CONNECT_TIMEOUT", "4000")), "reconnectPeriod": 500}
form = env("CA_FORM", "str")
if env("CA_FILE", ""):
    if form == "der":
        o["ca"] = read("CA_FILE", True)
    elif form == "bytes":
        o["ca"] = read("CA_FILE", True)
    elif form == "len":  # seed 002: ca with ca_len; what lies past ca_len is not CA data
        ca = read("CA_FILE")
        o["ca"] = ca + "\x00garbage after the CA"
        o["ca_len"] = len(ca)
    else:
        o["ca"] = read("CA_FILE")
if env("CERT_FILE", ""):
    der = env("CERT_FORM", "pem") == "der"
    o["cert"] = read("CERT_FILE", der)
    o["key"] = read("KEY_FILE", der)
if env("SERVERNAME", ""):
    o["servername"] = env("SERVERNAME")
if env("REJECT", "1") == "0":
    o["rejectUnauthorized"] = False

t0 = ticks_ms()
c = mqtt.connect(url(), o)
ev = Events(c, "A")
steps = [0]
step = c._step


def counted(now):  # loop steps until CONNACK: a handshake that waits in poll takes few
    if not c.connected:
        steps[0] += 1
    return step(now)


c._step = counted
if env("EXPECT") == "error":
    wait(lambda: ev.errors, o["connectTimeout"] + 3000, "an error event")
    check(ev.count("connect") == 0, "connected")
    e = ev.errors[0]
    check(isinstance(e, mqtt.MQTTError), "error %r is not an MQTTError" % (e,))
    print("error %s: %s" % (ename(e), e))
    idle(int(env("RUN_MS", "0")))
    check(ev.count("connect") == 0, "connected later")
    print("in the run: reconnect=%d error=%d" % (ev.count("reconnect"), len(ev.errors)))
    end(c, ev)
    print("open fds: %d before, %d after" % (fd0, fds()))  # a failed handshake leaks no socket
    print("OK")
    raise SystemExit(0)

connected(c, ev, o["connectTimeout"] + 3000)
print("steps to connect: %d in %d ms" % (steps[0], ticks_diff(ticks_ms(), t0)))
n = int(env("COUNT", "10"))
subscribe(c, "tls/t", {"qos": 1})
acks = []
for i in range(n):
    c.publish("tls/t", "m%d" % i, {"qos": 1}, lambda err: acks.append(err))
wait(lambda: len(ev.messages) >= n and len(acks) >= n, 10000, "%d messages back" % n)
check([m[1] for m in ev.messages] == [b"m%d" % i for i in range(n)], "messages %r" % ev.messages)
check(acks == [None] * n, "publish callbacks %r" % acks)
check(all(m[2] == 1 for m in ev.messages), "qos %r" % ev.messages)
print("round trip: %d messages at qos 1 in order" % n)
if env("RECONNECT", "0") == "1":
    c.reconnect()
    wait(lambda: ev.count("connect") >= 2, o["connectTimeout"] + 3000, "the second connect")
    print("reconnected")
end(c, ev)
check(not ev.errors, "errors %r" % ev.errors)
print("OK")
