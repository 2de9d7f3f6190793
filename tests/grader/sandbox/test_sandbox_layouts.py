"""A correct submission scores the same wherever Python is installed, with namespace isolation.

For each layout (a venv inside the grader's checkout, out of /tmp and in it, the checkout alone or
inside a folder on sys.path; a venv reached through a symlink; a venv under /tmp; a
`--system-site-packages` venv reading numpy from the user site, with the checkout inside the venv),
a student imports every public numpy submodule and much of the standard library (whatever imports
outside the sandbox imports inside it), uses numpy, multiprocessing and temp files, and finds the
reference, the assignments and the checkout's tests (which hold solutions) absent or empty, also
through a .pth entry, a symlink or a copy installed in site-packages. The Python folders are
read-only, and a student cannot unmount or replace those bound back into its own /tmp. Then
`grade` gives a correct submission full marks. Each layout takes a few seconds, offline.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import site
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from layout_support import PY, REPO, STDLIB, Layout

from grader.sandbox import pythondirs, view, zygote

NUMPY_REQUIRED = ("numpy.testing", "numpy.polynomial", "numpy.fft", "numpy.linalg", "numpy.random", "numpy.ma",
                  "numpy.lib", "numpy.ctypeslib", "numpy.lib.stride_tricks", "numpy.lib.recfunctions",
                  "numpy.lib.scimath", "numpy.polynomial.polynomial", "numpy.ma.extras", "numpy.typing",
                  "numpy.matlib")
REFUSED = ("EROFS",)  # a write into a Python folder: refused by the read-only mount, not by permissions


def outside_tmp() -> str:
    """A folder for a layout out of /tmp (students get a private /tmp); skips when there is none."""
    for folder in ("/var/tmp", os.path.expanduser("~")):
        real = os.path.realpath(folder)
        if os.path.isdir(real) and os.access(real, os.W_OK) and not pythondirs.under(real, "/tmp"):
            return folder
    pytest.skip("no writable folder outside /tmp for a layout there")


@pytest.fixture(params=["out-of-tmp", "in-tmp"])
def where(request: pytest.FixtureRequest) -> str:
    return outside_tmp() if request.param == "out-of-tmp" else "/tmp"


def make_layout(parent: str) -> Iterator[Layout]:
    base = Path(tempfile.mkdtemp(prefix="grader-layout-", dir=parent))
    os.chmod(base, 0o755)
    try:
        yield Layout(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def layout_in(where: str) -> Iterator[Layout]:
    yield from make_layout(where)


@pytest.fixture
def tmp_layout() -> Iterator[Layout]:
    yield from make_layout("/tmp")


@pytest.fixture
def outside_layout() -> Iterator[Layout]:
    yield from make_layout(outside_tmp())


def open_folder(site_packages: Path) -> Path:
    """A world-writable folder in a Python folder: only the read-only mount stops a student there."""
    folder = site_packages / "open"
    folder.mkdir()
    os.chmod(folder, 0o777)
    return folder


def assert_same_environment(found: dict, numpy_in: Path) -> None:
    """The student ran to the end; it imported whatever imports outside the sandbox (and at least
    the modules a course uses), from the same numpy; it reached no secret and wrote nothing."""
    assert found["status"] == "returned", (found["error"], found["stderr"])
    inside = found["inside"]
    failed = set(inside["failed"])
    assert failed <= set(found["outside"]), {m: inside["failed"][m] for m in failed - set(found["outside"])}
    assert not failed & {*STDLIB, *NUMPY_REQUIRED}, inside["failed"]
    assert inside["numpy"] == found["numpy"] == str(numpy_in / "numpy" / "__init__.py")
    assert inside["works"] == [True, 4.0, [1, 2], True, 3.0]
    assert inside["seen"] and set(inside["seen"].values()) <= {"absent", "empty"}, inside["seen"]
    assert inside["writes"] and set(inside["writes"].values()) <= set(REFUSED), inside["writes"]


def rebound(detail: str) -> list[str]:
    """The folders run.json's isolation detail says are bound again inside each student's /tmp (the
    test's own venv is among them when it lives under /tmp)."""
    found = re.search(r"private /tmp \((.*?) bound again, read-only, inside each student's /tmp\)", detail)
    return found.group(1).split(", ") if found else []


def assert_full_marks(layout: Layout, cwd: Path | None = None) -> str:
    done, record = layout.grade(cwd)
    assert done.returncode == 0 and "mean 100.0%" in done.stdout, (done.stdout, done.stderr[-3000:])
    assert record["isolation"] == "namespaces" and "WARNING" not in done.stderr, record
    return record["isolation_detail"]


@pytest.mark.namespaces
@pytest.mark.parametrize("shared", [False, True], ids=["alone", "in-a-folder-on-sys.path"])
def test_venv_inside_the_checkout(layout_in: Layout, where: str, shared: bool):
    """`python -m venv .venv` in the checkout, out of /tmp and in it (a clean clone in /tmp), with
    the grader found by a .pth naming the checkout; the checkout alone, or inside a folder that a
    .pth puts on sys.path (then the checkout is masked there and the venv bound back on the mask).
    Attacks: .pth entries naming reference/ and tests/, symlinks in site-packages to them, a copy of
    reference installed in site-packages."""
    layout = layout_in
    outer = layout.base / "shared" if shared else layout.base
    checkout = layout.checkout(outer / "grader-checkout")
    site_packages = layout.venv(checkout / ".venv")
    layout.add_numpy(site_packages)
    layout.add_pth(site_packages, "grader_checkout", checkout)
    if shared:
        layout.add_pth(site_packages, "shared", outer)
    layout.add_pth(site_packages, "attack", checkout / "reference", checkout / "tests")
    layout.add_dependencies(site_packages)
    (site_packages / "solutions").symlink_to(checkout / "tests")
    (site_packages / "answers.py").symlink_to(checkout / "tests" / "test_solutions.py")
    shutil.copytree(checkout / "reference", site_packages / "reference")
    layout.secret.update({"symlink to tests/": str(site_packages / "solutions"),
                          "symlink to a solution": str(site_packages / "answers.py"),
                          "reference installed in site-packages": str(site_packages / "reference")})
    found = layout.run_probe(writable=[open_folder(site_packages), site_packages])
    assert_same_environment(found, site_packages)
    detail = assert_full_marks(layout, cwd=checkout)
    bound = outer if shared else checkout / ".venv"
    assert f", {bound}," in detail and (str(bound) in rebound(detail)) == (where == "/tmp"), detail
    assert (f"masked inside them: {checkout}, " in detail) == shared, detail
    assert (f"; bound back on top of those masks: {checkout}/.venv;" in detail) == shared, detail


@pytest.mark.namespaces
def test_venv_reached_through_a_symlink(layout_in: Layout, where: str):
    """`venv -> real-venv` (a relative symlink), out of /tmp and in it: Python names its folders
    through the symlink (sys.prefix, sys.path, numpy.__path__), so the view has the symlink too
    (made again in each student's /tmp when it lies there)."""
    layout = layout_in
    layout.venv(layout.base / "real-venv")
    (layout.base / "venv").symlink_to("real-venv")
    layout.python = layout.base / "venv" / "bin" / "python"
    site_packages = layout.base / "venv" / "lib" / PY / "site-packages"
    layout.add_numpy(site_packages)
    layout.add_pth(site_packages, "grader_checkout", REPO)
    layout.add_dependencies(site_packages)
    layout.hide_checkout(REPO)
    found = layout.run_probe(writable=[open_folder(site_packages)])
    assert_same_environment(found, site_packages)
    assert str(site_packages) in found["inside"]["path"]
    detail = assert_full_marks(layout)
    assert f"symlinks leading to them: {layout.base / 'venv'} -> real-venv" in detail, detail
    assert (str(layout.base / "real-venv") in rebound(detail)) == (where == "/tmp"), detail


@pytest.mark.namespaces
def test_venv_under_tmp(tmp_layout: Layout):
    """A venv in /tmp, where each student gets a private tmpfs: the venv is bound back into it,
    read-only, with the reference installed in its site-packages masked. The grader is the real
    checkout, found by a .pth; its reference, assignments and tests stay out of reach. The student
    cannot unmount, cover, remount or move the venv, nor write into it."""
    layout = tmp_layout
    venv = layout.base / "venv"
    site_packages = layout.venv(venv)
    layout.add_numpy(site_packages)
    layout.add_pth(site_packages, "grader_checkout", REPO)
    layout.add_dependencies(site_packages)
    shutil.copytree(REPO / "reference", site_packages / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    layout.hide_checkout(REPO)
    layout.secret["reference installed in site-packages"] = str(site_packages / "reference")
    open_site = open_folder(site_packages)
    found = layout.run_probe(writable=[open_site, venv], mounts=venv)
    assert_same_environment(found, site_packages)
    mounts = found["inside"]["mounts"]
    assert mounts["umount"] == mounts["mount_over"] == mounts["remount_rw"] == "EPERM", mounts
    assert mounts["rename"] in ("EBUSY", "EACCES", "EPERM") and mounts["rmdir"] in ("EBUSY", "EACCES", "EPERM"), mounts
    assert os.listdir(open_site) == [] and not (venv / "planted.py").exists()
    assert str(venv) in rebound(assert_full_marks(layout))


@pytest.mark.namespaces
def test_system_site_packages_venv_reads_the_user_site(outside_layout: Layout):
    """`python -m venv --system-site-packages`: numpy comes from the user site (PYTHONUSERBASE),
    which the fork server (`python -I`) adds back, before the base installation's numpy. The
    checkout lives inside the venv (src/), and is masked there."""
    layout = outside_layout
    venv = layout.base / "venv"
    layout.venv(venv, system_site=True)
    user_site = layout.base / "userbase" / "lib" / PY / "site-packages"
    layout.add_numpy(user_site)
    checkout = layout.checkout(venv / "src" / "grader-checkout")
    layout.add_pth(user_site, "grader_checkout", checkout)
    layout.add_dependencies(user_site)
    layout.env["PYTHONUSERBASE"] = str(layout.base / "userbase")
    layout.secret["the checkout inside the venv"] = str(checkout)
    found = layout.run_probe(writable=[open_folder(user_site), venv])
    assert_same_environment(found, user_site)
    path = found["inside"]["path"]
    assert str(user_site) in path and str(checkout) not in path
    assert str(venv) in assert_full_marks(layout)


def test_the_user_site_goes_where_site_puts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """After a venv's own site-packages, before the base installation's, with its .pth paths after it."""
    (tmp_path / "extra").mkdir()
    (tmp_path / "user.pth").write_text(f"{tmp_path / 'extra'}\n")
    base = site.getsitepackages([sys.base_prefix])[0]
    monkeypatch.setattr(sys, "path", ["/stdlib", "/venv/site-packages", base, "/later"])
    zygote.add_user_site(str(tmp_path))
    assert sys.path == ["/stdlib", "/venv/site-packages", str(tmp_path), str(tmp_path / "extra"), base, "/later"]


def test_every_installed_copy_of_reference_is_hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Not only the copy `import reference` finds: one installed in any folder on sys.path too."""
    (tmp_path / "reference").mkdir()
    (tmp_path / "assignments").mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(tmp_path)])
    hidden = pythondirs.grader_dirs()
    assert str(tmp_path / "reference") in hidden and str(tmp_path / "assignments") in hidden


def test_the_description_names_what_is_bound_again_in_tmp():
    seen = view.View(("/usr", "/tmp/venv"), ("/tmp/venv/src/checkout",), ("/tmp/venv",)).describe()
    assert "masked inside them: /tmp/venv/src/checkout;" in seen
    assert "private /tmp (/tmp/venv bound again, read-only, inside each student's /tmp)" in seen
    assert "bound again" not in view.View(("/usr",), ()).describe()


def test_the_description_names_what_is_bound_back_on_a_mask():
    seen = view.View(("/usr", "/opt/shared"), ("/opt/shared/checkout",), (), ("/opt/shared/checkout/.venv",))
    assert ("masked inside them: /opt/shared/checkout; bound back on top of those masks: "
            "/opt/shared/checkout/.venv; private /tmp and /proc") in seen.describe()


def test_links_to_follows_each_symlink_outside_the_bound_folders(tmp_path: Path):
    (tmp_path / "real" / "lib").mkdir(parents=True)
    (tmp_path / "venv").symlink_to("real")
    (tmp_path / "real" / "site").symlink_to(tmp_path / "real" / "lib")
    base = str(tmp_path.resolve())
    assert pythondirs.links_to(f"{base}/venv/site", []) == [(f"{base}/venv", "real"),
                                                            (f"{base}/real/site", f"{tmp_path}/real/lib")]
    assert pythondirs.links_to(f"{base}/venv/site", [f"{base}/real"]) == [(f"{base}/venv", "real")]
    assert pythondirs.links_to(f"{base}/venv/site", [base]) == []


@pytest.mark.namespaces
def test_submissions_and_output_stay_hidden_inside_a_python_folder(outside_layout: Layout):
    """A .pth line naming a folder that also holds the class and the output folder (a home folder,
    say) shows that folder to students; `grade` still hides the submissions and its output there,
    so a student can neither copy a classmate's file nor read the results."""
    layout = outside_layout
    site_packages = layout.venv(layout.base / "venv")
    layout.add_numpy(site_packages)
    layout.add_pth(site_packages, "grader_checkout", REPO)
    layout.add_dependencies(site_packages)
    layout.add_pth(site_packages, "home", layout.base)
    (layout.base / "class").mkdir()
    spy = (f"import os, json\n"
           f"seen = {{}}\n"
           f"for path in ({str(layout.base / 'class' / 'dana.py')!r}, {str(layout.base / 'class')!r},"
           f" {str(layout.base / 'out')!r}, {str(layout.base / 'venv')!r}):\n"
           f"    try:\n"
           f"        seen[path] = sorted(os.listdir(path)) if os.path.isdir(path) else open(path).read()[:20]\n"
           f"    except OSError as exc:\n"
           f"        seen[path] = type(exc).__name__\n"
           f"print('SEEN', json.dumps(seen))\n")
    (layout.base / "class" / "eve.py").write_text(spy + (REPO / "tests/fixtures/submissions/passes_all.py").read_text())
    done, record = layout.grade()
    assert done.returncode == 0 and record["isolation"] == "namespaces", (done.stdout, done.stderr[-2000:])
    eve = json.loads((layout.base / "out" / "results" / "eve.json").read_text())
    seen = json.loads(eve["stdout"].split("SEEN ", 1)[1].splitlines()[0])
    assert seen[str(layout.base / "venv")] != "FileNotFoundError"  # the .pth folder is visible...
    for path in ("class/dana.py", "class", "out"):  # ...but not the class or the results inside it
        assert seen[str(layout.base / path)] in ("FileNotFoundError", [], "PermissionError"), (path, seen)
