# Sans-IO MQTT 3.1/3.1.1 protocol core: the session's state and its packets.
# No socket, no clock, no user code. MQTT 5.0 (v5.py) fills in the hooks
# where its packets differ.
#
# Theory of operation
#   state     DOWN (0) -> connect_packet() -> CONNECTING (1) -> CONNACK ->
#             CONNECTED (2); lost() -> DOWN. connected is state == CONNECTED
#             (read-only). While CONNECTING, the first packet in must be
#             CONNACK (MQTT 5: or AUTH).
#   input     buffer() is where the next read goes, received(n) counts it in;
#             next_event() parses packets until one the driver must dispatch:
#               EV_MESSAGE  message = [topic, payload, fixed header, packet id,
#                           MQTT 5 properties], refilled for the next one. The
#                           driver calls handled(header, id) once the
#                           program has it: only then is it acknowledged.
#               EV_CONNACK  event = the CONNACK, as mqtt.js shows it
#               EV_ERROR    event = an error to report; the connection stays
#             Acks of our requests complete them through the _done hook.
#             Parse state lives here, so a handler that drives the client
#             again from inside a dispatch simply continues where it stopped.
#   output    tx[:unsent] waits to be written (data_to_send(): the same as a
#             view), sent(n) drops what was. A packet that does not fit
#             returns False: drain, then retry. (A driver that writes a
#             buffer and a length, as MicroPython's stream write(buf, n)
#             does, takes tx and unsent: nothing allocated per write.)
#   requests  entries made only by request() and changed only here, each in
#             exactly one place: queued (queue), in flight (outgoing, by
#             packet id; mqtt.js's name) or done: reported once through
#             _done(entry, err, granted). Both are read-only outside.
#
#   QoS flows   out                                in
#     1     PUBLISH -> outgoing; PUBACK: done      PUBLISH: EV_MESSAGE;
#                                                  handled(): PUBACK
#     2     PUBLISH -> outgoing; PUBREC: the       PUBLISH: EV_MESSAGE, id kept;
#           entry becomes a PUBREL, sent;          handled(): PUBREC; PUBREL:
#           PUBCOMP: done                          PUBCOMP, id forgotten
#   A lost connection moves what is in flight back to the head of the queue
#   (PUBLISH with DUP), to be resent first after the next CONNACK.
#   journal   None, or (store.py) what keeps the session across a reset: told
#             of each QoS 1/2 PUBLISH request (put), its packet id (sent),
#             its PUBREC (released), its end (done, by the driver), and of
#             incoming QoS 2 ids acknowledged (received) and released
#             (forgotten, fresh: all). restore() puts a saved session back.
from .compat import const

# packet types
_CONNECT = const(1)
_CONNACK = const(2)
_PUBLISH = const(3)
_PUBACK = const(4)
_PUBREC = const(5)
_PUBREL = const(6)
_PUBCOMP = const(7)
_SUBSCRIBE = const(8)
_SUBACK = const(9)
_UNSUBSCRIBE = const(10)
_UNSUBACK = const(11)
_PINGREQ = const(12)
_PINGRESP = const(13)
_AUTH = const(15)
# fixed header bytes the parser compares whole (type << 4 | flags)
_H_CONNACK = const(0x20)
_H_PUBACK = const(0x40)
_H_PUBREC = const(0x50)
_H_PUBREL = const(0x62)  # (PUBREL, SUBSCRIBE and UNSUBSCRIBE carry flags 0010)
_H_PUBCOMP = const(0x70)
_H_AUTH = const(0xF0)
_DUP = const(8)  # PUBLISH flags: DUP 8, QoS << 1, RETAIN 1
_QOS_BITS = const(6)
# a request entry is a list: [KIND, PID, TOPIC, PAYLOAD, FLAGS, CALLBACK, PROPS, STRIKES]
_KIND = const(0)  # PUBLISH, PUBREL (a QoS 2 PUBLISH once PUBREC came), SUBSCRIBE, UNSUBSCRIBE
_PID = const(1)  # packet id, 0 until first sent
_TOPIC = const(2)  # PUBLISH: topic bytes; SUBSCRIBE: [(filter, options byte)]; UNSUBSCRIBE: [filter]
_PAYLOAD = const(3)  # PUBLISH: bytes
_FLAGS = const(4)  # PUBLISH: the fixed header's low bits
_PROPS = const(6)  # MQTT 5: encoded properties (None in 3.1.1)
_STRIKES = const(7)  # times the broker closed the connection with it alone in flight
# state (its values are the contract: the client folds copies)
_DOWN = const(0)  # no connection
_CONNECTING = const(1)  # CONNECT made; CONNACK not yet
_CONNECTED = const(2)
# next_event() results: 0 (false) is "nothing more until more input"
_EV_PACKET = const(1)  # (internal: a packet was handled, parsing goes on)
EV_MESSAGE = const(2)
EV_CONNACK = const(3)
EV_ERROR = const(4)
_RXBUF = const(128)  # receive buffer to start with; doubled while reads fill it, up to
_RXMAX = const(2048)  # this (a burst then takes few reads); a larger packet gets one of its own
_TXBUF = const(256)  # transmit buffer: many small packets go out in one write; doubled while
_TXMAX = const(4096)  # packets find it full (a burst of publishes), up to this: on loopback one
# write of 4 KB costs as much as 8 small ones. Growing is optional: without the heap for it, the output drains first.
_QOS2_MAX = const(128)  # incoming QoS 2 messages awaiting PUBREL, at most
try:  # utf8()'s ASCII shortcut holds only where the decoder checks and str counts characters
    str(b"\xc3", "utf-8")  # (ports built without unicode, or without its check, take it)
    _ASCII_SHORTCUT = False
