"""Tests of grader.discover: layouts, Canvas-named files, ambiguity, ignored entries, zips, the lazy listing."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from zip_support import write_zip

from grader.discover import DiscoveryError, discover, find_submissions
from grader.names import safe_name

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


# --- one student at a time (find_submissions) ---------------------------------------------------------


def test_find_submissions_counts_then_makes_the_same_submissions_as_discover(tmp_path):
    make(tmp_path, "bob.py", "alice/hw03.py", "alice/notes.py", "carol_LATE_1_2_hw03.ipynb", "carol_1_1_hw03.py",
         "dave/report.pdf", "erin_3_4_essay.pdf", "stray.txt", ".hidden.py", "__pycache__/x.py")
    found = find_submissions(tmp_path, "hw03")
    made = list(found.submissions)
    assert made == discover(tmp_path, "hw03") and found.count == len(made) == 5
    assert list(found.submissions) == []  # one pass


def test_find_submissions_reads_each_student_folder_when_it_is_reached(tmp_path):
    make(tmp_path, "alice/hw03.py", "bob/notes.txt")
    found = find_submissions(tmp_path, "hw03")  # listed: two students, bob's folder not read yet
    make(tmp_path, "bob/hw03.py")
    assert [(s.student, s.status) for s in found.submissions] == [("alice", ""), ("bob", "")]


def test_find_submissions_raises_when_called_not_when_iterated(tmp_path):
    with pytest.raises(DiscoveryError, match="does not exist"):
        find_submissions(tmp_path / "nope", "hw03")


def test_output_folder_without_code_is_no_student(tmp_path):
    make(tmp_path, "alice.py", "reports/grades.csv", "reports/results/alice.json", "bob/notes.txt")
    found = find_submissions(tmp_path, "hw03", not_student=tmp_path / "reports")
    assert [s.student for s in found.submissions] == ["alice", "bob"] and found.count == 2


def test_output_folder_reached_through_a_link_is_no_student(tmp_path):
    make(tmp_path / "class", "alice.py")
    make(tmp_path, "out/grades.csv")
    (tmp_path / "class" / "linked").symlink_to(tmp_path / "out", target_is_directory=True)
    found = find_submissions(tmp_path / "class", "hw03", not_student=tmp_path / "out")
    assert [s.student for s in found.submissions] == ["alice"] and found.count == 1


def test_output_folder_holding_a_file_to_grade_stays_a_student(tmp_path):
    make(tmp_path, "alice.py", "reports/hw03.py")  # an --out pointing at a student's folder
    found = find_submissions(tmp_path, "hw03", not_student=tmp_path / "reports")
    assert [s.student for s in found.submissions] == ["alice", "reports"] and found.count == 2


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
