"""The sandbox on ordinary submissions: values, load problems, notebooks, errors, warnings, mutation."""
from __future__ import annotations

import os

import numpy as np
import pytest
from sandbox_support import case, notebook, py, run, sandbox  # noqa: F401 - fixture

from grader.codec import Unsupported
from grader.model import Cell, FuncSpec, Program
from grader.notebook import neutralise
from grader.sandbox import Limits, Sandbox

pytestmark = pytest.mark.filterwarnings("error")

GOOD = """
    import numpy as np

    def relu(x):
        return np.maximum(x, 0.0)

    def stats(xs, scale=1.0):
        return {"mean": float(np.mean(xs)) * scale, "shape": np.shape(xs), "items": [1, (2, 3)]}

    def nothing():
        pass

    def apply(f, x):
        return f(x)

    def same(x):
        return np.array(x)
"""


def test_returns_values_as_plain_data(sandbox):
    report = run(sandbox, py(GOOD), case("relu", np.array([-1.0, 2.0])),
                 case("stats", [1.0, 3.0], scale=2.0), case("nothing"), case("same", np.array(-3.0)))
    assert report.load_status == "ok" and report.load_message == "" and report.restarts == 0
    relu, stats, nothing, zero_d = report.outcomes
    assert relu.status == "returned" and np.array_equal(relu.value, [0.0, 2.0])
    assert stats.value == {"mean": 4.0, "shape": (2,), "items": [1, (2, 3)]}
    assert nothing.status == "returned" and nothing.value is None
    assert zero_d.value.shape == () and zero_d.value == -3.0
    assert all(o.error == "" and o.mutated == () and o.warnings == () for o in report.outcomes)
    assert all(0 <= o.seconds < 1 for o in report.outcomes)


def test_funcspec_arguments_are_built_in_the_child(sandbox):
    spec = FuncSpec("affine", {"A": np.array([[2.0, 0.0], [0.0, 3.0]]), "c": np.array([1.0, 1.0])})
    report = run(sandbox, py(GOOD), case("apply", spec, np.array([1.0, 1.0])))
    assert report.outcomes[0].status == "returned", report.outcomes[0]
    assert np.array_equal(report.outcomes[0].value, [3.0, 4.0])


def test_no_cases_still_loads(sandbox):
    report = run(sandbox, py("print('hi')"))
    assert report.load_status == "ok" and report.outcomes == () and report.stdout == "hi\n"


def test_syntax_error_names_file_line_and_column(sandbox):
    report = run(sandbox, py("def ok():\n    return 1\n\ndef f(x)\n    return x\n"), case("ok"))
    assert report.load_status == "syntax_error"
    first = report.load_message.splitlines()[0]
    assert first.startswith("hw03.py, line 4, column 9: SyntaxError:"), report.load_message
    assert "def f(x)" in report.load_message and "^" in report.load_message
    assert report.outcomes[0].status == "not_run" and "syntax error" in report.outcomes[0].error


def test_top_level_exception_keeps_earlier_functions(sandbox):
    source = "def before():\n    return 1\n\nboom = 1 / 0\n\ndef after():\n    return 2\n"
    report = run(sandbox, py(source), case("before"), case("after"))
    assert report.load_status == "load_error"
    assert report.load_message.startswith("hw03.py, line 4: ZeroDivisionError: division by zero")
    assert 'File "hw03.py", line 4, in <module>' in report.load_message
    before, after = report.outcomes
    assert before.status == "returned" and before.value == 1
    assert after.status == "missing" and "after is not defined" in after.error
    assert "loading stopped at hw03.py, line 4" in after.error


def test_a_missing_module_says_what_the_grader_has_once_and_what_to_do(sandbox):
    source = "def before():\n    return 1\n\nimport not_installed_anywhere.pyplot as plt\n\ndef after():\n    return 2\n"
    report = run(sandbox, py(source), case("before"), case("after"))
    first, *rest = report.load_message.splitlines()
    assert report.load_status == "load_error"
    assert first == ("hw03.py, line 4: ModuleNotFoundError: No module named 'not_installed_anywhere'; this module is "
                     "not installed where your code is graded (the assignment allows numpy and the Python standard "
                     "library): remove the import, or keep it out of the graded code (in a .py, under "
                     "`if __name__ == \"__main__\":`)")
    assert rest[-1] == "ModuleNotFoundError: No module named 'not_installed_anywhere'"  # the traceback as Python's
    assert report.outcomes[1].error == ("after is not defined in the submission (loading stopped at hw03.py, line 4 "
                                        "with ModuleNotFoundError: No module named 'not_installed_anywhere')")


