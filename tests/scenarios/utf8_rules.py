# mqtt.core.utf8(b, a, c) on byte vectors, for tests/test_utf8.py on either
# runtime. MicroPython's own decoder takes what CPython's refuses (overlong
# forms, surrogates, code points above U+10FFFF), so there utf8()'s own rules
# are what refuses them.
# env VECTORS: "HEX:A:C ..." (b, a, c); prints a line per vector, its index
# and None or the code points of the str utf8() returned, then OK.
import os

from mqtt.core import utf8

for i, v in enumerate(os.getenv("VECTORS").split()):
    h, a, c = v.split(":")
    s = utf8(bytes.fromhex(h), int(a), int(c))
    if s is None:
        print(i, "None")
    else:
        print(i, type(s).__name__, " ".join("%x" % ord(ch) for ch in s))
print("OK")
