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
    ok(runtime.run("link_drop.py", _env(proxy, broker, KIND=kind, DRIVE=drive), timeout=60, path=[STANDINS]),
       "attempts while down: 0", "offline 1, ENETDOWN errors 1, closes 0",
       "connected within 100 ms of the link coming up: True",
       "queued while down, delivered: [b'q0', b'q1', b'q2', b'q3', b'q4'], acks [None, None, None, None, None]",
       "ended within 1.5 s of the drop (keepalive 10 s): True",
       "after the drop: observer [b'inflight'], client [b'meanwhile'], acks 6",
       "connections 2, offline 2, connects 2")
