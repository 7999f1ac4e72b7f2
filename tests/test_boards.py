"""Board definitions and their tools: the manifest evaluator (MicroPython's
manifest semantics on small manifests in a temp folder), every board in
boards/ resolving and fitting its budget, the firmware/flash targets failing
fast, the staged .mpy set importing, and package.json installing with
mpremote's own mip code.

(No test name here contains "micropython": `make test-staged` selects the
MicroPython half of the suite with -k micropython.)
"""
import json
import math
import os
import tempfile
import re
import shutil
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
sys.path.insert(0, os.path.join(ROOT, "tools"))

import boards  # noqa: E402
import manifest as mf  # noqa: E402
import size as sz  # noqa: E402

BOARD_MODULES = sorted(r for r in sz.py_files(sz.LIB) if r not in sz.HOST_ONLY)
# what require("mqtt") freezes: boards/packages/mqtt/manifest.py, evaluated
MINIMAL = sorted(e.target for e in mf.Manifest().execute(os.path.join(ROOT, "boards", "packages", "mqtt",
                                                                      "manifest.py")).entries)
UPSTREAM = os.environ.get("MICROPY_DIR")
needs_upstream = pytest.mark.skipif(not UPSTREAM, reason="MICROPY_DIR is not set: no MicroPython checkout to check "
                                                         "against (make check-boards MICROPY_DIR=...)")