def test_input_at_the_top_level_says_nobody_types_when_grading(sandbox):
    report = run(sandbox, py("name = input('Your name: ')\n\ndef f():\n    return 1\n"), case("f"))
    assert report.load_status == "load_error"
    assert report.load_message.splitlines()[0] == (
        "hw03.py, line 1: EOFError: EOF when reading a line; input() waited for the keyboard, and nobody types "
        "when your code is graded: remove the input() call, or keep it out of the graded code (in a .py, under "
        "`if __name__ == \"__main__\":`)")
    assert report.load_message.splitlines()[-1] == "EOFError: EOF when reading a line"


def test_a_module_missing_inside_a_call_says_the_same(sandbox):
    report = run(sandbox, py("def f():\n    import scipy_not_here\n"), case("f"))
    assert report.outcomes[0].status == "raised"
    assert report.outcomes[0].error.startswith("ModuleNotFoundError: No module named 'scipy_not_here'; this module "
                                               "is not installed where your code is graded")


def test_main_block_does_not_run(sandbox):
    source = "def f():\n    return __name__\n\nif __name__ == '__main__':\n    raise SystemExit('ran')\n"
    report = run(sandbox, py(source), case("f"))
    assert report.load_status == "ok" and report.outcomes[0].value == "submission"


def test_notebook_cells_keep_going_after_errors(sandbox):
    program = notebook("import numpy as np\nx = 1",
                       "def early():\n    return x",
                       "y = 2\nprint('cell 3')\nz = 1 / 0",
                       "def broken(:\n    pass",
                       "import sys\nsys.exit(3)",
                       "def late():\n    return early() + y")
    report = run(sandbox, program, case("early"), case("late"), case("broken"))
    assert report.load_status == "ok"
    assert report.load_warnings == ("cell 3, line 3: ZeroDivisionError: division by zero",
                                    "cell 4, line 1: SyntaxError: invalid syntax",
                                    "cell 5, line 2: SystemExit: 3")
    early, late, broken = report.outcomes
    assert (early.value, late.value) == (1, 3)
    assert broken.status == "missing"
    assert report.stdout == "cell 3\n"


def test_notebook_tracebacks_name_cells(sandbox):
    program = notebook("def inner(v):\n    return v[5]", "def outer(v):\n    return inner(v)")
    outcome = run(sandbox, program, case("outer", [1, 2])).outcomes[0]
    assert outcome.status == "raised" and outcome.error == "IndexError: list index out of range"
    assert 'File "hw03.ipynb [cell 2]", line 2, in outer' in outcome.traceback
    assert 'File "hw03.ipynb [cell 1]", line 2, in inner' in outcome.traceback
    assert "sandbox" not in outcome.traceback  # only the student's frames


def test_missing_and_not_callable(sandbox):
    report = run(sandbox, py("value = 3\n"), case("absent"), case("value"))
    assert [o.status for o in report.outcomes] == ["missing", "missing"]
    assert report.outcomes[0].error == "absent is not defined in the submission"
    assert "value is not a function (it is of type int)" in report.outcomes[1].error


