# mqtt.cloud's functions on inputs from tests/test_cloud.py, on either
# runtime: env CASES is a JSON list of [name, function, args, kwargs, sim];
# prints one JSON line per case, [name, result] or [name, "ERR", exception
# type, message], then OK. function "hmac" takes hex key and message and
# prints the hex digest. sim, when not null, stands in for a module while the
# case runs: {"hashlib": [names it has]} (firmware without md5 or sha1),
# {"time": [time(), gmtime(0)'s year or null for no gmtime]} (a port whose
# epoch is 2000, a clock never set).
import json
import os
import sys
from binascii import hexlify, unhexlify

from mqtt import cloud


class _Module:
    pass


def _stand_in(sim):
    # {name: stand-in module} for sim, and what sys.modules held before
    was = {}
    for k in sim:
        was[k] = sys.modules.get(k)
        v = sim[k]
        m = _Module()
        if k == "hashlib":
            import hashlib

            for n in v:
                setattr(m, n, getattr(hashlib, n))
        elif k == "time":
            m.time = lambda: v[0]
            if v[1] is not None:
                m.gmtime = lambda s: (v[1], 1, 1, 0, 0, 0, 5, 1)
        sys.modules[k] = m
    return was


def _restore(was):
    for k in was:
        if was[k] is None:
            del sys.modules[k]
        else:
            sys.modules[k] = was[k]


for name, fn, args, kw, sim in json.loads(os.getenv("CASES")):
    was = _stand_in(sim or {})
    try:
        if fn == "hmac":
            r = str(hexlify(cloud.hmac(unhexlify(args[0]), unhexlify(args[1]), *args[2:])), "ascii")
        else:
            r = getattr(cloud, fn)(*args, **kw)
        print(json.dumps([name, r]))
    except Exception as e:
        print(json.dumps([name, "ERR", type(e).__name__, str(e)]))
    _restore(was)
print("OK")
