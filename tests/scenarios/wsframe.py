# A WebSocket frame as a server sends it, for the tests: tests/wsfake.py's
# server (CPython) and ws_frames.py's sans-IO checks (both runtimes).


def frame(op, payload=b"", fin=True, rsv=0, masked=False, form=None):
    """A frame as a server sends it (masked=True: as no server may); form: the
    length's encoding (0, 126, 127), the shortest by default."""
    n = len(payload)
    if form is None:
        form = 0 if n < 126 else 126 if n < 65536 else 127
    h = bytearray([(128 if fin else 0) | rsv | op])
    m = 128 if masked else 0
    if form == 0:
        h.append(m | n)
    elif form == 126:
        h += bytes([m | 126, n >> 8, n & 255])
    else:
        h.append(m | 127)
        h += n.to_bytes(8, "big")
    if masked:
        h += b"\x11\x22\x33\x44"
        payload = bytes(x ^ b"\x11\x22\x33\x44"[i % 4] for i, x in enumerate(payload))
    return bytes(h) + payload
