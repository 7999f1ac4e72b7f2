#!/usr/bin/env python3
"""Evaluate a MicroPython freeze manifest the way MicroPython's build does.

    python tools/manifest.py boards/ESP32_GENERIC/manifest.py            # list what it freezes
    python tools/manifest.py --micropython 1.17 boards/HAAS_EDU_K1/manifest.py
    MICROPY_DIR=~/micropython python tools/manifest.py --port esp32 boards/ESP32_GENERIC/manifest.py

Semantics follow MicroPython's tools/manifestfile.py (1.20 and later) and,
for firmware older than 1.20, its tools/makemanifest.py, whose manifests
have only include(), freeze() and the freeze_as_*/freeze_mpy() variants:

- include(path or [paths], **kwargs): run another manifest; a directory means
  its manifest.py; kwargs become the `options` object of the included file
  (options.defaults(...), options.NAME -> None when unset). A manifest is
  run once (1.20+); relative paths resolve against the including manifest.
- freeze(path, script=None, opt=None): path is a directory; script None
  (everything under it), a file or directory relative to it, or a list.
  Module names start below path.
- module(file, base_path="."), package(name, files=None, base_path="."),
  metadata(description=, version=, license=, author=, ...), options,
  require(name, library=None, **kwargs): the manifest.py of a directory
  called `name` under the libraries registered with add_library() (searched
  in order) and micropython-lib's micropython/, python-stdlib/,
  python-ecosys/ ($(MPY_LIB_DIR)).
- $(MPY_DIR), $(PORT_DIR), $(BOARD_DIR), $(MPY_LIB_DIR) are substituted.

With a MicroPython checkout (MICROPY_DIR), tools/boards.py evaluates 1.20+
manifests with that checkout's own tools/manifestfile.py instead, and
`tools/boards.py check` compares the two. What this module adds to upstream's
parser: the rules of firmware older than 1.20 (HaaS Python 1.17, QuecPython
1.13), and evaluation without a checkout (CI): a reference through a
variable with no value ($(PORT_DIR) when MICROPY_DIR is unset, or a
require() that no registered library has while $(MPY_LIB_DIR) is unset) is
recorded as *external* and not followed. Any
other file that does not exist is an error (ManifestError), as in
MicroPython's build: a module listed before it exists fails loudly.
"""
import argparse
import json
import os
import sys

# micropython-lib folders searched by require() (MicroPython's BASE_LIBRARY_NAMES).
BASE_LIBRARY_NAMES = ("micropython", "python-stdlib", "python-ecosys")
PATH_VARS = ("MPY_DIR", "PORT_DIR", "BOARD_DIR", "MPY_LIB_DIR")


def version_tag(text, version):
    """The source a 1.20+ build freezes for a module whose package says
    metadata(version=...): `__version__` appended unless the file has one
    (manifestfile.py's tagged_py_file). Firmware before 1.20 adds nothing."""
    if not version or "__version__ =" in text:
        return text
    return text + "\n\n__version__ = {}\n".format(repr(version))


class ManifestError(Exception):
    pass


class External(Exception):
    """A path refers to a variable that has no value here."""

    def __init__(self, var, path):
        Exception.__init__(self, var, path)
        self.var = var
        self.path = path


class Options:
    # MicroPython's IncludeOptions: kwargs of include()/require(), with defaults.
    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._defaults = {}

    def defaults(self, **kwargs):
        self._defaults = kwargs

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._kwargs.get(name, self._defaults.get(name, None))


class Metadata:
    def __init__(self, required=False):
        self.required = required
        self.initialised = False
        self.fields = {}

    def update(self, **kwargs):
        if self.initialised:
            raise ManifestError("Duplicate call to metadata().")
        self.fields = dict(kwargs)
        self.initialised = True

    def __getattr__(self, name):
        if name.startswith("__") or name in ("required", "initialised", "fields"):
            raise AttributeError(name)
        return self.fields.get(name)


class Entry:
    """One file the manifest freezes: src (absolute path), target ('pkg/mod.py')."""

    __slots__ = ("src", "target", "kind", "opt", "manifest", "metadata")

    def __init__(self, src, target, kind, opt, manifest, metadata):
        self.src, self.target, self.kind, self.opt = src, target, kind, opt
        self.manifest, self.metadata = manifest, metadata

    def __repr__(self):
        return "Entry(%r <- %r)" % (self.target, self.src)


