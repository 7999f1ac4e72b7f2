# A session that survives a reset (options outgoingStore, incomingStore; an
# optional module, imported only by a client that has one): its QoS 1/2
# publishes queued or in flight, with their packet ids and PUBRELs owed, the
# ids of incoming QoS 2 messages acknowledged and not yet released, and the
# last packet id, kept as records appended to a store.
#
# FileStore is the store for a board's flash: records are appended (a
# length, a CRC-32, the record), never rewritten in place; once the dead
# ones pass a bound, the live ones go to a new file that replaces the old
# one by rename. A torn last record (power lost in a write) fails its
# length or CRC and is dropped on load, never half-applied. A store of the
# program's own (RTC memory, an EEPROM) has the same five methods:
#   read() -> [record, ...]    every whole record, in order (torn: None, or
#                              what was dropped, as text, once read() ran)
#   append(record)             buffered until sync()
#   sync()                     what was appended is kept, whatever happens next
#   rewrite([record, ...])     the whole store replaced by these, at once
#   close()
# The journal (below) decides what goes in: the core tells it each step of
# a request's life (core.py: journal), the client syncs it before any byte
# leaves (drain), so nothing on the wire depends on what a reset could undo.
import os
from struct import pack, pack_into
from .compat import const, MPY
from .core import MQTTError

try:
    from binascii import crc32
except ImportError:  # (firmware without it: Adler-32's two sums, as good at finding a torn write)
    def crc32(b, c=1):
        a, s = c & 0xFFFF, c >> 16
        for x in b:
            a = (a + x) % 65521
            s = (s + a) % 65521
        return s << 16 | a

_FORMAT = const(1)  # of the records below: a store in another format is refused, not misread
# records: a type byte, then (sequence numbers are the store's own, 4 bytes; packet ids 2)
_HEAD = const(72)  # H format, protocol version, client id: whose store this is
_PUT = const(80)  # P seq, packet id (0: none yet), flags, topic length, topic, properties length, properties, payload
_SENT = const(73)  # I seq, packet id: the PUBLISH went out with it
_RELEASED = const(82)  # R seq: PUBREC came, a PUBREL is owed
_DONE = const(68)  # D seq: the request ended (acknowledged, or failed for good)
_RECEIVED = const(81)  # Q packet id: an incoming QoS 2 message, handled and acknowledged (PUBREC)
_FORGOTTEN = const(67)  # C packet id: its PUBREL came; no packet id: a new session, none kept
_LIMIT = const(16384)  # bytes appended before compaction is considered (FileStore.limit)
# entry fields (core.py's request entries) the journal reads and restores
_KIND = const(0)
_PID = const(1)
_TOPIC = const(2)
_PAYLOAD = const(3)
_FLAGS = const(4)
_CALLBACK = const(5)
_PROPS = const(6)
_SEQ = const(8)  # appended to an entry the journal holds
_PUBLISH = const(3)
_PUBREL = const(6)


