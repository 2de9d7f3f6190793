"""Which folders the students' view must show (the running Python's) and must hide (the grading data).

Show: the prefixes and sys.path folders (the user site and .pth paths among them) at their real
paths, plus the symlinks on the way to them, so that the names Python holds (sys.path, a package's
__path__) lead there inside the view too. Hide: the grader's checkout (its tests hold solutions)
and every copy of reference/ and assignments/, not only the one `import reference` finds.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import sys

HIDDEN_PACKAGES = ("reference", "assignments")  # masked wherever a copy of them lies in a visible folder
MAX_LINKS = 40  # symlinks followed on the way to one folder (as the kernel's limit)

Link = tuple[str, str]  # (where a symlink is, what it points to)


def under(path: str, folder: str) -> bool:
    """`path` is `folder` or lies inside it (both absolute, normalized)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def real_dirs(paths: list[str]) -> list[str]:
    found = {os.path.realpath(p) for p in paths if p and os.path.isdir(p)}
    return sorted(p for p in found if p != "/")


def outermost(dirs: list[str]) -> list[str]:
    return [d for d in dirs if not any(o != d and under(d, o) for o in dirs)]


def _prefixes() -> list[str]:
    return [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix]


def interpreter_dirs(private: list[str]) -> list[str]:
    """The folders the running Python reads from: its prefixes, and the sys.path entries that are
    not inside a `private` folder (the grader's own checkout is on sys.path in the fork server).
    Some may lie inside others (a venv inside the checkout, inside a folder on sys.path)."""
    paths = [d for d in real_dirs(sys.path) if not any(under(d, p) for p in private)]
    return sorted(set(real_dirs(_prefixes()) + paths))


def grader_dirs() -> list[str]:
    """reference/ and assignments/ wherever they are installed (every copy on sys.path or in a
    prefix's site-packages, not only the one imported), and the grader's source checkout (its tests
    hold complete solutions) unless the grader is installed in site-packages."""
    found = []
    for name in HIDDEN_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            found.extend(spec.submodule_search_locations)
        found.extend(os.path.join(entry, name) for entry in sys.path if os.path.isabs(entry))
        for prefix in set(_prefixes()):
            found.extend(glob.glob(os.path.join(glob.escape(prefix), "lib*", "python*", "*-packages", name)))
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.basename(here) not in ("site-packages", "dist-packages"):
        found.append(here)
    return real_dirs(found)


def _parts(path: str) -> list[str]:
    return [part for part in os.path.normpath(path).split("/") if part]


def links_to(path: str, shown: list[str]) -> list[Link]:
    """The symlinks met on the way to the absolute `path` outside every `shown` folder (a bound
    folder shows its own symlinks as they are), in order; each is followed to its target."""
    found: list[Link] = []
    current, pending = "/", _parts(path)
    while pending and len(found) < MAX_LINKS:
        step = os.path.join(current, pending.pop(0))
        if any(under(step, folder) for folder in shown):
            break
        if not os.path.islink(step):
            current = step
            continue
        target = os.readlink(step)
        found.append((step, target))
        current, pending = "/", _parts(os.path.join(current, target)) + pending  # `current` holds no symlink
    return found


def python_links(python: list[str], shown: list[str]) -> list[Link]:
    """The symlinks on the way to the prefixes and sys.path folders as Python names them (a venv
    reached through a symlink, /home -> /var/home), for those whose real folder is in `python`."""
    named = {os.path.normpath(p) for p in [*_prefixes(), *sys.path] if os.path.isabs(p) and os.path.isdir(p)}
    links: dict[str, str] = {}
    for path in sorted(named):
        if any(under(os.path.realpath(path), folder) for folder in python):
            links.update(links_to(path, shown))
    return sorted(links.items())