except UnicodeError:
    _ASCII_SHORTCUT = len("\u00e9") == 1


class MQTTError(Exception):
    errno = None  # a socket error's number (code then holds its name, as mqtt.js has it)
    refused = 0  # the broker refused the connection (CONNACK): not retried (mqtt.js)

    def __init__(self, msg, code=None):
        super().__init__(msg)
        self.code = code


class ProtocolError(MQTTError):
    pass


def prefixed(x):  # length-prefixed MQTT string or binary
    if isinstance(x, str):
        x = x.encode()
    if len(x) > 65535:
        raise ValueError("string over 65535 bytes")
    return bytes((len(x) >> 8, len(x) & 255)) + x


def _vlen(b, o, n):  # remaining length n written at b[o:], 1 to 4 bytes; offset after it
    while n > 127:
        b[o] = n & 127 | 128
        n >>= 7
        o += 1
    b[o] = n
    return o + 1


def utf8(b, a, c):
    # b[a:c] as str when it is well-formed UTF-8 without U+0000 (MQTT 1.5.3),
    # else None. CPython's decoder checks the rest; MicroPython's does not,
    # so anything not ASCII is checked here: shortest form, no surrogates,
    # nothing above U+10FFFF.
    try:
        s = str(memoryview(b)[a:c], "utf-8")
    except UnicodeError:
        return None
    if "\x00" in s:
        return None
    if len(s) == c - a and _ASCII_SHORTCUT:  # ASCII
        return s
    while a < c:
        x = b[a]
        a += 1
        if x > 127:
            n = (x > 0xDF) + (x > 0xEF)  # continuation bytes after the first
            y = b[a] if a < c else 0
            if x < 0xC2 or x > 0xF4 or a + n >= c or x == 0xE0 and y < 0xA0 or x == 0xED and y > 0x9F \
                    or x == 0xF0 and y < 0x90 or x == 0xF4 and y > 0x8F:
                return None
            for a in range(a, a + n + 1):
                if b[a] & 0xC0 != 0x80:
                    return None
            a += 1
    return s