class FileStore:
    limit = _LIMIT  # bytes appended before the journal compacts (a board with little flash: less)
    written = 0  # bytes written to the file so far, compactions included (what the flash wears by)

    def __init__(self, path, fsync=True):
        # fsync: each sync() puts the records on the medium (a board's flash:
        # littlefs or FAT commit them; a computer's disk: fsync) before the
        # client goes on. False, on a computer: they go to the OS only, which
        # outlives the process (killed, crashed, ended) but not a power cut.
        if not isinstance(path, str):
            raise TypeError("FileStore: path must be a str")
        self.path = path
        self.fsync = fsync
        self.torn = None
        self._f = None  # the file, open for appending
        self._out = bytearray(256)  # records appended, not yet synced: _out[:_n]
        self._n = 0

    def read(self):
        p = self.path
        n = p + ".new"
        if _exists(n):  # a compaction stopped: its new file is whole only once the old one is gone
            if _exists(p):
                os.remove(n)
            else:
                os.rename(n, p)
        recs = []
        try:
            f = open(p, "rb")
        except OSError as e:
            if e.args[0] == 2:  # ENOENT: a new store
                return recs
            raise
        at = 0
        try:
            size = f.seek(0, 2)
            f.seek(0)
            while at < size:
                h = f.read(8)
                k = int.from_bytes(h[:4], "big") if len(h) == 8 else -1
                b = f.read(k) if 0 < k <= size - at - 8 else b""  # (a length torn: not read, however large)
                if len(b) != k or crc32(b) & 0xFFFFFFFF != int.from_bytes(h[4:], "big"):
                    self.torn = "%d bytes at byte %d of %s: not a whole record (a write cut short): dropped" % (
                        size - at, at, p)
                    break
                recs.append(b)
                at += 8 + k
        finally:
            f.close()
        return recs

    def append(self, rec):
        k = self._n
        n = k + 8 + len(rec)
        o = self._out
        if n > len(o):  # (grown for a large record; back to its size after the sync)
            o = bytearray(max(n, 2 * len(o)))
            o[:k] = memoryview(self._out)[:k]
            self._out = o
        pack_into(">II", o, k, len(rec), crc32(rec) & 0xFFFFFFFF)
        o[k + 8 : n] = rec
        self._n = n

    def sync(self):
        n = self._n
        if n:
            if self._f is None:
                self._f = open(self.path, "ab")
            if MPY:  # (a stream's write(buf, n): no view made)
                self._f.write(self._out, n)
            else:
                self._f.write(memoryview(self._out)[:n])
            if self.fsync:  # (littlefs and FAT: on flash now)
                _commit(self._f)
            elif not MPY:  # (CPython buffers: to the OS; MicroPython's unix port writes through)
                self._f.flush()
            self.written += n
            self._n = 0
            if n > 1024:
                self._out = bytearray(256)

    def rewrite(self, recs):
        self.close()
        p = self.path
        self._n = 0
        for r in recs:
            self.append(r)
        f = open(p + ".new", "wb")
        try:
            f.write(memoryview(self._out)[: self._n])
            if self.fsync:
                _commit(f)
            self.written += self._n
        finally:
            f.close()
        self._n = 0
        self._out = bytearray(256)
        try:
            os.rename(p + ".new", p)
        except OSError:  # FAT renames over no file: the old one goes first (read() finds the new one alone)
            os.remove(p)
            os.rename(p + ".new", p)

    def close(self):
        if self._f:
            self._f.close()
            self._f = None


def _name(s):
    return getattr(s, "path", "(yours)")


def _commit(f):  # onto the medium: MicroPython's flush does it (littlefs, FAT; the unix port: fsync)
    f.flush()
    if not MPY:
        os.fsync(f.fileno())


def _exists(p):
    try:
        os.stat(p)
        return True
    except OSError:
        return False


def _put(q, e):  # the record of request entry e, sequence number q (one allocation)
    t = e[_TOPIC]
    pr = e[_PROPS] or b""
    m = e[_PAYLOAD]
    n = 10 + len(t)
    k = n + 2 + len(pr)
    r = bytearray(k + len(m))
    pack_into(">BIHBH", r, 0, _PUT, q, e[_PID], e[_FLAGS] & ~8, len(t))
    r[10:n] = t
    pack_into(">H", r, n, len(pr))
    r[n + 2 : k] = pr
    r[k:] = m
    return r


def _int(b, a, n):
    return int.from_bytes(b[a : a + n], "big")


