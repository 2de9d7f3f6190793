"""Student files and folders read without following links: directory fds, O_NOFOLLOW, fstat, a size limit.

Below the submissions folder (`within`, trusted as the instructor gave it) every component is opened
relative to its parent's descriptor with O_NOFOLLOW, so swapping a file or folder for a link between a
check and an open (a race) is refused like any link. Only regular files with one name (no hard link) of
at most MAX_BYTES are read; FIFOs, sockets and devices never are (a FIFO is opened non-blocking, and an
entry is lstat-ed before it is opened). Without `within` the path is the caller's own (selfcheck, a
worker's temp copy): links in it are followed, but the file must still be regular and within the limit.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["MAX_BYTES", "Entry", "Refused", "digest_into", "listing", "read_bytes", "refusal"]

MAX_BYTES = 256 * 2**20  # larger files are refused before any byte is read
CHUNK = 1 << 20
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC  # a FIFO never blocks, a tty never adopts us
_KINDS = ((stat.S_ISDIR, "folder"), (stat.S_ISLNK, "symbolic link"), (stat.S_ISFIFO, "FIFO (named pipe)"),
          (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"))


class Refused(Exception):
    """A student file or folder the grader will not read; `message` names the entry, says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Digest(Protocol):
    """A hashlib object, or anything else that takes bytes a chunk at a time."""

    def update(self, data: bytes, /) -> None: ...


@dataclass(frozen=True)
class Entry:
    """One entry of a folder, as lstat sees it (never its link's target)."""

    name: str
    kind: str  # "file" (regular), "folder", or what else it is ("symbolic link", "FIFO (named pipe)", ...)
    status: os.stat_result


def kind_of(mode: int) -> str:
    """What an lstat mode is, in words: "file" (regular), "folder", "symbolic link", "FIFO (named pipe)"..."""
    return "file" if stat.S_ISREG(mode) else next((what for test, what in _KINDS if test(mode)), "special file")


def link_message(shown: str, inside: str = "") -> str:
    """The message for a link met at `shown` (on the way to `inside`): names it, never what it leads to."""
    where = f" (on the way to {inside})" if inside and inside != shown else ""
    return (f"{shown} is a symbolic link{where}, which the grader never follows (a link can lead to another"
            " student's work or to a private file): submit the file or folder itself, not a link to it")


def refusal(shown: str, status: os.stat_result, limit: int = MAX_BYTES, *, one_name: bool = True) -> str:
    """Why the file with this lstat/fstat `status` is not read, "" when it may be: not a regular file, more
    than one name (`one_name`: a hard link could be another person's file), or more than `limit` bytes."""
    kind = kind_of(status.st_mode)
    if kind == "symbolic link":
        return link_message(shown)
    if kind != "file":
        return f"{shown} could not be read: it is a {kind}, not a regular file; submit the .py or .ipynb file itself"
    if one_name and status.st_nlink > 1:
        return (f"{shown} has {status.st_nlink} names on disk (hard links), and the grader reads only files with"
                " one name, since another name could be a file that is not the student's: make it a file of its"
                f" own (cp {Path(shown).name} copy && mv copy {Path(shown).name}) and grade again")
    if status.st_size > limit:
        return too_large(f"{shown} is {status.st_size / 2**20:.0f} MB", limit)
    return ""


def too_large(what: str, limit: int = MAX_BYTES) -> str:
    """`what` ("hw03.py is 300 MB") is over the limit: the message, with what to do."""
    return (f"{what}, more than the {limit // 2**20} MB a submission may have: clear the notebook's outputs (or"
            " remove embedded data) and submit it again")


def _parts(path: str | Path, within: str | Path) -> tuple[str, ...]:
    try:
        parts = Path(path).relative_to(within).parts
    except ValueError:
        parts = ()
    if not parts or ".." in parts:
        raise Refused(f"{path} is not a file inside {within}")
    return parts


