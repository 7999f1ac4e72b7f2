#!/usr/bin/env python3
"""Type-check lib/ against MicroPython's stubs (make typecheck).

    python tools/typecheck.py .venv/typings/esp32-1.29 .venv/typings/esp32-1.17

Each argument is a folder holding micropython-<port>-stubs and
micropython-stdlib-stubs (pip install --no-deps --target DIR, as the
Makefile does from tools/stubs/<name>.txt). mypy runs over every board
module of lib/ (not the CPython-only mqtt/_cpy.py) with that folder as its
typeshed, so `socket`, `select`, `time`, `machine`, ... are the board's
modules, and function bodies are checked too (--check-untyped-defs).

What counts is whether the package uses names the board has: findings of
the kinds import-not-found, import-untyped, attr-defined, name-defined and
call-arg in lib/. Other findings (inferred types of unannotated code) are
counted but not shown. A finding listed in tools/typecheck-known.txt (same
file, kind and message; the line number may move) is reported as known;
any other one fails the run with mypy's own output line.
"""
import os
import re
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
LIB = os.path.join(ROOT, "lib")
KNOWN = os.path.join(TOOLS, "typecheck-known.txt")
HOST_ONLY = {"mqtt/_cpy.py"}
CODES = {"import-not-found", "import-untyped", "attr-defined", "name-defined", "call-arg"}
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<msg>.*?)\s+\[(?P<code>[a-z-]+)\]$")


def board_modules():
    out = []
    for d, dirs, files in os.walk(LIB):
        dirs[:] = sorted(x for x in dirs if not x.startswith((".", "__")))
        for f in sorted(files):
            if f.endswith(".py"):
                rel = os.path.relpath(os.path.join(d, f), LIB).replace(os.sep, "/")
                if rel not in HOST_ONLY:
                    out.append(rel)
    return out


def load_known():
    """{(stubs or '*', file, code, message)}; lines: '[@stubs] file: [code] message'."""
    known = set()
    if not os.path.isfile(KNOWN):
        return known
    with open(KNOWN) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            stubs = "*"
            if line.startswith("@"):
                stubs, _, line = line[1:].partition(" ")
            m = re.match(r"^(\S+): \[([a-z-]+)\] (.*)$", line)
            if not m:
                raise SystemExit("%s: cannot parse %r" % (KNOWN, raw.rstrip()))
            known.add((stubs, m.group(1), m.group(2), m.group(3)))
    return known


def run_mypy(typings):
    cmd = [sys.executable, "-m", "mypy", "--custom-typeshed-dir", typings, "--no-site-packages",
           "--platform", "linux", "--check-untyped-defs", "--follow-imports", "silent",
           "--explicit-package-bases", "--show-error-codes", "--no-error-summary", "--no-pretty",
           "--no-color-output", "--cache-dir", os.path.join(ROOT, "build", "mypy-cache", os.path.basename(typings))]
    env = dict(os.environ, MYPYPATH=typings)
    env.pop("PYTHONPATH", None)
    r = subprocess.run(cmd + board_modules(), cwd=LIB, env=env, capture_output=True, text=True)
    if r.returncode not in (0, 1) or "error: " not in r.stdout and r.returncode:
        raise SystemExit("mypy failed (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
    return r.stdout.splitlines()


def check(typings, known):
    typings = os.path.abspath(typings)
    name = os.path.basename(os.path.normpath(typings))
    if not os.path.isdir(os.path.join(typings, "stdlib")):
        raise SystemExit("%s: no stubs there (make typecheck installs them from tools/stubs/%s.txt)"
                         % (typings, name))
    mods = set(board_modules())
    new, old, other = [], [], 0
    for line in run_mypy(typings):
        m = LINE.match(line)
        if not m or m.group("file") not in mods:
            continue  # the stubs' own complaints, notes
        if m.group("code") not in CODES:
            other += 1
            continue
        key = (m.group("file"), m.group("code"), m.group("msg"))
        if (name,) + key in known or ("*",) + key in known:
            old.append(line)
        else:
            new.append(line)
    print("%s: %d board modules of lib/; %d finding(s) about names: %d known (tools/typecheck-known.txt), "
          "%d new; %d inferred-type finding(s) not counted" % (name, len(mods), len(new) + len(old),
                                                               len(old), len(new), other))
    for line in old:
        print("  known  lib/" + line)
    for line in new:
        print("  NEW    lib/" + line)
    return not new


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        raise SystemExit(__doc__.split("\n\n")[1])
    known = load_known()
    ok = True
    for t in argv:
        ok = check(t, known) and ok
    if not ok:
        print("typecheck: lib/ uses names the stubs do not have (lines marked NEW). Fix lib/, or, when "
              "the board does have the name (a stub gap) or the code is a CPython-only branch, add the "
              "line to tools/typecheck-known.txt with the reason.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
