# CPython stand-ins for MicroPython's names (never frozen into a board).
import time
import traceback

MPY = 0
_MASK = 0x3FFFFFFF  # MicroPython's ticks period is 2**30 ms on every port


def const(x):
    return x


def ticks_ms():
    return int(time.monotonic() * 1000) & _MASK


def ticks_add(t, d):
    return (t + d) & _MASK


def ticks_diff(a, b):
    return ((a - b + 0x20000000) & _MASK) - 0x20000000


def print_exc(e):
    traceback.print_exception(type(e), e, e.__traceback__)
