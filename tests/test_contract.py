"""The core's public contract and the bugs a review of it found: the sans-IO
checks run on both runtimes (tests/scenarios/core_contract.py), and no module
of lib/ reaches into another's underscore names."""
import ast
import os

from test_integration import ok

LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")


def test_core_contract(runtime):
    ok(runtime.run("core_contract.py", {}),
       "acks: after handled(), not before",
       "acks: handled() of a QoS 0 message without zeroCopy is a no-op",
       "zeroCopy: the view stays valid until handled()",
       "oversize: a 200-byte topic reported whole, acknowledged",
       "out of memory after the packet id: reported once, nothing left",
       "packet ids: a new one skips the ids of requests moved back to the queue",
       "one at a time: ends with a drop and with abandon()",
       "compaction: an overlapping move, bytes intact",
       "acks: the short way and the general one agree")


def _modules():
    for d, _, fs in os.walk(LIB):
        for f in sorted(fs):
            if f.endswith(".py"):
                p = os.path.join(d, f)
                yield os.path.relpath(p, LIB), ast.parse(open(p).read())


def _own_names(tree):
    # underscore names a module defines itself: attributes it assigns
    # (self._x = ...), its classes' attributes and methods, its functions
    names = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store):
            names.add(n.attr)
        elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
    return names


def cross_module_underscores():
    found = []
    for name, tree in _modules():
        own = _own_names(tree)
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom):
                for a in n.names:
                    if a.name.startswith("_") and a.name != "*":
                        found.append("%s:%d imports %s from %s" % (name, n.lineno, a.name, n.module))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) \
                    and n.func.attr.startswith("_") and n.args and isinstance(n.args[0], ast.Name) \
                    and n.args[0].id == "self":
                continue  # Base._method(self, ...): a subclass extending its base's hook
            elif isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__"):
                v = n.value
                if isinstance(v, ast.Name) and v.id in ("self", "cls"):
                    continue
                if n.attr in own:  # an object of this module's own making
                    continue
                found.append("%s:%d %s.%s" % (name, n.lineno, ast.unparse(v), n.attr))
    return found


def test_no_module_touches_another_modules_underscore_names():
    # the package's own compat layer for CPython (_cpy) is imported by module name, which this allows
    assert cross_module_underscores() == []


def test_the_underscore_check_finds_a_cross_module_access(tmp_path, monkeypatch):
    # the check itself can fail: a module reading a client's private attribute
    (tmp_path / "m.py").write_text("from .core import _vlen\n\ndef f(c):\n    return c._transport\n")
    monkeypatch.setattr(__import__(__name__), "LIB", str(tmp_path))
    assert cross_module_underscores() == ["m.py:1 imports _vlen from core", "m.py:4 c._transport"]


def test_handlers_and_packet_listeners(runtime, broker):
    ok(runtime.run("handler_rules.py", {"MQTT_URL": broker.url}),
       "zeroCopy: [(b'first-payload-1234', b'first-payload-1234'), (b'SECOND-payload-xyz', b'SECOND-payload-xyz')]",
       "kept packets: [('hr/k/a', b'one', 1), ('hr/k/b', b'two', 0)]",
       "packet listeners: inside publish False, order [b'msg-1', b'msg-2', b'msg-3', b'msg-4', b'msg-5']")


def test_public_calls_are_safe_against_the_driver(runtime, broker):
    ok(runtime.run("driver_drain.py", {"MQTT_URL": broker.url, "N": "3000"}, timeout=60),
       "driver: 3000 of 3000 received, in order True, errors 0")


def test_a_message_is_acknowledged_once_its_handler_returned(runtime):
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from fakebroker import CONNACK, FakeBroker

    fb = FakeBroker([CONNACK, b"\x32\x08\x00\x02in\x00\x07hi"], hold=4)  # QoS 1 PUBLISH, packet id 7
    ok(runtime.run("ack_after_handler.py", {"MQTT_URL": fb.url}), "handled message [7]")
    assert fb.join() and fb.error is None, fb.error

    def when(b):  # the time the bytes b had arrived
        i = fb.after.index(b) + len(b)
        return min(t for t, n in fb.arrivals if n >= i)

    answer, puback = b"\x32\x0b\x00\x06answer", b"\x40\x02\x00\x07"
    assert answer in fb.after and puback in fb.after, fb.after
    assert fb.after.index(puback) > fb.after.index(answer), fb.after
    assert when(puback) - when(answer) >= 0.25, (when(puback) - when(answer), fb.after)


def test_reading_paused_by_held_messages_is_no_dead_link(runtime, broker):
    ok(runtime.run("held_keepalive.py", {"MQTT_URL": broker.url}), "held: 11 messages, in order True, closes 0, errors []")


def test_publish_fast_ways_agree_with_the_general_ones(runtime):
    ok(runtime.run("fast_paths.py", {}), *["%s: fast and general ways agree (QoS 0, 1, 2)" % s
                                           for s in ("connected", "full", "down", "ended")])
