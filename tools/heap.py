#!/usr/bin/env python3
"""The heap the README's Use example needs on each route onto a board (make heap).

    python tools/heap.py            # measure, print the table
    python tools/heap.py --write    # ... and write it into README.md, between its markers
    python tools/heap.py --json

For each route, the smallest MicroPython heap (`micropython -X heapsize=`, 1 KiB
steps, then the smallest that passes three times running) at which README.md's
first Python block runs against a private mosquitto: import mqtt, connect,
subscribe, publish, the message back, end. The block runs as written, with the
broker's address put in and one line in front, `import mqtt.driver`: a board's
first connect loads the background driver (it has machine.Timer; the unix port
has not, so it would not load it by itself).

    .py     lib/ as source, what `mip install` of package.json copies: compiled
            on the board at import, in its heap
    .mpy    the ESP32_GENERIC board's compiled set (make mip, make deploy):
            bytecode, loaded into the heap at import
    frozen  the package frozen into the firmware (make firmware): its bytecode
            stays in flash

32-bit (a board's word size): every route on firmware/UNIX32/micropython, the
unix port built for i686 with the package frozen in (make firmware BOARD=UNIX
BITS=32 MICROPY_DIR=...; or FROZEN32_MICROPYTHON=/path). 64-bit: .py and .mpy
on the venv's micropython, frozen on firmware/UNIX/micropython (make firmware
BOARD=UNIX MICROPY_DIR=...; or FROZEN_MICROPYTHON=/path). A binary that is
missing is skipped, and the output says so; --write then keeps README.md's
figures for it, and says so under the table. tests/test_readme.py checks
the README's figures where their binary is here: the example runs at each,
and not at 90 % of it.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import boards  # noqa: E402
import size  # noqa: E402

README = os.path.join(ROOT, "README.md")
BEGIN = "<!-- make heap writes this table (tools/heap.py); tests/test_readme.py checks it -->"
END = "<!-- end of make heap's table -->"
ROUTES = (".py", ".mpy", "frozen")
BITS = ("32", "64")
STAGED = "ESP32_GENERIC"  # the .mpy route's set: what make mip / make deploy give an ESP32
PRELUDE = "import mqtt.driver  # (a board's first connect loads it)\n"
OK = "home/kitchen/temp b'21.5'"  # what the example prints
K = 1024


def example(readme=README):
    """The README's Use example: its first Python block."""
    with open(readme) as f:
        return re.findall(r"^```python\n(.*?)^```", f.read(), re.S | re.M)[0]


def script(port, readme=README):
    src = example(readme)
    assert "broker.local:1883" in src, "the Use example no longer names broker.local:1883"
    return PRELUDE + src.replace("broker.local:1883", "127.0.0.1:%d" % port)


def binaries():
    """{bits: {route: executable}} and the notes on what is missing."""
    notes = []
    found = {"32": {}, "64": {}}
    venv = size.find_tool("micropython")
    if venv:
        found["64"][".py"] = found["64"][".mpy"] = venv
    else:
        notes.append("64-bit .py and .mpy: no micropython next to %s nor on PATH (make venv)" % sys.executable)
    for bits, var, how in (("32", "FROZEN32_MICROPYTHON", "make firmware BOARD=UNIX BITS=32 MICROPY_DIR=..."),
                           ("64", "FROZEN_MICROPYTHON", "make firmware BOARD=UNIX MICROPY_DIR=...")):
        p = os.environ.get(var) or os.path.join(ROOT, "firmware", "UNIX" + ("32" if bits == "32" else ""),
                                                "micropython")
        if not (os.path.isfile(p) and os.access(p, os.X_OK)):
            shown = os.path.relpath(p, ROOT) if os.path.abspath(p).startswith(ROOT + os.sep) else p
            notes.append("%s-bit%s: no frozen unix binary at %s (%s, or %s=/path)"
                         % (bits, "" if bits == "32" else " frozen", shown, how, var))
            continue
        r = subprocess.run([p, "-c", "import sys; print(sys.maxsize > 1 << 32)"], capture_output=True, text=True,
                           timeout=20)
        if ("True" in r.stdout) != (bits == "64"):
            notes.append("%s is not a %s-bit binary" % (p, bits))
            continue
        found[bits]["frozen"] = p
        if bits == "32":
            found[bits][".py"] = found[bits][".mpy"] = p
    return found, notes


