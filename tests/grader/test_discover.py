"""Tests of grader.discover: layouts, Canvas names, ambiguity, ignored entries, zips and safe names."""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from grader.discover import DiscoveryError, discover, parse_canvas_name, safe_name, unpack_zip

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"


def make(root: Path, *names: str, text: str = "x = 1\n") -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def by_student(subs):
    return {s.student: s for s in subs}


def rel(sub, root: Path) -> str:
    return Path(sub.path).relative_to(root).as_posix()


# --- layouts ---------------------------------------------------------------------------------


def test_flat_files_and_folders_sorted_by_student(tmp_path):
    make(tmp_path, "zoe.py", "bob.ipynb", "alice/hw03.py", "carl/notes/hw03.ipynb")
    subs = discover(tmp_path, "hw03")
    assert [s.student for s in subs] == ["alice", "bob", "carl", "zoe"]
    assert [rel(s, tmp_path) for s in subs] == ["alice/hw03.py", "bob.ipynb", "carl/notes/hw03.ipynb", "zoe.py"]
    assert all(not s.status and not s.problem and not s.late for s in subs)


def test_folder_with_one_file_of_any_name(tmp_path):
    make(tmp_path, "alice/my solution.ipynb")
    (sub,) = discover(tmp_path, "hw03")
    assert rel(sub, tmp_path) == "alice/my solution.ipynb"


def test_top_level_of_folder_wins_over_nested(tmp_path):
    make(tmp_path, "alice/main.py", "alice/old/hw03.py")
    (sub,) = discover(tmp_path, "hw03")
    assert rel(sub, tmp_path) == "alice/main.py"


def test_only_one_level_of_nesting(tmp_path):
    make(tmp_path, "alice/a/b/hw03.py")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.status == "no_submission" and sub.path is None
    assert "alice/a/" in sub.problem


@pytest.mark.parametrize("winner", ["hw03.py", "HW03.ipynb", "Hw03.PY"])
def test_assignment_named_file_wins_in_folder(tmp_path, winner):
    make(tmp_path, f"alice/{winner}", "alice/scratch.py", "alice/test.ipynb")
    (sub,) = discover(tmp_path, "hw03")
    assert rel(sub, tmp_path) == f"alice/{winner}" and not sub.status


def test_several_files_none_named_is_ambiguous(tmp_path):
    make(tmp_path, "alice/a.py", "alice/b.ipynb")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.status == "ambiguous" and sub.path is None
    assert "alice/a.py" in sub.problem and "alice/b.ipynb" in sub.problem and "hw03" in sub.problem


def test_two_assignment_named_files_of_different_kinds_are_ambiguous(tmp_path):
    make(tmp_path, "alice/hw03.py", "alice/hw03.ipynb")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.status == "ambiguous"
    assert "alice/hw03.py" in sub.problem and "alice/hw03.ipynb" in sub.problem


def test_resubmission_suffix_in_folder_picks_latest(tmp_path):
    make(tmp_path, "alice/hw03.ipynb", "alice/hw03-2.ipynb", "alice/hw03 (1).ipynb")
    (sub,) = discover(tmp_path, "hw03")
    assert rel(sub, tmp_path) == "alice/hw03-2.ipynb"


def test_folder_without_code_is_no_submission_listing_contents(tmp_path):
    make(tmp_path, "alice/report.pdf", "alice/data.csv")
    (tmp_path / "bob").mkdir()
    subs = by_student(discover(tmp_path, "hw03"))
    assert subs["alice"].status == "no_submission" and subs["alice"].path is None
    assert "alice/data.csv" in subs["alice"].problem and "alice/report.pdf" in subs["alice"].problem
    assert subs["bob"].status == "no_submission" and "nothing" in subs["bob"].problem


def test_folder_and_flat_file_of_same_student_are_merged(tmp_path):
    make(tmp_path, "alice.py", "alice/hw03.py")
    (sub,) = discover(tmp_path, "hw03")
    assert rel(sub, tmp_path) == "alice/hw03.py"


