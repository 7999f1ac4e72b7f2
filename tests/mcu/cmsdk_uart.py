# The emulated board's UART1 (qemu mps2-an385): the CMSDK APB UART at
# 0x40005000 driven through machine.mem32 (the port has no machine.UART), as
# a stream for the client's option stream. A plain Python object: the loop
# reads it at every step. (tests/test_mcu.py puts this file before a script
# pyboard.py runs; mpremote's mount makes it importable.)
from machine import mem32


class CmsdkUart:
    # DATA +0, STATE +4 (bit 0: TX full, bit 1: RX has a byte), CTRL +8 (3: TX and RX on).
    # One byte of receive buffer: a read waits a few polls for the next byte
    # (the emulator hands them over one at a time) before it calls the input done.
    dead = False  # the link goes silent: what is written is lost, nothing comes

    def __init__(self, base=0x40005000):
        self.b = base
        mem32[base + 8] = 3

    def drain(self):  # what the link holds from before: dropped
        s = self.b + 4
        while mem32[s] & 2:
            mem32[self.b]

    def readinto(self, buf):
        if self.dead:
            return None
        s, d = self.b + 4, self.b
        n = k = 0
        m = len(buf)
        while n < m:
            if mem32[s] & 2:
                buf[n] = mem32[d]
                n += 1
                k = 0
            else:
                k += 1
                if k > 40:
                    break
        return n or None

    def write(self, buf):
        if self.dead:
            return len(buf)
        s, d = self.b + 4, self.b
        n = 0
        for x in buf:
            if mem32[s] & 1:
                break
            mem32[d] = x
            n += 1
        return n or None
