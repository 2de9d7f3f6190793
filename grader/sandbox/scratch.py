"""The scratch dir as the grader sees it: capped, safe reads of the student's output, removal, stale roots."""
from __future__ import annotations

import os
import shutil
import stat
import time
from typing import Any


def read_head(path: str, limit: int) -> tuple[bytes, int]:
    """Up to `limit` bytes from the start of a regular file, and its size.

    Refuses symlinks, FIFOs and devices (the student controls the scratch dir), so reading
    can neither block nor leave the scratch dir.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return b"", 0
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return b"", 0
        chunks: list[bytes] = []
        got = 0
        while got < limit:
            chunk = os.read(fd, min(limit - got, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks), max(info.st_size, got)
    except OSError:
        return b"", 0
    finally:
        os.close(fd)


def open_output(path: str) -> int:
    """A fresh file for one stream of a student process, opened by the grader and passed to it."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)


def discard(path: str) -> None:
    """Free an incarnation's output file once read: emptied first (its blocks are freed even while a
    process still holds it open), then removed. Never follows a symlink nor empties a file linked
    elsewhere (without namespaces the student's working folder is this one)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        fd = -1
    if fd >= 0:
        try:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
                os.ftruncate(fd, 0)
        except OSError:
            pass
        finally:
            os.close(fd)
    try:
        os.unlink(path)
    except OSError:
        pass


class Output:
    """One stream's text across the child's incarnations, capped at `cap` bytes in total."""

    def __init__(self, name: str, cap: int) -> None:
        self.name = name
        self.cap = cap
        self.parts: list[bytes] = []
        self.kept = 0
        self.dropped = 0

    def add_file(self, path: str, note: str = "") -> None:
        """Append what an incarnation wrote (after `note`, if it wrote anything)."""
        head, size = read_head(path, self.cap - self.kept)
        self.dropped += size - len(head)
        if head:
            if note:
                self.parts.append(note.encode())
            self.parts.append(head)
            self.kept += len(head)

    def take_file(self, path: str, note: str = "") -> None:
        """add_file, then free the file: the host holds one incarnation's output, not one per restart."""
        self.add_file(path, note)
        discard(path)

    def text(self) -> str:
        text = b"".join(self.parts).decode("utf-8", errors="replace")
        if self.dropped:
            text += (f"\n[sandbox: {self.dropped} more bytes of {self.name} were not kept "
                     f"(limit {self.cap} bytes)]\n")
        return text


def remove_tree(path: str) -> None:
    """Remove a scratch tree even if the student made parts of it unreadable or read-only.

    Permissions are only ever changed inside the tree: never on its parent (such as /tmp), and
    not at all when the tree is already gone (another process may have removed it first).
    """
    top = os.path.abspath(path)
    retried: set[str] = set()

    def retry(func: Any, target: str, exc_info: Any) -> None:
        target = os.path.abspath(target)
        if isinstance(exc_info[1], FileNotFoundError) or target in retried:
            return
        retried.add(target)
        try:
            parent = os.path.dirname(target)
            if parent == top or parent.startswith(top + os.sep):
                os.chmod(parent, stat.S_IRWXU)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, stat.S_IRWXU)
                shutil.rmtree(target, onerror=retry)  # its content was not visited
            else:
                func(target)
        except OSError:
            pass

    shutil.rmtree(path, onerror=retry)


def _owner_tag(pid: int) -> str | None:
    """'<pid namespace> <pid> <start time>' of a live process; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            start = stat.read().rsplit(b")", 1)[1].split()[19].decode()
        return f"{os.readlink('/proc/self/ns/pid')} {pid} {start}"
    except (OSError, IndexError):
        return None


def mark_owner(root: str) -> None:
    """Record which process owns a sandbox root, so a later run can tell it is stale."""
    tag = _owner_tag(os.getpid())
    if tag is not None:
        with open(os.path.join(root, ".owner"), "w", encoding="ascii") as marker:
            marker.write(tag)


def remove_stale_roots(parent: str, prefix: str, min_age: float = 60.0) -> None:
    """Remove sandbox roots under `parent` left behind by a killed grader (best effort).

    Only roots of ours whose marker names a process of our PID namespace that is gone (or is
    now another process) are removed; anything unclear is left alone.
    """
    try:
        names = [n for n in os.listdir(parent) if n.startswith(prefix)]
        here = os.readlink("/proc/self/ns/pid")
    except OSError:
        return
    now = time.time()
    for name in names:
        path = os.path.join(parent, name)
        try:
            info = os.lstat(path)
            if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid()
                    or now - info.st_mtime < min_age):
                continue
            with open(os.path.join(path, ".owner"), encoding="ascii") as marker:
                owner = marker.read().split()
        except (OSError, UnicodeDecodeError):
            continue
        if len(owner) != 3 or owner[0] != here or not owner[1].isdigit():
            continue
        if _owner_tag(int(owner[1])) != " ".join(owner):
            remove_tree(path)
