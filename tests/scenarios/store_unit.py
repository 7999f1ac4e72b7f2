# The store's own checks (mqtt.store), no broker: torn writes at every byte
# of the last record and a flipped byte in it; a compaction cut short; a
# store of another client id, protocol version or format refused; an
# unwritable store and a full one reported once while the client goes on in
# RAM. env: STORE_DIR (an empty directory)
import os
import mqtt
from mqtt.store import FileStore
from scenario import env, check

D = env("STORE_DIR")
URL = "mqtt://127.0.0.1:1"  # never connected (manualConnect)


def path(name):
    return D + "/" + name


def size(p):
    return os.stat(p)[6]


def copy(src, dst, n=None, flip=None):
    with open(src, "rb") as f:
        b = bytearray(f.read())
    if flip is not None:
        b[flip] ^= 0x40
    with open(dst, "wb") as f:
        f.write(b[:n] if n is not None else b)


def client(p, cid="su", **kw):
    s = FileStore(p)
    o = {"clientId": cid, "clean": False, "outgoingStore": s, "incomingStore": s, "manualConnect": True}
    o.update(kw)
    c = mqtt.connect(URL, o)
    errs = []
    c.on("error", errs.append)
    return c, errs


# records whole and torn: three records, the last cut at each byte, and flipped
s = FileStore(path("t.store"))
for r in (b"first record", b"second", b"the third and last"):
    s.append(r)
s.sync()
s.close()
whole = size(path("t.store"))
last = whole - 8 - len(b"the third and last")
cuts = 0
for n in range(last + 1, whole):
    copy(path("t.store"), path("cut.store"), n=n)
    t = FileStore(path("cut.store"))
    rs = t.read()
    check(rs == [b"first record", b"second"], "cut at %d: %r" % (n, rs))
    check(t.torn and ("%d bytes at byte %d" % (n - last, last)) in t.torn, "cut at %d: %r" % (n, t.torn))
    cuts += 1
flips = 0
for i in range(last, whole):
    copy(path("t.store"), path("flip.store"), flip=i)
    t = FileStore(path("flip.store"))
    rs = t.read()
    check(rs == [b"first record", b"second"], "flip at %d: %r" % (i, rs))
    check(t.torn is not None, "flip at %d: not reported" % i)
    flips += 1
t = FileStore(path("t.store"))
check(t.read() == [b"first record", b"second", b"the third and last"] and t.torn is None, "whole store")
print("torn: %d cuts and %d flipped bytes of the last record: the whole ones kept, the rest reported" % (cuts, flips))

# a compaction cut short: a new file beside the old one is dropped; a new file alone is the store
copy(path("t.store"), path("c.store"))
copy(path("t.store"), path("c.store.new"), n=last + 3)
check(len(FileStore(path("c.store")).read()) == 3, "old kept")
check("c.store.new" not in os.listdir(D), "partial new file removed")
os.rename(path("c.store"), path("c.store.new"))
check(len(FileStore(path("c.store")).read()) == 3 and "c.store" in os.listdir(D), "new file taken")
print("compaction cut short: the old file kept, or the new one taken once alone")

# a client's session through a torn store: what was whole comes back, the rest is reported
c, errs = client(path("s.store"))
for i in range(3):
    c.publish("su/t", "m%d" % i, {"qos": 1 + i % 2})
check(len(c.queue) == 3, "queued")
c2 = None
copy(path("s.store"), path("s2.store"), n=size(path("s.store")) - 1)
c2, errs2 = client(path("s2.store"))
mqtt.run(timeout_ms=50)
check([p["payload"] for p in c2.restored] == [b"m0", b"m1"], "restored %r" % (c2.restored,))
check([p["qos"] for p in c2.restored] == [1, 2], "qos %r" % (c2.restored,))
check(len(errs2) == 1 and "not a whole record" in str(errs2[0]) and "s2.store" in str(errs2[0]), "torn: %r" % errs2)
c3, errs3 = client(path("s2.store"))
mqtt.run(timeout_ms=50)
check(len(c3.restored) == 2 and not errs3, "rewritten whole: %r %r" % (c3.restored, errs3))
print("torn session: restored %r, reported: %s" % ([p["payload"] for p in c2.restored], errs2[0]))

