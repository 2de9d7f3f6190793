"""A cgroup per student (v2, or v1's memory and pids hierarchies), bounding all the memory it takes from the host."""
from __future__ import annotations

import errno
import os
import time
from dataclasses import dataclass

PREFIX = "grader-sandbox-"  # one folder per fork server: PREFIX + PID namespace + "-" + grader pid + "-" + a number
LEAF = "grader-leaf"  # where a grader moves the processes of its own cgroup to enable controllers below it
V2_CONTROLLERS = ("memory", "pids")
DELEGATE_XATTRS = ("trusted.delegate", "user.delegate")  # set by systemd (v251+) on a Delegate=yes unit
KINDS = ("v2", "memory", "pids")  # a sandbox folder's kind: the v2 hierarchy, or a v1 controller's


@dataclass(frozen=True)
class Place:
    """Where a fork server makes its students' cgroups: (kind, folder) per hierarchy, memory first;
    empty, with the reason, where no cgroup bounds memory here."""

    folders: tuple[tuple[str, str], ...] = ()
    reason: str = ""

    def plan(self) -> dict[str, object]:
        """What the fork server is told (--cgroups)."""
        return {"folders": [list(f) for f in self.folders], "reason": self.reason}


class CgroupError(Exception):
    """No usable cgroup: the message says why."""


def _read(path: str) -> str:
    with open(path, encoding="ascii") as handle:
        return handle.read()


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def hierarchies() -> dict[str, str]:
    """This process's cgroup folder in each mounted hierarchy: "v2", or a v1 controller's name."""
    mounts: dict[str, tuple[str, str]] = {}  # kind -> (mount point, root of the hierarchy shown there)
    for line in _read("/proc/self/mountinfo").splitlines():
        fields = line.split()
        at = fields.index("-")
        fstype, options = fields[at + 1], fields[at + 3].split(",")
        if fstype == "cgroup2":
            mounts.setdefault("v2", (fields[4], fields[3]))
        elif fstype == "cgroup":
            for kind in ("memory", "pids"):
                if kind in options:
                    mounts.setdefault(kind, (fields[4], fields[3]))
    found = {}
    for line in _read("/proc/self/cgroup").splitlines():
        _number, names, path = line.split(":", 2)
        for kind in (["v2"] if names == "" else names.split(",")):
            if kind in mounts:
                point, root = mounts[kind]
                inside = path[len(root):] if root != "/" and path.startswith(root) else path
                found[kind] = os.path.normpath(os.path.join(point, inside.lstrip("/")))
    return found


def _delegated(folder: str) -> bool:
    """Whether this cgroup is ours to divide: marked delegated by systemd (Delegate=yes), the root
    we see (a container's cgroup namespace), or owned by us and holding only this grader and its
    children (`systemd-run --scope grade`; not a terminal's scope, which systemd manages)."""
    if os.path.samefile(folder, _mount_point(folder)):
        return True
    for name in DELEGATE_XATTRS:
        try:
            if os.getxattr(folder, name) == b"1":
                return True
        except OSError:
            pass
    if os.stat(folder).st_uid != os.geteuid():
        return False
    return all(_descends(int(pid)) for pid in _read(os.path.join(folder, "cgroup.procs")).split())