# --- ignored entries ---------------------------------------------------------------------------


def test_hidden_and_cache_entries_are_ignored(tmp_path):
    make(tmp_path, ".DS_Store", ".hidden.py", "__MACOSX/alice/hw03.py", "__pycache__/x.py",
         ".ipynb_checkpoints/bob-checkpoint.ipynb", "alice/hw03.ipynb", "alice/.ipynb_checkpoints/hw03-checkpoint.ipynb",
         "alice/__pycache__/hw03.py", "alice/.hw03.py", "bob/hw03.py", "bob/__MACOSX/x.py")
    subs = discover(tmp_path, "hw03")
    assert [(s.student, rel(s, tmp_path)) for s in subs] == [("alice", "alice/hw03.ipynb"), ("bob", "bob/hw03.py")]


def test_other_top_level_files_are_skipped(tmp_path):
    make(tmp_path, "bob.txt", "README.md", "grades.csv", "alice.py")
    assert [s.student for s in discover(tmp_path, "hw03")] == ["alice"]


def test_canvas_upload_of_another_type_is_reported(tmp_path):
    make(tmp_path, "alice_12_34_hw03.zip")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.student == "alice" and sub.status == "no_submission"
    assert "alice_12_34_hw03.zip" in sub.problem


def test_canvas_non_code_file_beside_code_is_ignored(tmp_path):
    make(tmp_path, "alice_12_34_hw03.py", "alice_12_34_report.pdf")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.path.endswith("alice_12_34_hw03.py") and not sub.status


# --- Canvas names --------------------------------------------------------------------------------


@pytest.mark.parametrize("name, login, late, original", [
    ("alice_123_456_hw03.ipynb", "alice", False, "hw03.ipynb"),
    ("alice_LATE_123_456_hw03.py", "alice", True, "hw03.py"),
    ("alice_late_123_456_hw03.py", "alice", True, "hw03.py"),
    ("alice_Late_123_456_My Notebook.ipynb", "alice", True, "My Notebook.ipynb"),
    ("mary_jane_123_456_hw03.ipynb", "mary_jane", False, "hw03.ipynb"),
    ("mary_jane_LATE_123_456_hw_03_final.py", "mary_jane", True, "hw_03_final.py"),
    ("bob_1_2_hw_10_20_x.py", "bob", False, "hw_10_20_x.py"),
])
def test_parse_canvas_name(name, login, late, original):
    parsed = parse_canvas_name(name)
    assert parsed is not None
    assert (parsed.login, parsed.late, parsed.original) == (login, late, original)


@pytest.mark.parametrize("name", ["my_name.py", "alice.py", "alice_123_456.py", "alice_123_hw03.py",
                                  "alice_x1_2_hw.py", "_123_456_hw03.py"])
def test_not_canvas_names(name):
    assert parse_canvas_name(name) is None


def test_flat_file_with_underscores_stays_flat(tmp_path):
    make(tmp_path, "my_name.py", "alice_123_456.py")
    assert [s.student for s in discover(tmp_path, "hw03")] == ["alice_123_456", "my_name"]


def test_canvas_files_map_to_login_and_late_flag(tmp_path):
    make(tmp_path, "alice_11_100_hw03.py", "bob_LATE_12_101_hw03.ipynb", "mary_jane_13_102_hw03.ipynb",
         "carl_lAtE_14_103_anything.py")
    subs = by_student(discover(tmp_path, "hw03"))
    assert sorted(subs) == ["alice", "bob", "carl", "mary_jane"]
    assert [subs[s].late for s in sorted(subs)] == [False, True, True, False]


def test_canvas_resubmissions_highest_submission_id_wins(tmp_path):
    make(tmp_path, "alice_11_100_hw03.ipynb", "alice_11_205_hw03-1.ipynb", "alice_LATE_11_150_hw03-2.ipynb")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.path.endswith("alice_11_205_hw03-1.ipynb") and sub.late is False


