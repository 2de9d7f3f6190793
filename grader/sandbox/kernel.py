"""What student code sees of its interpreter, as in a Jupyter kernel: its import path, and `display` as a builtin."""
from __future__ import annotations

import builtins
import os
from typing import Any

import grader

REPO = os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__)))  # the checkout holding the grader


def display(*objs: Any, include: Any = None, exclude: Any = None, metadata: Any = None, transient: Any = None,
            display_id: Any = None, raw: bool = False, clear: bool = False, **kwargs: Any) -> None:
    """IPython's `display` where no IPython shell runs: it prints the objects, as print(*objs) does.

    IPython (5.4 and later) makes `display` a builtin, so notebooks call it without importing it;
    outside a shell, IPython.display.display prints its arguments and returns None, whatever the
    keyword arguments. So does this one.
    """
    print(*objs)


def prepare(path: list[str], folder: str) -> None:
    """Set up `path` (sys.path) and the builtins before the first line of student code runs.

    The grader's checkout and the relative entries ("", ".") are removed, so that no grader module
    can be imported from there. The working folder `folder` (the student's private scratch folder) is
    put where IPython puts the current folder: before the first site-packages, after the standard
    library (IPython's InteractiveShellApp.init_path). So a module the notebook writes there
    (%%writefile) can be imported, as in Jupyter, and none can hide a standard module. `display`
    becomes a builtin, as in IPython.
    """
    path[:] = [entry for entry in path if entry not in ("", ".", folder, REPO)]
    index = next((k for k, entry in enumerate(path)
                  if os.path.basename(entry) in ("site-packages", "dist-packages")), 0)
    path.insert(index, folder)
    builtins.display = display  # type: ignore[attr-defined]
