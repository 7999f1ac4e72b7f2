"""mqtt.core.utf8(b, a, c), MQTT's UTF-8 rules (1.5.3), on both runtimes:
tests/scenarios/utf8_rules.py runs these vectors through it and this test
wants each result exactly (the str, or None for a refusal). On CPython the
decoder refuses most of what is wrong by itself; on MicroPython, whose decoder
takes overlong forms, surrogates and code points above U+10FFFF, the refusal
is utf8()'s own."""
from conftest import describe

# (b, expected) or (b, a, c, expected): utf8(b, a, c), a=0 and c=len(b) unless given
VECTORS = [
    # well-formed
    (b"", ""),
    (b"a/b c", "a/b c"),
    (b"\x01\x7f", "\x01\x7f"),
    (b"\xc2\x80", "\x80"),  # the first and the last 2-byte form
    (b"\xdf\xbf", "\u07ff"),
    (b"\xc3\xa9", "\u00e9"),
    (b"\xe0\xa0\x80", "\u0800"),  # the first 3-byte form (E0: second byte A0..BF)
    (b"\xe2\x82\xac", "\u20ac"),
    (b"\xed\x9f\xbf", "\ud7ff"),  # just below the surrogates (ED: second byte 80..9F)
    (b"\xee\x80\x80", "\ue000"),  # just above them
    (b"\xef\xbf\xbf", "\uffff"),
    (b"\xf0\x90\x80\x80", "\U00010000"),  # the first 4-byte form (F0: second byte 90..BF)
    (b"\xf0\x9f\x98\x80", "\U0001f600"),
    (b"\xf4\x8f\xbf\xbf", "\U0010ffff"),  # the last code point (F4: second byte 80..8F)
    (b"h\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80!", "h\u00e9/\u20ac/\U0001f600!"),
    (b"\xff\xc3\xa9\xff", 1, 3, "\u00e9"),  # only b[a:c] counts
    (b"\xe2\x82\xac\xc3", 0, 3, "\u20ac"),
    # U+0000 (MQTT-1.5.4-2)
    (b"\x00", None),
    (b"a\x00b", None),
    (b"\xc3\xa9\x00", None),
    # overlong: C0 and C1 leads, E0 with 80..9F, F0 with 80..8F
    (b"\xc0\x80", None),
    (b"\xc0\xaf", None),
    (b"h\xc1\xbf", None),
    (b"\xe0\x80\xaf", None),
    (b"\xe0\x9f\xbf", None),
    (b"\xf0\x80\x80\xaf", None),
    (b"\xf0\x8f\xbf\xbf", None),
    # surrogates D800..DFFF
    (b"\xed\xa0\x80", None),
    (b"\xed\xb0\x80", None),
    (b"\xed\xbf\xbf", None),
    (b"a\xed\xa0\x80\xed\xb0\x80", None),  # a pair, as CESU-8 writes U+10000
    # above U+10FFFF: F4 with 90..BF, leads F5..FF
    (b"\xf4\x90\x80\x80", None),
    (b"\xf4\xbf\xbf\xbf", None),
    (b"\xf5\x80\x80\x80", None),
    (b"\xf7\xbf\xbf\xbf", None),
    (b"\xf8\x88\x80\x80\x80", None),
    (b"\xfc\x84\x80\x80\x80\x80", None),
    (b"\xfe", None),
    (b"\xff", None),
    # after a good sequence
    (b"\xc3\xa9\xe0\x80\xaf", None),
    (b"\xe2\x82\xac\xed\xa0\x80", None),
    (b"\xf0\x9f\x98\x80\xf4\x90\x80\x80", None),
    # cut short at the end
    (b"\xc3", None),
    (b"a\xe2\x82", None),
    (b"\xe2", None),
    (b"\xf0\x9f\x98", None),
    (b"\xf0", None),
    (b"\xe2\x82\xac", 0, 2, None),  # by c, the buffer going on
    (b"x\xf0\x9f\x98\x80", 0, 4, None),
    # a continuation byte where a lead belongs, or a lead where a continuation does
    (b"\x80", None),
    (b"a\xbfb", None),
    (b"\xc3\xa9\xa9", None),
    (b"\xe2\x82\xac", 1, 3, None),
    (b"\xc3\x28", None),
    (b"\xe2\x28\xa1", None),
    (b"\xe2\x82\x28", None),
    (b"\xf0\x28\x8c\xbc", None),
    (b"\xf0\x9f\x98\x28", None),
    (b"\xc3\xc3\xa9", None),
]


def _line(i, s):
    """What utf8_rules.py prints for result s of vector i."""
    return "%d None" % i if s is None else "%d str %s" % (i, " ".join("%x" % ord(ch) for ch in s))


def test_utf8_rules(runtime):
    vs = [v if len(v) == 4 else (v[0], 0, len(v[0]), v[1]) for v in VECTORS]
    res = runtime.run("utf8_rules.py", {"VECTORS": " ".join("%s:%d:%d" % (b.hex(), a, c) for b, a, c, _ in vs)})
    rc, out, err = res
    assert rc == 0 and out.splitlines()[-1:] == ["OK"], describe(*res)
    got = out.splitlines()[:-1]
    want = [_line(i, v[3]) for i, v in enumerate(vs)]
    bad = ["utf8(%r, %d, %d): got %r, want %r" % (b, a, c, g, w)
           for (b, a, c, _), g, w in zip(vs, got, want) if g != w]
    assert len(got) == len(want) and not bad, "\n".join(bad) or describe(*res)
