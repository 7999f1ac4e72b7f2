# Unit tests of MQTT 5.0 (lib/mqtt/v5.py) without sockets: the property codec
# (byte vectors from the MQTT 5.0 specification where it gives them), and
# Client5's packets: bytes in, events/callbacks and bytes out.
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

import mqtt  # noqa: E402
from mqtt import client as mclient  # noqa: E402
from mqtt.core import MQTTError, ProtocolError  # noqa: E402
from mqtt.v5 import Client5, decode, encode, vbi, _vbi  # noqa: E402

# the specification's table 2-4 (identifier, name, type), kept apart from v5.py's own
SPEC = [
    (0x01, "payloadFormatIndicator", "byte"), (0x02, "messageExpiryInterval", "int4"),
    (0x03, "contentType", "str"), (0x08, "responseTopic", "str"), (0x09, "correlationData", "bin"),
    (0x0B, "subscriptionIdentifier", "vbi"), (0x11, "sessionExpiryInterval", "int4"),
    (0x12, "assignedClientIdentifier", "str"), (0x13, "serverKeepAlive", "int2"),
    (0x15, "authenticationMethod", "str"), (0x16, "authenticationData", "bin"),
    (0x17, "requestProblemInformation", "byte"), (0x18, "willDelayInterval", "int4"),
    (0x19, "requestResponseInformation", "byte"), (0x1A, "responseInformation", "str"),
    (0x1C, "serverReference", "str"), (0x1F, "reasonString", "str"), (0x21, "receiveMaximum", "int2"),
    (0x22, "topicAliasMaximum", "int2"), (0x23, "topicAlias", "int2"), (0x24, "maximumQoS", "byte"),
    (0x25, "retainAvailable", "byte"), (0x26, "userProperties", "pair"), (0x27, "maximumPacketSize", "int4"),
    (0x28, "wildcardSubscriptionAvailable", "byte"), (0x29, "subscriptionIdentifiersAvailable", "byte"),
    (0x2A, "sharedSubscriptionAvailable", "byte"),
]
SAMPLE = {"byte": (1, b"\x01"), "int2": (0x1234, b"\x12\x34"), "int4": (0x01020304, b"\x01\x02\x03\x04"),
          "str": ("h\u00e9", b"\x00\x03h\xc3\xa9"), "bin": (b"\x00\xff", b"\x00\x02\x00\xff"),
          "vbi": (300, b"\xac\x02"), "pair": ({"k": "v"}, b"\x00\x01k\x00\x01v")}


def dec(b):
    return decode(b, 0, len(b))


# -- variable byte integers (spec 1.5.5, table 1-1)

VBI = [(0, "00"), (127, "7f"), (128, "8001"), (16383, "ff7f"), (16384, "808001"), (2097151, "ffff7f"),
       (2097152, "80808001"), (268435455, "ffffff7f")]


@pytest.mark.parametrize("n,hexs", VBI)
def test_vbi_spec_vectors(n, hexs):
    b = bytes.fromhex(hexs)
    assert vbi(n) == b
    assert _vbi(b, 0, len(b)) == (n, len(b))


def test_vbi_out_of_range():
    with pytest.raises(ValueError):
        vbi(268435456)
    with pytest.raises(ValueError):
        vbi(-1)
    with pytest.raises(ProtocolError):
        _vbi(b"\xff\xff\xff\xff\x01", 0, 5)  # five bytes
    with pytest.raises(ProtocolError):
        _vbi(b"\x80", 0, 1)  # truncated


# -- the property codec

def test_spec_connect_properties_example():
    # spec 3.1.2.11 (figure 3-? "Variable Header example"): Properties Length 5,
    # Session Expiry Interval identifier 17, value 10
    b = bytes.fromhex("05 11 0000000a".replace(" ", ""))
    assert encode({"sessionExpiryInterval": 10}) == b
    assert dec(b) == ({"sessionExpiryInterval": 10}, 6)


@pytest.mark.parametrize("ident,name,kind", SPEC)
def test_each_property(ident, name, kind):
    v, wire = SAMPLE[kind]
    b = encode({name: v})
    assert b == vbi(1 + len(wire)) + bytes((ident,)) + wire
    assert dec(b) == ({name: v}, len(b))


