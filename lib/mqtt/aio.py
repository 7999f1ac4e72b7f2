# mqtt.aio: the client under asyncio (MicroPython's and CPython's), an
# adapter over the same client (optional: `import mqtt` does not load it).
#   c = await mqtt.aio.connect("mqtt://broker.local", {"clientId": "a"})
#   granted = await c.subscribe("home/#", {"qos": 1})
#   await c.publish("home/x", b"21.5", {"qos": 1})  # returns once acknowledged
#   async for topic, payload, packet in c.messages(): ...
#   await c.end()
# One task waits for each client's input (its socket's readiness, through
# asyncio) and steps that client; one drives timers and deadlines
# (keepalive, back-off, mqtt.setTimeout) and sleeps until the next one, or
# until the program asks for something. Nothing polls at a fixed interval,
# except while a connection opens or a full socket holds output back
# (asyncio has no public wait for a writable socket on MicroPython).
import asyncio
from . import connect as _connect
from . import client as _c
from .core import MQTTError
from .compat import MPY, ticks_ms, ticks_us, ticks_diff

_mine = []  # the AsyncClients running
_task = [None, 0, 0]  # the driver's task; it sleeps; a kick woke it
_SHORT = 10  # ms between steps while a connection opens or output waits for a full socket
_TICK = 5  # ms between reads of a stream poll() cannot take
_SPIN_US = 200  # how long an awaited request spins for its reply before it sleeps (see _ask)
_spin = [1]  # the last spin caught its reply: spin again


def _kick():
    # The driver steps again now (a request, a new deadline): its sleep is
    # cancelled, which holds nothing while it sleeps (a wait_for would hold a task)
    t = _task
    if t[1] and not t[2]:
        try:
            if t[0] is asyncio.current_task():
                return
        except RuntimeError:  # no loop runs (asyncio.run() returned): the driver went with it
            t[0] = _c.waker = None
            t[1] = 0
            return
        t[2] = 1
        t[0].cancel()


async def _sleep(ev, ms):  # until ev is set, or ms passed
    try:
        if MPY:
            await asyncio.wait_for_ms(ev.wait(), ms)
        else:
            await asyncio.wait_for(ev.wait(), ms / 1000)
    except asyncio.TimeoutError:
        pass


if MPY:
    _NONE = bytearray(0)

    async def _readable(stream, _):  # until its socket has input (a 0-byte read consumes none)
        await stream.readinto(_NONE)
else:
    async def _readable(sock, a):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        fd = sock.fileno()
        loop.add_reader(fd, lambda: fut.done() or fut.set_result(None))
        a._fd = fd
        try:
            await fut
        finally:
            if a._fd == fd:
                a._fd = None
                loop.remove_reader(fd)


async def _drive():
    # Every client's and timer's step, then sleep until the next deadline
    # (or until _kick(): a watcher, a request or a new timer)
    t = _task
    try:
        while _mine or _c.busy():
            t[2] = 0
            w = _c.step_all(ticks_ms(), 1, 60000)
            for a in _mine[:]:
                w = min(w, a._tend())
            t[1] = 1
            try:
                await (asyncio.sleep_ms(w) if MPY else asyncio.sleep(w / 1000))
            except asyncio.CancelledError:
                if not t[2]:  # not a kick: the program's own cancel
                    raise
                if not MPY:
                    t[0].uncancel()
            t[1] = 0
    finally:
        t[0] = _c.waker = None
        t[1] = 0


def _start():
    t = _task[0]
    if t and not MPY and (t.done() or t.get_loop() is not asyncio.get_running_loop()):
        _task[0] = None  # (a driver of an earlier asyncio.run())
    if not _task[0]:
        _c.waker = _kick
        _task[0] = asyncio.create_task(_drive())
    _kick()


