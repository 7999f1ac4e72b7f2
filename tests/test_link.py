"""The network link (lib/mqtt/link.py) on both runtimes, against mosquitto
and tests/faultproxy.py. The `network` and `netmgr` modules here are the
stand-ins of tests/standins (no board and no radio run in these tests): a
Wi-Fi station, HaaS's network manager and a LAN interface whose access
point or cable the scenario controls from the same process."""
import pytest

from conftest import STANDINS
from test_integration import ok


def _env(proxy, broker, **kw):
    e = proxy.env()
    e["BROKER_URL"] = broker.url
    e.update(kw)
    return e


@pytest.mark.parametrize("drive", ["run", "driver"])
@pytest.mark.parametrize("kind", ["wlan", "netmgr", "lan"])
def test_link_down_then_up_then_drop(runtime, proxy, broker, kind, drive):
    got = ok(runtime.run("link_drop.py", _env(proxy, broker, KIND=kind, DRIVE=drive), timeout=60, path=[STANDINS]),
       "attempts while down: 0", "offline 1, ENETDOWN errors 1, closes 0",
       "connected within 100 ms of the link coming up: True",
       "queued while down, delivered: [b'q0', b'q1', b'q2', b'q3', b'q4'], acks [None, None, None, None, None]",
       "ended within 1.5 s of the drop (keepalive 10 s): True",
       "after the drop: observer [b'inflight'], client [b'meanwhile'], acks 6",
       "connections 2, offline 2, connects 2", "closed: up False, watchers told True, called from outside the loop []")
    if kind == "wlan":
        assert "power saving off: True, driver reconnects: 2" in got, got


FAILS = {  # case: the error's first line
    "wrong_password": "error: wifi 'home': wrong password (STAT_WRONG_PASSWORD)",
    "no_ap": "error: wifi 'elsewhere': no ap found (STAT_NO_AP_FOUND)",
    "slow": "error: wifi 'home': not up within 1000 ms (ETIMEDOUT)",
    "forever": "error: wifi 'home': not up within 1000 ms (ETIMEDOUT)",
    "netmgr": "error: netmgr 'home': failed (NET_FAILED)",
    "flapping": "error: wifi 'home': down again within 500 ms (ENETDOWN)",
}


@pytest.mark.parametrize("case,drive", [(c, "run") for c in sorted(FAILS)] + [("wrong_password", "driver"),
                                                                               ("netmgr", "driver")])
def test_link_that_cannot_come_up(runtime, proxy, case, drive):
    """A named error soon, no join loop, no busy polling, no attempt by the client."""
    got = ok(runtime.run("link_fail.py", dict(proxy.env(), CASE=case, DRIVE=drive), timeout=40, path=[STANDINS]),
             FAILS[case], "client: attempts 0, offline 1, ENETDOWN 1, link up False",
             "driver stopped after the failure: True")
    assert [line for line in got if line.startswith("code ") and line.endswith("ms: True")], got
    if case == "wrong_password":
        assert "with the right password: connected, link error None" in got, got


def test_link_under_asyncio(runtime, proxy, broker):
    ok(runtime.run("link_aio.py", _env(proxy, broker), timeout=60, path=[STANDINS]),
       "attempts while down: 0, connect() waiting: True", "connected within 100 ms of the link coming up: True",
       "ended within 1.5 s of the drop (keepalive 10 s): True",
       "after the drop: observer [b'first', b'inflight'], client [b'meanwhile'], publish awaited: None",
       "connections 2", "wrong password: connect timeout: no connection within 2000 ms: network link down",
       "link: wifi 'home': wrong password (STAT_WRONG_PASSWORD)")


def test_link_told_up_by_an_asyncio_task(runtime, broker):
    """mqtt.aio's driver sleeps until the next deadline; a link's watcher
    called from an asyncio task must wake it (client.link_changed)."""
    ok(runtime.run("link_aio_task.py", {"MQTT_URL": broker.url}),
       "connected within 100 ms of the task saying up: True")


def test_import_mqtt_does_not_load_the_link(runtime):
    rc, out, err = runtime.run('import sys\nimport mqtt\nc = mqtt.connect("mqtt://127.0.0.1:1", manualConnect=True)\n'
                               'print("link loaded:", "mqtt.link" in sys.modules)\n', path=[STANDINS])
    assert rc == 0 and out.strip() == "link loaded: False", (rc, out, err)


def test_a_timer_cleared_in_the_same_step_does_not_run(runtime):
    """link.close() from a callback stops its poll: a timer cleared by an
    earlier callback of the same step used to run once more (mqtt.client.step_all)."""
    ok(runtime.run("timer_clear.py"), "ran: ['first', 'first']")