def _step(dir_fd: int, name: str, shown: str, inside: str) -> int:
    """The folder `name` of `dir_fd`, opened without following a link; Refused (naming it) otherwise."""
    try:
        return os.open(name, _DIR, dir_fd=dir_fd)
    except OSError as err:
        try:
            kind = kind_of(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
        except OSError:
            kind = "folder"
        if kind == "symbolic link":
            raise Refused(link_message(shown, inside)) from None
        what = f"it is a {kind}, not a folder" if kind != "folder" else err.strerror or str(err)
        raise Refused(f"{shown} could not be read ({what}): check that it exists and is readable") from None


@contextmanager
def _folder_fd(within: str | Path, parts: tuple[str, ...], inside: str) -> Iterator[int]:
    """A descriptor of `within/parts...`, each part opened from its parent's without following links."""
    try:
        fd = os.open(within, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # the instructor's folder: trusted
    except OSError as err:
        raise Refused(f"{within} could not be read ({err.strerror or err}): check that it exists") from None
    try:
        for i, part in enumerate(parts):
            step = _step(fd, part, "/".join(parts[: i + 1]), inside)
            os.close(fd)
            fd = step
        yield fd
    finally:
        os.close(fd)


def listing(within: str | Path, folder: str | Path) -> list[Entry]:
    """The entries of `folder` (below `within`, reached without links), each as lstat sees it; Refused."""
    parts = Path(folder).relative_to(within).parts
    with _folder_fd(within, parts, "/".join(parts)) as fd:
        found = []
        with os.scandir(fd) as entries:
            for entry in entries:
                status = entry.stat(follow_symlinks=False)
                found.append(Entry(entry.name, kind_of(status.st_mode), status))
    return sorted(found, key=lambda e: e.name)


@contextmanager
def _opened(path: str | Path, within: str | Path | None, limit: int) -> Iterator[tuple[int, int, str]]:
    """(descriptor, size, name shown) of the regular file `path`, checked by fstat; Refused otherwise."""
    if within is None:
        shown = Path(path).name
        try:
            fd = os.open(path, _FILE)
        except OSError as err:
            raise Refused(f"{shown} could not be read ({err.strerror or err}) at {path}: check that the file"
                          " exists and is readable") from None
    else:
        parts = _parts(path, within)
        shown = "/".join(parts)
        with _folder_fd(within, parts[:-1], shown) as folder:
            try:  # lstat first: a FIFO, socket or device is refused without being opened at all
                why = refusal(shown, os.stat(parts[-1], dir_fd=folder, follow_symlinks=False), limit)
                if why:
                    raise Refused(why)
                fd = os.open(parts[-1], _FILE | os.O_NOFOLLOW, dir_fd=folder)  # a link swapped in since: ELOOP
            except OSError as err:
                raise Refused(link_message(shown) if err.errno == errno.ELOOP else
                              f"{shown} could not be read ({err.strerror or err}) at {path}: check that the"
                              " file exists and is readable") from None
    try:
        status = os.fstat(fd)
        why = refusal(shown, status, limit, one_name=within is not None)
        if why:
            raise Refused(why)
        yield fd, status.st_size, shown
    finally:
        os.close(fd)


def _chunks(fd: int, shown: str, limit: int, size: int, total: int = 0) -> Iterator[bytes]:
    """The rest of the file in chunks (of at most the `size` fstat gave, then small ones: a file that grew);
    Refused once more than `limit` bytes in all were read."""
    while chunk := os.read(fd, min(CHUNK, size - total) if total < size else 1 << 16):
        total += len(chunk)
        if total > limit:
            raise Refused(too_large(f"{shown} grew while it was read to {total / 2**20:.0f} MB", limit))
        yield chunk


def read_bytes(path: str | Path, within: str | Path | None = None, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file `path` (below `within`, reached without links); Refused otherwise."""
    with _opened(path, within, limit) as (fd, size, shown):
        data = os.read(fd, size) if size else b""  # one allocation, of the size fstat gave
        rest = b"".join(_chunks(fd, shown, limit, size, len(data)))
    return data + rest if rest else data


def digest_into(digest: Digest, path: str | Path, within: str | Path | None = None, limit: int = MAX_BYTES) -> None:
    """Feed the file's bytes to `digest` a chunk at a time (memory stays flat); Refused as `read_bytes`."""
    with _opened(path, within, limit) as (fd, size, shown):
        for chunk in _chunks(fd, shown, limit, size):
            digest.update(chunk)
