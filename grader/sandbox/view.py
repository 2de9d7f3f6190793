"""The students' view of the file system, built once in the fork server's own mount namespace.

An allowlist, not a denylist: a fresh root holding read-only binds of the system folders (/usr,
/bin, /lib..., /etc, /sys), the folders of the running Python (and the symlinks on the way to them;
see `grader.sandbox.pythondirs`), a minimal /dev, /proc and an empty /tmp. Everything else (home
folders, /work, /mnt, /srv, /var, the grader's checkout, the output and submissions folders,
other students' files) does not exist there. reference/, assignments/
and any extra hidden folder inside a visible folder are covered by empty read-only tmpfs mounts.
Each student later mounts its own /proc and a private, writable /tmp (`mount_scratch`); Python
folders that live under /tmp (a venv in /tmp) are then bound again, read-only, on top of it.
"""
from __future__ import annotations

import errno
import os
import platform
from dataclasses import dataclass

from grader.sandbox import linux
from grader.sandbox.pythondirs import Link, grader_dirs, interpreter_dirs, outermost, python_links, under

SCRATCH = "/tmp"  # each student's private, writable tmpfs is mounted here
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
DEVICES = ("null", "zero", "full", "random", "urandom")
STAGING = "/tmp"  # where the new root is assembled (in our private mount namespace)
TMPFS_OPTIONS = "size=64k,mode=755"
MASK_FLAGS = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
# pivot_root(2) has no libc wrapper: its system call number per architecture
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41, "riscv64": 41, "ppc64le": 203, "ppc64": 203,
              "s390x": 217, "i686": 217, "i386": 217, "armv7l": 218}


class ViewError(Exception):
    """The read-only view could not be built (the sandbox then falls back, loudly)."""


@dataclass(frozen=True)
class View:
    """What students see: the folders bound in, the folders masked inside them, the Python folders
    inside a masked one bound back on top of its mask (`kept`), the bound folders that lie under
    SCRATCH (`rebound`: bound again inside each student's own SCRATCH), and the symlinks leading to
    Python folders (`links`: those under SCRATCH made again in each student's SCRATCH)."""

    visible: tuple[str, ...]
    masked: tuple[str, ...]
    rebound: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()

    def describe(self) -> str:
        links = f"; symlinks leading to them: {', '.join(f'{a} -> {b}' for a, b in self.links)}" if self.links else ""
        kept = f"; bound back on top of those masks: {', '.join(self.kept)}" if self.kept else ""
        masked = f"; masked inside them: {', '.join(self.masked)}{kept}" if self.masked else ""
        rebound = (f" ({', '.join(self.rebound)} bound again, read-only, inside each student's {SCRATCH})"
                   if self.rebound else "")
        return (f"read-only file system showing only {', '.join(self.visible)}, a minimal /dev{links}{masked}; "
                f"private {SCRATCH}{rebound} and /proc per student")

    def in_scratch(self) -> tuple[tuple[str, ...], tuple[Link, ...]]:
        """What each student makes again in its own SCRATCH: the folders to bind, the symlinks."""
        return self.rebound, tuple(link for link in self.links if under(link[0], SCRATCH))


def _hold(folder: str) -> int:
    """A descriptor of `folder` that only names it (O_PATH): it can be bound even once hidden."""
    return os.open(folder, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)


def _bind(source: str | int, target: str, is_dir: bool = True, recursive: bool = True) -> None:
    """Bind `source` (a path, or a descriptor held open) read-only at `target`, creating it; with
    what is mounted inside it when `recursive`."""
    if is_dir:
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644))
    path = f"/proc/self/fd/{source}" if isinstance(source, int) else source
    linux.mount(path, target, None, linux.MS_BIND | (linux.MS_REC if recursive else 0))
    linux.remount_readonly(target)


def _make_parents(path: str) -> None:
    """Create the folders leading to `path` (normalized, below SCRATCH, which exists)."""
    folder = SCRATCH
    for part in path[len(SCRATCH) + 1:].split("/")[:-1]:
        folder = f"{folder}/{part}"
        try:
            os.mkdir(folder, 0o755)
        except FileExistsError:
            pass


def mount_scratch(options: str, shown: View | None) -> None:
    """In a student's own mount namespace: its private, writable SCRATCH tmpfs, then what of the
    Python lives under SCRATCH (`View.in_scratch`): its folders bound back on top, read-only with
    what is masked inside them, from descriptors taken just before, and the symlinks leading to
    them. A few system calls per folder. The student cannot undo the binds: it has no capability
    over this mount namespace, and the kernel refuses to rename or remove a mount point (moving a
    folder above one, or a symlink, breaks only its own imports)."""
    rebound, links = shown.in_scratch() if shown is not None else ((), ())
    held = [_hold(folder) for folder in rebound]
    try:
        linux.mount("tmpfs", SCRATCH, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, options)
        for fd, folder in zip(held, rebound):
            _make_parents(folder)
            os.mkdir(folder, 0o755)
            linux.mount(f"/proc/self/fd/{fd}", folder, None, linux.MS_BIND | linux.MS_REC)
            if not os.statvfs(folder).f_flag & os.ST_RDONLY:  # a bind keeps the fork server's read-only flag
                linux.remount_readonly(folder)
    finally:
        for fd in held:
            os.close(fd)
    for link, target in links:
        _make_parents(link)
        os.symlink(target, link)


def _bind_system(folder: str, target: str) -> None:
    """/sys without what is mounted inside it (cgroups, debugfs...) where the kernel allows that: in a
    user namespace it refuses (those mounts are locked), and they are then bound too, read-only."""
    if folder == "/sys":
        try:
            return _bind(folder, target, recursive=False)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
    _bind(folder, target)


