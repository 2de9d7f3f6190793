"""Python installations laid out as instructors lay them out, built offline in a few tenths of a second.

A venv made with `python -m venv --without-pip`, numpy copied into it (or into a user site), the
grader's dependencies reached by a .pth file naming this interpreter's site-packages, and the grader
itself by a .pth file naming a checkout. `run_probe` then runs, with that Python, one sandboxed
student (`STUDENT`: it imports every public numpy submodule and much of the standard library, and
tries to read, write and unmount what it must not) and the same imports outside the sandbox.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy

REPO = Path(__file__).resolve().parents[3]
NUMPY_SITE = Path(numpy.__file__).resolve().parents[1]  # the folder holding numpy (and numpy.libs)
PY = f"python{sys.version_info.major}.{sys.version_info.minor}"
FIXTURES = REPO / "tests" / "fixtures" / "submissions"
STDLIB = ("json", "collections", "collections.abc", "itertools", "functools", "fractions", "decimal",
          "statistics", "csv", "re", "typing", "dataclasses", "math", "cmath", "random", "copy", "heapq",
          "bisect", "string", "textwrap", "datetime", "pathlib", "tempfile", "multiprocessing",
          "multiprocessing.pool", "concurrent.futures", "threading", "subprocess", "unittest",
          "unittest.mock", "doctest", "enum", "operator", "array", "struct", "io", "pickle", "pprint",
          "contextlib", "warnings", "logging", "argparse", "numbers", "inspect", "traceback", "weakref",
          "queue", "hashlib", "secrets", "base64", "uuid", "timeit", "shutil", "glob", "difflib",
          "calendar", "ast", "dis", "types", "platform", "email", "html", "xml.etree.ElementTree",
          "urllib.parse", "cProfile", "pstats", "graphlib", "importlib.resources", "importlib.metadata",
          "asyncio", "sysconfig", "locale", "unicodedata", "codecs", "gettext", "zlib")
OPTIONAL = ("sqlite3", "ctypes", "lzma", "bz2", "zoneinfo", "readline", "curses")  # may be left out of a build

STUDENT = '''
import ctypes, errno, importlib, os, sys, warnings

def _errno(action):
    try:
        action()
        return "done"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))

def _reach(path):
    """absent, empty (a mask) or readable"""
    try:
        if os.path.isdir(path):
            return "readable" if os.listdir(path) else "empty"
        with open(path, "rb") as handle:
            handle.read(1)
        return "readable"
    except FileNotFoundError:
        return "absent"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, "error")

def _mounts(target):
    libc = ctypes.CDLL(None, use_errno=True)
    def call(result):
        if result != 0:
            raise OSError(ctypes.get_errno(), "refused")
    raw = target.encode()
    return {"umount": _errno(lambda: call(libc.umount2(raw, 2))),
            "mount_over": _errno(lambda: call(libc.mount(b"tmpfs", raw, b"tmpfs", 0, None))),
            "remount_rw": _errno(lambda: call(libc.mount(None, raw, None, 32 | 4096, None))),
            "rename": _errno(lambda: os.rename(target, target + "-moved")),
            "rmdir": _errno(lambda: os.rmdir(target))}

def probe(modules, secret, writable, mounts):
    warnings.simplefilter("ignore")
    failed = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    import multiprocessing, tempfile
    import numpy as np
    a = np.random.default_rng(0).standard_normal((4, 4))
    with multiprocessing.Pool(2) as pool:
        squares = pool.map(abs, [-1, -2])
    with tempfile.TemporaryDirectory() as scratch:
        kept = os.path.isdir(scratch)
    works = [bool(np.allclose(a @ np.linalg.inv(a), np.eye(4))), float(np.fft.fft(np.ones(4))[0].real),
             squares, kept, float(np.polynomial.Polynomial([1, 2])(1.0))]
    return {"failed": failed, "numpy": np.__file__, "works": works, "path": sys.path,
            "seen": {label: _reach(path) for label, path in secret.items()},
            "writes": {path: _errno(lambda: open(os.path.join(path, "planted.py"), "w").close())
                       for path in writable},
            "mounts": _mounts(mounts) if mounts else {}}
'''

RUNNER = '''
import importlib, json, os, pkgutil, sys, warnings
import numpy
from grader.model import Case, Cell, Program
from grader.sandbox import Limits, Sandbox

STUDENT, stdlib, secret, writable, mounts = json.loads(open(sys.argv[1]).read())
names = [i.name for i in pkgutil.walk_packages(numpy.__path__, "numpy.", onerror=lambda n: None)]
# numpy.distutils (deprecated, Python < 3.12 only) needs setuptools, which only the test's .pth of the grader's
# own dependencies provides here (from a venv that may lie inside the hidden checkout): not a student module
modules = [n for n in names if not any(p.startswith("_") or p in ("tests", "conftest", "setup", "distutils")
                                       for p in n.split("."))] + stdlib
with Sandbox(isolation="namespaces") as box:
    report = box.run(Program(cells=(Cell(STUDENT, "hw03.py", "hw03.py"),), kind="py"),
                     [Case("probe", "c", "edge", (modules, secret, writable, mounts))],
                     Limits(timeout=60, memory_mb=4096))
    detail = box.isolation_detail
outcome = report.outcomes[0]
warnings.simplefilter("ignore")
outside = {}
for name in modules:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        outside[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"status": outcome.status, "error": outcome.error, "inside": outcome.value, "outside": outside,
                  "numpy": numpy.__file__, "detail": detail, "stderr": report.stderr[-3000:]}))
'''


def with_imports() -> str:
    """passes_all.py plus checks that import numpy.testing, numpy.fft, numpy.polynomial and much of the stdlib."""
    return ((FIXTURES / "passes_all.py").read_text() + "\n"
            + (FIXTURES.parent / "parts" / "numpy_submodules_and_stdlib.py").read_text())


@dataclass
class Layout:
    """A Python installation under `base`: its interpreter, and the folders a student must not reach."""

    base: Path
    python: Path = Path()
    env: dict[str, str] = field(default_factory=dict)
    secret: dict[str, str] = field(default_factory=dict)  # label -> path a student must find absent or empty

    def venv(self, where: Path, system_site: bool = False) -> Path:
        """A venv without pip at `where`; returns its site-packages folder."""
        command = [sys.executable, "-m", "venv", "--without-pip", str(where)]
        subprocess.run(command + (["--system-site-packages"] if system_site else []), check=True, timeout=120)
        self.python = where / "bin" / "python"
        return where / "lib" / PY / "site-packages"

    def add_numpy(self, site: Path) -> None:
        """A copy of this interpreter's numpy (without its tests) in `site`."""
        site.mkdir(parents=True, exist_ok=True)
        for name in ("numpy", "numpy.libs"):
            if (NUMPY_SITE / name).is_dir():
                shutil.copytree(NUMPY_SITE / name, site / name, symlinks=True,
                                ignore=shutil.ignore_patterns("tests"))

    def add_pth(self, site: Path, name: str, *folders: Path) -> None:
        (site / f"{name}.pth").write_text("".join(f"{folder}\n" for folder in folders))

    def add_dependencies(self, site: Path) -> None:
        """The grader's own dependencies (nbformat, pandas, jinja2): this interpreter's site folders."""
        folders = [Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
        self.add_pth(site, "zz_grader_dependencies", *folders)

    def checkout(self, where: Path) -> Path:
        """A copy of the grader's checkout: grader, reference, assignments, and tests holding a solution."""
        for name in ("grader", "reference", "assignments"):
            shutil.copytree(REPO / name, where / name, ignore=shutil.ignore_patterns("__pycache__"))
        (where / "tests").mkdir()
        (where / "tests" / "test_solutions.py").write_text("# the complete solution of every exercise\n")
        self.hide_checkout(where)
        return where

    def hide_checkout(self, where: Path) -> None:
        """What of the checkout at `where` a student must not reach: each of these that exists."""
        for name in ("tests", "reference", "assignments", "tests/test_solutions.py", "reference/activations.py",
                     "assignments/hw03", "tests/fixtures/submissions/passes_all.py", ".git"):
            if (where / name).exists():
                self.secret[f"{where.name}/{name}"] = str(where / name)

    def run_probe(self, writable: Sequence[Path] = (), mounts: Path | None = None) -> dict:
        """The sandboxed student's findings, and the same imports outside the sandbox (see RUNNER)."""
        spec = self.base / "probe.json"
        spec.write_text(json.dumps([textwrap.dedent(STUDENT), list(STDLIB + OPTIONAL), self.secret,
                                    [str(w) for w in writable], str(mounts or "")]))
        (self.base / "runner.py").write_text(RUNNER)
        done = subprocess.run([str(self.python), str(self.base / "runner.py"), str(spec)], cwd=self.base,
                              env=self.environment(), capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def grade(self, cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], dict]:
        """`python -m grader.cli` on one correct submission importing numpy.testing, numpy.fft, numpy.polynomial
        and much of the standard library: the process and run.json."""
        (self.base / "class").mkdir(exist_ok=True)
        (self.base / "class" / "dana.py").write_text(with_imports())
        done = subprocess.run([str(self.python), "-m", "grader.cli", str(self.base / "class"), "--out",
                               str(self.base / "out"), "--quiet"], cwd=cwd or self.base, env=self.environment(),
                              capture_output=True, text=True, timeout=240)
        record = json.loads((self.base / "out" / "run.json").read_text()) if done.returncode == 0 else {}
        return done, record

    def environment(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(self.base),
                "GRADER_ISOLATION": "namespaces", **self.env}