def test_exceptions_are_data(sandbox):
    source = """
        import sys
        def todo(x):
            raise NotImplementedError("write me")
        def exits():
            sys.exit(2)
        def deep(n):
            return deep(n + 1)
        def interrupt():
            raise KeyboardInterrupt
        def bad_str():
            class E(Exception):
                def __str__(self):
                    raise RuntimeError("nope")
            raise E()
    """
    report = run(sandbox, py(source), case("todo", 1), case("exits"), case("deep", 0),
                 case("interrupt"), case("bad_str"))
    todo, exits, deep, interrupt, bad_str = report.outcomes
    assert todo.status == "raised" and todo.error == "NotImplementedError: write me"
    assert todo.error_types[:3] == ("NotImplementedError", "RuntimeError", "Exception")
    assert 'line 4, in todo\n    raise NotImplementedError("write me")' in todo.traceback
    assert exits.status == "raised" and exits.error == "SystemExit: 2"
    assert deep.status == "raised" and deep.error.startswith("RecursionError")
    assert "earlier frames omitted" in deep.traceback and len(deep.traceback) < 7000
    assert interrupt.status == "raised" and interrupt.error == "KeyboardInterrupt"
    assert bad_str.status == "raised" and "message unavailable" in bad_str.error


def test_sys_exit_at_top_level_is_a_load_error(sandbox):
    report = run(sandbox, py("def f():\n    return 1\nimport sys\nsys.exit(0)\n"), case("f"))
    assert report.load_status == "load_error" and "SystemExit: 0" in report.load_message
    assert report.outcomes[0].value == 1


def test_warnings_are_recorded_per_call(sandbox):
    source = """
        import numpy as np, warnings
        np.seterr(all="ignore")  # calls still run with numpy's default error state
        def f(x):
            return np.exp(x)
        def g():
            for _ in range(50):
                warnings.warn(f"custom {_}", UserWarning)
            return np.log(np.array([0.0, -1.0]))
    """
    f_big, f_small, g = run(sandbox, py(source), case("f", 1000.0), case("f", 1.0), case("g")).outcomes
    assert f_big.warnings == ("RuntimeWarning: overflow encountered in exp",)
    assert f_small.warnings == ()
    assert g.warnings[:2] == ("UserWarning: custom 0", "UserWarning: custom 1")
    assert "RuntimeWarning: divide by zero encountered in log" in g.warnings  # kept past the cap
    assert g.warnings[-1] == "... and 31 other warnings" and len(g.warnings) == 22


def test_in_place_modification_is_detected(sandbox):
    source = """
        def scale(x, nested, w=None):
            x *= 2
            nested[1][0][0] = -1
            return None
        def pure(x, nested, w=None):
            return x.sum()
        def reshape(x, nested, w=None):
            w.shape = (2, 1)
    """
    args = (np.ones(3), [np.zeros(1), (np.zeros(2), 5)])
    report = run(sandbox, py(source), case("scale", *args, w=np.ones(2)),
                 case("pure", *args, w=np.ones(2)), case("reshape", *args, w=np.ones(2)))
    assert report.outcomes[0].mutated == ("arg 0", "arg 1[1][0]")
    assert report.outcomes[1].mutated == () and report.outcomes[1].value == 3.0
    assert report.outcomes[2].mutated == ("w",)


def test_each_call_gets_fresh_arguments(sandbox):
    source = "def grow(x):\n    x.append(1)\n    return len(x)\n"
    shared = [0]
    report = run(sandbox, py(source), case("grow", shared), case("grow", shared))
    assert [o.value for o in report.outcomes] == [2, 2]


def test_odd_results_become_unsupported_markers(sandbox):
    source = """
        import numpy as np
        class Liar:
            def __array__(self, *a, **k):
                raise RuntimeError("lie")
            def __eq__(self, other):
                return True
            def __float__(self):
                return 0.0
            def __repr__(self):
                raise ValueError("no repr")
        class NotANumber:
            def __float__(self):
                raise TypeError("never")
        class Sneaky(float):
            def __eq__(self, other):
                return True
        def liar():
            return Liar()
        def objects():
            return np.array([NotANumber()], dtype=object)
        def sneaky():
            return [Sneaky(1.5), np.float32(2.5)]
        def gen():
            return (i for i in range(3))
        def huge():
            return np.zeros(3_000_000)
        def cyclic():
            a = []
            a.append(a)
            return a
    """
    report = run(sandbox, py(source), *[case(n) for n in
                                        ("liar", "objects", "sneaky", "gen", "huge", "cyclic")])
    liar, objects, sneaky, gen, huge, cyclic = report.outcomes
    assert all(o.status == "returned" for o in report.outcomes)
    assert liar.value == Unsupported("submission.Liar", "<repr() raised ValueError>")
    assert type(objects.value) is Unsupported and "not all numbers" in objects.value.text
    assert sneaky.value == [1.5, 2.5] and type(sneaky.value[0]) is float
    assert type(gen.value) is Unsupported and gen.value.type_name == "generator"
    assert type(huge.value) is Unsupported and "could not be sent back" in huge.error
    assert type(cyclic.value[0]) is Unsupported