def write(root, rel, text=""):
    path = os.path.join(str(root), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def run_manifest(root, text, version="1.29", **path_vars):
    top = write(root, "manifest.py", text)
    m = mf.Manifest(path_vars, version)
    return m.execute(top)


def targets(m):
    return sorted(e.target for e in m.entries)


@pytest.fixture
def tree(tmp_path):
    write(tmp_path, "lib/pkg/__init__.py")
    write(tmp_path, "lib/pkg/a.py", "A = 1\n")
    write(tmp_path, "lib/pkg/sub/c.py")
    write(tmp_path, "lib/pkg/notes.txt", "not code")
    write(tmp_path, "lib/top.py")
    write(tmp_path, "src/drv/m.py")
    return tmp_path


# -- freeze / module / package ---------------------------------------------
def test_freeze_directory_file_and_list(tree):
    m = run_manifest(tree, 'freeze("lib")\n')
    assert targets(m) == ["pkg/__init__.py", "pkg/a.py", "pkg/sub/c.py", "top.py"]
    m = run_manifest(tree, 'freeze("lib", "pkg/a.py")\n')
    assert targets(m) == ["pkg/a.py"]
    assert m.entries[0].src == os.path.join(str(tree), "lib", "pkg", "a.py")
    m = run_manifest(tree, 'freeze("lib", ("pkg/a.py", "top.py"))\n')
    assert targets(m) == ["pkg/a.py", "top.py"]
    m = run_manifest(tree, 'freeze("lib", "pkg/sub")\n')
    assert targets(m) == ["pkg/sub/c.py"]


def test_module_and_package(tree):
    m = run_manifest(tree, 'module("m.py", base_path="src/drv")\n')
    assert targets(m) == ["m.py"]
    m = run_manifest(tree, 'package("pkg", base_path="lib")\n')
    assert targets(m) == ["pkg/__init__.py", "pkg/a.py", "pkg/sub/c.py"]
    m = run_manifest(tree, 'package("pkg", files=("a.py", "sub/c.py"), base_path="lib")\n')
    assert targets(m) == ["pkg/a.py", "pkg/sub/c.py"]
    with pytest.raises(mf.ManifestError, match="module must be .py"):
        run_manifest(tree, 'module("notes.txt", base_path="lib/pkg")\n')


def test_missing_files_are_errors(tree):
    with pytest.raises(mf.ManifestError, match="no such file"):
        run_manifest(tree, 'package("pkg", files=("tls.py",), base_path="lib")\n')
    with pytest.raises(mf.ManifestError, match="no such file"):
        run_manifest(tree, 'freeze("lib", "pkg/nope.py")\n')
    with pytest.raises(mf.ManifestError, match="must be a directory"):
        run_manifest(tree, 'freeze("nowhere")\n')
    with pytest.raises(mf.ManifestError, match="no such manifest"):
        run_manifest(tree, 'include("nowhere/manifest.py")\n')


def test_same_module_from_two_places_is_an_error(tree):
    write(tree, "other/pkg/a.py")
    with pytest.raises(mf.ManifestError, match="frozen twice"):
        run_manifest(tree, 'freeze("lib", "pkg/a.py")\nfreeze("other", "pkg/a.py")\n')


# -- include / options ------------------------------------------------------
def test_include_is_relative_passes_options_and_runs_once(tree):
    write(tree, "sub/inc.py", 'options.defaults(extra=False, name="a")\n'
                              'freeze("../lib", "pkg/" + options.name + ".py")\n'
                              'if options.extra:\n    freeze("../lib", "top.py")\n'
                              'assert options.unset is None\n')
    m = run_manifest(tree, 'include("sub/inc.py")\n')
    assert targets(m) == ["pkg/a.py"]
    m = run_manifest(tree, 'include("sub/inc.py", extra=True)\n')
    assert targets(m) == ["pkg/a.py", "top.py"]
    # a directory means its manifest.py; a second include of one file is skipped (1.20+)
    write(tree, "sub/manifest.py", 'freeze("../lib", "top.py")\n')
    m = run_manifest(tree, 'include("sub")\ninclude("sub/manifest.py")\n')
    assert targets(m) == ["top.py"] and len(m.entries) == 1
    m = run_manifest(tree, 'include(["sub/inc.py", "sub"])\n')
    assert targets(m) == ["pkg/a.py", "top.py"]


def test_errors_name_the_manifest(tree):
    write(tree, "sub/bad.py", "freeze(\n")
    with pytest.raises(mf.ManifestError) as e:
        run_manifest(tree, 'include("sub/bad.py")\n')
    assert "bad.py" in str(e.value)


# -- require / add_library / metadata ---------------------------------------
def test_require_searches_libraries_in_order_with_options(tree):
    write(tree, "libA/x/foo/manifest.py", 'metadata(version="1.0")\nfreeze("../../../lib", "pkg/a.py")\n')
    write(tree, "libB/foo/manifest.py", 'metadata(version="2.0")\noptions.defaults(more=False)\n'
                                        'freeze("../../lib", "top.py")\n'
                                        'if options.more:\n    freeze("../../lib", "pkg/sub/c.py")\n')
    m = run_manifest(tree, 'add_library("a", "libA")\nadd_library("b", "libB", prepend=True)\n'
                           'require("foo", more=True)\n')
    assert targets(m) == ["pkg/sub/c.py", "top.py"]
    assert {e.metadata.version for e in m.entries} == {"2.0"}
    m = run_manifest(tree, 'add_library("a", "libA")\nadd_library("b", "libB")\nrequire("foo")\n')
    assert targets(m) == ["pkg/a.py"]
    m = run_manifest(tree, 'add_library("a", "libA")\nadd_library("b", "libB")\nrequire("foo", library="b")\n')
    assert targets(m) == ["top.py"]
    with pytest.raises(mf.ManifestError, match="not found in library 'a'"):
        run_manifest(tree, 'add_library("a", "libA")\nrequire("bar", library="a")\n')


def test_require_from_the_lib_checkout(tree):
    write(tree, "mpl/python-ecosys/requests/manifest.py", 'metadata(version="0.9")\nmodule("requests.py")\n')
    write(tree, "mpl/python-ecosys/requests/requests.py")
    m = run_manifest(tree, 'require("requests")\n', MPY_LIB_DIR=str(tree / "mpl"))
    assert targets(m) == ["requests.py"]
    with pytest.raises(mf.ManifestError, match="not found in any known library"):
        run_manifest(tree, 'require("nothere")\n', MPY_LIB_DIR=str(tree / "mpl"))
    # without micropython-lib: recorded as external, not an error
    m = run_manifest(tree, 'require("requests")\n')
    assert m.entries == [] and [(w, r) for w, r, _ in m.externals] == [("require", "micropython-lib:requests")]


def test_metadata_per_package(tree):
    write(tree, "libA/foo/manifest.py", 'metadata(description="foo", version="1.2")\n')
    m = run_manifest(tree, 'metadata(version="0.1")\nadd_library("a", "libA")\nrequire("foo")\n'
                           'assert metadata().version == "0.1"\n')
    assert m.metadata().version == "0.1"
    with pytest.raises(mf.ManifestError, match="Duplicate call to metadata"):
        run_manifest(tree, 'metadata(version="0.1")\nmetadata(version="0.2")\n')


# -- path variables ----------------------------------------------------------
def test_path_variables_and_externals(tree):
    text = 'include("$(PORT_DIR)/boards/manifest.py")\nfreeze("$(MPY_DIR)/tools", "x.py")\nfreeze("lib", "top.py")\n'
    m = run_manifest(tree, text)
    assert targets(m) == ["top.py"]
    assert [w for w, _, _ in m.externals] == ["include", "freeze"]
    write(tree, "mpy/ports/p/boards/manifest.py", 'freeze("$(PORT_DIR)/modules")\n')
    write(tree, "mpy/ports/p/modules/_boot.py")
    write(tree, "mpy/tools/x.py")
    m = run_manifest(tree, text, MPY_DIR=str(tree / "mpy"), PORT_DIR=str(tree / "mpy/ports/p"))
    assert targets(m) == ["_boot.py", "top.py", "x.py"] and m.externals == []
    with pytest.raises(mf.ManifestError, match="unknown variable"):
        run_manifest(tree, 'freeze("$(TOP)/lib")\n')


# -- MicroPython before 1.20 -------------------------------------------------
def test_legacy_manifests_have_include_and_freeze_only(tree):
    write(tree, "sub/inc.py", 'options.defaults(extra=False)\nfreeze("../lib", "pkg/a.py")\n'
                              'if options.extra:\n    freeze("../lib", "top.py")\n')
    m = run_manifest(tree, 'include("sub/inc.py", extra=True)\n', version="1.17")
    assert targets(m) == ["pkg/a.py", "top.py"]
    for call in ('module("top.py", base_path="lib")', 'package("pkg", base_path="lib")',
                 'require("foo")', 'metadata(version="1")'):
        with pytest.raises(mf.ManifestError, match="not available in MicroPython 1.17"):
            run_manifest(tree, call + "\n", version="1.17")
    # add_library() came in 1.22
    with pytest.raises(mf.ManifestError, match="add_library"):
        run_manifest(tree, 'add_library("a", "lib")\n', version="1.20")


# -- the boards --------------------------------------------------------------
@pytest.mark.parametrize("name", boards.names())
def test_board_resolves_and_fits(name):
    r = boards.report(name)
    assert r["errors"] == [], r["errors"]
    assert r["modules"], "board freezes nothing of this package"
    compat = {f for f in os.listdir(os.path.join(ROOT, "boards", "compat")) if f.endswith(".py")}
    assert set(r["modules"]) <= set(BOARD_MODULES) | compat
    for m in MINIMAL:
        assert m in r["modules"], "%s: the minimal set lacks %s" % (name, m)
    assert 0 < r["total"] <= r["budget"]
    assert r["flash_est"] == math.ceil(r["total"] * r["factor"]) <= r["flash_budget"]


@pytest.mark.parametrize("name", boards.names())
def test_board_freezes_the_package_at_its_opt_level(name):
    # The mqtt package at -O3 (no line-number tables), the umqtt and mqtt_as
    # faces at the default (their asserts stay): every manifest says so, and
    # what make size and make boards measure is what that level compiles.
    b = boards.load(name)
    m = boards.evaluate(b, own=True)
    ours, _ = boards.package_entries(m)
    for e in ours:
        if os.path.commonpath([os.path.abspath(e.src), sz.LIB]) == sz.LIB:
            assert (e.opt or 0) == sz.opt_of(e.target), "%s: %s frozen with opt=%r" % (name, e.target, e.opt)
    r = boards.report(name, frozen=False)
    mod = "mqtt/core.py"
    with tempfile.TemporaryDirectory() as d:
        compiled = {o: boards.compile_one(boards.compiler(r["bytecode"])[0], os.path.join(sz.LIB, mod), mod,
                                          os.path.join(d, str(o)), r["arch"], r["flags"] + boards.opt_flags(o))
                    for o in (0, 3)}
    assert compiled[3] < compiled[0]
    assert r["modules"][mod] == compiled[3]


@pytest.mark.parametrize("name", boards.names())
def test_board_json(name):
    b = boards.load(name)
    for k in ("title", "family", "firmware", "port", "chip", "micropython", "mpy_cross", "budget_bytes",
              "heap_bytes", "build", "deploy", "hashlib"):
        assert k in b, "%s/board.json lacks %r" % (name, k)
    assert b["mpy_cross"]["arch"] and b["mpy_cross"]["bytecode"]
    assert b["heap_bytes"] is not None or "unknown" in b["heap_note"]
    assert b["build"]["kind"] in ("micropython", "vendor")
    with open(os.path.join(b["dir"], "manifest.py")) as f:
        text = f.read()
    if mf.parse_version(b["micropython"]) < (1, 20):
        code = "\n".join(x for x in text.splitlines() if not x.lstrip().startswith("#"))
        for fn in ("module(", "package(", "require(", "metadata(", "add_library("):
            assert fn not in code, "%s: %s in a %s manifest" % (name, fn, b["micropython"])
    assert b["flash_budget_bytes"] >= b["budget_bytes"]
    if b["build"]["kind"] == "micropython":
        assert "upstream" in b and b["build"]["submodules"], name
    if b["port"] == "esp32":
        # an upstream board plus this package's manifest, nothing copied from upstream
        assert b["upstream"]["board"].startswith("ESP32_GENERIC")
        assert sorted(os.listdir(b["dir"])) == ["board.json", "manifest.py"]
        assert 'include("$(PORT_DIR)/boards/manifest.py")' in text
        assert b["flash"]["offset"] == ("0x1000" if b["chip"] == "esp32" else "0x0")


def test_every_seed_board_has_a_definition_or_a_reason():
    known = set(boards.names())
    for s in boards.seeds():
        assert s["boards"] or s.get("why"), s
        assert set(s["boards"]) <= known, s
    seeded = {b for s in boards.seeds() for b in s["boards"]}
    assert known - seeded == {"UNIX", "QEMU_MPS2_AN385"}  # the boards for tests: no seed board


def test_unix_board_and_package_json_carry_every_module():
    # what CI runs staged is every board module; a new module needs a line in
    # boards/UNIX/manifest.py (and boards/packages/mqtt-NAME) and in package.json
    r = boards.report("UNIX")
    assert sorted(r["modules"]) == BOARD_MODULES
    with open(os.path.join(ROOT, "package.json")) as f:
        pkg = json.load(f)
    assert sorted(t for t, _ in pkg["urls"]) == BOARD_MODULES
    assert all(src == "lib/" + t for t, src in pkg["urls"])


def test_this_umqtt_replaces_the_lib_umqtt(tmp_path):
    # A stand-in checkout whose esp32 port manifest requires umqtt from
    # micropython-lib, as the real one does (check_against_the_checkout runs
    # upstream's own parser on the real one).
    mpy = tmp_path / "micropython"
    write(mpy, "py/mpconfig.h")
    write(mpy, "ports/esp32/boards/manifest.py",
          'freeze("$(PORT_DIR)/modules")\nrequire("umqtt.robust")\nrequire("umqtt.simple")\nrequire("dht")\n')
    write(mpy, "ports/esp32/modules/_boot.py")
    for name in ("umqtt.simple", "umqtt.robust"):
        write(mpy, "lib/micropython-lib/micropython/%s/manifest.py" % name, 'package("umqtt")\n')
        write(mpy, "lib/micropython-lib/micropython/%s/umqtt/%s.py" % (name, name.split(".")[1]))
    write(mpy, "lib/micropython-lib/micropython/drivers/dht/manifest.py", 'module("dht.py")\n')
    write(mpy, "lib/micropython-lib/micropython/drivers/dht/dht.py")
    b = boards.load("ESP32_GENERIC")
    m = mf.Manifest(boards.path_vars(b, str(mpy)), b["micropython"]).execute(os.path.join(b["dir"], "manifest.py"))
    src = {e.target: e.src for e in m.entries}
    assert src["umqtt/simple.py"] == os.path.join(ROOT, "lib", "umqtt", "simple.py")
    assert src["umqtt/robust.py"] == os.path.join(ROOT, "lib", "umqtt", "robust.py")
    assert "_boot.py" in src and "dht.py" in src and m.externals == []


def test_frozen_sizes_carry_the_version_line():
    # a 1.20+ build appends __version__ from the package metadata before
    # compiling (manifestfile.py's tagged_py_file); 1.17 builds add nothing
    assert mf.version_tag("x = 1\n", "0.1.0") == "x = 1\n\n\n__version__ = '0.1.0'\n"
    assert mf.version_tag("__version__ = '2'\n", "0.1.0") == "__version__ = '2'\n"
    assert mf.version_tag("x = 1\n", None) == "x = 1\n"
    frozen, plain = boards.report("UNIX"), boards.report("UNIX", frozen=False)
    assert set(frozen["modules"]) == set(plain["modules"])
    assert all(frozen["modules"][t] > plain["modules"][t] for t in plain["modules"])
    old_frozen, old_plain = boards.report("HAAS_EDU_K1"), boards.report("HAAS_EDU_K1", frozen=False)
    assert old_frozen["modules"] == old_plain["modules"]


def test_flash_factor_comes_from_a_measured_build():
    cal = boards.calibration()
    for bits, c in cal["bits"].items():
        assert c["factor"] == round(c["flash_bytes"] / c["mpy_bytes"], 3) and c["factor"] > 1
        assert c["flash_bytes"] == c["text_data_with"] - c["text_data_without"]
    assert cal["measured"]["commit"] and "64" in cal["bits"]
    assert boards.flash_factor("x64") == (cal["bits"]["64"]["factor"], 64)
    with pytest.raises(RuntimeError, match="unknown mpy-cross architecture"):
        boards.flash_factor("pdp11")


def test_nested_make_joins_the_jobserver(monkeypatch):
    r, w = os.pipe()
    try:
        monkeypatch.setenv("MAKEFLAGS", " -j2 --jobserver-auth=%d,%d -- BOARD=UNIX" % (r, w))
        assert boards._jobserver_fds() == (r, w) and boards._jobs() == []
    finally:
        os.close(r)
        os.close(w)
    # the parent closed them (a recipe without `+`): the nested make gets -jN of its own
    assert boards._jobserver_fds() is None and boards._jobs() == ["-j%d" % (os.cpu_count() or 1)]
    monkeypatch.setenv("MAKEFLAGS", " -j2 --jobserver-auth=fifo:/tmp/GMfifo1")
    assert boards._jobserver_fds() == () and boards._jobs() == []
    monkeypatch.delenv("MAKEFLAGS")
    assert boards._jobserver_fds() is None
    monkeypatch.setenv("MICROPY_PY_BTREE", "0")
    monkeypatch.setenv("MICROPY_DIR", "/x")
    assert "MICROPY_PY_BTREE=0" in boards._make_vars() and not any(v.startswith("MICROPY_DIR") for v in boards._make_vars())


def test_commands_and_their_output_go_to_stderr(capfd, monkeypatch):
    """stdout is for results (check --json): a command's `+ ` echo and its
    output go to stderr, quiet or not; --dry-run's commands are its result."""
    say = [sys.executable, "-c", "print('out', 6 * 7)"]
    boards.run(say)
    boards.run(say, quiet=True)
    with pytest.raises(SystemExit):
        boards.run([sys.executable, "-c", "print('bad', 6 * 7); raise SystemExit(3)"], quiet=True)
    out, err = capfd.readouterr()
    assert out == "" and err.count("+ " + sys.executable) == 3, (out, err)
    assert err.count("out 42") == 1 and "bad 42" in err, err
    monkeypatch.setattr(boards, "DRY_RUN", [True])
    boards.run(say)
    out, err = capfd.readouterr()
    assert out.startswith("+ " + sys.executable) and err == "", (out, err)


def test_make_boards_figures():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "boards.py"), "all", "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert {b["board"] for b in rep["boards"]} == set(boards.names())
    for b in rep["boards"]:
        assert b["errors"] == [] and b["total"] <= b["budget"], b
        assert b["flash_est"] <= b["flash_budget"], b
    old = rep["oldest"]
    assert old["bytecode"] == "5" and old["errors"] == [] and sorted(old["modules"]) == BOARD_MODULES