def parse_version(v):
    """'1.17' / 'v1.20.0' / (1, 17) -> (1, 17)."""
    if isinstance(v, (tuple, list)):
        return tuple(int(x) for x in v[:2])
    parts = str(v).strip().lstrip("vV").split(".")
    return (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)


class Manifest:
    """Evaluates manifests into a list of Entry (files) and externals.

    path_vars: {'MPY_DIR': str or None, ...}; micropython: firmware version,
    which decides the manifest API (before 1.20: include/freeze only).
    """

    def __init__(self, path_vars=None, micropython="1.29"):
        self.vars = {k: None for k in PATH_VARS}
        self.vars.update(path_vars or {})
        self.version = parse_version(micropython)
        self.legacy = self.version < (1, 20)
        self.entries = []
        self.externals = []  # (what, reference, manifest it came from)
        self.manifests = []  # every manifest file run, in order
        self._visited = set()
        self._metadata = [Metadata()]
        self._stack = []  # manifests being run (for relative paths)
        self._libraries = {}
        self._library_dirs = []  # absolute paths, or None for external ones
        if self.vars.get("MPY_LIB_DIR"):
            for lib in BASE_LIBRARY_NAMES:
                self.add_library(lib, os.path.join("$(MPY_LIB_DIR)", lib))

    # -- paths ------------------------------------------------------------
    def _cwd(self):
        return os.path.dirname(self._stack[-1]) if self._stack else os.getcwd()

    def resolve(self, path):
        """Substitute $(VAR)s and make absolute against the current manifest.

        Raises External when the path uses a variable that has no value."""
        if not isinstance(path, str):
            raise ManifestError("expected a path string, got %r" % (path,))
        for name in PATH_VARS:
            token = "$(%s)" % name
            if token in path:
                value = self.vars.get(name)
                if not value:
                    raise External(name, path)
                path = path.replace(token, value)
        if "$(" in path:
            raise ManifestError("unknown variable in path %r (known: %s)" % (path, ", ".join(PATH_VARS)))
        return os.path.normpath(os.path.join(self._cwd(), path))

    def _external(self, what, ref):
        self.externals.append((what, ref, self._stack[-1] if self._stack else None))

    # -- files ------------------------------------------------------------
    def _add_file(self, full_path, target, kind, opt):
        if not os.path.isfile(full_path):
            raise ManifestError("%s: no such file (for %s)" % (full_path, target))
        target = target.replace(os.sep, "/")
        if target.startswith("./"):
            target = target[2:]
        ext = os.path.splitext(full_path)[1].lower()
        if kind == "auto":
            kind = {".py": "py", ".mpy": "mpy"}.get(ext)
            if kind is None:
                if self.legacy:
                    return  # makemanifest.py warns and skips other files
                raise ManifestError("%s: not a .py or .mpy file" % full_path)
        elif kind in ("py", "str") and ext != ".py":
            raise ManifestError("expecting a .py file, got %s" % full_path)
        elif kind == "mpy" and ext != ".mpy":
            raise ManifestError("expecting a .mpy file, got %s" % full_path)
        self.entries.append(Entry(full_path, target, kind, opt, self._stack[-1] if self._stack else None,
                                  self._metadata[-1]))

    def _search(self, base_path, package_path, files, exts, kind, opt):
        # MicroPython's ManifestFile._search: files relative to package_path
        # under base_path, or every file with one of exts below it.
        base = self.resolve(base_path)
        if files is not None:
            if isinstance(files, str):
                raise ManifestError("files must be a list of names, got the string %r" % (files,))
            for f in files:
                rel = os.path.join(package_path, f) if package_path else f
                self._add_file(os.path.join(base, rel), rel, kind, opt)
            return
        top = os.path.join(base, package_path) if package_path else base
        if not os.path.isdir(top):
            raise ManifestError("%s: no such directory" % top)
        for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
            dirnames.sort()
            for f in sorted(filenames):
                rel = os.path.relpath(os.path.join(dirpath, f), base)
                if os.path.splitext(f)[1].lower() in exts:
                    self._add_file(os.path.join(base, rel), rel, kind, opt)

    # -- the manifest API ---------------------------------------------------
    def include(self, manifest_path, is_require=False, **kwargs):
        if not isinstance(manifest_path, str):
            for m in manifest_path:
                if self.legacy:
                    self.include(m)  # makemanifest.py drops kwargs here
                else:
                    self.include(m, **kwargs)
            return
        try:
            path = self.resolve(manifest_path)
        except External as e:
            self._external("include", e.path)
            return
        if os.path.isdir(path):
            path = os.path.join(path, "manifest.py")
        if not self.legacy:
            if path in self._visited:
                return
            self._visited.add(path)
        if not os.path.isfile(path):
            raise ManifestError("%s: no such manifest (include(%r))" % (path, manifest_path))
        if is_require:
            self._metadata.append(Metadata(required=True))
        self._stack.append(path)
        self.manifests.append(path)
        try:
            with open(path) as f:
                code = compile(f.read(), path, "exec")
            options = Options(**kwargs)
            if self.legacy:
                # makemanifest.py: exec(code, its globals, {"options": ...})
                exec(code, self._globals(), {"options": options})
            else:
                g = self._globals()
                g["options"] = options
                exec(code, g)
        except (ManifestError, External):
            raise
        except NameError as e:
            name = str(e).split("'")[1] if "'" in str(e) else str(e)
            if name in ("module", "package", "require", "metadata", "add_library") and self.legacy:
                raise ManifestError("%s: %s() is not available in MicroPython %d.%d manifests "
                                    "(before 1.20 only include() and freeze() exist)"
                                    % (path, name, self.version[0], self.version[1]))
            raise ManifestError("%s: %s" % (path, e))
        except Exception as e:
            raise ManifestError("%s: %s: %s" % (path, type(e).__name__, e))
        finally:
            self._stack.pop()
        if is_require:
            self._metadata.pop()

    def _globals(self):
        g = {
            "include": self.include,
            "freeze": self.freeze,
            "freeze_as_str": self.freeze_as_str,
            "freeze_as_mpy": self.freeze_as_mpy,
            "freeze_mpy": self.freeze_mpy,
        }
        if not self.legacy:
            g.update({
                "metadata": self.metadata,
                "require": self.require,
                "module": self.module,
                "package": self.package,
            })
            if self.version >= (1, 22):
                g["add_library"] = self.add_library
        return g

    def metadata(self, **kwargs):
        if kwargs:
            self._metadata[-1].update(**kwargs)
        return self._metadata[-1]

    def add_library(self, library, library_path, prepend=False):
        try:
            path = self.resolve(library_path)
        except External:
            path = None  # e.g. $(MPY_LIB_DIR)/... without MICROPY_DIR
        self._libraries[library] = path
        self._library_dirs.insert(0 if prepend else len(self._library_dirs), path)

    def _require_from_path(self, library_path, name, kwargs):
        for root, dirnames, filenames in os.walk(library_path):
            dirnames.sort()
            if os.path.basename(root) == name and "manifest.py" in filenames:
                self.include(root, is_require=True, **kwargs)
                return True
        return False

    def require(self, name, version=None, pypi=None, library=None, **kwargs):
        if library is not None:
            if library not in self._libraries:
                raise ManifestError("Unknown library '%s' for require('%s')." % (library, name))
            path = self._libraries[library]
            if path is None:
                self._external("require", "%s:%s" % (library, name))
                return
            if self._require_from_path(path, name, kwargs):
                return
            raise ManifestError("Package '%s' not found in library '%s' (%s)." % (name, library, path))
        for path in self._library_dirs:
            if path is not None and self._require_from_path(path, name, kwargs):
                return
        if not self.vars.get("MPY_LIB_DIR"):
            # micropython-lib is not here: the package may well be there.
            self._external("require", "micropython-lib:%s" % name)
            return
        raise ManifestError("Package '%s' not found in any known library." % name)

    def module(self, module_path, base_path=".", opt=None):
        if os.path.splitext(module_path)[1].lower() != ".py":
            raise ManifestError("module must be .py file: %r" % (module_path,))
        try:
            base = self.resolve(base_path)
        except External as e:
            self._external("module", "%s/%s" % (e.path, module_path))
            return
        self._add_file(os.path.join(base, module_path), module_path, "py", opt)

    def package(self, package_path, files=None, base_path=".", opt=None):
        try:
            self.resolve(base_path)
        except External as e:
            self._external("package", "%s/%s" % (e.path, package_path))
            return
        self._search(base_path, package_path, files, (".py",), "py", opt)

    def _freeze(self, path, script, exts, kind, opt):
        try:
            base = self.resolve(path)
        except External as e:
            self._external("freeze", e.path if script is None else "%s %r" % (e.path, script))
            return
        if not os.path.isdir(base):
            raise ManifestError("freeze path must be a directory: %s" % base)
        if script is None:
            self._search(path, None, None, exts, kind, opt)
        elif isinstance(script, str) and os.path.isdir(os.path.join(base, script)):
            self._search(path, script, None, exts, kind, opt)
        elif isinstance(script, str):
            if self.legacy and "." not in script:
                raise ManifestError("%s: no such directory" % os.path.join(base, script))
            self._search(path, None, (script,), exts, kind, opt)
        else:
            self._search(path, None, list(script), exts, kind, opt)

    def freeze(self, path, script=None, opt=None):
        self._freeze(path, script, (".py", ".mpy"), "auto", opt)

    def freeze_as_str(self, path):
        self._freeze(path, None, (".py",), "str", None)

    def freeze_as_mpy(self, path, script=None, opt=None):
        self._freeze(path, script, (".py",), "py", opt)

    def freeze_mpy(self, path, script=None, opt=None):
        self._freeze(path, script, (".mpy",), "mpy", opt)

    # -- running ----------------------------------------------------------
    def execute(self, manifest_path):
        self._stack = []
        self.include(os.path.abspath(manifest_path))
        self.check()
        return self

    def check(self):
        seen = {}
        for e in self.entries:
            if e.target in seen and seen[e.target] != e.src:
                raise ManifestError("%s is frozen twice: from %s and from %s"
                                    % (e.target, seen[e.target], e.src))
            seen[e.target] = e.src

    def files(self):
        return list(self.entries)