def test_load_timeout_option(sandbox):
    program = py("import time\ntime.sleep(0.6)\ndef f():\n    return 1\n")
    slow = run(sandbox, program, case("f"), limits=Limits(timeout=0.3, memory_mb=512))
    assert slow.load_status == "timeout" and "0.3 s" in slow.load_message
    assert slow.outcomes[0].status == "not_run"
    ok = run(sandbox, program, case("f"), limits=Limits(timeout=0.3, memory_mb=512, load_timeout=3))
    assert ok.load_status == "ok" and ok.outcomes[0].value == 1


def test_a_notebook_cell_that_runs_too_long_is_left_out_and_the_rest_graded(sandbox):
    program = notebook("def f():\n    return 1\n", "while True:\n    pass\n", "def g():\n    return f() + 1\n")
    report = run(sandbox, program, case("f"), case("g"), limits=Limits(timeout=0.5, memory_mb=512))
    assert report.load_status == "ok" and report.load_message == ""
    assert report.load_warnings == ("cell 2: did not finish within 0.5 s, so it was stopped and the notebook was run "
                                    "again without it; remove or shorten slow cells (training, plots, demos)",)
    assert [o.value for o in report.outcomes] == [1, 2] and report.restarts == 1


def test_at_most_two_slow_cells_are_left_out_then_loading_times_out(sandbox):
    slow = "import time\ntime.sleep(5)\n"
    program = notebook("def f():\n    return 1\n", slow, slow, slow)
    report = run(sandbox, program, case("f"), limits=Limits(timeout=0.4, memory_mb=512))
    assert report.load_status == "timeout" and "0.4 s" in report.load_message
    assert [w.split(":")[0] for w in report.load_warnings] == ["cell 2", "cell 3"]  # cell 4 is not left out
    assert report.outcomes[0].status == "not_run" and report.restarts == 2


def test_a_slow_python_file_is_not_cut_into_pieces(sandbox):
    program = py("def f():\n    return 1\n\nwhile True:\n    pass\n")
    report = run(sandbox, program, case("f"), limits=Limits(timeout=0.4, memory_mb=512))
    assert report.load_status == "timeout" and report.load_warnings == () and report.restarts == 0


def test_a_forged_cell_report_is_malformed_data(sandbox):
    """The cell reports travel on the student's channel: one out of range stops the child like any bad record."""
    program = notebook("import os, struct\nmsg = b'{\"type\":\"cell\",\"index\":99}'\nfor fd in range(3, 20):\n"
                       "    try:\n        os.write(fd, struct.pack('>I', len(msg)) + msg)\n"
                       "    except OSError:\n        pass\n", "def f():\n    return 1\n")
    report = run(sandbox, program, case("f"), limits=Limits(timeout=2.0, memory_mb=512))
    assert report.load_status == "crashed" and "sent malformed data to the grader (a bad cell report)" in report.load_message