def test_all_properties_together():
    d = {name: SAMPLE[kind][0] for _, name, kind in SPEC}
    b = encode(d)
    assert b[1] == 0x23 if b[0] < 128 else b[2] == 0x23  # topicAlias first
    assert dec(b)[0] == d
    assert encode(None) == encode({}) == b"\x00"
    assert dec(b"\x00") == ({}, 1)


def test_repeated_pairs_and_subscription_identifiers():
    up = {"a": ["1", "2"], "b": "3"}
    b = encode({"userProperties": up})
    assert b.count(b"\x26") == 3
    assert dec(b)[0] == {"userProperties": up}
    b = bytes((5, 0x0B, 1, 0x0B, 0xC8, 0x01))
    assert dec(b)[0] == {"subscriptionIdentifier": [1, 200]}


def test_decode_bounds_and_offset():
    b = b"xx" + encode({"receiveMaximum": 5}) + b"payload"
    d, o = decode(b, 2, len(b))
    assert d == {"receiveMaximum": 5} and b[o:] == b"payload"


@pytest.mark.parametrize("b", [
    b"\x01\x00",  # identifier 0
    b"\x01\x04",  # identifier 4: none such
    b"\x02\x2b\x00",  # beyond the table
    b"\x02\x21\x00",  # two-byte integer cut short
    b"\x04\x02\x00\x00\x00",  # four-byte integer cut short
    b"\x03\x03\x00\x05",  # string length past the properties
    b"\x04\x03\x00\x02\xff",  # string cut short
    b"\x05\x03\x00\x02\xff\xfe",  # not UTF-8
    b"\x05\x26\x00\x01k\x00",  # pair without its value
    b"\x06\x21\x00\x01\x21\x00\x02",  # a property that may not repeat
    b"\x09\x21\x00\x01",  # length past the packet
    b"\x02\x0b\x80",  # subscription identifier cut short
    b"\x80",  # property length cut short
])
def test_malformed_properties(b):
    with pytest.raises(ProtocolError):
        dec(b)


def test_encode_refuses_bad_values():
    with pytest.raises(ValueError):
        encode({"noSuchProperty": 1})
    with pytest.raises(ValueError):
        encode({"receiveMaximum": 65536})
    with pytest.raises(ValueError):
        encode({"payloadFormatIndicator": -1})
    with pytest.raises(TypeError):
        encode({"contentType": 5})
    with pytest.raises(TypeError):
        encode([1])


# -- Client5 over a fake wire

def client(**kw):
    o = dict(protocolVersion=5, host="127.0.0.1", clientId="c1", manualConnect=True)
    o.update(kw)
    c = mqtt.connect(o)
    assert isinstance(c, Client5)
    c.ev = []
    for name in ("connect", "disconnect", "error"):
        c.on(name, (lambda n: lambda *a: c.ev.append((n,) + a))(name))
    # the packet dict is the client's, refilled for each message: kept as a copy
    c.on("message", lambda t, m, pk: c.ev.append(("message", t, m, dict(pk))))
    return c


def feed(c, data):
    # bytes in through the core's input API, dispatched as the client's step does
    while data:
        mv = c.buffer()
        n = min(len(mv), len(data))
        mv[:n] = data[:n]
        c.received(n)
        data = data[n:]
        c._dispatch(c._transport)


def out(c):
    b = bytes(c.tx[: c.unsent])
    c.sent(c.unsent)
    return b


def later():
    mclient._run_later()


def up(c, props=b"\x00", sp=0):
    if c.connected:
        c.lost(0)
    c.connect_packet()
    out(c)
    feed(c, bytes((0x20, 2 + len(props), sp, 0)) + props)
    assert c.connected


def cb():
    got = []
    return got, lambda *a: got.append(a)


def test_connect_bytes():
    c = client()
    c.connect_packet()
    props = encode({"maximumPacketSize": 4096, "receiveMaximum": 128})
    body = b"\x00\x04MQTT\x05\x02\x00\x3c" + props + b"\x00\x02c1"
    assert out(c) == bytes((0x10, len(body))) + body