# another client's store, another protocol version, another format: refused, the file untouched
before = size(path("s.store"))
for kw, what in (({"cid": "other"}, "client id 'su'"), ({"protocolVersion": 3}, "protocol version 4")):
    try:
        client(path("s.store"), **kw)
        check(False, "not refused: %r" % (kw,))
    except mqtt.MQTTError as e:
        check(what in str(e) and "refused" in str(e) and "s.store" in str(e), str(e))
        print("refused: %s" % e)
check(size(path("s.store")) == before, "refused store untouched")
t = FileStore(path("f.store"))
t.append(b"H\x09\x04su")  # (format 9)
t.sync()
t.close()
try:
    client(path("f.store"))
    check(False, "a store of another format not refused")
except mqtt.MQTTError as e:
    check("not a store of this format" in str(e), str(e))
    print("refused: %s" % e)

# a store that cannot be written: reported once, the client goes on in RAM
c, errs = client(D + "/no/such/dir/x.store")
c.publish("su/t", "kept in RAM", {"qos": 1})
c.publish("su/t", "and this", {"qos": 1})
mqtt.run(timeout_ms=50)
check(len(errs) == 1 and "x.store" in str(errs[0]) and "in RAM" in str(errs[0]), "unwritable: %r" % errs)
check(c.journal is None and len(c.queue) == 2, "in RAM")
print("unwritable: %s" % errs[0])


class Full:  # a store of the program's own that fills up after a few records
    def __init__(self, room):
        self.recs = []
        self.room = room
        self.pending = []

    def read(self):
        return list(self.recs)

    def append(self, r):
        self.pending.append(bytes(r))

    def sync(self):
        if len(self.recs) + len(self.pending) > self.room:
            raise OSError(28, "no space left")
        self.recs += self.pending
        self.pending = []

    def rewrite(self, rs):
        self.recs = list(rs)
        self.pending = []

    def close(self):
        pass


f = Full(4)
c = mqtt.connect(URL, {"clientId": "su", "clean": False, "outgoingStore": f, "manualConnect": True})
errs = []
c.on("error", errs.append)
for i in range(6):
    c.publish("su/t", "m%d" % i, {"qos": 1})
mqtt.run(timeout_ms=50)
check(len(errs) == 1 and "no space left" in str(errs[0]), "full: %r" % errs)
check(len(c.queue) == 6 and c.journal is None, "in RAM after full")
c2 = mqtt.connect(URL, {"clientId": "su", "clean": False, "outgoingStore": f, "manualConnect": True})
check([p["payload"] for p in c2.restored] == [b"m0", b"m1", b"m2"], "what was kept: %r" % (c2.restored,))
print("full: %s; restored what it kept: %d" % (errs[0], len(c2.restored)))

# a store without a store's methods, or a path that is not one: refused at once
for bad, what in ((lambda: mqtt.connect(URL, {"clientId": "su", "outgoingStore": "s.store", "manualConnect": True}),
                   "outgoingStore must have read()"),
                  (lambda: FileStore(7), "FileStore: path must be a str")):
    try:
        bad()
        check(False, "not refused: " + what)
    except TypeError as e:
        check(what in str(e), str(e))
print("bad stores refused: outgoingStore as a file name, a path that is not a str")

# clean: True starts empty
c, errs = client(path("s.store"), clean=True)
check(c.restored == [] and c.journal is None, "clean: True")
c, errs = client(path("s.store"))
check(c.restored == [], "emptied by clean: True")
print("clean: True: the store starts empty")
print("OK")