class AsyncClient:
    def __init__(self, client, queue_len):
        self.client = client  # the mqtt.js-style client underneath
        self._qmax = queue_len
        self._queue = []  # messages for messages(), at most queue_len
        self._got = asyncio.Event()  # a message came, or the client ended
        self._room = None  # an asyncio.Event while messages() is full: set when there is room
        self._reader = None  # the task waiting for input, and the socket it waits on
        self._sock = None
        self._fd = None  # (CPython: the fd registered with the loop)
        self._ended = False
        self._connack = None  # [event, result] while connect() waits
        self.connack = None  # the first connection's CONNACK (sessionPresent, MQTT 5 properties)
        client.on("end", self._end_event)
        client.on("close", self._unwatch)
        if queue_len:
            client.on("message", self._message)

    # -- events, as the client's

    def on(self, name, fn):
        self.client.on(name, fn)
        return self

    def once(self, name, fn):
        self.client.once(name, fn)
        return self

    def off(self, name, fn):
        self.client.off(name, fn)
        return self

    @property
    def connected(self):
        return self.client.connected

    # -- requests

    async def publish(self, topic, message, options=None):
        # returns once the broker has it (QoS 0: once written); MQTTError where the callback would have had one
        await self._ask(self.client.publish, (topic, message, options))

    async def subscribe(self, topic, options=None):  # the granted list
        return await self._ask(self.client.subscribe, (topic, options))

    async def unsubscribe(self, topic, options=None):
        await self._ask(self.client.unsubscribe, (topic, options))

    async def _ask(self, call, args):
        # call(*args, callback), then wait for the callback: its error raised,
        # else its granted list. A wait that is cancelled leaves the request
        # to the client, its error (if any) told once as an 'error' event.
        got = []
        ev = asyncio.Event()
        c = self.client

        def done(err, granted=None):
            got.append((err, granted))
            ev.set()
            if err and not waiting:  # nobody awaits it any more: said here, once
                c.post("error", err)

        waiting = [1]
        call(*(args + (done,)))
        if c.unsent:  # (what the socket did not take: the driver writes it when it can)
            _kick()
        try:
            # The reply on a fast link comes sooner than a sleeping poll wakes
            # up: spin (yielding, so the loop polls the sockets) for up to
            # _SPIN_US, as mqtt.run() does; a spin that misses stops spinning
            # until a wait shows the link fast again.
            if _spin[0]:
                t = ticks_us()
                while not got:
                    await asyncio.sleep(0)
                    if not got and ticks_diff(ticks_us(), t) >= _SPIN_US:
                        _spin[0] = 0
                        break
            if not got:
                t = ticks_us()
                await ev.wait()
                if ticks_diff(ticks_us(), t) < _SPIN_US:
                    _spin[0] = 1
        except BaseException:  # (cancelled)
            waiting.pop()
            raise
        err, granted = got[0]
        if err:
            raise err
        return granted

    async def end(self, force=False, options=None):
        # end() as the client's; returns once it ended (what never completed is reported first)
        ev = asyncio.Event()
        self.client.end(force, options, ev.set)
        _kick()
        await ev.wait()

    close = end

    async def reconnect(self):
        self.client.reconnect()
        _kick()

    def messages(self):  # (topic, payload, packet) as they came, until the client ends
        return self

    def __aiter__(self):
        return self

    async def __anext__(self):
        while not self._queue:
            if self._ended:
                raise StopAsyncIteration
            self._got.clear()
            await self._got.wait()
        m = self._queue.pop(0)
        c = self.client
        if not c.reading and not self._queue:  # room again: reads and parses at once, refilling it
            c.reading = True
            if self._room:
                self._room.set()
            c.loop(0)  # what was read and not yet parsed first, then what waits in the socket
        return m

    # -- the driver's side

    def _message(self, topic, payload, packet):
        q = self._queue
        if not q:  # (a consumer waits only on an empty queue)
            self._got.set()
        q.append((topic, payload, packet))
        if len(self._queue) >= self._qmax:  # full: the client stops reading, TCP pushes back
            self.client.reading = False

    def _end_event(self):
        self._ended = True
        self._got.set()
        self._unwatch()
        if self in _mine:
            _mine.remove(self)
        if self._connack and not self._connack[1]:
            self._connack[1] = MQTTError("client ended")
            self._connack[0].set()

    def _unwatch(self):  # stop waiting on the socket (the client closes it)
        t = self._reader
        self._reader = self._sock = None
        try:
            if self._fd is not None:  # (CPython: off the loop's selector while the fd is still this one)
                asyncio.get_event_loop().remove_reader(self._fd)
            if t and t is not asyncio.current_task():  # (the watcher's own step closed it: it ends by itself)
                t.cancel()
        except RuntimeError:  # no loop runs (asyncio.run() returned): nothing waits any more
            pass
        self._fd = None

    def _tend(self):
        # After a step of the driver: a watcher on the current socket; ms the
        # driver may sleep for this client
        c = self.client
        s = c.socket()
        if s is not self._sock:
            self._unwatch()
            if s is not None:
                self._sock = s
                self._reader = asyncio.create_task(self._watch(s))
        if c.unsent:  # output the socket did not take yet (or a connection that opens)
            c.drain()
        if s is None and c.state:  # a stream poll() cannot take (socket() None): read every few ms
            c.loop(0)
            return _TICK
        return _SHORT if c.unsent or c.state == 1 else 60000  # (1: connecting)

    async def _watch(self, sock):
        # input on sock: this client's step (reads, dispatches, writes); then
        # the driver recomputes the deadlines the input moved
        c = self.client
        w = asyncio.StreamReader(sock) if MPY else sock  # (what _readable waits on)
        try:
            while self._sock is sock:
                if not c.reading:  # messages() is full: wait for room, not for input
                    e = self._room = asyncio.Event()
                    await e.wait()
                    self._room = None
                    continue
                await _readable(w, self)
                if self._sock is not sock:
                    return
                up = c.connected
                c.loop(0)
                if c.connected != up or c.unsent:  # deadlines moved (keepalive, back-off), or output waits
                    _kick()
        except asyncio.CancelledError:
            pass