def test_board_tables_in_the_readmes_are_what_make_boards_writes():
    reps = [boards.report(n) for n in boards.names()]
    for rel, t in boards.tables(reps).items():
        assert boards.table_in(rel) == t, "%s: its board table is not what make boards writes: run make boards" % rel


def test_oldest_compiler_rejects_newer_syntax(tmp_path):
    mpyc, line = boards.compiler("5")
    assert "mpy v5" in line
    src = write(tmp_path, "f.py", 'x = 1\nprint(f"{x}")\n')
    with pytest.raises(RuntimeError, match="mpy-cross failed"):
        boards.compile_one(mpyc, src, "f.py", str(tmp_path / "out"), bytecode="5")
    ok = write(tmp_path, "g.py", 'x = 1\nprint("%d" % x)\n')
    assert boards.compile_one(mpyc, ok, "g.py", str(tmp_path / "out"), bytecode="5") > 0
    with open(tmp_path / "out" / "g.mpy", "rb") as f:
        assert f.read(2) == b"M\x05"


def test_staged_set_imports_as_mpy(tmp_path):
    out, r = boards.stage("UNIX", str(tmp_path / "lib"))
    mp = sz.find_tool("micropython")
    mods = [t[:-3].replace("/", ".").replace(".__init__", "") for t in sorted(r["modules"])]
    code = "import sys\nfor n in %r:\n __import__(n)\nimport mqtt\nprint(mqtt.__file__)" % (mods,)
    p = subprocess.run([mp, "-c", code], env=dict(os.environ, MICROPYPATH=out + ":.frozen"), capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().endswith("mqtt/__init__.mpy")


def test_firmware_and_flash_stop_at_once_without_prerequisites(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("MICROPY_DIR", "PORT", "BOARD", "IDF_PATH")}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + "/usr/bin:/bin"
    tool = [sys.executable, os.path.join(ROOT, "tools", "boards.py")]
    out = os.path.join(ROOT, "firmware", "ESP32_GENERIC")
    before = sorted(os.listdir(out)) if os.path.isdir(out) else None
    r = subprocess.run(tool + ["firmware", "ESP32_GENERIC"], env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "MICROPY_DIR is not set" in r.stderr and "idf.py" in r.stderr, r.stderr
    pin = boards.calibration()["measured"]  # the clone it asks for is the version it names: the commit checked
    assert "a MicroPython 1.29 checkout" in r.stderr and "git -C micropython checkout %s" % pin["commit"][:10] \
        in r.stderr and pin["describe"].startswith("v1.29."), r.stderr
    assert (sorted(os.listdir(out)) if os.path.isdir(out) else None) == before  # nothing built
    r = subprocess.run(tool + ["firmware", "HAAS_EDU_K1"], env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "vendor firmware" in r.stderr
    r = subprocess.run(tool + ["firmware", "ESP32_GENERIC", "--bits", "32"], env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "BITS=32 is for unix boards" in r.stderr, r.stderr
    r = subprocess.run(["make", "-s", "-C", ROOT, "flash", "BOARD=ESP32_GENERIC"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "PORT is not set" in r.stderr, r.stderr
    r = subprocess.run(tool + ["deploy", "ESP32_C3", str(tmp_path / "ttyUSB9")], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_deploy_copies_the_compiled_set():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "boards.py"), "deploy", "HAAS600_EC600S",
                        os.devnull, "--dry-run"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    cmd = r.stdout
    assert " connect %s exec " % os.devnull in cmd
    staged = os.path.join(ROOT, "build", "HAAS600_EC600S", "lib")
    srcs = cmd.split(" cp -r ", 1)[1].splitlines()[0].split()
    assert srcs[-1] == ":/usr"  # QuecPython's user filesystem, made first by the exec
    assert os.path.join(staged, "mqtt") in srcs and os.path.join(staged, "socket.mpy") in srcs  # no weak links in 1.13
    assert not [x for x in srcs if "umqtt" in os.path.relpath(x, staged)]  # QuecPython freezes its own umqtt


class Device:
    """A stand-in board for mpremote's mip code: its filesystem."""

    def __init__(self):
        self.files, self.dirs = {}, {"/lib"}

    def fs_exists(self, p):
        return p in self.dirs or p in self.files

    def fs_mkdir(self, p):
        self.dirs.add(p)

    def fs_writefile(self, p, data, progress_callback=None):
        assert os.path.dirname(p) in self.dirs, p
        self.files[p] = data


def test_package_json_installs_with_mip(tmp_path):
    mip = pytest.importorskip("mpremote.mip")
    dev = Device()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        mip._install_json(dev, "package.json", "https://micropython.org/pi/v2", "/lib", None, False)
    finally:
        os.chdir(cwd)
    assert sorted(dev.files) == ["/lib/" + m for m in BOARD_MODULES]
    for m in BOARD_MODULES:
        with open(os.path.join(ROOT, "lib", m), "rb") as f:
            assert dev.files["/lib/" + m] == f.read()


def test_boards_tool_fails_on_missing_module_compile_error_and_overrun(tmp_path, monkeypatch, capsys):
    lib = os.path.join(ROOT, "lib")
    bdir = tmp_path / "boards"
    write(bdir, "seeds.json", "[]")
    write(bdir, "compat/bad.py", "def f(:\n")

    def board(name, manifest, budget=100000, version="1.29", flash_budget=200000):
        write(bdir, name + "/manifest.py", manifest)
        write(bdir, name + "/board.json", json.dumps({
            "name": name, "title": name, "family": "test", "firmware": "test", "port": "unix", "chip": "x",
            "micropython": version, "mpy_cross": {"arch": "x64", "bytecode": "6.3", "flags": []},
            "budget_bytes": budget, "flash_budget_bytes": flash_budget, "heap_bytes": 1, "build": {"kind": "vendor"},
            "deploy": {"method": "stage"}}))

    board("GOOD", 'freeze(%r, "mqtt/core.py")\n' % lib)
    board("MISSING", 'freeze(%r, "mqtt/nope.py")\n' % lib)
    board("BROKEN", 'freeze("../compat", "bad.py")\n')
    board("BIG", 'freeze(%r, "mqtt/core.py")\n' % lib, budget=100)
    board("OLD", 'module("mqtt/core.py", base_path=%r)\n' % lib, version="1.17")
    board("FLASHBIG", 'freeze(%r, "mqtt/core.py")\n' % lib, flash_budget=1000)
    monkeypatch.setattr(boards, "BOARDS", str(bdir))
    assert boards.main(["size", "GOOD"]) == 0
    for name, why in (("MISSING", "no such file"), ("BROKEN", "mpy-cross failed"), ("BIG", "over budget"),
                      ("OLD", "not available in MicroPython 1.17"), ("FLASHBIG", "over flash budget")):
        capsys.readouterr()
        assert boards.main(["size", name]) == 1, name
        assert why in capsys.readouterr().err, name
    assert boards.main(["all"]) == 1


# -- against a MicroPython checkout (MICROPY_DIR) ------------------------------
def _no_checkout_env():
    return {k: v for k, v in os.environ.items() if k not in ("MICROPY_DIR", "UPSTREAM_BOARD", "BOARD_VARIANT")}


def test_check_boards_is_skipped_without_a_checkout():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "boards.py"), "check"], env=_no_checkout_env(),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "skipped, MICROPY_DIR is not set" in r.stdout, r.stdout + r.stderr


def test_check_fails_on_a_wrong_version_and_missing_submodules(tmp_path, monkeypatch):
    mpy = tmp_path / "micropython"
    write(mpy, "py/mpconfig.h", "#define MICROPY_VERSION_MAJOR 1\n#define MICROPY_VERSION_MINOR 28\n"
                                "#define MICROPY_VERSION_MICRO 0\n")
    os.makedirs(str(mpy / "ports" / "esp32" / "boards"))
    monkeypatch.setenv("MICROPY_DIR", str(mpy))
    c = boards.check("ESP32_GENERIC")
    errs = "\n".join(c.errors)
    assert "is MicroPython 1.28.0; boards/ESP32_GENERIC/board.json names 1.29" in errs
    assert "lib/micropython-lib is missing" in errs and "lib/berkeley-db-1.xx is missing" in errs
    assert "upstream board ESP32_GENERIC: missing ports/esp32/boards/ESP32_GENERIC/mpconfigboard.cmake" in errs
    assert boards.check("HAAS_EDU_K1").steps[0][0] == "skip"  # vendor firmware: nothing to check here


@needs_upstream
def test_check_against_the_checkout():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "boards.py"), "check", "--json"],
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    res = {c["board"]: c for c in json.loads(r.stdout)}
    assert set(res) == set(boards.names())
    for name, c in res.items():
        b = boards.load(name)
        if b["build"]["kind"] != "micropython":
            assert [s["status"] for s in c["steps"]] == ["skip"], c
            continue
        what = " ".join(s["what"] for s in c["steps"] if s["status"] == "ok")
        for step in ("version:", "submodules:", "manifest: upstream's tools/manifestfile.py", "freeze:"):
            assert step in what, (name, step, c["steps"])
        rep = boards.report(name)
        assert c["modules"] == sorted(rep["modules"]) and c["total"] == rep["total"], name
        assert c["frozen_mpy"] == rep["modules"], name
        if b["port"] == "esp32":
            up = "ports/esp32/boards/%s/" % b["upstream"]["board"]
            assert up + "mpconfigboard.cmake" in c["files"] and up + "board.json" not in c["files"]
            assert any(f.startswith("ports/esp32/partitions-") for f in c["files"]), c["files"]
            assert "ports/esp32/boards/sdkconfig.base" in c["files"]


def _standin_with_board(tmp_path, name, cmake, like):
    """A checkout of symlinks to MICROPY_DIR with one more esp32 board."""
    real = os.path.abspath(UPSTREAM)
    top = tmp_path / "mp"
    os.makedirs(str(top / "ports" / "esp32" / "boards" / name))
    for e in os.listdir(real):
        if e != "ports":
            os.symlink(os.path.join(real, e), str(top / e))
    port = os.path.join(real, "ports", "esp32")
    for e in os.listdir(port):
        if e != "boards":
            os.symlink(os.path.join(port, e), str(top / "ports" / "esp32" / e))
    for e in os.listdir(os.path.join(port, "boards")):
        os.symlink(os.path.join(port, "boards", e), str(top / "ports" / "esp32" / "boards" / e))
    write(top, "ports/esp32/boards/%s/mpconfigboard.cmake" % name, cmake)
    with open(os.path.join(port, "boards", like, "board.json")) as f:
        write(top, "ports/esp32/boards/%s/board.json" % name, f.read())
    return top


@needs_upstream
def test_check_catches_the_old_board_layout(tmp_path, monkeypatch):
    # the v1.22-1.25 fragments the old ESP32_S3 folder listed: cmake stops at them
    top = _standin_with_board(tmp_path, "OLD_S3", "include(boards/mpconfigboard_esp32s3_common.cmake)\n"
                                                  "list(APPEND SDKCONFIG_DEFAULTS boards/sdkconfig.usb)\n",
                              "ESP32_GENERIC_S3")
    monkeypatch.setenv("MICROPY_DIR", str(top))
    c = boards.check("ESP32_S3", board="OLD_S3")
    assert any("sdkconfig.usb" in e and "failed to open" in e for e in c.errors), c.steps
    c = boards.check("ESP32_S3", board="ESP32_GENERIC_C3")  # another chip's board
    assert any("is for esp32c3; boards/ESP32_S3 is esp32s3" in e for e in c.errors), c.steps


@needs_upstream
def test_another_upstream_board_with_its_own_manifest(tmp_path, monkeypatch):
    # an upstream board that freezes its own modules: they stay, this package joins them
    top = _standin_with_board(tmp_path, "MY_S3", "include(boards/mpconfigboard_esp32s3_common.cmake)\n"
                                                 "set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)\n",
                              "ESP32_GENERIC_S3")
    write(top, "ports/esp32/boards/MY_S3/manifest.py", 'include("$(PORT_DIR)/boards/manifest.py")\nfreeze("./modules")\n')
    write(top, "ports/esp32/boards/MY_S3/modules/myboard.py", "LED = 1\n")
    monkeypatch.setenv("MICROPY_DIR", str(top))
    c = boards.check("ESP32_S3", board="MY_S3")
    assert c.errors == [], c.steps
    assert c.info["manifest"] == os.path.join(ROOT, "build", "ESP32_S3", "manifest-MY_S3.py")
    m = boards.UpstreamManifest(boards.Checkout(str(top)), boards.path_vars(boards.load("ESP32_S3"), str(top), "MY_S3"),
                                c.info["manifest"])
    targets = {e.target for e in m.entries}
    assert "myboard.py" in targets and set(c.info["modules"]) <= targets


def test_frozen_check_refuses_an_image_without_the_package():
    with pytest.raises(RuntimeError, match="could not import the package with only .frozen"):
        boards.frozen_check(sz.find_tool("micropython"))  # the CI wheel: nothing of ours frozen


def test_frozen_unix_image_has_the_package():
    image = os.path.join(ROOT, "firmware", "UNIX", "micropython")
    if not os.access(image, os.X_OK):
        pytest.skip("no firmware/UNIX/micropython (make firmware BOARD=UNIX MICROPY_DIR=...)")
    res = boards.frozen_check(image)
    assert [x for x in res if x[3]] == []
    assert sorted(f.replace(".frozen/", "") for _, f, _, _ in res) == sorted(boards.report("UNIX")["modules"])


def test_firmware_bits_32_builds_the_unix_port_for_i686():
    """make firmware BOARD=UNIX BITS=32: the same build with upstream's x86
    cross compiler into firmware/UNIX32/ (make bench's 32-bit heap figures)."""
    top = os.environ.get("MICROPY_DIR")
    if not top:
        pytest.skip("MICROPY_DIR is not set: no MicroPython checkout (make check-boards MICROPY_DIR=...)")
    if not shutil.which("i686-linux-gnu-gcc"):
        pytest.skip("no i686-linux-gnu-gcc (Debian: gcc-i686-linux-gnu)")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "boards.py"), "firmware", "UNIX", "--bits", "32",
                        "--dry-run"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    make = [x for x in r.stdout.splitlines() if x.startswith("+ make -C") and "ports/unix" in x]
    assert make and "CROSS_COMPILE=i686-linux-gnu-" in make[0] and "MICROPY_PY_FFI=0" in make[0], r.stdout
    assert "BUILD=" + os.path.join(ROOT, "firmware", "UNIX32", "build") in make[0], make[0]


def test_make_mip_package_installs_with_mpremote(tmp_path):
    """make mip BOARD=X: the board's compiled set with a package.json that mpremote's mip installs from a
    local path (the .mpy files, for the board's bytecode version); with PORT, the mpremote command."""
    mip = pytest.importorskip("mpremote.mip")
    out, r = boards.mip_package("ESP32_GENERIC", str(tmp_path / "mip"))
    with open(os.path.join(out, "package.json")) as f:
        pj = json.load(f)
    mods = sorted(t[:-3] + ".mpy" for t in r["modules"])
    assert sorted(u for u, _ in pj["urls"]) == mods and "mqtt/__init__.mpy" in mods and pj["deps"] == []
    dev = Device()
    mip._install_json(dev, os.path.join(out, "package.json"), "https://micropython.org/pi/v2", "/lib", None, True)
    assert sorted(dev.files) == ["/lib/" + m for m in mods]
    for m in mods:
        with open(os.path.join(out, m), "rb") as f:
            data = f.read()
        assert dev.files["/lib/" + m] == data and data[:2] == b"M\x06", m  # .mpy v6: MicroPython 1.19 and later
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "boards.py"), "mip", "HAAS600_EC600S",
                        os.devnull, "--dry-run"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "(for MicroPython 1.12 to 1.18)" in r.stdout, r.stdout + r.stderr
    assert re.search(r"^\+ \S+mpremote connect %s mip install --target /usr \S+/build/HAAS600_EC600S/mip/package.json$"
                     % os.devnull, r.stdout, re.M), r.stdout


