"""Where mqtt_as (peterhinch/micropython-mqtt) comes from, for the tests that
run its sample programs against lib/mqtt_as and for the bench's mqtt_as
column. Its files are not part of the package (lib/): the tests carry a copy.

    MQTT_AS_DIR=~/micropython-mqtt make test      # a checkout of it
    MQTT_AS_DIR=/path/to/its/.git make bench      # or a git directory (HEAD; MQTT_AS_REV=... another)

No package registry this project reaches carries it: PyPI's
micropython-mqtt-async 0.7b4 (and micropython-mqtt 0.7b4, the same upload)
is Thorsten von Eicken's mqtt_async.py of 2020, a fork with another API
(MQTTConfig, no `config` dict, no event interface) and no sample programs.
So a copy is taken from MQTT_AS_DIR; when its files are release 0.8.3's
(the sha256 of each is pinned below) they are cached in .venv/mqtt_as-0.8.3/,
where later runs find them without the variable. Without either, the copy of
release 0.8.3's files in tests/vendor/mqtt_as-0.8.3/ (MIT, its LICENSE beside
them; sha256 checked the same way) is used, so that a fresh machine that
reaches no GitHub (CI) runs the samples and the bench column all the same.
Callers skip with unavailable()'s reason only when that copy is gone or altered.
"""
import hashlib
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION = "0.8.3"
CACHE = os.path.join(ROOT, ".venv", "mqtt_as-" + VERSION)
VENDORED = os.path.join(ROOT, "tests", "vendor", "mqtt_as-" + VERSION)
# the files used (the library, its sample programs, what they import) and their sha256 at 0.8.3
# (commit 7b6a11dd7910f7bb8275341fdc24b89ed1dfbc47, 2025-03)
FILES = {
    "mqtt_as/__init__.py": "010df008248ecbc8cde5b653a1c5579f8e0bbf6959ca443364c845b9339d740e",
    "mqtt_as/mqtt_v5_properties.py": "453352d274b6c8c6f9d7d84796846e39e106708b1e4ca09e36262d8a9e6d95a6",
    "mqtt_as/range.py": "fe3cf29fa7165373e95f02119312d668b977a2767b571fa7a95efc1a4d5fad6a",
    "mqtt_as/range_ex.py": "d2ebd3bc029e7a3e4197810cf5a06627e4190b1c8fd0345de1efd681bcd3392b",
    "mqtt_as/clean.py": "06791b4a54256aab86da80e78847631a7c42802c8783ad388110238b8761fcca",
    "mqtt_as/unclean.py": "9c36c9a9414882aac9e762ac4b843b1caac01f4f624a13a35e51cc809b577c50",
    "mqtt_as/main.py": "6f18b61f393363dc11fb93b47949dec942d9b3bea7ea9aaba69e5be73ddfbc1a",
    "mqtt_as/tests/v3/test.py": "3998053518fb76acf6a4add4129ec3f518bfdee85fa308b23f806f802c23b860",
    "mqtt_as/tests/v3/target.py": "9591b828fb1960ca60da4f48e19e3bdec0d1e73ad1cca86e8979b6ca7a21d21d",
    "mqtt_as/tests/v5/test.py": "aa7bca364a1018adf092e839dfbb89b4db7da4c0bc29fdb4c9ca4898be065730",
    "mqtt_as/tests/v5/target.py": "ff56a69c818d7d51aef40ad5ff15a24569520beee47eca1023ff7cca779ccb79",
    "mqtt_as/v5/basic.py": "5007d6a8826df3e8250e77f352eab86a6baafae632f1307189352e81daf48572",
    "mqtt_as/v5/cbtest.py": "c4dfaf023ca36b8d8f3b24297dcdd3a4d9cc91dafb8629a98037cd805d19ca04",
    "mqtt_local_example.py": "16496049c54ab715aac6ca1257eb4a2554f4eb26f2caea9ecdd64a35f450c174",
    "gateway/primitives/__init__.py": "faa0ce54bf0f45c9500d663930e31174a09860c6fa47e3f3f86564f4bb945523",
    "gateway/primitives/ringbuf_queue.py": "e17ec97d86038ccb1d89cb755e02eaf0f6f8de1d535269b4b0b6bf9a98de9b69",
    "LICENSE": "421a1d9625aead51787a164db4c4ab4d6b982f5c6a047025aa34903ed654c010",
}


class Unavailable(Exception):
    pass


def _read(src, rel):
    if os.path.isfile(os.path.join(src, "HEAD")) and os.path.isdir(os.path.join(src, "objects")):  # a git dir
        rev = os.environ.get("MQTT_AS_REV", "HEAD")
        r = subprocess.run(["git", "--git-dir", src, "show", "%s:%s" % (rev, rel)], capture_output=True)
        if r.returncode:
            raise Unavailable("MQTT_AS_DIR=%s: no %s at %s" % (src, rel, rev))
        return r.stdout
    p = os.path.join(src, rel)
    if not os.path.isfile(p):
        raise Unavailable("MQTT_AS_DIR=%s: no %s (a checkout of peterhinch/micropython-mqtt?)" % (src, rel))
    with open(p, "rb") as f:
        return f.read()


def _pinned(d):
    for rel, sha in FILES.items():
        p = os.path.join(d, rel)
        if not os.path.isfile(p):
            return False
        with open(p, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != sha:
                return False
    return True


def source(tmp=None):
    """(folder holding FILES' paths, how it was obtained); Unavailable if none."""
    src = os.environ.get("MQTT_AS_DIR")
    if src:
        src = os.path.expanduser(src)
        data = {rel: _read(src, rel) for rel in FILES}
        same = all(hashlib.sha256(data[rel]).hexdigest() == sha for rel, sha in FILES.items())
        dst = CACHE if same else os.path.join(tmp or os.path.join(ROOT, ".venv"), "mqtt_as-other")
        if not (same and _pinned(CACHE)):
            shutil.rmtree(dst + ".tmp", ignore_errors=True)
            for rel, b in data.items():
                p = os.path.join(dst + ".tmp", rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "wb") as f:
                    f.write(b)
            shutil.rmtree(dst, ignore_errors=True)
            os.replace(dst + ".tmp", dst)
        return dst, "MQTT_AS_DIR=%s (%s)" % (src, "release %s, sha256 checked" % VERSION if same
                                             else "not release %s's files" % VERSION)
    if _pinned(CACHE):
        return CACHE, "release %s cached in %s (sha256 checked)" % (VERSION, os.path.relpath(CACHE, ROOT))
    if _pinned(VENDORED):
        return VENDORED, "release %s from %s (sha256 checked)" % (VERSION, os.path.relpath(VENDORED, ROOT))
    raise Unavailable(unavailable())


def unavailable():
    return ("no copy of mqtt_as (peterhinch/micropython-mqtt): tests/vendor/mqtt_as-%s is missing or altered; "
            "set MQTT_AS_DIR to a checkout of it "
            "(or its git directory); no package registry carries it (PyPI's micropython-mqtt-async 0.7b4 "
            "is another client, mqtt_async.py, without its samples)" % VERSION)