def test_canvas_assignment_named_beats_other_files(tmp_path):
    make(tmp_path, "alice_11_300_scratch.py", "alice_11_100_HW03.ipynb")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.path.endswith("alice_11_100_HW03.ipynb")


def test_canvas_several_unnamed_files_are_ambiguous(tmp_path):
    make(tmp_path, "alice_11_100_part1.py", "alice_11_100_part2.py")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.status == "ambiguous" and "alice_11_100_part1.py" in sub.problem


def test_canvas_same_submission_both_kinds_is_ambiguous(tmp_path):
    make(tmp_path, "alice_11_100_hw03.py", "alice_11_100_hw03.ipynb")
    (sub,) = discover(tmp_path, "hw03")
    assert sub.status == "ambiguous"


# --- unusual student ids -------------------------------------------------------------------------


def test_ids_with_spaces_unicode_and_dots(tmp_path):
    make(tmp_path, "José Núñez.py", "a.b.c.ipynb", "李雷/hw03.py", "Anne Marie/hw03.ipynb")
    subs = discover(tmp_path, "hw03")
    assert sorted(s.student for s in subs) == sorted(["José Núñez", "a.b.c", "李雷", "Anne Marie"])
    assert len({safe_name(s.student) for s in subs}) == 4


def test_empty_root_gives_no_submissions(tmp_path):
    assert discover(tmp_path, "hw03") == []


# --- unreadable roots ----------------------------------------------------------------------------


def test_missing_root_raises(tmp_path):
    with pytest.raises(DiscoveryError, match="does not exist"):
        discover(tmp_path / "nope", "hw03")


def test_file_root_that_is_not_a_zip_raises(tmp_path):
    make(tmp_path, "alice.py")
    with pytest.raises(DiscoveryError, match="neither a folder nor a .zip"):
        discover(tmp_path / "alice.py", "hw03")


def test_corrupt_zip_root_raises(tmp_path):
    (tmp_path / "class.zip").write_bytes(b"not a zip at all")
    with pytest.raises(DiscoveryError, match="not a readable .zip"):
        discover(tmp_path / "class.zip", "hw03", unpack_dir=tmp_path / "out")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unlistable_root_raises(tmp_path):
    root = make(tmp_path / "class", "alice.py")
    root.chmod(0)
    try:
        with pytest.raises(DiscoveryError, match="cannot list"):
            discover(root, "hw03")
    finally:
        root.chmod(stat.S_IRWXU)


# --- zips --------------------------------------------------------------------------------------