def test_connect_properties_and_will_properties():
    c = client(properties={"sessionExpiryInterval": 60, "maximumPacketSize": 1000}, clean=False,
               will={"topic": "w", "payload": b"x", "qos": 1, "properties": {"willDelayInterval": 5}})
    c.connect_packet()
    b = out(c)
    p = encode({"sessionExpiryInterval": 60, "maximumPacketSize": 1000, "receiveMaximum": 128})
    assert b[2:12] == b"\x00\x04MQTT\x05\x0c\x00\x3c"  # will qos 1, will flag; clean off
    assert b[12 : 12 + len(p)] == p
    assert b[12 + len(p) :] == b"\x00\x02c1" + b"\x05\x18\x00\x00\x00\x05" + b"\x00\x01w\x00\x01x"


def test_bad_v5_options():
    with pytest.raises(ValueError):
        client(properties={"nope": 1})
    with pytest.raises(ValueError):
        client(will={"topic": "w", "properties": {"willDelayInterval": -1}})
    with pytest.raises(ValueError):
        client(protocolVersion=6)


def test_connack_refused_with_reason():
    c = client()
    c.connect_packet()
    out(c)
    with pytest.raises(MQTTError) as ei:
        feed(c, b"\x20\x03\x00\x87\x00")
    assert ei.value.code == 0x87 and str(ei.value) == "connection refused: not authorized (0x87)"


def test_connack_properties_honoured():
    c = client(clientId="", keepalive=60, maxInflight=20)
    p = encode({"serverKeepAlive": 10, "receiveMaximum": 2, "assignedClientIdentifier": "auto-1",
                "topicAliasMaximum": 5, "maximumPacketSize": 100})
    up(c, p, sp=1)
    ck = c.ev[0][1]
    assert ck["reasonCode"] == 0 and ck["sessionPresent"] is True
    assert ck["properties"]["assignedClientIdentifier"] == "auto-1"
    o = c.options
    assert c.keepalive == 10 and c.clientId == "auto-1" and o["clientId"] == "" and c._window == 2
    assert c._server_aliases == 5 and c._server_max_packet == 100
    # receive maximum: only 2 QoS 1 publishes in flight, the rest wait
    for i in range(4):
        c.publish("t", b"m%d" % i, {"qos": 1})
    assert len(c.outgoing) == 2 and len(c.queue) == 2
    feed(c, b"\x40\x02\x00\x01")
    c.flush()
    assert len(c.outgoing) == 2 and len(c.queue) == 1
    # maximumPacketSize: refused before sending, with a clear error
    got, f = cb()
    out(c)
    c.publish("t", b"x" * 100, {"qos": 0}, f)
    later()
    assert out(c) == b"" and got[0][0].code == 0x95 and "maximumPacketSize 100" in str(got[0][0])
    # topic alias over the server's maximum
    c.publish("t", b"x", {"properties": {"topicAlias": 6}}, f)
    later()
    assert got[1][0].code == 0x94


def test_queued_publish_over_server_maximum_packet_size():
    c = client()
    got, f = cb()
    c.publish("t", b"x" * 50, {"qos": 1}, f)  # queued: the limit is not known yet
    c.publish("t", b"y", {"qos": 1}, f)
    up(c, encode({"maximumPacketSize": 40}))
    later()
    assert got[0][0].code == 0x95 and len(c.outgoing) == 1
    assert out(c) == b"\x32\x07\x00\x01t\x00\x01\x00y"


def test_publish_properties_out():
    c = client()
    up(c)
    c.publish("a/b", b"hi", {"qos": 1, "properties": {"contentType": "t", "correlationData": b"\x01"}})
    p = encode({"contentType": "t", "correlationData": b"\x01"})
    body = b"\x00\x03a/b\x00\x01" + p + b"hi"
    assert out(c) == bytes((0x32, len(body))) + body


