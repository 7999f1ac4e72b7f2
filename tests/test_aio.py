"""mqtt.aio, the asyncio face of the client, on both runtimes against a
private mosquitto: QoS 0/1/2 in order through messages(), several clients
and timers on one loop, a broker restart under awaited publishes, end()
with requests outstanding, cancelled waits, back-pressure."""
import pytest

from broker import Certs
from conftest import across_restart
from test_integration import ok


@pytest.fixture(scope="module")
def tls_certs(tmp_path_factory):
    return Certs(str(tmp_path_factory.mktemp("certs")))


def test_aio_roundtrips_several_clients_and_timers(runtime, broker):
    ok(runtime.run("aio_basic.py", {"MQTT_URL": broker.url}),
       "granted [{'topic': 'aio/t/#', 'qos': 2}]", "messages in order: True, timer ran: True",
       "a timer set while the loop slept fired: True", "bad queue_len: queue_len must be an integer >= 0",
       "ended: False False, closes 1")


def test_aio_publishes_ride_out_a_broker_restart(runtime, broker):
    res = across_restart(runtime, broker, "aio_restart.py", {"MQTT_URL": broker.url})
    ok(res, "outcomes: 30, each once: True, acknowledged: 30, reconnected: True")


def test_aio_end_and_cancelled_waits(runtime, broker):
    ok(runtime.run("aio_end_cancel.py", {"MQTT_URL": broker.url}),
       "end with 50 outstanding: 50 outcomes, each acknowledged or ended: True, some ended: True",
       "cancelled waits: acked quietly True, failure told ['client ended'], left in the client: 0")


def test_aio_back_pressure(runtime, broker):
    ok(runtime.run("aio_backpressure.py", {"MQTT_URL": broker.url}),
       "paused while full: True, queue at most 4, 200 in order: True, still connected: True")


def test_aio_over_tls(runtime, make_broker, tls_certs):
    b = make_broker(tls=tls_certs.listener())
    ok(runtime.run("aio_tls.py", {"MQTT_URL": b.url, "CA_FILE": tls_certs.ca}),
       "over TLS: 50 round trips in order: True")
