# A link that can't come up, over the stand-in network and netmgr modules
# (tests/standins: no board, no radio): a wrong password, no access point of
# that name, a join slower than timeout_ms, a driver that retries for ever
# (ESP32 without reconnects: status() stays CONNECTING), netmgr's NET_FAILED,
# a link that drops 200 ms after each join (stable_ms 500: never up).
# Each is a named error (the link's, through onerror) soon: at once from the
# status, else at timeout_ms; joins again only after a back-off (no loop,
# no busy polling: joins and status reads counted over 6 s); the client makes
# no attempt (proxy count), says 'offline' and ENETDOWN once. wrong_password
# then gets the right password: the link comes up and the client connects.
# env: MQTT_URL (tests/faultproxy.py), FAULT_PORT, CASE, DRIVE (run, driver)
import mqtt
import mqtt.link
from mqtt.compat import ticks_ms, ticks_diff
from scenario import env, url, fault, check, fail, Events

CASE = env("CASE")
DRIVE = env("DRIVE", "run")
if DRIVE == "driver":
    import time
    import mqtt.driver

    mqtt.driver.start()
    _sleep = getattr(time, "sleep_ms", None) or (lambda ms: time.sleep(ms / 1000))


def wait(pred, ms, what):
    if DRIVE == "run":
        mqtt.run(until=pred, timeout_ms=ms)
    else:
        t0 = ticks_ms()
        while not pred() and ticks_diff(ticks_ms(), t0) < ms:
            _sleep(5)
    if not pred():
        fail("timed out after %d ms waiting for %s" % (ms, what))


# case: (module, link arguments, join_ms, the error's code, named within ms)
CASES = {
    "wrong_password": ("network", ("home", "oops"), {}, 200, "STAT_WRONG_PASSWORD", 1000),
    "no_ap": ("network", ("elsewhere", "secret"), {}, 200, "STAT_NO_AP_FOUND", 1000),
    "slow": ("network", ("home", "secret"), {"timeout_ms": 1000}, 5000, "ETIMEDOUT", 1400),
    "forever": ("network", ("home", "oops"), {"timeout_ms": 1000, "reconnects": None}, 200, "ETIMEDOUT", 1400),
    "netmgr": ("netmgr", ("home", "oops"), {}, 200, "NET_FAILED", 1000),
    "flapping": ("network", ("home", "secret"), {"stable_ms": 500}, 200, "ENETDOWN", 1000),
}
mod, args, kw, join_ms, code, within = CASES[CASE]
if mod == "network":
    import network as radio

    make = mqtt.link.WLAN
else:
    import netmgr as radio

    make = mqtt.link.NetMgr
radio.ap(on=True, ssid="home", password="secret", join_ms=join_ms, hold_ms=200 if CASE == "flapping" else 0)
errs = []
t0 = ticks_ms()
o = {"stable_ms": 200}
o.update(kw)
link = make(*args, **o)
link.onerror = lambda e: errs.append((ticks_diff(ticks_ms(), t0), e))
c = mqtt.connect(url(), {"clientId": "s-linkfail", "reconnectPeriod": 200, "link": link})
ev = Events(c, "C", quiet=("error",))
sta = link.nic.s if mod == "network" else radio.station()
wait(lambda: errs, 3000, "the link's error")
ms, e = errs[0]
print("error: %s" % e)
print("code %s, named within %d ms: %s" % (e.code, within, ms < within))
print("(named after %d ms)" % ms)
check(e.code == code and ms < within, "error %r after %d ms" % (e, ms))
print("driver stopped after the failure: %s" % (not sta.joining))  # (the link's joins, backing off, take over)
check(not sta.joining, "the driver still joins")
j0, l0 = sta.joins, sta.looks
wait(lambda: ticks_diff(ticks_ms(), t0) >= 6000, 7000, "6 s")
joins, looks = sta.joins - j0, sta.looks - l0
print("in the next %d ms: %d joins, %d status reads" % (6000 - ms, joins, looks))
# a back-off of 2 s, then 4 s (+-25%): at most 3 more joins; polls at most 10 a second, two reads each
check(1 <= joins <= 3, "%d joins" % joins)
check(looks <= 130, "%d status reads" % looks)
check(len(errs) - joins in (0, 1) and [x[1].code for x in errs] == [code] * len(errs), "errors %r" % (errs,))
n = fault("count")
down = [x for x in ev.errors if getattr(x, "code", None) == "ENETDOWN"]
print("client: attempts %s, offline %d, ENETDOWN %d, link up %s" % (n[3:], ev.count("offline"), len(down), link.up()))
check(n == "ok 0" and ev.count("offline") == 1 and len(down) == 1 and not link.up(), "the client while down")
if CASE == "wrong_password":
    radio.ap(password="oops")  # the access point takes this password now
    wait(lambda: c.connected, 12000, "the connection with the right password")
    print("with the right password: connected, link error %r" % (link.error,))
    check(link.error is None, "link.error after it came up")
c.end()
link.close()
if DRIVE == "run":
    check(mqtt.run(timeout_ms=5000), "something is left running")
else:
    wait(lambda: not mqtt.client.busy(), 5000, "the end")
print("OK")
