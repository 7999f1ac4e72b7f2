# The pytest a test module of the core's needs, for MicroPython (the unix
# port, the emulated board): mark.parametrize, raises, the monkeypatch
# fixture. main(name) imports tests/<name>.py with it standing in for pytest
# and runs every test_* function, each parameter set once; prints a line per
# failure and "N passed, M failed, K skipped". skip: names not run here, with why.
import sys

try:
    import os
    os.path  # noqa: B018  (CPython: the real one)
except (ImportError, AttributeError):  # MicroPython has no os.path: the few calls the tests make
    import os as _os

    class _Path:
        @staticmethod
        def join(*a):
            return "/".join(a)

        @staticmethod
        def dirname(p):
            return p.rpartition("/")[0]

    class _OS:
        path = _Path

        def __getattr__(self, k):
            return getattr(_os, k)

    sys.modules["os"] = _OS()


class _Mark:
    @staticmethod
    def parametrize(names, values, ids=None):
        def deco(f):  # (MicroPython's functions take no attributes: kept here)
            _PARAMS[f] = _PARAMS.get(f, []) + [([n.strip() for n in names.split(",")], values)]
            return f
        return deco

    def __getattr__(self, k):  # (other marks: no effect here)
        return lambda *a, **kw: (lambda f: f)


mark = _Mark()
_PARAMS = {}


class raises:
    def __init__(self, exc, match=None):
        self.exc = exc
        self.match = match

    def __enter__(self):
        return self

    def __exit__(self, t, e, tb):
        if t is None:
            raise AssertionError("DID NOT RAISE %r" % (self.exc,))
        if not issubclass(t, self.exc):
            return False
        if self.match:
            import re

            if not re.search(self.match, str(e)):
                raise AssertionError("%r does not match %r" % (str(e), self.match))
        self.value = e
        return True


class MonkeyPatch:
    def __init__(self):
        self.undos = []

    def setattr(self, obj, name, value, raising=True):
        old = getattr(obj, name, MonkeyPatch)
        if old is MonkeyPatch and raising:
            raise AttributeError(name)
        self.undos.append((obj, name, old))
        setattr(obj, name, value)

    def undo(self):
        while self.undos:
            obj, name, old = self.undos.pop()
            if old is MonkeyPatch:
                delattr(obj, name)
            else:
                setattr(obj, name, old)


def fixture(*a, **kw):
    return (lambda f: f) if not a or not callable(a[0]) else a[0]


def _calls(f):
    # (args dicts) for every combination of f's parameter sets
    combos = [{}]
    for names, values in _PARAMS.get(f, []):
        new = []
        for c in combos:
            for v in values:
                d = dict(c)
                if len(names) == 1:
                    d[names[0]] = v
                else:
                    for n, x in zip(names, v):
                        d[n] = x
                new.append(d)
        combos = new
    return combos


def _signatures(path):
    # test name -> its argument names, from the source (MicroPython's functions have no __code__)
    sig = {}
    with open(path) as f:
        for line in f:
            if line.startswith("def test_"):
                n, _, a = line[4:].partition("(")
                sig[n] = [x.strip() for x in a.partition(")")[0].split(",") if x.strip()]
    return sig


def main(name, skip=None, where="."):
    skip = skip or {}
    sys.modules["pytest"] = sys.modules[__name__]
    sig = _signatures(where + "/" + name + ".py")
    m = __import__(name)
    passed = failed = skipped = 0
    for k in sorted(dir(m)):
        f = getattr(m, k)
        if not k.startswith("test_") or not callable(f):
            continue
        if k in skip:
            skipped += 1
            continue
        for args in _calls(f):
            mp = MonkeyPatch()
            if "monkeypatch" in sig.get(k, ()):
                args["monkeypatch"] = mp
            try:
                f(**args)
                passed += 1
            except Exception as e:
                failed += 1
                print("FAILED %s%s: %s: %s" % (k, _short(args), type(e).__name__, e))
            finally:
                mp.undo()
    print("%s: %d passed, %d failed, %d skipped" % (name, passed, failed, skipped))
    return failed


def _short(args):
    s = repr(dict((k, v) for k, v in args.items() if k != "monkeypatch"))
    return "" if s == "{}" else (s if len(s) < 60 else s[:57] + "...")
