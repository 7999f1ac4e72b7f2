#!/usr/bin/env python3
"""Compiled (.mpy) size of every module under lib/.

    python tools/size.py                      # table for -march=xtensawin (the mqtt package at -O3, as frozen)
    python tools/size.py --json               # same, machine-readable
    python tools/size.py --arch x64 --stage DIR   # also write the .mpy tree into DIR

bench.py imports find_tool() and compile_tree() from here.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "lib")

# What a board running MQTT 3.1.1 must carry; optional modules (v5, extras)
# and the CPython-only shim mqtt/_cpy.py stay out.
MINIMAL_SET = [
    "mqtt/__init__.py",
    "mqtt/compat.py",
    "mqtt/core.py",
    "mqtt/transport.py",
    "mqtt/client.py",
]
# Never shipped to a board: excluded from the "board" total.
HOST_ONLY = {"mqtt/_cpy.py"}
# The mqtt package's modules are frozen and compiled with mpy-cross -O3
# (opt=3 in its manifests, as upstream freezes asyncio): no line-number table
# in the bytecode, so tracebacks name the package's functions without line
# numbers. The compatibility faces (umqtt, mqtt_as) keep the default: their
# asserts stay, as in the originals. tests/test_boards.py checks the
# manifests say the same.
OPT = 3


def opt_of(rel):  # the -O level a module of lib/ is compiled with
    return OPT if rel.startswith("mqtt/") else 0


def find_tool(name):
    """A command next to the running interpreter (the venv), else on PATH."""
    cand = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.isfile(cand) and os.access(cand, os.X_OK):
        return cand
    found = shutil.which(name)
    if not found:
        raise SystemExit("%s not found next to %s nor on PATH" % (name, sys.executable))
    return found


def py_files(root):
    """Relative paths ('pkg/mod.py', '/' separated) of every .py under root, sorted."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith((".", "__pycache__")))
        for f in files:
            if f.endswith(".py"):
                out.append(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/"))
    return sorted(out)


def compile_tree(src_root, rels, arch, out_root, mpy_cross=None, opt=None):
    """Compile src_root/rel -> out_root/rel(.mpy) for each rel; returns {rel: bytes}.
    opt: mpy-cross's -O level; None: each module's own (opt_of, for lib/'s tree).

    Raises RuntimeError with mpy-cross's message on the first failure.
    """
    mpy_cross = mpy_cross or find_tool("mpy-cross")
    sizes = {}
    for rel in rels:
        dst = os.path.join(out_root, rel[:-3] + ".mpy")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        # -s keeps tracebacks short and independent of where the tree lives.
        o = opt_of(rel) if opt is None else opt
        r = subprocess.run(
            [mpy_cross, "-march=" + arch] + (["-O%d" % o] if o else []) + ["-s", rel, "-o", dst,
                                                                         os.path.join(src_root, rel)],
            capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("mpy-cross failed on %s:\n%s%s" % (rel, r.stdout, r.stderr))
        sizes[rel] = os.path.getsize(dst)
    return sizes


def report(sizes):
    board = {k: v for k, v in sizes.items() if k not in HOST_ONLY}
    present = [m for m in MINIMAL_SET if m in sizes]
    return {
        "modules": sizes,
        "total": sum(board.values()),
        "minimal_set": present,
        "minimal_missing": [m for m in MINIMAL_SET if m not in sizes],
        "minimal_total": sum(sizes[m] for m in present),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="xtensawin")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--stage", metavar="DIR", help="write the compiled tree into DIR")
    ap.add_argument("--lib", default=LIB, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    rels = py_files(a.lib)
    out = a.stage or tempfile.mkdtemp(prefix="mpysize-")
    try:
        sizes = compile_tree(a.lib, rels, a.arch, out)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        if not a.stage:
            shutil.rmtree(out, ignore_errors=True)
    rep = report(sizes)
    rep["arch"] = a.arch
    out0 = tempfile.mkdtemp(prefix="mpysize-O0-")
    try:  # the same set with line numbers: the figure before the package was frozen at -O3
        rep["minimal_total_O0"] = sum(compile_tree(a.lib, rep["minimal_set"], a.arch, out0, opt=0).values())
    finally:
        shutil.rmtree(out0, ignore_errors=True)
    if a.json:
        print(json.dumps(rep, indent=1))
        return 0
    w = max([len(k) for k in sizes] + [20])
    print("%-*s %8s" % (w, "module (-march=%s)" % a.arch, ".mpy B"))
    for k, v in sizes.items():
        note = "  (host only)" if k in HOST_ONLY else ("  *" if k in MINIMAL_SET else "")
        print("%-*s %8d%s" % (w, k, v, note))
    print("%-*s %8d" % (w, "total (board modules)", rep["total"]))
    print("%-*s %8d" % (w, "minimal 3.1.1 set (*)", rep["minimal_total"]))
    print("%-*s %8d" % (w, "  the same with line numbers (-O0)", rep["minimal_total_O0"]))
    if rep["minimal_missing"]:
        print("  not present yet: " + ", ".join(rep["minimal_missing"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