def test_topic_alias_out():
    c = client()
    up(c, encode({"topicAliasMaximum": 3}))
    pr = {"properties": {"topicAlias": 2}}
    for m in (b"1", b"2"):
        c.publish("long/topic", m, pr)
    b = out(c)
    a = b"\x03\x23\x00\x02"
    assert b == b"\x30\x11\x00\x0along/topic" + a + b"1" + b"\x30\x07\x00\x00" + a + b"2"
    # a new connection: the topic again
    up(c, encode({"topicAliasMaximum": 3}))
    c.publish("long/topic", b"3", pr)
    assert out(c) == b"\x30\x11\x00\x0along/topic" + a + b"3"
    # the alias moved to another topic: that topic is sent
    c.publish("other", b"4", pr)
    assert out(c) == b"\x30\x0c\x00\x05other" + a + b"4"


def pubs(b):
    # PUBLISH packets (QoS 0, short) in b -> [(topic, topicAlias or None, payload)]
    r = []
    while b:
        n = b[1]
        lt = b[2] << 8 | b[3]
        pr, j = decode(b, 4 + lt, 2 + n)
        r.append((b[4 : 4 + lt].decode(), pr.get("topicAlias"), b[j : 2 + n]))
        b = b[2 + n :]
    return r


def test_auto_assign_topic_alias():
    c = client(autoAssignTopicAlias=True)
    up(c, encode({"topicAliasMaximum": 2}))
    for t in ("a", "b", "a", "c", "b", "a"):
        c.publish(t, t.encode())
    # a and b take 1 and 2; c takes the oldest (1, from a); a then takes 2 from b
    assert pubs(out(c)) == [("a", 1, b"a"), ("b", 2, b"b"), ("", 1, b"a"), ("c", 1, b"c"),
                            ("", 2, b"b"), ("a", 2, b"a")]
    # a new connection starts afresh; a server without aliases gets none
    up(c, encode({"topicAliasMaximum": 2}))
    c.publish("c", b"1")
    assert pubs(out(c)) == [("c", 1, b"1")]
    up(c)
    c.publish("c", b"2")
    assert pubs(out(c)) == [("c", None, b"2")]


def test_auto_use_topic_alias():
    c = client(autoUseTopicAlias=True)
    up(c, encode({"topicAliasMaximum": 3}))
    c.publish("x", b"1")  # no alias given: none used
    c.publish("x", b"2", {"properties": {"topicAlias": 3}})
    c.publish("x", b"3")  # the alias given before is used
    c.publish("y", b"4", {"properties": {"topicAlias": 3}})  # 3 moves to y
    c.publish("x", b"5")
    assert pubs(out(c)) == [("x", None, b"1"), ("x", 3, b"2"), ("", 3, b"3"), ("y", 3, b"4"), ("x", None, b"5")]


def test_queued_alias_over_a_new_servers_maximum_is_dropped():
    c = client(autoAssignTopicAlias=True)
    up(c, encode({"topicAliasMaximum": 5}))
    c.lost(0)  # lost: the next publish waits in the queue, its alias chosen
    c.publish("c", b"q")
    up(c, encode({"topicAliasMaximum": 0}))  # the new server takes no aliases
    assert pubs(out(c)) == [("c", None, b"q")]


def test_incoming_properties_and_topic_alias():
    c = client(properties={"topicAliasMaximum": 4})
    up(c)
    p = encode({"topicAlias": 3, "userProperties": {"u": "v"}})
    feed(c, bytes((0x30, 2 + 3 + len(p) + 1)) + b"\x00\x03a/b" + p + b"1")
    p2 = encode({"topicAlias": 3})
    feed(c, bytes((0x32, 2 + 2 + len(p2) + 1)) + b"\x00\x00\x00\x07" + p2 + b"2")
    ms = [e for e in c.ev if e[0] == "message"]
    assert [(m[1], m[2]) for m in ms] == [("a/b", b"1"), ("a/b", b"2")]
    assert ms[0][3]["properties"] == {"topicAlias": 3, "userProperties": {"u": "v"}}
    assert ms[1][3]["messageId"] == 7
    assert out(c) == b"\x40\x02\x00\x07"
    with pytest.raises(ProtocolError):  # unknown alias
        p3 = encode({"topicAlias": 4})
        feed(c, bytes((0x30, 2 + len(p3) + 1)) + b"\x00\x00" + p3 + b"3")


