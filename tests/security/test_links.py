"""Links and special files are never followed: a student whose submission is (or lies under) a symbolic
link, a hard link, a FIFO, a socket or a device scores nothing, is told which entry was refused, and
never sees its target's content or listing; every other student is graded as usual. The links come
as a git clone, the system `unzip` and Gradescope's `cp -R` keep them, and as races: a file or
folder swapped for a link after discovery checked it."""
from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import grader.pipeline as pipeline
import reference
from grader.discover import Found, discover
from grader.load import LoadError, load
from grader.model import StudentResult, Submission
from grader.pipeline import GradeOptions, grade_class

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
SOLUTION = FIXTURES / "passes_all.py"  # a test fixture that scores 100
REFERENCE_FILE = Path(reference.__file__).resolve().parent / "activations.py"  # scores the activations part
SECRET_LINE = "TOPSECRET-the first line of a private file"
SECRET_NAME = "SECRETNAME"
IS_ROOT = os.geteuid() == 0


def options(submissions: Path, out: Path, **more: Any) -> GradeOptions:
    return GradeOptions(submissions=submissions, out=out, timeout=5.0, memory_mb=1024, jobs=2, executor="local",
                        **more)


def private_files(private: Path) -> Path:
    """Files outside the submissions that no student may reach: a solution, a secret, a folder listing."""
    (private / "solution_dir").mkdir(parents=True)
    shutil.copy(SOLUTION, private / "solution.py")
    shutil.copy(SOLUTION, private / "solution_dir" / "hw03.py")
    (private / "secret.txt").write_text(SECRET_LINE + "\nmore\n")
    (private / "listing").mkdir()
    for name in (f"a_{SECRET_NAME}.py", f"b_{SECRET_NAME}.py"):
        shutil.copy(SOLUTION, private / "listing" / name)
    return private


def attackers(root: Path, private: Path) -> dict[str, str]:
    """Each attack as its own student in `root`; student -> the entry its message must name."""
    made: dict[str, str] = {}

    def at(student: str, shown: str) -> Path:
        made[student] = shown
        path = root / shown
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    at("peer_folder", "peer_folder").symlink_to(root / "victim", target_is_directory=True)  # a whole classmate
    at("peer_file", "peer_file/hw03.py").symlink_to("../victim/hw03.py")  # a classmate's file, relative link
    at("fixture_link", "fixture_link.py").symlink_to(SOLUTION)  # a test fixture, as a flat file
    at("reference_link", "reference_link/hw03.py").symlink_to(REFERENCE_FILE)  # the trusted solution
    at("canvas", "canvas_LATE_12_34_hw03.py").symlink_to(private / "solution.py")  # a Canvas-named link
    at("one_down", "one_down/work").symlink_to(private / "solution_dir", target_is_directory=True)
    at("private_line", "private_line.py").symlink_to(private / "secret.txt")  # its syntax error would quote it
    at("listing", "listing/stuff").symlink_to(private / "listing", target_is_directory=True)  # `ambiguous` lists it
    os.mkfifo(at("fifo", "fifo/hw03.py"))  # reading it would block the grader
    at("dev_zero", "dev_zero/hw03.py").symlink_to("/dev/zero")  # endless zeros
    at("loop", "loop.py").symlink_to("loop.py")  # a link to itself
    os.link(private / "solution.py", at("hard_link", "hard_link/hw03.py"))  # another name of a private file
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(at("unix_socket", "unix_socket/hw03.py")))
    if IS_ROOT:  # a device node itself (only root can make one; an archive unpacked by root can hold one)
        os.mknod(at("device", "device/hw03.py"), stat.S_IFCHR | 0o600, os.makedev(1, 5))
    return made


def clean_class(root: Path) -> None:
    (root / "victim").mkdir(parents=True)
    shutil.copy(SOLUTION, root / "victim" / "hw03.py")
    shutil.copy(FIXTURES / "fails_relu_grad_at_zero.py", root / "clean.py")


def everything_said(result: StudentResult) -> str:
    return json.dumps([result.message, result.load_warnings, result.stdout, result.stderr,
                       [c.message for c in result.checks]])


@pytest.fixture(scope="module")
def linked_class(tmp_path_factory) -> tuple[dict[str, StudentResult], dict[str, StudentResult], dict[str, str]]:
    """The attackers graded in one class with two clean students; and the clean students graded alone."""
    root = tmp_path_factory.mktemp("class")
    clean_class(root)
    made = attackers(root, private_files(tmp_path_factory.mktemp("private")))
    run = grade_class(options(root, tmp_path_factory.mktemp("out")))
    alone_root = tmp_path_factory.mktemp("alone")
    clean_class(alone_root)
    alone = grade_class(options(alone_root, tmp_path_factory.mktemp("alone-out")))
    return {r.student: r for r in run.results}, {r.student: r for r in alone.results}, made


