"""Tests of grader.unzip: nested folders, traversal, links, file and size caps, lying headers."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from zip_support import write_zip

from grader.unzip import ZipError, unpack_zip


def test_unpack_zip_extracts_nested_folders_and_backslash_names(tmp_path):
    archive = write_zip(tmp_path / "a.zip", {"alice/hw03.py": b"a = 1\n", "bob\\hw03.py": b"b = 2\n", "carl/": b""})
    out = unpack_zip(archive, tmp_path / "out")
    assert (out / "alice" / "hw03.py").read_text() == "a = 1\n"
    assert (out / "bob" / "hw03.py").read_text() == "b = 2\n"
    assert (out / "carl").is_dir()


@pytest.mark.parametrize("bad", ["../evil.py", "alice/../../evil.py", "/tmp/evil_abs.py", "..\\evil.py",
                                 "C:/evil.py", "alice/..", "\\evil.py"])
def test_zip_traversal_is_rejected_and_nothing_written(tmp_path, bad):
    archive = write_zip(tmp_path / "bad.zip", {"alice/hw03.py": b"ok", bad: b"evil"})
    dest = tmp_path / "deep" / "out"
    before = set(tmp_path.rglob("*"))
    with pytest.raises(ZipError, match="outside"):
        unpack_zip(archive, dest)
    assert set(tmp_path.rglob("*")) == before
    assert not Path("/tmp/evil_abs.py").exists()


def test_zip_symlink_is_rejected(tmp_path):
    archive = write_zip(tmp_path / "link.zip", {"alice/hw03.py": b"ok"}, symlinks=("bob/hw03.py",))
    with pytest.raises(ZipError, match="symbolic link"):
        unpack_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_zip_through_existing_symlink_in_dest_is_rejected(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "alice").symlink_to(outside, target_is_directory=True)
    archive = write_zip(tmp_path / "a.zip", {"alice/hw03.py": b"evil"})
    with pytest.raises(ZipError, match="outside"):
        unpack_zip(archive, dest)
    assert list(outside.iterdir()) == []


def test_zip_file_count_cap(tmp_path):
    archive = write_zip(tmp_path / "many.zip", {f"s{i}.py": b"" for i in range(6)})
    with pytest.raises(ZipError, match="more than 5 files"):
        unpack_zip(archive, tmp_path / "out", max_files=5)


def test_zip_declared_size_cap(tmp_path):
    archive = write_zip(tmp_path / "big.zip", {"alice.py": b"#" * 5000})
    with pytest.raises(ZipError, match="4000 bytes"):
        unpack_zip(archive, tmp_path / "out", max_bytes=4000)
    assert not (tmp_path / "out" / "alice.py").exists()


def test_zip_with_lying_size_header_is_rejected(tmp_path):
    archive = write_zip(tmp_path / "bomb.zip", {"alice.py": b"0" * 3_000_000})
    data = bytearray(archive.read_bytes())
    # declare 1000 bytes in both headers while the stream inflates to 3 MB: rejected, nothing left
    info = zipfile.ZipFile(archive).infolist()[0]
    real = (3_000_000).to_bytes(4, "little")
    assert data.count(real) == 2
    data = data.replace(real, (1000).to_bytes(4, "little"))
    archive.write_bytes(bytes(data))
    with pytest.raises(ZipError):
        unpack_zip(archive, tmp_path / "out", max_bytes=100_000)
    assert not (tmp_path / "out" / "alice.py").exists()
    assert info.file_size == 3_000_000
