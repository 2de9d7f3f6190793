"""grader.safefs: reading below the submissions folder never follows a link, and never reads past the limit."""
from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from grader.safefs import MAX_BYTES, Refused, digest_into, listing, read_bytes, refusal


def test_a_regular_file_is_read_whole_and_hashed_in_chunks(tmp_path):
    data = os.urandom(3 * 2**20 + 7)  # more than one chunk
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "hw03.py").write_bytes(data)
    assert read_bytes(tmp_path / "alice" / "hw03.py", tmp_path) == data
    digest = hashlib.sha256()
    digest_into(digest, tmp_path / "alice" / "hw03.py", tmp_path)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_the_folder_given_may_itself_be_reached_through_a_link(tmp_path):
    """The instructor's submissions folder is trusted as given; only what is below it is the students'."""
    (tmp_path / "real" / "alice").mkdir(parents=True)
    (tmp_path / "real" / "alice" / "hw03.py").write_text("x = 1\n")
    (tmp_path / "class").symlink_to(tmp_path / "real")
    assert read_bytes(tmp_path / "class" / "alice" / "hw03.py", tmp_path / "class") == b"x = 1\n"


@pytest.mark.parametrize("link", ["alice", "alice/sub", "alice/sub/hw03.py"])
def test_a_link_anywhere_below_the_folder_is_refused_and_named(tmp_path, link):
    """class/alice/sub/hw03.py, where one component is a link into a hidden copy of the same tree."""
    for tree, text in (("class", "x = 1\n"), ("hidden-tree", "TOPSECRET = 1\n")):
        (tmp_path / tree / "alice" / "sub").mkdir(parents=True)
        (tmp_path / tree / "alice" / "sub" / "hw03.py").write_text(text)
    replaced = tmp_path / "class" / link
    if replaced.is_dir():
        shutil.rmtree(replaced)
    else:
        replaced.unlink()
    replaced.symlink_to(tmp_path / "hidden-tree" / link)
    with pytest.raises(Refused, match=f"^{link} is a symbolic link") as refused:
        read_bytes(tmp_path / "class" / "alice" / "sub" / "hw03.py", tmp_path / "class")
    assert "TOPSECRET" not in refused.value.message and "hidden-tree" not in refused.value.message


def test_a_listing_shows_links_as_links_and_never_through_a_linked_folder(tmp_path):
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "hw03.py").symlink_to("/etc/passwd")
    os.mkfifo(tmp_path / "class" / "alice" / "pipe.py")
    (tmp_path / "class" / "bob").symlink_to(tmp_path / "class" / "alice")
    kinds = {e.name: e.kind for e in listing(tmp_path / "class", tmp_path / "class" / "alice")}
    assert kinds == {"hw03.py": "symbolic link", "pipe.py": "FIFO (named pipe)"}
    with pytest.raises(Refused, match="^bob is a symbolic link"):
        listing(tmp_path / "class", tmp_path / "class" / "bob")


def test_what_is_refused_and_why(tmp_path):
    (tmp_path / "one.py").write_text("x = 1\n")
    os.link(tmp_path / "one.py", tmp_path / "two.py")
    assert "2 names on disk (hard links)" in refusal("two.py", os.stat(tmp_path / "two.py"))
    assert refusal("two.py", os.stat(tmp_path / "two.py"), one_name=False) == ""
    (tmp_path / "big.py").write_bytes(b"")
    os.truncate(tmp_path / "big.py", MAX_BYTES + 1)
    assert "big.py is 256 MB, more than the 256 MB" in refusal("big.py", os.stat(tmp_path / "big.py"))
    assert "it is a folder, not a regular file" in refusal("d", os.stat(tmp_path))
    assert "is a symbolic link" in refusal("l", os.lstat("/proc/self/exe"))


def test_a_file_whose_size_lies_is_still_cut_at_the_limit():
    """fstat's size is only where reading starts: a file that says 0 bytes (as /proc files do, or one
    growing while it is read) is refused once more than the limit was read, never read on without end."""
    with pytest.raises(Refused, match="grew while it was read"):
        read_bytes("/proc/self/status", limit=16)
    with pytest.raises(Refused, match="grew while it was read"):
        digest_into(hashlib.sha256(), "/proc/self/status", limit=16)


def test_a_path_outside_the_folder_is_refused(tmp_path):
    with pytest.raises(Refused, match="is not a file inside"):
        read_bytes("/etc/passwd", tmp_path)
    with pytest.raises(Refused, match="is not a file inside"):
        read_bytes(tmp_path / ".." / "x.py", tmp_path)