ATTACKS = ["peer_folder", "peer_file", "fixture_link", "reference_link", "canvas", "one_down", "private_line",
           "listing", "fifo", "dev_zero", "loop", "hard_link", "unix_socket", "device"]


@pytest.mark.parametrize("student", ATTACKS)
def test_a_link_or_special_file_scores_nothing_and_is_named(linked_class, student):
    results, _, made = linked_class
    if student not in made:
        pytest.skip("making a device node needs root")
    assert student in results, f"{student} was not even listed as a student"
    result = results[student]
    assert (result.status, result.total, result.fault) == ("unreadable", 0.0, "student"), result.message
    assert made[student] in result.message, result.message  # the entry refused, as found in the folder
    assert result.submission is None


def test_no_message_shows_a_linked_file_or_folder(linked_class):
    results, _, _ = linked_class
    said = "".join(everything_said(r) for r in results.values())
    assert SECRET_LINE not in said and "TOPSECRET" not in said
    assert SECRET_NAME not in said
    assert "solution_dir" not in said and "secret.txt" not in said


def test_the_other_students_are_graded_as_if_alone(linked_class):
    results, alone, _ = linked_class
    assert results["victim"].percent == pytest.approx(100.0)
    for student, result in alone.items():
        assert results[student].checks == result.checks and results[student].status == result.status == "graded"


# --- links as real tools make them -------------------------------------------------------------------------------


