# Background driver: keeps every client and timer going while the program
# does something else (an idle REPL, a sleep), so callbacks fire without a
# loop of yours. It stands aside while the program drives with run() or loop().
#   boards (machine.Timer): started by the first connect(); the timer
#   schedules a step in the main thread (micropython.schedule), skipped while
#   the program is inside the client. Never started: mqtt.driver.enabled = False.
#   unix port, CPython: start() (automatic in an interactive CPython session)
#   runs a thread that steps under a lock the client's calls then take.
# Off: mqtt.driver.stop(). While it runs, its guard is client.guard: every
# entry point of the client goes through guard.call().
import time
from . import client as _c
from .compat import ticks_ms, ticks_diff, print_exc

PERIOD = 20  # ms between steps
IDLE = 500  # ms without run()/loop() before the driver takes over
enabled = True
_on = [None]  # the machine.Timer, or the thread's [running] flag


class Guard:
    # Reentrant: a callback run by a step may call into the client again.
    def __init__(self, lock, ident):
        self.lock = lock  # None: steps run in the main thread, no lock needed
        self.ident = ident
        self.owner = None
        self.depth = 0
        self.last = 0  # when run()/loop() last drove

    def outside(self):  # the calling code is not inside the client yet
        return not self.depth or self.lock and self.owner != self.ident()

    def call(self, f, *a):
        lock = self.lock
        if lock:
            me = self.ident()
            if self.owner != me:
                lock.acquire()
                self.owner = me
        self.depth += 1
        try:
            return f(*a)
        finally:
            self.depth -= 1
            if not self.depth and lock:
                self.owner = None
                lock.release()

    def drive(self):  # the program drives: stand aside
        self.last = ticks_ms()


def _tick(_=None):
    g = _c.guard
    if not g or not g.lock and g.depth:  # the program is inside the client: next time
        return
    if ticks_diff(ticks_ms(), g.last) < IDLE:  # run() or loop() drive
        return
    if not _c.busy():
        return stop()
    g.call(_c.step_all, ticks_ms())


def _thread_loop(on):
    sleep = getattr(time, "sleep_ms", None) or (lambda ms: time.sleep(ms / 1000))
    while on[0]:
        sleep(PERIOD)
        try:
            _tick()
        except Exception as e:
            print_exc(e)


def auto():  # from connect(), where the client found it can start by itself
    if enabled:
        start()


def start():
    if _on[0]:
        return
    try:
        from machine import Timer
    except ImportError:
        Timer = None
    if Timer:
        from micropython import schedule

        _c.guard = Guard(None, None)

        def irq(t):
            try:
                schedule(_tick, 0)
            except RuntimeError:  # schedule queue full: the next period will do
                pass

        try:
            t = Timer(-1)  # a virtual timer where the port has them
        except (ValueError, TypeError):
            t = Timer(0)
        t.init(period=PERIOD, mode=Timer.PERIODIC, callback=irq)
        _on[0] = t
    else:
        import _thread

        _c.guard = Guard(_thread.allocate_lock(), _thread.get_ident)
        on = _on[0] = [1]
        _thread.start_new_thread(_thread_loop, (on,))


def stop():
    on = _on[0]
    _on[0] = None
    if not on:
        return
    if isinstance(on, list):
        on[0] = 0
    else:
        on.deinit()
    # a step under way finishes first
    _c.guard.call(_off)


def _off():
    _c.guard = None


def running():
    return bool(_on[0])