async def connect(url=None, options=None, queue_len=32, **kw):
    # mqtt.connect()'s arguments; returns once CONNACK came. A refusal, or no
    # CONNACK within connectTimeout (retrying meanwhile), raises MQTTError
    # and ends the client. queue_len: messages() holds up to that many
    # (then the client stops reading until there is room); 0: listeners only.
    if not isinstance(queue_len, int) or queue_len < 0:
        raise ValueError("queue_len must be an integer >= 0")
    o = dict(options or {}) if not isinstance(url, dict) else dict(url)
    if isinstance(url, dict):
        url = None
    o["manualConnect"] = True
    c = _connect(url, o, **kw)
    a = AsyncClient(c, queue_len)
    ca = a._connack = [asyncio.Event(), None]
    errs = []

    def up(connack):
        ca[1] = connack
        ca[0].set()

    def error(err):  # a refusal, or a failure that is not retried, ends the wait
        errs.append(err)
        if getattr(err, "refused", 0) and not c.options.get("reconnectOnConnackError") \
                or not c.options["reconnectPeriod"]:
            ca[1] = err
            ca[0].set()

    c.once("connect", up)
    c.on("error", error)
    _mine.append(a)
    _start()  # (first: the client's connect() then finds the loop driving, no background driver)
    c.connect()
    await _sleep(ca[0], c.options["connectTimeout"])
    c.off("error", error)
    a._connack = None
    r = a.connack = ca[1]  # (the first CONNACK, as the 'connect' event had it)
    if not isinstance(r, dict):
        err = r or MQTTError("connect timeout: no connection within %d ms%s"
                             % (c.options["connectTimeout"], ": " + str(errs[-1]) if errs else ""))
        c.end(True)
        _kick()
        raise err
    return a
