"""mqtt_as's API (lib/mqtt_as: `from mqtt_as import MQTTClient, config`) over
mqtt.aio, on CPython and the MicroPython unix port, against mosquitto: the
event and callback interfaces, QoS 0/1/2, a broker restart, a failed first
connection, MQTT 5 properties, the network link."""
import socket
import threading

import pytest

from broker import free_port
from conftest import across_restart
from test_integration import ok


@pytest.fixture
def udp_responder():
    """A UDP port on 127.0.0.1 that answers each datagram with it and 8 more bytes (wan_ok's DNS stand-in)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.2)
    stop = []

    def serve():
        while not stop:
            try:
                b, a = s.recvfrom(512)
                s.sendto(b + b"-answer-", a)
            except OSError:
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield s.getsockname()[1]
    stop.append(1)
    t.join(2)
    s.close()


def test_mqttas_qos_roundtrips_event_interface(runtime, broker, udp_responder):
    env = {"MQTT_URL": broker.url, "UDP_PORT": str(udp_responder), "DEAD_UDP_PORT": str(free_port())}
    got = ok(runtime.run("mqttas_qos.py", env),
             "retained: [(b'as/r', b'kept', True)]", "broker_up: True", "wan_ok: True", "wan_ok, no answer: False",
             "after disconnect: end", "down after disconnect: False")
    assert "round trips: [(b'as/q/0', b'qos 0', False), (b'as/q/1', b'qos 1', False), (b'as/q/2', b'qos 2', False)," \
        " (b'as/q/bytes', b'\\x00\\xff', False), (b'as/q/ba', b'ba', False)]" in got, got
    log = broker.log()
    assert "Received PUBLISH from s-mqttas-qos (d0, q2" in log, log
    assert "Received DISCONNECT from s-mqttas-qos" in log, log


def test_mqttas_broker_restart(runtime, broker):
    got = ok(across_restart(runtime, broker, "mqttas_restart.py", {"MQTT_URL": broker.url}),
             "during the outage: isconnected False False", "publish waits while down: True",
             "after the publish: True 2",
             "events: ['up', 'down', 'up']", "callbacks: ['wifi True', 'connect_coro', 'wifi False', 'wifi True', 'connect_coro']",
             "messages: [('cb', b'as/rs/a', b'before'), ('cb', b'as/rs/b', b'after'), "
             "('queue', b'as/rs/a', b'before'), ('queue', b'as/rs/a', b'during'), ('queue', b'as/rs/b', b'after')]")


def test_mqttas_connect_failure_and_callbacks(runtime, make_broker):
    b = make_broker(users={"alice": "s3cret"})
    dead = free_port()
    ok(runtime.run("mqttas_fail.py", {"MQTT_URL": b.url, "DEAD_PORT": str(dead), "AUTH_PORT": str(b.port)}),
       "unreachable: OSError (111, '127.0.0.1:%d: ECONNREFUSED'), within 3 s: True" % dead,
       "refused: OSError (-1, 'connection refused: not authorized'), within 3 s: True",
       "server None: ValueError no server specified.", "gateway True: ValueError gateway: not supported",
       "before connect: waiting True True", "callback got: [(b'as/f/x', b'early', False), (b'as/f/y', b'late', False)]",
       "closed after asyncio.run(): connected False")
    log = b.log()
    assert "Client s-mqttas-close closed its connection." in log, log  # no DISCONNECT: the will goes out


def test_mqttas_mqtt5_properties(runtime, broker):
    ok(runtime.run("mqttas_v5.py", {"MQTT_URL": broker.url}),
       "('cb', b'as/v5/n', b'without', False) None",
       "('cb', b'as/v5/p', b'with', False) [(1, 1), (3, 'text/plain'), (8, 'as/v5/reply'), (9, b'cd'), (38, {'k': 'v'})]",
       "('queue', b'as/v5/n', b'without', False) [(11, 7)]",
       "('queue', b'as/v5/p', b'with', False) [(1, 1), (3, 'text/plain'), (8, 'as/v5/reply'), (9, b'cd'), (11, 7), "
       "(38, {'k': 'v'})]",
       "unknown identifier: unknown property 0x7f")
    log = broker.log()
    assert "s-mqttas-v5 1 as/v5/#" in log, log


def test_mqttas_network_link(runtime, broker):
    ok(runtime.run("mqttas_link.py", {"MQTT_URL": broker.url}),
       "without network.WLAN: link made 0", "link made: net pw", "watched: 1", "link down: connected False",
       "link up: connected True")