@pytest.mark.parametrize("alias", [0, 5])
def test_incoming_topic_alias_out_of_range(alias):
    c = client(properties={"topicAliasMaximum": 4})
    up(c)
    p = encode({"topicAlias": alias})
    with pytest.raises(ProtocolError):
        feed(c, bytes((0x30, 2 + 1 + len(p))) + b"\x00\x01t" + p)


def test_empty_topic_without_alias():
    c = client()
    up(c)
    with pytest.raises(ProtocolError):
        feed(c, b"\x30\x03\x00\x00\x00")


def test_ack_reason_codes():
    c = client()
    up(c)
    got, f = cb()
    c.publish("t", b"1", {"qos": 1}, f)
    c.publish("t", b"2", {"qos": 2}, f)
    c.publish("t", b"3", {"qos": 2}, f)
    out(c)
    feed(c, b"\x40\x04\x00\x01\x10\x00")  # PUBACK 0x10 no matching subscribers: success
    feed(c, b"\x50\x03\x00\x02\x97")  # PUBREC quota exceeded: the flow ends
    p = encode({"reasonString": "nope"})
    feed(c, bytes((0x50, 3 + len(p))) + b"\x00\x03\x80" + p)
    later()
    assert out(c) == b""  # no PUBREL
    assert got[0] == (None,)
    assert got[1][0].code == 0x97 and "quota exceeded (0x97)" in str(got[1][0])
    assert got[2][0].code == 0x80 and str(got[2][0]).endswith("unspecified error (0x80): nope")
    assert not c.outgoing
    c.publish("t", b"4", {"qos": 1}, f)
    out(c)
    feed(c, b"\x50\x03\x00\x04\x80")  # a PUBREC for a QoS 1 publish: not its ack
    later()
    assert len(got) == 3 and 4 in c.outgoing


def test_subscribe_options_and_reason_codes():
    c = client()
    up(c)
    got, f = cb()
    c.subscribe({"a": {"qos": 1, "nl": True}, "b": {"qos": 2, "rap": True, "rh": 2}}, None, f)
    c.subscribe("c", {"qos": 0, "properties": {"subscriptionIdentifier": 9}}, f)
    b = out(c)
    assert b == (b"\x82\x0b\x00\x01\x00" + b"\x00\x01a\x05" + b"\x00\x01b\x2a"
                 + b"\x82\x09\x00\x02\x02\x0b\x09" + b"\x00\x01c\x00")
    p = encode({"reasonString": "r"})
    feed(c, bytes((0x90, 4 + len(p))) + b"\x00\x01" + p + b"\x01\x97")
    feed(c, b"\x90\x04\x00\x02\x00\x00")
    later()
    err, g = got[0]
    assert g == [{"topic": "a", "qos": 1}, {"topic": "b", "qos": 0x97}] and "'b'" in str(err)
    assert got[1] == (None, [{"topic": "c", "qos": 0}])
    assert c._subscriptions == {"a": (5, b"\x00"), "c": (0, encode({"subscriptionIdentifier": 9}))}
    with pytest.raises(ValueError):
        c.subscribe("x", {"rh": 3})


def test_resubscribe_keeps_options_and_properties():
    c = client()
    up(c)
    c.subscribe("a", {"qos": 1, "nl": True, "properties": {"subscriptionIdentifier": 1}})
    c.subscribe(["b", "c"], {"qos": 2, "properties": {"subscriptionIdentifier": 2}})
    c.subscribe("d", {"qos": 0})
    out(c)
    feed(c, b"\x90\x04\x00\x01\x00\x01" + b"\x90\x05\x00\x02\x00\x02\x02" + b"\x90\x04\x00\x03\x00\x00")
    up(c)  # no session: resubscribe
    assert out(c) == (b"\x82\x09\x00\x04\x02\x0b\x01\x00\x01a\x05"
                      + b"\x82\x0d\x00\x05\x02\x0b\x02\x00\x01b\x02\x00\x01c\x02"
                      + b"\x82\x07\x00\x06\x00\x00\x01d\x00")