def describe(exe):
    """MicroPython's version, and the build: "1.29.0-preview, v1.29.0-preview.731.g1c3c201149"."""
    r = subprocess.run([exe, "-c", "import sys; v = sys.implementation.version; "
                        "print('%d.%d.%d' % v[:3] + ('-' + v[3] if len(v) > 3 and v[3] else ''), "
                        "sys.version.split('MicroPython ')[-1].split(' ')[0])"],
                       capture_output=True, text=True, timeout=20)
    v = r.stdout.split()
    return "MicroPython %s, build %s" % (v[0], v[1]) if len(v) == 2 else "?"


class Runner:
    """Runs the example in a folder of its own, made with tempfile (its name's length is fixed): the
    heap a run needs moves by a few bytes with the length of the paths in it (the script's folder is
    sys.path[0], tried first at each import), and a figure measured here is checked here again."""

    def __init__(self, port, readme=README):
        self.tmp = tempfile.mkdtemp(prefix="heap-")
        with open(os.path.join(self.tmp, "kitchen.py"), "w") as f:
            f.write(script(port, readme))
        src = os.path.join(self.tmp, "py")  # lib/ as mip copies it (package.json's list)
        with open(os.path.join(ROOT, "package.json")) as f:
            for dst, rel in json.load(f)["urls"]:
                os.makedirs(os.path.dirname(os.path.join(src, dst)), exist_ok=True)
                shutil.copy(os.path.join(ROOT, rel), os.path.join(src, dst))
        mpy = os.path.join(self.tmp, "mpy")
        boards.stage(STAGED, mpy)
        self.paths = {".py": src, ".mpy": mpy, "frozen": ".frozen"}

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def ok(self, exe, route, kib):
        """Does the example run with a heap of kib KiB?"""
        try:
            r = subprocess.run([exe, "-X", "heapsize=%dK" % kib, "kitchen.py"], cwd=self.tmp, capture_output=True,
                               text=True, timeout=30, env=dict(os.environ, MICROPYPATH=self.paths[route]))
        except subprocess.TimeoutExpired:
            return False
        return r.returncode == 0 and OK in r.stdout

    def least(self, exe, route, lo=2, hi=1024):
        """The smallest heap, in KiB, at which it runs (three times running)."""
        if not self.ok(exe, route, hi):
            raise RuntimeError("%s, %s: the example does not run even with %d K" % (exe, route, hi))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.ok(exe, route, mid):
                hi = mid
            else:
                lo = mid
        while not (self.ok(exe, route, hi) and self.ok(exe, route, hi)):
            hi += 1
        return hi


def measure():
    from broker import Broker

    found, notes = binaries()
    res = {"kib": {b: {} for b in BITS}, "binaries": {}, "notes": notes, "staged": STAGED}
    b = Broker().start()
    run = None
    try:
        run = Runner(b.port)
        for bits in BITS:
            for route in ROUTES:
                exe = found[bits].get(route)
                if exe:
                    res["kib"][bits][route] = run.least(exe, route)
                    res["binaries"]["%s %s" % (bits, route)] = [os.path.relpath(exe, ROOT), describe(exe)]
    finally:
        b.stop()
        if run:
            run.close()
    return res


WHAT = {".py": ("`mpremote mip install package.json`", "`.py` source, compiled at import"),
        ".mpy": ("`make mip`, `make deploy`", "`.mpy` bytecode, loaded at import"),
        "frozen": ("`make firmware`", "bytecode frozen in flash")}


