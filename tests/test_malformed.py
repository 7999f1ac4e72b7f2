"""Broken input from a scripted fake broker (tests/fakebroker.py): under both
runtimes the client must report an mqtt.ProtocolError ('error' event), close
the connection ('close' event and its socket), and exit cleanly. And two
faults that are not the broker's: a message over maximumPacketSize
(skipped, acknowledged, reported; the connection stays) and a connection cut
in the middle of a packet (closed as any lost link, no error)."""
import pytest

from conftest import describe
from test_integration import ok
from fakebroker import CONNACK, FakeBroker, vlen

MAX = 1024  # maximumPacketSize the scenario sets

CASES = {
    # name: (chunks sent after the client's CONNECT, broker closes after sending)
    "remaining_length_over_4_bytes": ([CONNACK, b"\x30\xff\xff\xff\xff\x01"], False),
    "remaining_length_over_4_bytes_bytewise": ([CONNACK] + [bytes((x,)) for x in b"\x30\xff\xff\xff\xff\x01"], False),
    "unknown_packet_type_15": ([CONNACK, b"\xf0\x00"], False),
    "suback_reserved_flags": ([CONNACK, b"\x92\x03\x00\x01\x00"], False),
    "pubrel_flags_not_2": ([CONNACK, b"\x60\x02\x00\x01"], False),
    "pingresp_with_body": ([CONNACK, b"\xd0\x01\x00"], False),
    "connack_wrong_length": ([b"\x20\x03\x00\x00\x00"], False),
    "publish_topic_invalid_utf8": ([CONNACK, b"\x30\x07\x00\x03a\xff\xfehi"], False),
    "publish_qos_3": ([CONNACK, b"\x36\x05\x00\x01t\x00\x01"], False),
    "publish_qos1_without_packet_id": ([CONNACK, b"\x32\x03\x00\x01t"], False),
    "publish_topic_with_nul": ([CONNACK, b"\x30\x06\x00\x03a\x00bhi"], False),
    "publish_topic_surrogate": ([CONNACK, b"\x30\x07\x00\x03\xed\xa0\x80hi"], False),
    "publish_topic_overlong_slash": ([CONNACK, b"\x30\x07\x00\x03h\xc0\xafhi"], False),
    "second_connack": ([CONNACK, CONNACK], False),
    "not_an_mqtt_server": ([b"HTTP/1.1 400 Bad Request\r\n\r\n"], False),
    # a broker that never sends PUBREL: at most 128 QoS 2 ids are held
    "qos2_flood_without_pubrel": ([CONNACK, b"".join(b"\x34\x05\x00\x01t" + bytes((i >> 8, i & 255))
                                                     for i in range(1, 130))], False),
    "suback_over_maximumPacketSize": ([CONNACK, b"\x90" + vlen(MAX * 2) + b"\x00\x01" + b"\x00" * 64], False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_input(runtime, case):
    chunks, close = CASES[case]
    fb = FakeBroker(chunks, close=close, hold=15)
    res = runtime.run("malformed.py", {"MQTT_URL": fb.url, "MAX": str(MAX)}, timeout=20)
    assert fb.join(), "fake broker thread still running"
    assert fb.error is None, "fake broker: %r\n%s" % (fb.error, describe(*res))
    rc, out, err = res
    lines = out.splitlines()
    assert fb.connect_packet and fb.connect_packet[0] == 0x10 and b"MQTT" in fb.connect_packet, fb.connect_packet
    errors = [x for x in lines if x.startswith("A error ")]
    assert errors, "no error event\n" + describe(*res)
    assert errors[0].startswith("A error ProtocolError: "), describe(*res)
    assert "A close" in lines, describe(*res)
    assert lines.index("A close") > lines.index(errors[0]), "close before error\n" + describe(*res)
    assert "A end" in lines, describe(*res)
    if chunks[0] == CONNACK:
        assert "A connect returnCode=0 sessionPresent=False" in lines, describe(*res)
    else:
        assert "A connect returnCode=0 sessionPresent=False" not in lines, describe(*res)
    if not close:
        assert fb.client_closed, "the client kept the connection open\n" + describe(*res)
    assert rc == 0 and "OK" in lines, describe(*res)
    assert "Traceback" not in err, describe(*res)


def test_oversize_message_skipped_and_acknowledged(runtime):
    # MQTT 3.1.1 cannot tell the broker our limit: closing would only bring
    # the message back (a retained one, a clean=False session's). So it is
    # streamed past, PUBACKed, reported once, and the next message arrives.
    big = b"\x00\x05big/t\x12\x34" + b"x" * (MAX * 40)
    fb = FakeBroker([CONNACK, b"\x32" + vlen(len(big)) + big[:300], big[300:], b"\x30\x07\x00\x02okhi!"],
                    hold=4)
    res = runtime.run("oversize.py", {"MQTT_URL": fb.url, "MAX": str(MAX)}, timeout=20)
    assert fb.join() and fb.error is None, (fb.error, describe(*res))
    ok(res, "error: message on 'big/t' of %d bytes over maximumPacketSize %d: dropped (code 149)" % (len(big), MAX),
       "message ok b'hi!'", "close events: 0")
    assert fb.after.startswith(b"\x40\x02\x12\x34"), fb.after  # its PUBACK, first thing


def test_cut_in_the_middle_of_a_packet_is_a_lost_link(runtime):
    fb = FakeBroker([CONNACK, b"\x30\x0a\x00\x03abc"], close=True)
    res = runtime.run("cut.py", {"MQTT_URL": fb.url}, timeout=20)
    assert fb.join() and fb.error is None, (fb.error, describe(*res))
    ok(res, "events: connect close end", "errors: []")