def path_vars(micropy_dir=None, port=None, board_dir=None, lib_dir=None):
    """The path variables MicroPython's build passes, from MICROPY_DIR."""
    mpy = os.path.abspath(micropy_dir) if micropy_dir else None
    return {
        "MPY_DIR": mpy,
        "PORT_DIR": os.path.join(mpy, "ports", port) if mpy and port else None,
        "BOARD_DIR": os.path.abspath(board_dir) if board_dir else None,
        "MPY_LIB_DIR": os.path.abspath(lib_dir) if lib_dir else (
            os.path.join(mpy, "lib", "micropython-lib") if mpy else None),
    }


def evaluate(manifest_path, micropython="1.29", micropy_dir=None, port=None, board_dir=None):
    board_dir = board_dir or os.path.dirname(os.path.abspath(manifest_path))
    m = Manifest(path_vars(micropy_dir, port, board_dir), micropython)
    return m.execute(manifest_path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("manifest")
    ap.add_argument("--micropython", default="1.29", help="firmware version (manifest API); default 1.29")
    ap.add_argument("--port", help="MicroPython port, for $(PORT_DIR) (esp32, unix, ...)")
    ap.add_argument("--board-dir", help="$(BOARD_DIR); default the manifest's folder")
    ap.add_argument("--micropy-dir", default=os.environ.get("MICROPY_DIR") or None,
                    help="MicroPython checkout (default $MICROPY_DIR)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    try:
        m = evaluate(a.manifest, a.micropython, a.micropy_dir, a.port, a.board_dir)
    except ManifestError as e:
        print("manifest error: %s" % e, file=sys.stderr)
        return 1
    if a.json:
        print(json.dumps({
            "files": [{"target": e.target, "src": e.src, "kind": e.kind} for e in m.entries],
            "external": [{"what": w, "ref": r, "from": f} for w, r, f in m.externals],
        }, indent=1))
        return 0
    for e in m.entries:
        print("%-28s %s" % (e.target, os.path.relpath(e.src)))
    for what, ref, src in m.externals:
        print("%-28s %s (external: not followed without MICROPY_DIR)" % (what + "()", ref))
    return 0


if __name__ == "__main__":
    sys.exit(main())