def test_repeated_exceptions_keep_their_own_texts(sandbox):
    """Texts of a raised call are reused for a later call raising the same way (same class, message,
    frames) and only then: every outcome reads as if built afresh."""
    source = """
        calls = [0]
        def todo(x):
            raise NotImplementedError("write me")
        def varies(x):
            if x > 1:
                raise ValueError("bad" if x > 2 else f"bad {x}")
            raise ValueError("bad" if x < 1 else f"bad {x}")
        class Counting(Exception):
            def __str__(self):
                calls[0] += 1
                return f"call {calls[0]}"
        def counting(x):
            raise Counting()
    """
    cases = [case("todo", i) for i in range(4)] + [case("varies", i) for i in (0, 1, 2, 3)]
    cases += [case("counting", i) for i in range(3)] + [case("absent", i) for i in range(2)] + [case("todo", 9)]
    report = run(sandbox, py(source), *cases)
    todo = [o for c, o in zip(cases, report.outcomes) if c.function == "todo"]
    assert all(o.status == "raised" and (o.error, o.error_types, o.traceback) ==
               (todo[0].error, todo[0].error_types, todo[0].traceback) for o in todo)  # the last one built afresh
    assert todo[0].error == "NotImplementedError: write me" and 'line 4, in todo' in todo[0].traceback
    varies = report.outcomes[4:8]
    assert [o.error for o in varies] == ["ValueError: bad", "ValueError: bad 1", "ValueError: bad 2", "ValueError: bad"]
    assert ["line 8, in varies" in o.traceback for o in varies] == [True, True, False, False]  # its own line each
    assert ["line 7, in varies" in o.traceback for o in varies] == [False, False, True, True]
    assert all(o.traceback.endswith(f"{o.error}\n") for o in varies)
    counting = report.outcomes[8:11]
    assert len({o.error for o in counting}) == 3  # a message that changes is never taken from an earlier call
    assert [(o.status, o.error) for o in report.outcomes[11:13]] == [("missing", "absent is not defined in the submission")] * 2


def test_display_is_a_builtin_that_prints_like_ipython_without_a_front_end(sandbox):
    """IPython makes `display` a builtin; outside a shell it prints its arguments (print(*objs)) and
    returns None, whatever the keyword arguments. A .py and a notebook get it alike; it can be shadowed."""
    top = ("import numpy as np\nshown = display(np.array([1.0, 2.0]), 'text', display_id=True, clear=True,"
           " metadata={'a': 1}, update=False)\n")
    for program in (py(top + "def f():\n    return shown\n"), notebook(top, "def f():\n    return shown\n")):
        report = run(sandbox, program, case("f"))
        assert report.load_status == "ok" and report.load_warnings == (), report.load_warnings
        assert report.stdout == "[1. 2.] text\n" and report.outcomes[0].status == "returned"
        assert report.outcomes[0].value is None
    report = run(sandbox, notebook("display = len", "def f():\n    return display('abc')\n"), case("f"))
    assert report.outcomes[0].value == 3


@pytest.mark.parametrize("isolation", ["auto", "process"])
def test_writefile_then_import_works_in_the_private_working_folder(isolation):
    """A module written with %%writefile (here via grader.load) is imported from the working folder, as
    in Jupyter: the folder is on sys.path after the standard library (so it hides none of it), and it
    is each run's own, under both isolation levels."""
    written = "%%writefile helper_mod.py\ndef double(x):\n    return 2 * x\n"
    shadow = "%%writefile colorsys.py\nraise RuntimeError('a student file hid the standard library')\n"
    use = ("import os, sys, colorsys, helper_mod\ndouble = helper_mod.double\n"
           "def where():\n    return os.getcwd(), helper_mod.__file__, sys.path, colorsys.__file__\n")
    cells = tuple(Cell(neutralise(s, f"cell {i}")[0] or "", f"hw03.ipynb [cell {i}]", f"cell {i}")
                  for i, s in enumerate((written, shadow, use), start=1))
    with Sandbox(isolation=isolation) as box:
        report = run(box, Program(cells=cells, kind="ipynb"), case("double", 21), case("where"))
        other = run(box, py("import os\ndef f():\n    return os.listdir('.')\n"), case("f"))
    assert report.load_status == "ok" and report.load_warnings == (), report.load_warnings
    assert report.outcomes[0].value == 42
    cwd, module, path, stdlib = report.outcomes[1].value
    assert module == os.path.join(cwd, "helper_mod.py") and not stdlib.startswith(cwd)
    site = next(k for k, entry in enumerate(path) if os.path.basename(entry) == "site-packages")
    assert path.index(cwd) < site and path.index(os.path.dirname(os.__file__)) < path.index(cwd) and "" not in path
    assert "helper_mod.py" not in other.outcomes[0].value  # the next student's folder is a fresh one
    if isolation == "process":
        assert not os.path.exists(cwd), "the working folder is removed after the run"
