# Background driver: keeps every client and timer going while the program
# does something else (an idle REPL, a sleep), so callbacks fire without a
# loop of yours. It stands aside while the program drives with run() or loop().
#   boards (machine.Timer): started by the first connect(); the timer
#   schedules a step in the main thread (micropython.schedule), skipped while
#   the program is inside the client. Never started: mqtt.driver.enabled = False.
#   unix port, CPython: start() (automatic in an interactive CPython session)
#   runs a thread that steps under a lock the client's calls then take.
# Off: mqtt.driver.stop(). While it runs, the client's entry points are
# wrapped with its guard; the client itself knows nothing of it.
import sys
import time
from . import client as _c
from .compat import ticks_ms, ticks_diff, print_exc, MPY

PERIOD = 20  # ms between steps
IDLE = 500  # ms without run()/loop() before the driver takes over
enabled = True
_on = [None]  # the machine.Timer, or the thread's [running] flag
_g = [None]  # the guard while running
_last = [0]  # when run()/loop() last drove
_saved = {}  # the client's functions the driver wraps, to put back


class _Guard:
    # Reentrant: a callback run by a step may call into the client again.
    def __init__(self, lock):
        self.lock = lock  # None: steps run in the main thread, no lock needed
        self.owner = None
        self.depth = 0

    def enter(self):
        if self.lock:
            me = _ident()
            if self.owner != me:
                self.lock.acquire()
                self.owner = me
        self.depth += 1

    def exit(self):
        self.depth -= 1
        if not self.depth and self.lock:
            self.owner = None
            self.lock.release()


def _guarded(f, mark=0):
    def w(*a, **k):
        if mark:  # the program drives: stand aside
            _last[0] = ticks_ms()
        g = _g[0]
        g.enter()
        try:
            return f(*a, **k)
        finally:
            g.exit()

    return w


def _tick(_=None):
    g = _g[0]
    if not g or not g.lock and g.depth:  # the program is inside the client: next time
        return
    if ticks_diff(ticks_ms(), _last[0]) < IDLE:  # run() or loop() drive
        return
    if not (_c._clients or _c._timers or _c._later):
        return stop()
    g.enter()
    try:
        _saved["_drive"](_c._all)
    finally:
        g.exit()


def _thread_loop(on):
    sleep = getattr(time, "sleep_ms", None) or (lambda ms: time.sleep(ms / 1000))
    while on[0]:
        sleep(PERIOD)
        try:
            _tick()
        except Exception as e:
            print_exc(e)


def _timer():
    try:
        from machine import Timer

        return Timer
    except ImportError:
        return None


def auto():  # from connect(): where a background driver costs next to nothing, or is wanted
    if enabled and (_timer() or not MPY and hasattr(sys, "ps1")):  # (MicroPython always has ps1)
        start()


def _wrap(g):
    _g[0] = g
    C = _c.Client
    for k in ("publish", "_enq", "end"):
        _saved[k] = getattr(C, k)
        setattr(C, k, _guarded(_saved[k]))
    C.close = C.end
    for k in ("_drive", "_idle"):  # the program drives (or waits in run()/loop())
        _saved[k] = getattr(_c, k)
        setattr(_c, k, _guarded(_saved[k], 1))


def start():
    if _on[0]:
        return
    Timer = _timer()
    if Timer:
        from micropython import schedule

        _wrap(_Guard(None))

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

        global _ident
        _ident = _thread.get_ident
        _wrap(_Guard(_thread.allocate_lock()))
        on = _on[0] = [1]
        _thread.start_new_thread(_thread_loop, (on,))


def stop():
    on = _on[0]
    _on[0] = None
    if not on:
        return
    g = _g[0]
    if isinstance(on, list):
        on[0] = 0
    else:
        on.deinit()
    g.enter()  # a step under way finishes first
    C = _c.Client
    for k in ("publish", "_enq", "end"):
        setattr(C, k, _saved[k])
    C.close = C.end
    _c._drive = _saved["_drive"]
    _c._idle = _saved["_idle"]
    _g[0] = None
    g.exit()


def running():
    return bool(_on[0])


_c._auto.append(auto)
