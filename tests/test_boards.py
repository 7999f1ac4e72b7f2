"""Board definitions and their tools: the manifest evaluator (MicroPython's
manifest semantics on small manifests in a temp folder), every board in
boards/ resolving and fitting its budget, the firmware/flash targets failing
fast, the staged .mpy set importing, and package.json installing with
mpremote's own mip code.

(No test name here contains "micropython": `make test-staged` selects the
MicroPython half of the suite with -k micropython.)
"""
import json
import os
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
    for m in ("mqtt/__init__.py", "mqtt/compat.py", "mqtt/core.py", "mqtt/transport.py", "mqtt/client.py"):
        assert m in r["modules"], "%s: the minimal set lacks %s" % (name, m)
    assert 0 < r["total"] <= r["budget"]


@pytest.mark.parametrize("name", boards.names())
def test_board_json(name):
    b = boards.load(name)
    for k in ("title", "family", "firmware", "port", "chip", "micropython", "mpy_cross", "budget_bytes",
              "heap_bytes", "build", "deploy"):
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
    if b["port"] == "esp32":
        for f in ("mpconfigboard.cmake", "mpconfigboard.h", "sdkconfig.board"):
            assert os.path.isfile(os.path.join(b["dir"], f)), "%s lacks %s" % (name, f)
        assert 'include("$(PORT_DIR)/boards/manifest.py")' in text
        assert b["flash"]["offset"] == ("0x1000" if b["chip"] == "esp32" else "0x0")
        with open(os.path.join(b["dir"], "mpconfigboard.cmake")) as f:
            cmake = f.read()
        assert "set(IDF_TARGET %s)" % b["chip"] in cmake
        assert "MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py" in cmake


def test_every_seed_board_has_a_definition_or_a_reason():
    known = set(boards.names())
    for s in boards.seeds():
        assert s["boards"] or s.get("why"), s
        assert set(s["boards"]) <= known, s
    seeded = {b for s in boards.seeds() for b in s["boards"]}
    assert known - seeded == {"UNIX"}


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
    # A MicroPython checkout whose esp32 port manifest requires umqtt from
    # micropython-lib, as the real one does.
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
    old = os.environ.get("MICROPY_DIR")
    os.environ["MICROPY_DIR"] = str(mpy)
    try:
        m = boards.evaluate(boards.load("ESP32_GENERIC"))
    finally:
        if old is None:
            del os.environ["MICROPY_DIR"]
        else:
            os.environ["MICROPY_DIR"] = old
    src = {e.target: e.src for e in m.entries}
    assert src["umqtt/simple.py"] == os.path.join(ROOT, "lib", "umqtt", "simple.py")
    assert src["umqtt/robust.py"] == os.path.join(ROOT, "lib", "umqtt", "robust.py")
    assert "_boot.py" in src and "dht.py" in src and m.externals == []


def test_make_boards_figures():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "boards.py"), "all", "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert {b["board"] for b in rep["boards"]} == set(boards.names())
    for b in rep["boards"]:
        assert b["errors"] == [] and b["total"] <= b["budget"], b
    old = rep["oldest"]
    assert old["bytecode"] == "5" and old["errors"] == [] and sorted(old["modules"]) == BOARD_MODULES


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
    code = "import mqtt, mqtt.v5, mqtt.haas, mqtt.trace, mqtt.tls, umqtt.robust\nprint(mqtt.__file__)"
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
    assert (sorted(os.listdir(out)) if os.path.isdir(out) else None) == before  # nothing built
    r = subprocess.run(tool + ["firmware", "HAAS_EDU_K1"], env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "vendor firmware" in r.stderr
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
    assert "fs cp %s :/usr/mqtt/core.mpy" % os.path.join(ROOT, "build", "HAAS600_EC600S", "lib", "mqtt", "core.mpy") in cmd
    assert "umqtt" not in cmd.split("exec", 1)[1].split("pass", 1)[1]  # QuecPython freezes its own umqtt
    assert ":/usr/socket.mpy" in cmd  # the usocket alias (no weak links in QuecPython 1.13)


def test_package_json_installs_with_mip(tmp_path):
    mip = pytest.importorskip("mpremote.mip")

    class Device:
        def __init__(self):
            self.files, self.dirs = {}, {"/lib"}

        def fs_exists(self, p):
            return p in self.dirs or p in self.files

        def fs_mkdir(self, p):
            self.dirs.add(p)

        def fs_writefile(self, p, data, progress_callback=None):
            assert os.path.dirname(p) in self.dirs, p
            self.files[p] = data

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

    def board(name, manifest, budget=100000, version="1.29"):
        write(bdir, name + "/manifest.py", manifest)
        write(bdir, name + "/board.json", json.dumps({
            "name": name, "title": name, "family": "test", "firmware": "test", "port": "unix", "chip": "x",
            "micropython": version, "mpy_cross": {"arch": "x64", "bytecode": "6.3", "flags": []},
            "budget_bytes": budget, "heap_bytes": 1, "build": {"kind": "vendor"}, "deploy": {"method": "stage"}}))

    board("GOOD", 'freeze(%r, "mqtt/core.py")\n' % lib)
    board("MISSING", 'freeze(%r, "mqtt/nope.py")\n' % lib)
    board("BROKEN", 'freeze("../compat", "bad.py")\n')
    board("BIG", 'freeze(%r, "mqtt/core.py")\n' % lib, budget=100)
    board("OLD", 'module("mqtt/core.py", base_path=%r)\n' % lib, version="1.17")
    monkeypatch.setattr(boards, "BOARDS", str(bdir))
    assert boards.main(["size", "GOOD"]) == 0
    for name, why in (("MISSING", "no such file"), ("BROKEN", "mpy-cross failed"), ("BIG", "over budget"),
                      ("OLD", "not available in MicroPython 1.17")):
        capsys.readouterr()
        assert boards.main(["size", name]) == 1, name
        assert why in capsys.readouterr().err, name
    assert boards.main(["all"]) == 1