def _descends(pid: int) -> bool:
    """Whether `pid` is this process or one of its descendants (False once it is gone)."""
    while pid > 1:
        if pid == os.getpid():
            return True
        try:
            pid = int(_read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return False
    return False


def _mount_point(folder: str) -> str:
    """The mount point of the hierarchy holding `folder`: its root as this process sees it."""
    while not os.path.ismount(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder


def _v2_base(own: str) -> str:
    """The v2 cgroup under which students' cgroups get memory and pids: ours, once its processes are
    moved into a leaf (the kernel lets a cgroup hand controllers down only when it holds none)."""
    available = _read(os.path.join(own, "cgroup.controllers")).split()
    if "memory" not in available:
        raise CgroupError(f"the memory controller is not available in {own} (it has: {' '.join(available) or 'none'})")
    wanted = [c for c in V2_CONTROLLERS if c in available]
    if os.path.basename(own) == LEAF:  # moved there by an earlier sandbox of this grader
        parent = os.path.dirname(own)
        if set(wanted) <= set(_read(os.path.join(parent, "cgroup.subtree_control")).split()):
            return parent
    if not _delegated(own):
        raise CgroupError(f"the grader's cgroup {own} is not delegated to it (run `systemd-run --user --scope "
                          "-p Delegate=yes grade ...`, or as root `systemd-run --scope -p Delegate=yes grade ...`)")
    enable = " ".join(f"+{c}" for c in wanted)
    try:
        _write(os.path.join(own, "cgroup.subtree_control"), enable)
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            raise
        leaf = os.path.join(own, LEAF)
        os.makedirs(leaf, exist_ok=True)
        for pid in _read(os.path.join(own, "cgroup.procs")).split():
            try:
                _write(os.path.join(leaf, "cgroup.procs"), pid)
            except ProcessLookupError:
                pass
        _write(os.path.join(own, "cgroup.subtree_control"), enable)
    return own


def _pid_namespace() -> str:
    """This process's PID namespace (its inode number): a pid means something only within it."""
    return str(os.stat("/proc/self/ns/pid").st_ino)


def _remove_stale(base: str) -> None:
    """Remove the sandbox folders under `base` left by graders of our PID namespace that are gone."""
    try:
        names = os.listdir(base)
    except OSError:
        return
    ours = f"{PREFIX}{_pid_namespace()}-"
    for name in names:
        pid = name[len(ours):].split("-")[0]
        if name.startswith(ours) and pid.isdigit() and not _alive(int(pid)):
            remove_tree(os.path.join(base, name), wait=0.0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prepare(tag: str) -> Place:
    """Make this fork server's cgroup folders (v2 when it offers memory, else v1's memory and pids);
    a Place without folders, saying why, where neither can be used."""
    name = f"{PREFIX}{_pid_namespace()}-{os.getpid()}-{tag}"
    reasons = []
    try:
        own = hierarchies()
    except (OSError, ValueError, IndexError) as exc:
        return Place(reason=f"cannot read this process's cgroups ({exc})")
    if "v2" in own:
        try:
            base = _v2_base(own["v2"])
            _remove_stale(base)
            folder = os.path.join(base, name)
            os.mkdir(folder)
            controls = _read(os.path.join(base, "cgroup.subtree_control")).split()
            _write(os.path.join(folder, "cgroup.subtree_control"), " ".join(f"+{c}" for c in controls
                                                                             if c in V2_CONTROLLERS))
            return Place((("v2", folder),))
        except (OSError, CgroupError) as exc:
            reasons.append(f"cgroup v2: {exc}")
    if "memory" in own:
        made: list[tuple[str, str]] = []
        try:
            for kind in ("memory", "pids"):
                if kind in own:
                    _remove_stale(own[kind])
                    os.mkdir(folder := os.path.join(own[kind], name))
                    made.append((kind, folder))
            return Place(tuple(made))
        except OSError as exc:
            if not made:
                reasons.append(f"cgroup v1 memory: {exc}")
            else:
                return Place(tuple(made))  # memory without pids: RLIMIT_NPROC still bounds processes
    if not reasons:
        reasons.append("no cgroup hierarchy with the memory controller is mounted")
    return Place(reason="; ".join(reasons))


def remove_tree(folder: str, wait: float = 2.0) -> None:
    """Remove a sandbox's cgroup folder and its students' (waiting up to `wait` s for the last
    processes to die; whatever stays is removed by a later run)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            for entry in os.scandir(folder):
                if entry.is_dir(follow_symlinks=False):
                    try:
                        os.rmdir(entry.path)
                    except OSError:
                        pass
            os.rmdir(folder)
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)


def remove(place: Place) -> None:
    """Remove what `prepare` made."""
    for _kind, folder in place.folders:
        remove_tree(folder)