def test_a_git_clone_keeps_a_committed_link_and_it_is_refused(tmp_path):
    """GitHub Classroom: the student's repository holds `hw03.py -> ../../<path of a solution>`."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    private = private_files(tmp_path / "private")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "hw03.py").symlink_to(os.path.relpath(private / "solution.py", tmp_path / "class" / "mallory"))
    git = ["git", "-c", "user.name=m", "-c", "user.email=m@example.edu", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "hw03.py"], ["commit", "-qm", "hw03"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)
    subprocess.run(["git", "clone", "-q", str(repo), str(tmp_path / "class" / "mallory")], check=True,
                   capture_output=True)
    assert (tmp_path / "class" / "mallory" / "hw03.py").is_symlink()
    (found,) = discover(tmp_path / "class", "hw03")
    assert (found.student, found.status, found.path) == ("mallory", "unreadable", None)
    assert "mallory/hw03.py" in found.problem and "link" in found.problem


def test_the_system_unzip_keeps_a_link_and_it_is_refused(tmp_path):
    """An archive made with `zip --symlinks` and unpacked by the instructor with `unzip`."""
    if shutil.which("zip") is None or shutil.which("unzip") is None:
        pytest.skip("zip and unzip are not installed")
    private = private_files(tmp_path / "private")
    (tmp_path / "made" / "mallory").mkdir(parents=True)
    (tmp_path / "made" / "mallory" / "hw03.py").symlink_to(private / "solution.py")
    subprocess.run(["zip", "-q", "-r", "--symlinks", str(tmp_path / "class.zip"), "mallory"], cwd=tmp_path / "made",
                   check=True)
    subprocess.run(["unzip", "-q", str(tmp_path / "class.zip"), "-d", str(tmp_path / "class")], check=True)
    assert (tmp_path / "class" / "mallory" / "hw03.py").is_symlink()
    (found,) = discover(tmp_path / "class", "hw03")
    assert (found.student, found.status, found.path) == ("mallory", "unreadable", None)


def test_gradescope_copies_a_link_as_a_link_and_it_is_refused(tmp_path):
    """docs/gradescope/run_autograder (`cp -R`) with a submission linking to the autograder's own reference."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "hw03.py").symlink_to(SOLUTION)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "mallory@example.edu"}]}))
    grade = tmp_path / "grade"  # this checkout's grader, whatever `grade` is on PATH
    grade.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m grader.cli \"$@\"\n")
    grade.chmod(0o755)
    proc = subprocess.run(["bash", str(ROOT / "docs" / "gradescope" / "run_autograder")], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "AUTOGRADER_ROOT": str(root), "GRADE": str(grade),
                                                       "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert (data["extra_data"]["status"], data["score"]) == ("unreadable", 0.0), data["output"]
    assert "mallory/hw03.py" in data["output"] and "link" in data["output"]


# --- races: swapped for a link after discovery looked -------------------------------------------------------------


def swapping_after_discovery(swap: Callable[[Submission], None]) -> Callable[..., Found]:
    """find_submissions, but each student's entry is changed by `swap` right after discovery made it."""
    real = pipeline.find_submissions

    def wrapper(*args: Any, **kwargs: Any) -> Found:
        found = real(*args, **kwargs)

        def swapped() -> Iterator[Submission]:
            for sub in found.submissions:
                swap(sub)
                yield sub
        return Found(found.count, swapped())
    return wrapper


def race_class(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "class"
    (root / "mallory" / "sub").mkdir(parents=True)
    (root / "mallory" / "sub" / "hw03.py").write_text("def sigmoid(z):\n    return 0\n")
    shutil.copy(FIXTURES / "fails_relu_grad_at_zero.py", root / "clean.py")
    return root, private_files(tmp_path / "private")


def graded_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swap: Callable[[Path, Path], None],
                 where: str = "discovery") -> dict[str, StudentResult]:
    root, private = race_class(tmp_path)

    def on(sub: Submission) -> None:
        if sub.student == "mallory":
            swap(root / "mallory", private)
    if where == "discovery":
        monkeypatch.setattr(pipeline, "find_submissions", swapping_after_discovery(on))
    else:  # after the resume key was computed from the file: between that check and the loader's open
        real = pipeline.result_key

        def keyed(path: Any, *args: Any, **kwargs: Any) -> str:
            key = real(path, *args, **kwargs)
            if path is not None and "mallory" in str(path):
                swap(root / "mallory", private)
            return key
        monkeypatch.setattr(pipeline, "result_key", keyed)
    run = grade_class(options(root, tmp_path / "out"))
    return {r.student: r for r in run.results}


def _file_to_link(folder: Path, private: Path) -> None:
    (folder / "sub" / "hw03.py").unlink()
    (folder / "sub" / "hw03.py").symlink_to(private / "solution.py")


def _folder_to_link(folder: Path, private: Path) -> None:
    (folder / "sub").rename(folder / "old")
    (folder / "sub").symlink_to(private / "solution_dir", target_is_directory=True)


def _student_folder_to_link(folder: Path, private: Path) -> None:
    folder.rename(folder.with_name("mallory.old"))
    folder.mkdir()
    (folder.with_name("mallory.old") / "sub").rename(folder / "real")
    shutil.rmtree(folder)
    folder.symlink_to(private / "mirror", target_is_directory=True)
    (private / "mirror" / "sub").mkdir(parents=True, exist_ok=True)
    shutil.copy(SOLUTION, private / "mirror" / "sub" / "hw03.py")


@pytest.mark.parametrize("swap", [_file_to_link, _folder_to_link, _student_folder_to_link],
                         ids=["file", "folder_one_level_down", "student_folder"])
@pytest.mark.parametrize("where", ["discovery", "resume_key"])
def test_an_entry_swapped_for_a_link_after_it_was_checked_is_refused(tmp_path, monkeypatch, swap, where):
    results = graded_after(tmp_path, monkeypatch, swap, where)
    mallory = results["mallory"]
    assert (mallory.status, mallory.total) == ("unreadable", 0.0), (mallory.status, mallory.total, mallory.message)
    assert "link" in mallory.message and "mallory/" in mallory.message, mallory.message
    assert results["clean"].status == "graded"


def test_the_loader_given_a_fifo_does_not_block(tmp_path):
    """`selfcheck hw03.py` (the loader, on a path of the caller's own) where hw03.py is a FIFO."""
    fifo = tmp_path / "hw03.py"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            load(fifo)
            outcome.append(None)
        except LoadError as err:
            outcome.append(err)
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():
        with open(fifo, "wb"):  # free the blocked reader
            pass
        pytest.fail("the loader blocked reading a FIFO")
    assert isinstance(outcome[0], LoadError) and "FIFO" in outcome[0].message


def test_a_file_swapped_for_a_fifo_after_discovery_does_not_block_the_grader(tmp_path, monkeypatch):
    def to_fifo(folder: Path, private: Path) -> None:
        (folder / "sub" / "hw03.py").unlink()
        os.mkfifo(folder / "sub" / "hw03.py")
    done: list[dict[str, StudentResult]] = []
    worker = threading.Thread(target=lambda: done.append(graded_after(tmp_path, monkeypatch, to_fifo)), daemon=True)
    worker.start()
    worker.join(120)
    if worker.is_alive():  # a reader is blocked on the FIFO: a regular file in its place, and a writer to free it
        fifo = tmp_path / "class" / "mallory" / "sub" / "hw03.py"
        fifo.rename(fifo.with_name("fifo"))
        fifo.write_text("")
        with open(fifo.with_name("fifo"), "wb"):
            pass
        pytest.fail("the grader blocked reading a FIFO")
    mallory = done[0]["mallory"]
    assert mallory.status == "unreadable" and "FIFO" in mallory.message, mallory.message