def write_zip(path: Path, entries: dict[str, bytes], symlinks: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        for name in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return path


def test_discover_a_canvas_zip(tmp_path):
    archive = write_zip(tmp_path / "submissions.zip", {
        "alice_1_10_hw03.ipynb": b"{}", "bob_LATE_2_11_hw03.py": b"x = 1\n", "__MACOSX/._alice_1_10_hw03.ipynb": b"junk"})
    subs = discover(archive, "hw03", unpack_dir=tmp_path / "out")
    assert [(s.student, s.late) for s in subs] == [("alice", False), ("bob", True)]
    assert all(Path(s.path).is_relative_to(tmp_path / "out") for s in subs)
    assert not (tmp_path / "out" / "__MACOSX").exists()


def test_zip_with_single_wrapper_folder_is_entered(tmp_path):
    archive = write_zip(tmp_path / "class.zip", {"hw03 submissions/alice.py": b"", "hw03 submissions/bob/hw03.py": b""})
    assert [s.student for s in discover(archive, "hw03", unpack_dir=tmp_path / "out")] == ["alice", "bob"]


def test_zip_without_unpack_dir_uses_a_temporary_folder(tmp_path):
    archive = write_zip(tmp_path / "class.zip", {"alice.py": b""})
    (sub,) = discover(archive, "hw03")
    assert Path(sub.path).is_file() and not Path(sub.path).is_relative_to(tmp_path)


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
    with pytest.raises(DiscoveryError, match="outside"):
        unpack_zip(archive, dest)
    assert set(tmp_path.rglob("*")) == before
    assert not Path("/tmp/evil_abs.py").exists()


def test_zip_symlink_is_rejected(tmp_path):
    archive = write_zip(tmp_path / "link.zip", {"alice/hw03.py": b"ok"}, symlinks=("bob/hw03.py",))
    with pytest.raises(DiscoveryError, match="symbolic link"):
        unpack_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_zip_through_existing_symlink_in_dest_is_rejected(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "alice").symlink_to(outside, target_is_directory=True)
    archive = write_zip(tmp_path / "a.zip", {"alice/hw03.py": b"evil"})
    with pytest.raises(DiscoveryError, match="outside"):
        unpack_zip(archive, dest)
    assert list(outside.iterdir()) == []


def test_zip_file_count_cap(tmp_path):
    archive = write_zip(tmp_path / "many.zip", {f"s{i}.py": b"" for i in range(6)})
    with pytest.raises(DiscoveryError, match="more than 5 files"):
        unpack_zip(archive, tmp_path / "out", max_files=5)


def test_zip_declared_size_cap(tmp_path):
    archive = write_zip(tmp_path / "big.zip", {"alice.py": b"#" * 5000})
    with pytest.raises(DiscoveryError, match="4000 bytes"):
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
    with pytest.raises(DiscoveryError):
        unpack_zip(archive, tmp_path / "out", max_bytes=100_000)
    assert not (tmp_path / "out" / "alice.py").exists()
    assert info.file_size == 3_000_000


# --- safe names --------------------------------------------------------------------------------


@pytest.mark.parametrize("plain", ["alice", "mary_jane", "s1234567", "a.b", "x-y"])
def test_safe_name_keeps_plain_ids(plain):
    assert safe_name(plain) == plain


@pytest.mark.parametrize("student", ["..", ".", "../../etc/passwd", "a/b", "a\\b", "", " ", "José", "李雷", "Alice",
                                     "con", "NUL.txt", "x" * 300, ".hidden", "trailing.", "a\x00b", "tab\tname",
                                     "alice-0123456789", "\udcff"])
def test_safe_name_is_a_safe_single_component(tmp_path, student):
    name = safe_name(student)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and name not in (".", "..") and len(name) <= 80
    assert name.isascii() and name.isprintable() and " " not in name
    target = (tmp_path / f"{name}.json").resolve()
    assert target.parent == tmp_path.resolve()
    target.write_text("{}")


def test_safe_name_is_unique_also_ignoring_case():
    ids = ["Alice", "alice", "ALICE", "José", "Jose", "jose", "a b", "a_b", "a/b", "a?b", "李雷", "王芳", "..", "...",
           "alice-0123456789", "con", "Con", "x" * 100, "x" * 101]
    names = [safe_name(i) for i in ids]
    assert len({n.casefold() for n in names}) == len(ids)


def test_safe_name_is_stable():
    assert safe_name("José Núñez") == safe_name("José Núñez")
    assert safe_name("José Núñez").startswith("Jose_Nunez-")


# --- the example class -----------------------------------------------------------------------------


def test_example_class_discovery():
    subs = by_student(discover(EXAMPLES, "hw03"))
    assert sorted(subs) == ["adams", "baker", "chen", "diaz", "evans", "fischer", "garcia", "hughes", "ito",
                            "jones", "kim", "mary_jane"]
    assert subs["diaz"].late and not any(s.late for k, s in subs.items() if k != "diaz")
    assert subs["evans"].path.endswith("hw03.py")
    assert subs["jones"].status == "ambiguous"
    assert subs["kim"].status == "no_submission" and "hw03_report.pdf" in subs["kim"].problem
    graded = [s for s in subs.values() if not s.status]
    assert len(graded) == 10 and all(Path(s.path).is_file() for s in graded)
