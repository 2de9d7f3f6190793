"""Unpack an LMS .zip of submissions safely: nothing outside the destination, no links, no zip bombs."""
from __future__ import annotations

import re
import stat
import zipfile
import zlib
from pathlib import Path

__all__ = ["MAX_UNZIP_BYTES", "MAX_UNZIP_FILES", "ZipError", "unpack_zip"]

MAX_UNZIP_BYTES = 1 << 30
MAX_UNZIP_FILES = 20_000


class ZipError(Exception):
    """A .zip that cannot or must not be unpacked (unreadable, unsafe, too big); the message says
    which entry and what to do. Discovery reports it as a DiscoveryError."""


def unpack_zip(zip_path: str | Path, dest_dir: str | Path, *, max_bytes: int = MAX_UNZIP_BYTES,
               max_files: int = MAX_UNZIP_FILES) -> Path:
    """Extract an LMS .zip into `dest_dir` (created if needed) and return it.

    Every entry is checked before anything is written: absolute paths, drive letters, `..`
    components, symlinks, encrypted entries, more than `max_files` files or more than
    `max_bytes` declared bytes reject the whole archive. The bytes actually inflated are
    counted too (headers can lie); on any failure the files written so far are removed.
    `__MACOSX/` debris is not extracted. Raises ZipError.
    """
    zip_path, dest = Path(zip_path), Path(dest_dir)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as err:
        raise ZipError(f"{zip_path} is not a readable .zip archive ({err}): download it again from the"
                       " LMS, or unpack it yourself and pass the folder") from None
    with archive:
        members = _checked_members(archive, zip_path, max_bytes, max_files)
        dest.mkdir(parents=True, exist_ok=True)
        base = dest.resolve()
        written: list[Path] = []
        try:
            total = 0
            for info, parts in members:
                target = base.joinpath(*parts)
                if not target.resolve().is_relative_to(base) or target.is_symlink():
                    raise ZipError(f"refusing to unpack {zip_path}: {info.filename!r} would be written"
                                   f" outside {dest} (through a link already there)")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as out:
                    written.append(target)
                    while chunk := source.read(1 << 20):
                        total += len(chunk)
                        if total > max_bytes:
                            raise ZipError(f"refusing to unpack {zip_path}: it inflates to more than"
                                           f" {max_bytes} bytes (a zip bomb or mislabelled sizes)")
                        out.write(chunk)
        except (ZipError, OSError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as err:
            for path in written:
                path.unlink(missing_ok=True)
            if isinstance(err, ZipError):
                raise
            raise ZipError(f"could not unpack {zip_path} into {dest} ({err}): unpack it yourself and"
                           " pass the folder") from None
    return dest


def _checked_members(archive: zipfile.ZipFile, zip_path: Path, max_bytes: int,
                     max_files: int) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """(entry, path parts) to extract, after checking the whole archive; ZipError if unsafe."""
    members: list[tuple[zipfile.ZipInfo, list[str]]] = []
    files = declared = 0
    for info in archive.infolist():
        name = info.filename
        parts = [p for p in re.split(r"[\\/]+", name) if p not in ("", ".")]
        if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts or "\0" in name:
            raise ZipError(f"refusing to unpack {zip_path}: entry {name!r} points outside the destination"
                           " (absolute path or `..`); the archive is damaged or malicious")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ZipError(f"refusing to unpack {zip_path}: entry {name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise ZipError(f"cannot unpack {zip_path}: entry {name!r} is password-protected")
        if not info.is_dir():
            files += 1
            declared += info.file_size
        if files > max_files or declared > max_bytes:
            raise ZipError(f"refusing to unpack {zip_path}: more than {max_files} files or {max_bytes}"
                           " bytes; unpack it yourself if it is genuine, or raise the limit")
        if parts and parts[0] != "__MACOSX":
            members.append((info, parts))
    return members