def test_unsubscribe_reason_codes():
    c = client()
    up(c)
    got, f = cb()
    c.unsubscribe(["a", "b"], {"properties": {"userProperties": {"k": "v"}}}, f)
    b = out(c)
    p = encode({"userProperties": {"k": "v"}})
    assert b == bytes((0xA2, 2 + len(p) + 6)) + b"\x00\x01" + p + b"\x00\x01a\x00\x01b"
    c.unsubscribe(["c", "d"], f)
    feed(c, b"\xb0\x05\x00\x01\x00\x11\x87")
    feed(c, b"\xb0\x05\x00\x02\x00\x8f\x00")
    later()
    assert got[0][0].code == 0x87 and "'b'" in str(got[0][0]) and "'a'" not in str(got[0][0])
    assert got[1][0].code == 0x8F and str(got[1][0]) == (
        "unsubscribe from 'c' refused by broker: topic filter invalid (0x8f)")


def test_server_disconnect():
    # as mqtt.js: the 'disconnect' event, then offline and close; no 'error'
    c = client()
    up(c)
    c.on("offline", lambda: c.ev.append(("offline",)))
    p = encode({"reasonString": "bye"})
    feed(c, bytes((0xE0, 1 + len(p))) + b"\x8e" + p)
    assert c.ev[1:] == [("disconnect", {"cmd": "disconnect", "reasonCode": 0x8E,
                                        "properties": {"reasonString": "bye"}}), ("offline",)]
    assert not c.connected


def test_server_disconnect_without_listener_is_printed(capsys):
    c = client()
    c.off("disconnect", c._listeners["disconnect"][0])
    up(c)
    feed(c, b"\xe0\x01\x9c")
    assert "disconnected by the server: use another server (0x9c)" in capsys.readouterr().out
    assert [e for e in c.ev if e[0] == "error"] == []


def test_end_with_reason_code():
    c = client()
    up(c)
    done = []
    c.end(False, {"reasonCode": 4, "properties": {"sessionExpiryInterval": 0}}, lambda: done.append(1))
    c._finish()
    later()
    assert out(c) == b"\xe0\x07\x04\x05\x11\x00\x00\x00\x00" and done == [1]
    c = client()
    up(c)
    c.end(True, lambda: done.append(2))  # end(force, callback) still works
    c._finish()
    later()
    assert done == [1, 2]


def test_enhanced_auth():
    seen = []

    def auth(pk):
        seen.append(pk)
        return {"reasonCode": 0x18, "properties": {"authenticationMethod": "m", "authenticationData": b"r"}}

    c = client(auth=auth, properties={"authenticationMethod": "m", "authenticationData": b"i"})
    c.connect_packet()
    out(c)
    p = encode({"authenticationMethod": "m", "authenticationData": b"c"})
    feed(c, bytes((0xF0, 1 + len(p))) + b"\x18" + p)
    assert seen == [{"cmd": "auth", "reasonCode": 0x18,
                     "properties": {"authenticationMethod": "m", "authenticationData": b"c"}}]
    p = encode({"authenticationMethod": "m", "authenticationData": b"r"})
    assert out(c) == bytes((0xF0, 1 + len(p))) + b"\x18" + p
    feed(c, b"\x20\x03\x00\x00\x00")
    assert c.connected
    c = client()
    c.connect_packet()
    with pytest.raises(ProtocolError):  # no auth option
        feed(c, b"\xf0\x00")


def test_incoming_qos2_exactly_once_with_properties():
    # one exactly-once check, the core's, also for MQTT 5 PUBLISHes
    c = client()
    up(c)
    p = encode({"userProperties": {"k": "v"}})
    pkt = bytes((0x34, 2 + 1 + 2 + len(p) + 1)) + b"\x00\x01t\x00\x09" + p + b"1"
    feed(c, pkt)
    feed(c, b"\x3c" + pkt[1:])  # resent with DUP before the PUBREC arrived
    assert [e[1:3] for e in c.ev if e[0] == "message"] == [("t", b"1")]
    assert out(c) == b"\x50\x02\x00\x09" * 2
    feed(c, b"\x62\x02\x00\x09")
    feed(c, pkt)  # the flow is over: a new message
    assert len([e for e in c.ev if e[0] == "message"]) == 2