class Journal:
    # What the core tells of a session, as records, to the outgoing store
    # (requests) and the incoming one (QoS 2 ids); the same store may take both.
    def __init__(self, c, out, inc):
        self.c = c
        self.out = out
        self.inc = inc
        self.live = {}  # seq -> request entry in the store
        self.ids = {}  # incoming QoS 2 ids in the store
        self.seq = 0
        self.last = 0  # the last packet id a request here took
        self.fresh = []  # requests put since the last sync: their records not yet made
        self.dirty = False  # records appended since the last sync
        self.written = 0  # bytes appended since the last compaction
        self.stores = [s for s in (out, inc) if s]
        if out is inc:
            self.stores.pop()
        self.limit = min([getattr(s, "limit", _LIMIT) for s in self.stores])

    def _head(self):
        o = self.c.options
        return bytes((_HEAD, _FORMAT, o["protocolVersion"])) + str(o["clientId"]).encode()

    def _add(self, s, rec, sync=True):
        # a record to store s (buffered: a store's trouble shows at sync);
        # sync: the next sync must write it (else it waits for another that does)
        if s:
            s.append(rec)
            self.written += len(rec) + 8
            if sync:
                self.dirty = True

    # -- from the core (and the client's _done), as the session changes

    # A new request's record waits for the next sync (its sequence number
    # negative until then), so one that took its packet id in the same call
    # is written once, with it.

    def put(self, e):
        q = self.seq = self.seq + 1
        e.append(-q)
        self.live[q] = e
        self.fresh.append(e)
        self.dirty = True

    def _fresh(self):  # the waiting records written
        for e in self.fresh:
            e[_SEQ] = q = -e[_SEQ]
            if e[_PID]:
                self.last = e[_PID]
            self._add(self.out, _put(q, e), False)  # (put() asked for the sync)
        self.fresh.clear()

    def sent(self, e):
        if len(e) > _SEQ and e[_SEQ] > 0:
            self.last = e[_PID]
            self._add(self.out, pack(">BIH", _SENT, e[_SEQ], e[_PID]))

    def released(self, e):
        if len(e) > _SEQ:
            if e[_SEQ] < 0:
                self._fresh()
            self._add(self.out, pack(">BI", _RELEASED, e[_SEQ]))

    def done(self, e):
        # (no sync of its own: nothing on the wire depends on it, and one lost
        # to a reset costs a resend the broker answers, not a message)
        if len(e) > _SEQ:
            q = e[_SEQ]
            if self.live.pop(abs(q), None):
                if q < 0:  # (never written)
                    self.fresh.remove(e)
                else:
                    self._add(self.out, pack(">BI", _DONE, q), False)

    def received(self, p):
        self.ids[p] = 1
        self._add(self.inc, pack(">BH", _RECEIVED, p))

    def forgotten(self, p):
        if p is None:
            self.ids = {}
            self._add(self.inc, b"C")
        elif self.ids.pop(p, None):
            self._add(self.inc, pack(">BH", _FORGOTTEN, p))

    def sync(self):
        if self.dirty:
            if self.fresh:
                self._fresh()
            s = self.stores[0]
            try:
                if self.written > self.limit:
                    self.compact()
                else:
                    for s in self.stores:
                        s.sync()
            except Exception as e:
                return self.failed(e, s)
            self.dirty = False

    # -- the whole store

    def records(self, s):
        # what the session holds now, as the records of a fresh store
        rs = [self._head()]
        if s is self.out:
            self._fresh()
            for q in sorted(self.live):
                e = self.live[q]
                rs.append(_put(q, e))
                if e[_KIND] == _PUBREL:
                    rs.append(pack(">BI", _RELEASED, q))
            if self.last:  # (the last packet id given, after theirs: new ones go on from it)
                rs.append(pack(">BIH", _SENT, 0, self.last))
        if s is self.inc:
            for p in self.ids:
                rs.append(pack(">BH", _RECEIVED, p))
        return rs

    def compact(self):
        # each store rewritten with what is live; the bound then follows what it holds
        n = 0
        for s in self.stores:
            rs = self.records(s)
            s.rewrite(rs)
            n += sum([len(r) + 8 for r in rs])
        self.written = 0
        self.limit = max(min([getattr(s, "limit", _LIMIT) for s in self.stores]), 2 * n)

    def failed(self, e, s):
        # a store that cannot be written: said once, the session goes on in RAM
        self.c.journal = None
        self.dirty = False
        for x in self.stores:
            try:
                x.close()
            except Exception:
                pass
        self.c.post("error", MQTTError("store %s: %s; the session goes on in RAM only" % (_name(s), e)))

    def close(self):
        self.dirty = True  # (the ends appended since the last sync too)
        self.sync()
        for s in self.stores:
            s.close()

    # -- at the start

    def load(self):
        # The saved session, back into the client (clean: False), or the
        # stores emptied (clean: True); the stores then rewritten whole (a
        # torn tail gone). A store of another client, protocol version or
        # format raises; one that cannot be read or written is reported, and
        # the client goes on in RAM.
        c = self.c
        o = c.options
        es = {}
        last = 0
        for s in self.stores:
            try:
                rs = s.read()
            except Exception as x:
                return self.failed(x, s)
            h = rs and rs[0]
            if h and h != self._head():
                raise MQTTError("store %s: %s, not of '%s' (%d): refused" % (
                    _name(s), "the session of client id '%s' (protocol version %d)" % (str(h[3:], "utf-8"), h[2])
                    if h[:2] == self._head()[:2] else "not a store of this format (%d)" % _FORMAT,
                    o["clientId"], o["protocolVersion"]))
            if getattr(s, "torn", None):
                c.post("error", MQTTError("store " + s.torn))
            for r in rs[1:]:
                k = r[0]
                if k == _PUT:
                    q = _int(r, 1, 4)
                    n = _int(r, 8, 2)
                    m = _int(r, 10 + n, 2)
                    e = es[q] = [_PUBLISH, 0, bytes(r[10 : 10 + n]), bytes(r[12 + n + m :]), r[7], None,
                                 bytes(r[12 + n : 12 + n + m]) or None, 0, q]
                    self.seq = max(self.seq, q)
                    k = _SENT  # (its packet id, if it had one)
                if k == _SENT or k == _RELEASED or k == _DONE:
                    e = es.get(_int(r, 1, 4))
                    p = _int(r, 5, 2) if k == _SENT else 0
                    if p:
                        last = self.last = p
                        if e:
                            e[_PID] = p
                            e[_FLAGS] |= 8  # (DUP: it may have gone out)
                    elif e and k == _RELEASED:
                        e[_KIND] = _PUBREL
                    elif e and k == _DONE:
                        del es[e[_SEQ]]
                elif k == _RECEIVED:
                    self.ids[_int(r, 1, 2)] = 1
                elif len(r) > 1:  # _FORGOTTEN
                    self.ids.pop(_int(r, 1, 2), None)
                else:
                    self.ids = {}
        if o["clean"]:  # a clean session: nothing from before
            es = {}
            self.ids = {}
        # in flight first, in the order they went out (as lost() puts them back), then queued
        sent = sorted([e for e in es.values() if e[_PID]], key=lambda e: (e[_PID] - last - 1) & 0xFFFF)
        rest = [es[q] for q in sorted(es) if not es[q][_PID]]
        c.restored = []
        for e in sent + rest:
            self.live[e[_SEQ]] = e
            pk = {"cmd": "pubrel" if e[_KIND] == _PUBREL else "publish", "topic": str(e[_TOPIC], "utf-8"),
                  "payload": e[_PAYLOAD], "qos": e[_FLAGS] >> 1 & 3, "retain": e[_FLAGS] & 1 == 1,
                  "messageId": e[_PID] or None}
            c.restored.append(pk)
            e[_CALLBACK] = _reporter(c, pk)
        c.restore(sent + rest, list(self.ids), last)
        try:
            self.compact()
        except Exception as x:
            return self.failed(x, self.stores[0])
        if o["clean"]:  # (nothing to keep: no journal)
            self.close()
        else:
            c.journal = self


def _reporter(c, pk):  # a restored request's callback: its end, as the event 'restored' (err, packet)
    return lambda err: c.post("restored", err, pk)


def attach(c):
    # a client's stores, as options outgoingStore and incomingStore name them (the same one may be both)
    o = c.options
    for k in ("outgoingStore", "incomingStore"):  # (a mistake in the program: said at connect())
        s = o.get(k)
        if s is not None and [1 for m in ("read", "append", "sync", "rewrite", "close") if not hasattr(s, m)]:
            raise TypeError("%s must have read(), append(), sync(), rewrite() and close(), as "
                            "mqtt.store.FileStore(path) has" % k)
    c.restored = []
    Journal(c, o.get("outgoingStore"), o.get("incomingStore")).load()
