"""Thin ctypes bindings to the Linux calls the sandbox needs: unshare, mount, capset, prctl, id maps."""
from __future__ import annotations

import ctypes
import errno
import os
from typing import Any

# clone(2)/unshare(2) flags
CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

# mount(2) flags
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24
MNT_DETACH = 2

# prctl(2) options
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38

_CAP_VERSION_3 = 0x20080522

# statvfs flags a bind remount must keep (the kernel refuses to clear them inside a user namespace)
_KEPT_FLAGS = tuple((getattr(os, name, 0), flag) for name, flag in (
    ("ST_RDONLY", MS_RDONLY), ("ST_NOSUID", MS_NOSUID), ("ST_NODEV", MS_NODEV), ("ST_NOEXEC", MS_NOEXEC),
    ("ST_NOATIME", MS_NOATIME), ("ST_NODIRATIME", MS_NODIRATIME), ("ST_RELATIME", MS_RELATIME)))


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


_SIGNATURES: dict[str, list[Any] | None] = {
    "unshare": [ctypes.c_int],
    "setns": [ctypes.c_int, ctypes.c_int],
    "mount": [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p],
    "umount2": [ctypes.c_char_p, ctypes.c_int],
    "prctl": [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong],
    "capset": [ctypes.POINTER(_CapHeader), ctypes.POINTER(_CapData)],
    "syscall": None,  # variadic
}


class _Missing:
    """Stands in for a libc function this system lacks (not Linux): every call fails with ENOSYS."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any) -> int:
        ctypes.set_errno(errno.ENOSYS)
        return -1


def _libc() -> dict[str, Any]:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return {name: _Missing(name) for name in _SIGNATURES}
    found: dict[str, Any] = {}
    for name, argtypes in _SIGNATURES.items():
        function = getattr(libc, name, None)
        if function is None:
            found[name] = _Missing(name)
        else:
            if argtypes is not None:
                function.argtypes = argtypes
            found[name] = function
    return found


_LIBC = _libc()


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _b(text: str | None) -> bytes | None:
    return None if text is None else os.fsencode(text)


def unshare(flags: int) -> None:
    """unshare(2): move the calling process into new namespaces."""
    _check(_LIBC["unshare"](flags), f"unshare({flags:#x})")


def setns(fd: int, nstype: int) -> None:
    """setns(2): join the namespace `fd` refers to (for a PID namespace: for our future children)."""
    _check(_LIBC["setns"](fd, nstype), f"setns({nstype:#x})")


def mount(source: str | None, target: str, fstype: str | None, flags: int,
          data: str | None = None) -> None:
    """mount(2), raising OSError naming the target."""
    _check(_LIBC["mount"](_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {target}")


def umount(target: str) -> None:
    """Lazily detach the mount at `target`."""
    _check(_LIBC["umount2"](_b(target), MNT_DETACH), f"umount {target}")


def syscall(number: int, *paths: str, what: str) -> None:
    """A system call taking only path arguments (e.g. pivot_root), raising OSError on failure."""
    _check(_LIBC["syscall"](ctypes.c_long(number), *(ctypes.c_char_p(os.fsencode(p)) for p in paths)), what)


def kept_flags(path: str) -> int:
    """The MS_* flags of the mount holding `path` that a remount must repeat."""
    current = os.statvfs(path).f_flag
    flags = 0
    for st_flag, ms_flag in _KEPT_FLAGS:
        if current & st_flag:
            flags |= ms_flag
    return flags


def remount_readonly(path: str, extra: int = 0) -> None:
    """Make the mount at `path` read-only (a bind remount: only this mount namespace sees it)."""
    mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(path) | extra)


def prctl(option: int, value: int) -> None:
    _check(_LIBC["prctl"](option, value, 0, 0, 0), f"prctl({option})")


def drop_capabilities() -> None:
    """Empty the effective, permitted and inheritable capability sets, then forbid regaining any."""
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_LIBC["capset"](ctypes.byref(header), data), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def write_file(path: str, text: str) -> None:
    """Write a small control file in one write(2) (as /proc files require)."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def map_own_ids(uid: int, gid: int) -> None:
    """In a fresh user namespace: map our own uid and gid to themselves (all an unprivileged
    process may map), after denying setgroups(2) as the kernel requires."""
    write_file("/proc/self/setgroups", "deny")
    write_file("/proc/self/uid_map", f"{uid} {uid} 1\n")
    write_file("/proc/self/gid_map", f"{gid} {gid} 1\n")
