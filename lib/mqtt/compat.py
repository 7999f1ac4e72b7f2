# MicroPython-only names, taken from the runtime when it has them. On a board
# this module is a few imports; the CPython stand-ins live in _cpy.py.
try:
    from time import ticks_us, ticks_ms, ticks_diff, ticks_add
    from micropython import const
    from sys import print_exception, stderr

    def print_exc(e):  # a traceback, on stderr as CPython's
        print_exception(e, stderr)

    MPY = 1
except ImportError:
    from ._cpy import *  # noqa: F401,F403
