"""Fuzzing the receive path: tests/scenarios/fuzz_core.py (a seeded
generator of valid and mutated packet streams) on both runtimes, and
hypothesis on CPython with arbitrary bytes. Whatever the broker sends, the
client refuses it with mqtt.ProtocolError/MQTTError or handles it; nothing
else is raised, nothing spins, buffers stay bounded."""
import os
import sys

from hypothesis import given, settings, strategies as st

from test_integration import ok

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

from mqtt import core  # noqa: E402


def test_seeded_fuzz_of_the_receive_path(runtime):
    got = ok(runtime.run("fuzz_core.py", {"CASES": "600", "SEED": "7"}, timeout=120))
    assert any(line.startswith("fuzz: 600 cases (seed 7)") for line in got), got


class _Core(core.Protocol):
    def _done(self, e, err, granted=None):
        pass


@settings(max_examples=600, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(1, 64), min_size=1, max_size=20), st.integers(0, 2))
def test_arbitrary_bytes_after_connack(data, chunks, inflight_qos):
    p = _Core({"maximumPacketSize": 256, "maxInflight": 20, "queueSize": 32, "resendLimit": 3, "clientId": "h",
               "keepalive": 60, "clean": True, "protocolVersion": 4})
    p.connect_packet()
    data = b"\x20\x02\x00\x00" + data
    if inflight_qos:
        p.request(3, b"t", b"x", inflight_qos << 1, None)
    i = k = 0
    try:
        while i < len(data):
            mv = p.buffer()
            n = min(len(mv), len(data) - i, chunks[k % len(chunks)])
            assert n > 0
            k += 1
            mv[:n] = data[i : i + n]
            p.received(n)
            i += n
            for _ in range(len(data) + 8):
                ev = p.next_event()
                if not ev:
                    break
                if ev == core.EV_MESSAGE:
                    assert isinstance(p.message[0], str) and isinstance(p.message[1], bytes)
                    p.handled(p.message[2], p.message[3])
            else:
                raise AssertionError("next_event() spins")
            # (an oversize PUBLISH's header is read whole, its topic up to 65,535 bytes)
            assert len(p._rx) <= (65544 if p._skipping or len(p._rx) > 261 and p._filled < 7 + 65537 else 261) \
                and len(p.tx) <= 4 * len(data) + 512
    except core.MQTTError:  # refused: ProtocolError, or a CONNACK refusal
        pass