def _populate(new: str, held: dict[str, int], links: list[Link]) -> list[str]:
    """Fill the new root with the system folders, the `held` ones (by descriptors taken before the
    new root was mounted over SCRATCH) and the `links` to them; returns the folders made visible."""
    visible = []
    for folder in SYSTEM:
        if os.path.islink(folder):
            os.symlink(os.readlink(folder), new + folder)
        elif os.path.isdir(folder):
            _bind_system(folder, new + folder)
            visible.append(folder)
    for folder, fd in held.items():
        _bind(fd, new + folder)
        visible.append(folder)
    for link, target in links:
        if not os.path.lexists(new + link):  # /bin -> usr/bin is there already
            os.makedirs(os.path.dirname(new + link), mode=0o755, exist_ok=True)
            os.symlink(target, new + link)
    devices = [(os.open(f"/dev/{name}", os.O_PATH | os.O_CLOEXEC), name) for name in DEVICES]
    try:
        os.mkdir(new + "/dev", 0o755)
        linux.mount("tmpfs", new + "/dev", "tmpfs", linux.MS_NOSUID | linux.MS_NOEXEC, TMPFS_OPTIONS)
        for fd, name in devices:
            _bind(fd, f"{new}/dev/{name}", is_dir=False)
    finally:
        for fd, _name in devices:
            os.close(fd)
    os.symlink("/proc/self/fd", new + "/dev/fd")
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{number}", f"{new}/dev/{name}")
    os.mkdir(new + "/dev/shm", 0o755)
    linux.mount(None, new + "/dev", None, linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID
                | linux.MS_NOEXEC, TMPFS_OPTIONS)
    _bind("/proc", new + "/proc")  # the fork server's; each student mounts its own over it
    os.makedirs(new + SCRATCH, 0o755, exist_ok=True)  # it exists already when Python lives under it
    return visible


def _pivot(new: str) -> None:
    """Make `new` the root of this mount namespace and detach the old root entirely."""
    number = PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise ViewError(f"pivot_root is not known on {platform.machine()}")
    os.chdir(new)
    linux.syscall(number, ".", ".", what="pivot_root")
    linux.umount(".")  # the old root, now stacked on top of the new one
    os.chdir("/")


def _mountpoints() -> list[str]:
    points = []
    with open("/proc/self/mountinfo", "rb") as info:
        for line in info:
            raw = line.split()[4]
            points.append(os.fsdecode(raw.decode("unicode_escape").encode("latin-1")))
    return sorted(set(points), key=len)


def _seal() -> None:
    """Every mount of the new root read-only (submounts of /sys and /usr included)."""
    for point in _mountpoints():
        try:
            linux.remount_readonly(point)
        except OSError as exc:
            try:
                if os.statvfs(point).f_flag & os.ST_RDONLY:
                    continue
            except OSError:
                continue  # covered by another mount: unreachable
            raise ViewError(f"cannot make {point} read-only: {exc.strerror}") from None


def _mask(folder: str, keep: list[str]) -> None:
    """Cover `folder` with an empty read-only tmpfs (a file: with /dev/null); the `keep` folders
    inside it (a venv inside the checkout) are bound back on top, from descriptors opened before."""
    if not os.path.isdir(folder):
        linux.mount("/dev/null", folder, None, linux.MS_BIND)
        linux.remount_readonly(folder)
        return
    held = [(_hold(k), k) for k in keep]
    try:
        linux.mount("tmpfs", folder, "tmpfs", MASK_FLAGS, TMPFS_OPTIONS)
        for fd, path in held:
            _bind(fd, path)
    finally:
        for fd, _path in held:
            os.close(fd)
    linux.mount(None, folder, None, linux.MS_REMOUNT | linux.MS_RDONLY | MASK_FLAGS, TMPFS_OPTIONS)


def build(extra_hidden: list[str]) -> View:
    """In a fresh mount namespace of our own: assemble the new root, pivot into it, mask, seal."""
    private = sorted({*grader_dirs(), *(os.path.realpath(p) for p in extra_hidden if os.path.exists(p))})
    python = interpreter_dirs(private)
    needed = outermost(python)  # the folders to bind; those inside a masked one are bound back on it
    holding = [d for d in needed if under(SCRATCH, d)]
    if holding:
        raise ViewError(f"the Python installation folder {holding[0]} holds {SCRATCH}, which each student "
                        "gets as a private scratch folder; install Python elsewhere")
    os.umask(0o022)
    held: dict[str, int] = {}
    try:
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
        # taken before the new root is assembled over SCRATCH, which may hold some of them (a venv in /tmp)
        held = {d: _hold(d) for d in needed if not any(under(d, s) for s in SYSTEM)}
        shown = [s for s in SYSTEM if os.path.isdir(s) and not os.path.islink(s)] + list(held)
        links = python_links(python, shown)
        linux.mount("tmpfs", STAGING, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, TMPFS_OPTIONS)
        visible = _populate(STAGING, held, links)
        _pivot(STAGING)
        masked: list[str] = []
        kept: list[str] = []
        for path in private:  # only those inside a visible folder can be seen
            if not any(under(path, v) for v in visible) or not os.path.lexists(path):
                continue  # at most a bare folder leading to a bound one (a venv inside the checkout)
            if path in python:
                raise ViewError(f"cannot hide {path}: the Python installation lives there")
            keep = outermost([d for d in python if under(d, path) and d != path])
            _mask(path, keep)
            masked.append(path)
            kept.extend(keep)
        _seal()
    except OSError as exc:
        raise ViewError(f"cannot build the read-only view: {exc.strerror or exc} ({exc.filename or ''})") from None
    finally:
        for fd in held.values():
            os.close(fd)
    return View(tuple(visible), tuple(masked), tuple(d for d in needed if under(d, SCRATCH)), tuple(kept),
                tuple(links))