def table(res):
    """The README's table (markdown, between the markers), or None when a figure is missing."""
    k = res["kib"]
    if any(r not in k[b] for b in BITS for r in ROUTES):
        return None
    lines = [BEGIN, "", "| route | on the board | heap it needs, 32-bit | 64-bit |", "| --- | --- | ---: | ---: |"]
    for r in ROUTES:
        lines.append("| %s | %s | %d K | %d K |" % (WHAT[r] + (k["32"][r], k["64"][r])))
    bins = dict((k, "`%s` (%s)" % tuple(v)) for k, v in res["binaries"].items())
    lines += ["", "The smallest heap (`-X heapsize`; K = 1,024 B) at which it runs on the unix port, with `import "
              "mqtt.driver` in front (a board's first connect loads the background driver): 32-bit on %s; 64-bit "
              "on %s, frozen on %s." % (bins["32 .py"], bins["64 .py"], bins["64 frozen"]), "", END]
    return "\n".join(lines)


def parse(text):
    """{bits: {route: KiB}} from the README's table."""
    if BEGIN not in text or END not in text:
        return None
    t = text[text.index(BEGIN):text.index(END)]
    out = {b: {} for b in BITS}
    for r in ROUTES:
        m = re.search(r"^\| %s \| [^|]+ \| (\d+) K \| (\d+) K \|$" % re.escape(WHAT[r][0]), t, re.M)
        if m:
            out["32"][r], out["64"][r] = int(m.group(1)), int(m.group(2))
    return out


KEPT = {"32 .py": "firmware/UNIX32/micropython", "64 .py": ".venv/bin/micropython",
        "64 frozen": "firmware/UNIX/micropython"}


def write(res, readme=README):
    """The table into README.md. A figure this run could not measure (its binary is not here) is kept
    from the README, and the sentence under the table says so."""
    with open(readme) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        return "README.md not written: it has no markers (%s ... %s)" % (BEGIN, END)
    old, kept = parse(text), []
    res = {"kib": dict((b, dict(v)) for b, v in res["kib"].items()), "binaries": dict(res["binaries"]),
           "notes": res["notes"]}
    for b in BITS:
        for r in ROUTES:
            if r not in res["kib"][b] and r in old[b]:
                res["kib"][b][r] = old[b][r]
                kept.append("%s-bit %s" % (b, r))
    for k, path in KEPT.items():
        res["binaries"].setdefault(k, [path, "not here: its figures are from an earlier run"])
    t = table(res)
    if t is None:
        return "README.md not written: its table needs every figure (%s)" % "; ".join(res["notes"])
    new = text[:text.index(BEGIN)] + t + text[text.index(END) + len(END):]
    if new == text:
        return "README.md: the table is current"
    with open(readme, "w") as f:
        f.write(new)
    return "README.md: table written" + (" (kept from before: %s)" % ", ".join(kept) if kept else "")


def show(res):
    k = res["kib"]
    print("heap the README's Use example needs (import mqtt to end(); smallest -X heapsize, 1 KiB steps):")
    print("%-8s %-44s %9s %9s" % ("route", "on the board", "32-bit", "64-bit"))
    for r in ROUTES:
        print("%-8s %-44s %9s %9s" % (r, WHAT[r][1].replace("`", ""),
                                      *("%d K" % k[b][r] if r in k[b] else "-" for b in BITS)))
    for exe, version in sorted(set(tuple(v) for v in res["binaries"].values())):
        print("  %s: %s (%s)" % (", ".join(sorted(k.replace(" ", "-bit ") for k, v in res["binaries"].items()
                                                  if tuple(v) == (exe, version))), exe, version))
    print("  .mpy: the %s board's set (make stage BOARD=%s)" % (res["staged"], res["staged"]))
    for n in res["notes"]:
        print("  skipped: " + n)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="write the table into README.md")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    res = measure()
    if a.json:
        print(json.dumps(res, indent=1))
    else:
        show(res)
    if a.write:
        print(write(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
