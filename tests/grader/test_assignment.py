"""grader.assignment: the definition loads, validates and fingerprints its inputs."""
import shutil

import pytest

from grader.assignment import AssignmentError, load_assignment, load_generators


def test_hw03_has_five_parts_and_100_points():
    a = load_assignment("hw03")
    assert [p.name for p in a.parts] == ["perceptron", "activations", "mlp", "jacobian", "relu_mse"]
    assert a.max_total == pytest.approx(100.0)
    backprop = a.function("backward").points
    assert backprop == max(f.points for f in a.functions)


def test_unknown_assignment_names_the_known_ones():
    with pytest.raises(AssignmentError, match="hw03"):
        load_assignment("hw99")


def test_a_second_assignment_is_just_a_folder(tmp_path):
    folder = tmp_path / "hw04"
    shutil.copytree(load_assignment("hw03").folder, folder)
    text = (folder / "assignment.toml").read_text().replace('id = "hw03"', 'id = "hw04"')
    (folder / "assignment.toml").write_text(text)
    a = load_assignment(str(folder))
    assert a.id == "hw04" and a.folder == folder
    assert load_generators(a).fixed_cases("relu")


def test_fingerprint_changes_when_the_cases_change(tmp_path):
    folder = tmp_path / "hw03copy"
    shutil.copytree(load_assignment("hw03").folder, folder)
    before = load_assignment(str(folder)).fingerprint
    with open(folder / "cases.py", "a") as f:
        f.write("\n# changed\n")
    assert load_assignment(str(folder)).fingerprint != before


def test_malformed_definition_is_a_clear_error(tmp_path):
    (tmp_path / "assignment.toml").write_text('id = "x"\n[[part]]\nname = "p"\n')
    (tmp_path / "cases.py").write_text("")
    with pytest.raises(AssignmentError, match="missing or invalid"):
        load_assignment(str(tmp_path))
    (tmp_path / "assignment.toml").write_text("id = ")
    with pytest.raises(AssignmentError, match="assignment.toml"):
        load_assignment(str(tmp_path))


@pytest.fixture
def hw03_copy(tmp_path):
    folder = tmp_path / "hw03copy"
    shutil.copytree(load_assignment("hw03").folder, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_hints_py_attaches_known_mistakes_to_its_functions(hw03_copy):
    (hw03_copy / "hints.py").write_text("def relu_slip(args):\n    return []\n\nMISTAKES = {'relu': relu_slip}\n")
    a = load_assignment(str(hw03_copy))
    assert [f.name for f in a.functions if f.mistakes is not None] == ["relu"]
    assert a.function("relu").mistakes({"z": 1.0}) == []
    (hw03_copy / "hints.py").unlink()
    assert all(f.mistakes is None for f in load_assignment(str(hw03_copy)).functions)  # hints.py is optional


def test_fingerprint_changes_when_the_hints_change(hw03_copy):
    before = load_assignment(str(hw03_copy)).fingerprint
    with open(hw03_copy / "hints.py", "a") as f:
        f.write("\n# changed\n")
    assert load_assignment(str(hw03_copy)).fingerprint != before  # hints are in the results: regrade


@pytest.mark.parametrize("source, message", [
    ("MISTAKES = {'mse_gard': print}\n", "MISTAKES names mse_gard, which is not a function"),
    ("MISTAKES = {'relu': 3}\n", "must define MISTAKES"),
    ("HINTS = {}\n", "must define MISTAKES"),
    ("import reference_that_is_missing\n", "hints.py cannot be imported (ModuleNotFoundError"),
])
def test_a_broken_hints_py_is_a_clear_error(hw03_copy, source, message):
    (hw03_copy / "hints.py").write_text(source)
    with pytest.raises(AssignmentError, match=message.replace("(", r"\(")):
        load_assignment(str(hw03_copy))


def _copy_hw03(tmp_path):
    folder = tmp_path / "hw03copy"
    shutil.copytree(load_assignment("hw03").folder, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_cases_may_import_their_siblings_and_are_read_fresh(tmp_path):
    folder = _copy_hw03(tmp_path)
    (folder / "extra_cases.py").write_text("NAME = 'from a sibling'\n")
    with open(folder / "cases.py", "a") as f:
        f.write("\nfrom .extra_cases import NAME as SIBLING\n")
    first = load_generators(load_assignment(str(folder)))
    assert first.SIBLING == "from a sibling" and first.fixed_cases("relu")
    (folder / "extra_cases.py").write_text("NAME = 'changed'\n")
    assert load_generators(load_assignment(str(folder))).SIBLING == "changed"  # not a stale import
    assert first.SIBLING == "from a sibling"  # what was loaded before is left as it was


def test_a_sibling_of_cases_is_in_the_fingerprint(tmp_path):
    folder = _copy_hw03(tmp_path)
    (folder / "extra_cases.py").write_text("NAME = 1\n")
    before = load_assignment(str(folder)).fingerprint
    (folder / "extra_cases.py").write_text("NAME = 2\n")
    assert load_assignment(str(folder)).fingerprint != before


def test_cases_that_cannot_be_imported_name_the_file_and_the_error(tmp_path):
    folder = _copy_hw03(tmp_path)
    with open(folder / "cases.py", "a") as f:
        f.write("\nfrom .no_such_file import THING\n")
    with pytest.raises(AssignmentError, match=r"cases\.py cannot be imported \(ModuleNotFoundError: .*no_such_file"):
        load_generators(load_assignment(str(folder)))
