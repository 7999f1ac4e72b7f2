# A TCP socket to the broker as a plain Python byte stream, as a UART
# driver would give one (option stream): stream_link.py, aio_stream.py.
import sys

MPY = sys.implementation.name == "micropython"


class Plain:
    # a byte stream as a UART driver would give it: non-blocking readinto and
    # write (a count or None), close(); not pollable. dead: it goes silent
    # (what is written is lost, nothing comes), as a UART whose far end stopped.
    dead = False

    def __init__(self, s):
        self.s = s

    def readinto(self, b):
        if self.dead:
            return None
        if MPY:
            return self.s.readinto(b)
        try:
            return self.s.recv_into(b)
        except BlockingIOError:
            return None

    def write(self, b):
        if self.dead:
            return len(b)
        if MPY:
            return self.s.write(b)
        try:
            return self.s.send(b)
        except BlockingIOError:
            return None

    def close(self):
        self.s.close()