def test_make_mip_package_installs_over_http_and_runs_the_use_example(tmp_path):
    """The route README.md gives a board with a network: `python3 -m http.server -d build/X/mip`, then
    mip.install("http://...") on the board: here the unix port's own mip installs the package into a
    folder, and the README's Use example runs from it, as .mpy, against a private broker."""
    import http.server
    import threading
    from functools import partial

    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from broker import Broker
    import heap

    out, _ = boards.mip_package("ESP32_GENERIC", str(tmp_path / "mip"))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(http.server.SimpleHTTPRequestHandler,
                                                                     directory=out))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    mp = sz.find_tool("micropython")
    lib = str(tmp_path / "board" / "lib")
    os.makedirs(lib)
    b = Broker().start()
    try:
        p = subprocess.run([mp, "-c", "import mip; mip.install('http://127.0.0.1:%d/package.json', target=%r)"
                            % (srv.server_address[1], lib)], env=dict(os.environ, MICROPYPATH=".frozen"),
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0 and "Done" in p.stdout, p.stdout + p.stderr
        (tmp_path / "kitchen.py").write_text(heap.script(b.port) + "import mqtt.client\nprint(mqtt.client.__file__)\n")
        p = subprocess.run([mp, str(tmp_path / "kitchen.py")], env=dict(os.environ, MICROPYPATH=lib),
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0 and p.stdout.splitlines() == [heap.OK, lib + "/mqtt/client.mpy"], p.stdout + p.stderr
    finally:
        srv.shutdown()
        b.stop()