class Protocol:
    # Class-level: what is seldom read. What the hot paths read lives in the
    # instance (__init__): MicroPython finds a class attribute through the
    # class chain, several times the cost of an instance one.
    event = None  # the CONNACK (or error, MQTT 5 DISCONNECT, AUTH) next_event() returned
    # Hooks, filled in by the driver (client.py) or MQTT 5 (v5.py), where only they call them (as
    # declarations here they would cost every board a slot in this class's table):
    #   _done(entry, err, granted)  a request ended (err None: it succeeded); once per request
    #   _props_in(o, end) -> (properties, offset after them)  MQTT 5: read from the receive buffer
    #   _publish_props(topic, o, end) -> (topic, properties, payload's offset)  MQTT 5: topic aliases
    #   _server(properties)  MQTT 5: the CONNACK's, for this connection
    #   _connect_props, _will_props  MQTT 5: encoded CONNECT and will properties (read where _v5)
    # and with 3.1.1 bodies below: _why, _connack_in, _ack_in, _other_in; _pub, connect_packet (extended)

    def __init__(self, options):
        self.options = options  # as the user gave them (read at each connection: a change applies to the next)
        self.clientId = options["clientId"]  # (MQTT 5: the server may assign one)
        self.keepalive = options["keepalive"]  # s, this connection's (MQTT 5: the server may set another)
        self._v5 = options["protocolVersion"] > 4  # MQTT 5 (Client5): properties and reason codes on the wire
        self._pinned = None  # the receive buffer a zeroCopy payload views: not written in place until handled()
        self._packet_hook = None  # f(out, header, packet id, topic, payload) per packet (trace.py), when listened to
        self._topic_bytes = self._topic_str = None  # the last incoming topic as bytes and str: a repeated one costs nothing
        self._skipping = 0  # bytes of an oversize PUBLISH still to pass over
        self._rx_size = _RXBUF  # the receive buffer's size between packets larger than it
        self._tx_size = _TXBUF  # the same for the transmit buffer
        self._one_by_one = 0  # requests to resend one at a time: the broker closed on one of them
        self.message = [None, None, 0, 0, None]  # the message next_event() returned (see EV_MESSAGE), refilled
        self._setbuf(bytearray(_RXBUF), 0)
        self._setbuf(bytearray(_TXBUF), 1)
        self._parsed = self._filled = 0  # the receive buffer: parsed up to, filled up to
        self.unsent = self._last_id = 0  # bytes waiting in the transmit buffer; the last packet id given
        self.outgoing = {}  # packet id -> entry sent and not yet acknowledged
        self._ids_queued = False  # queued requests may hold packet ids (lost() moved them back): new ids skip them
        self.queue = []  # entries waiting to be sent, in order
        self._qos2_ids = {}  # incoming QoS 2 packet ids delivered, awaiting PUBREL
        self._subscriptions = {}  # topic filter -> (options byte, MQTT 5 properties): to resubscribe
        self._window = options["maxInflight"]  # QoS 1/2 in flight at most (MQTT 5: and the server's)
        self._zero_copy = options.get("zeroCopy")  # payloads as views of the receive buffer, not copies
        self.journal = None  # the session's record on flash (store.py), when there is one
        self.state = _DOWN
        # mqtt.js's client.connected: always state == _CONNECTED, set beside it in each of the
        # three places state changes (as a property it would cost every attribute store on the
        # instance a look through the class on MicroPython: _pub 1.24 -> 1.82 us)
        self.connected = False

    # -- requests

    def request(self, kind, topic, payload, flags, callback, props=None):
        # a new entry at the end of the queue; False (and reported) if the queue is full
        e = [kind, 0, topic, payload, flags, callback, props, 0]
        if len(self.queue) >= self.options["queueSize"]:
            self._done(e, MQTTError("queue full (queueSize)"))
            return False
        self.queue.append(e)
        j = self.journal if kind == _PUBLISH and flags & _QOS_BITS else None
        if j:
            j.put(e)
        self.flush()
        if j and self.journal:  # in the store before the call returns (with its packet id, if it took one)
            j.sync()
        return True

    def restore(self, entries, qos2_ids, last_id):
        # A saved session (store.py) back before the first connection: its
        # requests first in the queue (those with a packet id resent with it,
        # DUP set), the incoming QoS 2 ids acknowledged, the last packet id.
        self.queue[:0] = entries
        self._ids_queued = True
        for p in qos2_ids:
            self._qos2_ids[p] = 2
        self._last_id = last_id

    def abandon(self, err):
        # every request, in flight or queued, fails with err
        es = list(self.outgoing.values()) + self.queue
        self.outgoing = {}
        self.queue = []
        self._one_by_one = 0
        for e in es:
            self._done(e, err)

    def lost(self, by_broker):
        # The connection is gone. What was in flight goes back to the head of
        # the queue, first sent first, to be resent after the next CONNACK.
        # When the broker closed it on a request alone in flight, that
        # request counts a strike, and at resendLimit strikes it fails for
        # good instead of being resent forever. After a close by the broker,
        # requests go one at a time until those in flight now are through,
        # so a strike always lands on the right one.
        pend = self.outgoing
        self.outgoing = {}
        self.state = _DOWN
        self.connected = False
        last = self._last_id
        es = [pend[p] for p in sorted(pend, key=lambda p: (p - last - 1) & 0xFFFF)]
        for e in es:
            if e[_KIND] == _PUBLISH:
                e[_FLAGS] |= _DUP
        if by_broker and len(es) == 1 and es[0][_KIND] != _PUBREL:
            e = es.pop()
            e[_STRIKES] += 1
            if e[_STRIKES] < self.options["resendLimit"]:
                es.append(e)
            else:
                if self._one_by_one:  # (it was one of them)
                    self._one_by_one -= 1
                self._done(e, MQTTError("dropped: the broker closed the connection on it %d times" % e[_STRIKES]))
        if by_broker:
            self._one_by_one = max(self._one_by_one, len(es))
        if es:
            self._ids_queued = True
        self.queue[:0] = es

    # -- output

    def data_to_send(self):  # what waits to be written, as a view (tx[:unsent]); sent(n) once n bytes of it were
        return self._tx_view[: self.unsent]

    def sent(self, n):  # n bytes of the output were written; a buffer grown for one packet goes back
        tn = self.unsent - n
        if tn:  # (what is left moves to the front, with memmove: see next_event)
            self.tx[:tn] = self._tx_view[n : n + tn]
        elif len(self.tx) > self._tx_size:
            self._setbuf(bytearray(self._tx_size), 1)
        self.unsent = tn

    def _room(self, n):
        # Offset in _tx where n bytes fit, or -1 while output waits. A buffer
        # that fills doubles, up to _TXMAX (fewer, larger writes); a packet
        # larger than that gets one of its own (MemoryError: the caller reports).
        tn = self.unsent
        if tn + n <= len(self.tx):
            return tn
        if not tn:  # one packet larger than the buffer: its own, given back once written
            self._setbuf(bytearray(n), 1)
            return 0
        k = self._tx_size * 2
        if tn + n > k or k > _TXMAX:
            return -1
        try:
            b = bytearray(k)
            b[:tn] = self._tx_view[:tn]
            self._setbuf(b, 1)
        except MemoryError:  # a larger buffer only saves writes: the output drains first instead
            return -1
        self._tx_size = k
        return tn

    def _put(self, t, body, e=None):
        # a packet of type t: packet id (for an entry), MQTT 5 properties, body
        b = (e and e[_PROPS] or b"") + body if e else body  # (made before the entry takes a packet id)
        n = len(b) + (2 if e else 0)
        o = self._room(n + 5)
        if o < 0:
            return False
        tx = self.tx
        tx[o] = t << 4 | (t == _PUBREL or t == _SUBSCRIBE or t == _UNSUBSCRIBE) << 1
        o = _vlen(tx, o + 1, n)
        if e:
            o = self._id(tx, o, e)
        tx[o : o + len(b)] = b
        self.unsent = o + len(b)
        if self._packet_hook:
            self._packet_hook(1, t << 4, e and e[_PID], None, None)
        return True

    def _ack(self, t, pid):  # PUBACK, PUBREC, PUBREL, PUBCOMP: never held back
        o = self.unsent
        if o + 4 > len(self.tx):  # (the client stops reading while output piles up)
            b = bytearray(o + _TXBUF)
            b[:o] = self._tx_view[:o]
            self._setbuf(b, 1)
        tx = self.tx  # (byte by byte: nothing allocated per ack)
        tx[o] = t << 4 | (t == _PUBREL) << 1
        tx[o + 1] = 2
        tx[o + 2] = pid >> 8
        tx[o + 3] = pid & 255
        self.unsent = o + 4
        if self._packet_hook:
            self._packet_hook(1, t << 4, pid, None, None)

    def _id(self, tx, o, e):  # entry e's packet id (given now if it has none), written at tx[o]
        p = e[_PID]
        if not p:
            p = self._last_id
            taken = None
            if self._ids_queued:
                taken = [x[_PID] for x in self.queue if x[_PID]]
                if not taken:
                    self._ids_queued = False
            while 1:
                p = p % 65535 + 1
                if p not in self.outgoing and not (taken and p in taken):
                    break
            self._last_id = e[_PID] = p
            if self.journal:
                self.journal.sent(e)
        self.outgoing[p] = e
        tx[o] = p >> 8
        tx[o + 1] = p & 255
        return o + 2

    def _pub(self, t, m, f, e=None, pr=None):
        # PUBLISH straight into _tx, no allocation when it fits. t: topic bytes,
        # m: payload, f: flags, e: its entry (QoS 1/2), pr: MQTT 5 properties.
        # False: no room until the output drains.
        lt = len(t)
        lm = len(m)
        n = lt + lm + (4 if e else 2) + (len(pr) if pr else 0)
        tx = self.tx
        o = self.unsent
        if o + n + 5 > len(tx):
            o = self._room(n + 5)
            if o < 0:
                return False
            tx = self.tx
        tx[o] = _PUBLISH << 4 | f
        if n < 128:
            tx[o + 1] = n
            o += 2
        else:
            o = _vlen(tx, o + 1, n)
        tx[o] = lt >> 8
        tx[o + 1] = lt & 255
        o += 2 + lt
        tx[o - lt : o] = t
        if e:
            o = self._id(tx, o, e)
        if pr:
            tx[o : o + len(pr)] = pr
            o += len(pr)
        tx[o : o + lm] = m
        self.unsent = o + lm
        if self._packet_hook:
            self._packet_hook(1, _PUBLISH << 4 | f, e and e[_PID], t, m)
        return True

    def flush(self):
        # queued requests into the output, in order, while the connection,
        # the in-flight window and the output buffer have room for them
        q = self.queue
        while q and self.state == _CONNECTED:
            e = q[0]
            k = e[_KIND]
            f = e[_FLAGS]
            if (k != _PUBLISH or f & _QOS_BITS) and len(self.outgoing) >= (1 if self._one_by_one else self._window):
                break  # a broker drops what is over its in-flight limit
            if k == _PUBREL:
                self._ack(_PUBREL, e[_PID])
                self.outgoing[e[_PID]] = e
            else:
                try:
                    if k == _PUBLISH:
                        ok = self._pub(e[_TOPIC], e[_PAYLOAD], f, f & _QOS_BITS and e, e[_PROPS])
                    else:
                        b = b""
                        for t in e[_TOPIC]:
                            b += prefixed(t[0]) + bytes((t[1],)) if k == _SUBSCRIBE else prefixed(t)
                        ok = self._put(k, b, e)
                except (MemoryError, MQTTError) as x:  # it cannot be sent: reported once, removed, the rest go on
                    q.pop(0)
                    self.outgoing.pop(e[_PID], None)  # (if it had taken its packet id: free again)
                    if not isinstance(x, MQTTError):
                        x = MQTTError("out of memory for a %s" % ("%d-byte message" % len(e[_PAYLOAD])
                                                                  if k == _PUBLISH else
                                                                  "SUBSCRIBE" if k == _SUBSCRIBE else "UNSUBSCRIBE"))
                    self._done(e, x)
                    continue
                if not ok:
                    break
            q.pop(0)
            if k == _PUBLISH and not f & _QOS_BITS:
                self._done(e, None)

    def connect_packet(self):
        # a new connection: fresh buffers, CONNECT at the head of the output.
        # Options hold only what is set (see mqtt.connect).
        self._setbuf(bytearray(_RXBUF), 0)
        self._rx_size = _RXBUF
        self._setbuf(bytearray(_TXBUF), 1)
        self._tx_size = _TXBUF
        self._parsed = self._filled = self.unsent = self._skipping = 0
        self._pinned = None
        self.state = _CONNECTING
        self.connected = False
        o = self.options
        v = o["protocolVersion"]
        ka = self.keepalive = o["keepalive"]
        f = 2 if o["clean"] else 0
        b = prefixed(self.clientId)
        w = o.get("will")
        if w:
            f |= 4 | w.get("qos", 0) << 3 | (32 if w.get("retain") else 0)
            b += (self._v5 and self._will_props or b"") + prefixed(w["topic"]) + prefixed(w.get("payload") or b"")
        if "username" in o:
            f |= 128
            b += prefixed(o["username"])
        if "password" in o:
            f |= 64
            b += prefixed(o["password"])
        self._put(_CONNECT, prefixed(b"MQIsdp" if v == 3 else b"MQTT") + bytes((v, f, ka >> 8, ka & 255))
                  + (self._v5 and self._connect_props or b"") + b)

    # -- input

    def _setbuf(self, b, out):  # the receive (transmit: out) buffer, and a view of it for slices that copy once
        v = memoryview(b)  # (first: without the heap for it, nothing changed)
        if out:
            self.tx = b
            self._tx_view = v
        else:
            self._rx = b
            self._rx_view = v

    def buffer(self):  # where the next read goes (never empty once next_event() returned 0)
        return self._rx_view[self._filled :]

    def received(self, n):
        self._filled += n

    def handled(self, h, pid):
        # The message with fixed header h and packet id pid (as next_event()
        # gave them) is handled: its listeners returned. Only now is it
        # acknowledged (QoS 1: PUBACK, QoS 2: PUBREC), so a board that resets
        # inside a handler has not acknowledged what it never finished. A
        # zeroCopy payload's buffer may be written again.
        self._pinned = None
        q = h & _QOS_BITS
        if q == 4 and pid in self._qos2_ids:
            if self.journal and self._qos2_ids[pid] == 1:
                self.journal.received(pid)
            self._qos2_ids[pid] = 2  # (a resend is now acknowledged again)
        if q and self.state:  # (not into a connection that is gone: the broker sends it again)
            self._ack(_PUBACK if q == 2 else _PUBREC, pid)

    def next_event(self):
        # Parse the next complete packet, or return 0 once none is left (the
        # buffer then compacted, or grown for a packet larger than it).
        rx = self._rx
        i = self._parsed
        rn = self._filled
        need = 0  # size of the partial packet at i (or of its header, see below), when its header is complete
        mx = self.options["maximumPacketSize"]
        if self._skipping:  # the rest of an oversize PUBLISH: passed over as it streams by
            k = min(self._skipping, rn - i)
            self._skipping -= k
            i += k
        if self.state == _CONNECTING and rn > i and rx[i] != _H_CONNACK and (rx[i] != _H_AUTH or not self._v5):
            raise ProtocolError("not an MQTT server (got %r)" % bytes(rx[i : min(rn, i + 12)]))
        while rn - i > 1:
            j = i + 1
            m = s = 0
            c = 128
            while c > 127:
                if s > 21:
                    raise ProtocolError("remaining length over 4 bytes")
                if j == rn:
                    break
                c = rx[j]
                m |= (c & 127) << s
                s += 7
                j += 1
            if c > 127:
                break
            e = j + m
            if m > mx:
                if rx[i] >> 4 != _PUBLISH or self.state != _CONNECTED:
                    raise ProtocolError("packet of %d bytes over maximumPacketSize" % m)
                # Its header first, whatever the topic's length (up to 65,535
                # bytes): the buffer grows to hold it, to report the whole
                # topic and acknowledge the message by its packet id.
                h = min(e, j + 2 + (rx[j] << 8 | rx[j + 1]) + (rx[i] & _QOS_BITS and 2)) if rn - j > 1 else j + 2
                if rn < h:
                    need = h - i
                    break
                return self._oversize(rx[i], j, min(e, rn), m)
            if e > rn:
                need = e - i
                break
            self._parsed = e
            ev = self._packet(rx[i], j, e)
            if ev != _EV_PACKET:
                return ev
            i = self._parsed
            rx = self._rx
        # Out of complete packets: the partial one (if any) to the start of
        # the buffer. Its size doubles while reads fill it (more is waiting:
        # fewer, larger reads), up to _RXMAX; a packet larger than that size
        # gets a buffer of its own, given back once the packet is through.
        if rn == len(rx) == self._rx_size < _RXMAX:  # (a buffer sized for one packet fills by design)
            self._rx_size += self._rx_size
        n = max(self._rx_size, need)
        rn -= i
        # a new buffer for another size, or where a move would write under a zeroCopy payload's view
        if n != len(rx) or i and rx is self._pinned:
            try:
                b = bytearray(n)
                b[:rn] = self._rx_view[i : i + rn]
                self._setbuf(b, 0)
                i = 0
            except MemoryError:  # unless the packet or a view needs it, another size only saves reads or heap
                if need > len(rx) or rx is self._pinned:
                    raise
                if n > len(rx):
                    self._rx_size = len(rx)
        if i:  # (overlapping: a slice is copied with memmove, on MicroPython since 1.13)
            rx[:rn] = self._rx_view[i : i + rn]
        self._parsed = 0
        self._filled = rn
        return 0

    def _oversize(self, h, a, b, m):
        # A PUBLISH over maximumPacketSize, its header at a (complete, see
        # next_event), the buffer holding it up to b: acknowledged at once
        # (it is not delivered; 3.1.1 cannot tell the broker the limit, and
        # closing would bring it back), the rest skipped, reported as an error.
        rx = self._rx
        c = a + 2 + (rx[a] << 8 | rx[a + 1])  # the topic's end
        q = h & _QOS_BITS
        if c + (q and 2) > a + m:
            raise ProtocolError("malformed PUBLISH")
        self._skipping = a + m - b
        self._parsed = b
        if q:
            p = rx[c] << 8 | rx[c + 1]
            self._ack(_PUBACK if q == 2 else _PUBREC, p)
            if q == 4:  # its PUBREL is answered like any other's; a resend is not reported again
                if p in self._qos2_ids:
                    return _EV_PACKET
                self._qos2_ids[p] = 2
                if self.journal:
                    self.journal.received(p)
        self.event = MQTTError("message on '%s' of %d bytes over maximumPacketSize %d: dropped"
                               % (utf8(rx, a + 2, c) or "?", m, self.options["maximumPacketSize"]), 0x95)
        return EV_ERROR

    def _packet(self, h, a, b):
        t = h >> 4
        n = b - a
        rx = self._rx
        if t == _PUBLISH:
            return self._publish_in(h, a, b)
        if self._packet_hook:
            self._packet_hook(0, h, n > 1 and rx[a] << 8 | rx[a + 1], None, None)
        if n == 2 and (h == _H_PUBACK or h == _H_PUBREC or h == _H_PUBREL or h == _H_PUBCOMP):  # the acks: common
            p = rx[a] << 8 | rx[a + 1]
            if h != _H_PUBACK:
                return self._acked(t, p, None)
            e = self.outgoing.get(p)  # a PUBACK the short way: _acked's rule for it, without its call
            # (core_contract.py drives both ways with the same acks)
            if e and e[_KIND] == _PUBLISH and e[_FLAGS] & _QOS_BITS == 2:
                self._complete(p, None, None)
            return _EV_PACKET
        if h & 15 != (t == _PUBREL) << 1 or t == _CONNACK and self.state != _CONNECTING \
                or t == _PINGRESP and n or t < _CONNACK or t > _PINGRESP or t == _SUBSCRIBE \
                or t == _UNSUBSCRIBE or t == _PINGREQ:
            return self._other_in(h, a, b)
        if t == _PINGRESP:
            return _EV_PACKET
        pr = None
        if t == _CONNACK:
            if self._v5:
                pr = self._props_in(a + 2, b)[0]
            elif n != 2:
                return self._other_in(h, a, b)
            return self._connack_in(rx[a] & 1, rx[a + 1], pr)
        if n < 2:
            return self._other_in(h, a, b)
        p = rx[a] << 8 | rx[a + 1]
        if t < _SUBSCRIBE:
            return self._acked(t, p, None) if n == 2 else self._ack_in(t, p, a, b)
        j = a + 2
        if self._v5:
            pr, j = self._props_in(j, b)
        return self._suback_in(t, p, j, b, pr)

    def _other_in(self, h, a, b):  # hook: a packet out of place (MQTT 5: DISCONNECT and AUTH come here)
        raise ProtocolError("second CONNACK on one connection" if h == _H_CONNACK else
                            "bad packet: type %d flags %d length %d" % (h >> 4, h & 15, b - a))

    def _why(self, rc, props):  # hook: the text for a CONNACK's return code
        return ("unacceptable protocol version", "identifier rejected", "server unavailable",
                "bad user name or password", "not authorized")[rc - 1] if rc < 6 else str(rc)

    def _connack_in(self, sp, rc, pr):  # hook: CONNACK with session present, return code, MQTT 5 properties
        if rc:
            e = MQTTError("connection refused: " + self._why(rc, pr), rc)
            e.refused = 1
            raise e
        if self._v5:
            self._server(pr)
        self.state = _CONNECTED
        self.connected = True
        if not sp:  # no session on the broker: its QoS 2 ids are new, the subscriptions renewed first
            self._qos2_ids = {}
            if self.journal:
                self.journal.forgotten(None)
            g = {}  # one SUBSCRIBE per set of properties
            for t in self._subscriptions:
                o, p = self._subscriptions[t]
                g.setdefault(p, []).append((t, o))
            self.queue[:0] = [[_SUBSCRIBE, 0, g[p], None, 0, None, p, 0] for p in g]
        self.event = {"cmd": "connack", "sessionPresent": sp == 1, "returnCode": 0}
        if self._v5:
            self.event["reasonCode"] = 0
            self.event["properties"] = pr
        return EV_CONNACK

    def _ack_in(self, t, pid, a, b):  # hook: an ack longer than its packet id (MQTT 5: reason code, properties)
        return self._other_in(t << 4 | (t == _PUBREL) << 1, a, b)

    def _acked(self, t, pid, err):
        # PUBACK, PUBREC, PUBREL or PUBCOMP for pid; err: MQTT 5's refusal
        if t == _PUBREL:  # the QoS 2 message may now be forgotten
            if self._qos2_ids.pop(pid, None) and self.journal:
                self.journal.forgotten(pid)
            self._ack(_PUBCOMP, pid)
            return _EV_PACKET
        e = self.outgoing.get(pid)
        q = e and e[_KIND] == _PUBLISH and e[_FLAGS] & _QOS_BITS
        if t == _PUBREC:
            if e and (q == 4 or e[_KIND] == _PUBREL) and not err:
                e[_KIND] = _PUBREL
                if self.journal:
                    self.journal.released(e)
                self._ack(_PUBREL, pid)
                return _EV_PACKET
            if q != 4:
                return _EV_PACKET  # not a QoS 2 PUBLISH of ours: ignored, as mqtt.js does
        elif not e or (q != 2 if t == _PUBACK else e[_KIND] != _PUBREL):
            return _EV_PACKET  # a PUBACK ends only a QoS 1 PUBLISH, a PUBCOMP only a PUBREL
        return self._complete(pid, err, None)

    def _complete(self, pid, err, granted):  # the request in flight as pid is done
        e = self.outgoing.pop(pid)
        if self._one_by_one:
            self._one_by_one -= 1
        self._done(e, err, granted)
        return _EV_PACKET

    def _suback_in(self, t, pid, j, b, pr):
        # SUBACK: a return code per filter; MQTT 5 UNSUBACK too (3.1.1's has none)
        rx = self._rx
        e = self.outgoing.get(pid)
        if not e or e[_KIND] != t - 1:
            return _EV_PACKET
        ts = e[_TOPIC]
        if b - j != (len(ts) if t == _SUBACK or self._v5 else 0):
            raise ProtocolError("bad %s: %d codes for %d filters" % ("SUBACK" if t == _SUBACK else "UNSUBACK",
                                                                    b - j, len(ts)))
        g = [] if t == _SUBACK else None
        bad = []
        for i in range(len(ts)):
            c = rx[j + i] if b > j else 0
            tp = ts[i][0] if g is not None else ts[i]
            if g is not None:
                g.append({"topic": tp, "qos": c})
            if c > 127:
                bad.append(tp)
                rc = c
            elif g is not None:
                self._subscriptions[tp] = (ts[i][1], e[_PROPS])
            else:  # unsubscribed: not renewed after a reconnect
                self._subscriptions.pop(tp, None)
        err = None
        if bad:
            s = "%s '%s' refused by broker" % ("subscription to" if g is not None else "unsubscribe from",
                                               "', '".join(bad))
            err = MQTTError(s + ": " + self._why(rc, pr) if self._v5 else s, rc)
        return self._complete(pid, err, g)

    def _publish_in(self, h, a, b):
        rx = self._rx
        q = h & _QOS_BITS
        c = a + 2 + (rx[a] << 8 | rx[a + 1]) if b - a > 1 else b + 1
        if q > 4 or c + (2 if q else 0) > b:
            raise ProtocolError("malformed PUBLISH")
        t = self._topic_bytes
        if t is not None and c - a - 2 == len(t) and rx.startswith(t, a + 2):
            t = self._topic_str
        else:
            t = utf8(rx, a + 2, c)
            if t is None:
                raise ProtocolError("topic not valid UTF-8, or with U+0000")
            self._topic_bytes = bytes(self._rx_view[a + 2 : c])
            self._topic_str = t
        p = 0
        if q:
            p = rx[c] << 8 | rx[c + 1]
            c += 2
            if not p:
                raise ProtocolError("PUBLISH with packet id 0")
        pr = None
        if self._v5:
            t, pr, c = self._publish_props(t, c, b)
        elif not t:
            raise ProtocolError("PUBLISH without a topic")
        if self._packet_hook:
            self._packet_hook(0, h, p, t, bytes(self._rx_view[c:b]))
        if q == 4:
            if p in self._qos2_ids:  # exactly once: delivered already, PUBREL not yet seen
                if self._qos2_ids[p] == 2:  # (handled: acknowledged again; else handled() will)
                    self._ack(_PUBREC, p)
                return _EV_PACKET
            if len(self._qos2_ids) >= _QOS2_MAX:
                raise ProtocolError("more than %d QoS 2 messages awaiting PUBREL" % _QOS2_MAX)
            self._qos2_ids[p] = 1
        m = self.message  # (one list, refilled: an attribute each would crowd the instance's table)
        m[0] = t
        if self._zero_copy:
            m[1] = self._rx_view[c:b]
            self._pinned = rx
        else:
            m[1] = bytes(self._rx_view[c:b])
        m[2] = h
        m[3] = p
        m[4] = pr
        return EV_MESSAGE
