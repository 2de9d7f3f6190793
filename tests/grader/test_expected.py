"""grader.expected: inputs copied before the reference sees them; the reference asked only when needed."""
import types

import numpy as np

from grader.expected import Expected, expected_for, expected_values, materialise
from grader.model import CallOutcome, Case, FuncSpec


def test_materialise_copies_arrays_keeping_layout_and_builds_functions():
    fortran = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    args = ([fortran, (np.ones(2), 3.0)], "x", FuncSpec("lecture_chain", {}), {"k": np.zeros(1)})
    copied = materialise(args)
    assert copied[0][0] is not fortran and np.array_equal(copied[0][0], fortran)
    assert copied[0][0].flags.f_contiguous  # the layout the reference would have seen with deepcopy
    assert copied[0][1][0] is not args[0][1][0] and copied[0][1][1] == 3.0
    assert callable(copied[2])
    assert copied[3] is not args[3] and copied[3]["k"] is not args[3]["k"]
    copied[0][0][0, 0] = 99.0
    assert fortran[0, 0] == 0.0


def test_materialise_gives_fresh_lists_of_the_same_plain_items():
    plain = [1.0, 2, True, None, "s", -0.0]
    nested = ([plain, (plain, 3)], plain)
    copied = materialise(nested)
    assert copied == nested and [type(x) for x in copied[1]] == [type(x) for x in plain]
    assert copied[1] is not plain and copied[0][0] is not plain and copied[0][1][0] is not plain
    copied[1].append(7)  # a reference appending to a list input must not change the case
    assert plain == [1.0, 2, True, None, "s", -0.0]


def _reference(calls: list[str]) -> types.ModuleType:
    def relu(z):
        calls.append("relu")
        z[...] = 7.0  # a reference that scribbles on its input must not change the case
        return np.maximum(z, 0.0)

    def chain_jacobians(a, b):
        calls.append("chain_jacobians")
        raise ValueError("shapes do not chain")
    return types.SimpleNamespace(relu=relu, chain_jacobians=chain_jacobians)


def test_expected_for_copies_inputs_and_records_exceptions():
    calls: list[str] = []
    ref = _reference(calls)
    case = Case("relu", "c", "random", (np.array([-1.0, 2.0]),))
    assert np.array_equal(expected_for(ref, case).value, [7.0, 7.0])
    assert np.array_equal(case.args[0], [-1.0, 2.0])
    raised = expected_for(ref, Case("chain_jacobians", "c", "edge", (np.ones(2), np.ones(3))))
    assert raised.raises[:2] == ("ValueError", "Exception") and "do not chain" in raised.error


def test_expected_values_ask_the_reference_only_for_calls_that_answered():
    calls: list[str] = []
    ref = _reference(calls)
    hidden = [Case("relu", f"random {i}", "random", (np.array([1.0]),)) for i in range(7)]
    statuses = ["returned", "raised", "missing", "timeout", "crashed", "skipped", "not_run"]
    values = expected_values(ref, hidden, [CallOutcome(s) for s in statuses], {})  # type: ignore[arg-type]
    assert calls == ["relu", "relu"]
    assert [v == Expected() for v in values] == [False, False, True, True, True, True, True]


def test_expected_values_take_shared_cases_from_the_run():
    calls: list[str] = []
    ref = _reference(calls)
    public = Case("relu", "public random 01", "random", (np.array([1.0]),), public=True)
    hidden = Case("relu", "public random 01", "random", (np.array([1.0]),))  # same name, but hidden
    known = Expected(np.array([42.0]))
    values = expected_values(ref, [public, hidden], [CallOutcome("returned")] * 2,
                             {("relu", "public random 01"): known})
    assert values[0] is known and calls == ["relu"] and np.array_equal(values[1].value, [7.0])
