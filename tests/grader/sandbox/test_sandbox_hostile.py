"""Hostile submissions: hangs, memory hogs, exits, signals, floods of output, protocol tampering."""
from __future__ import annotations

import time

import numpy as np
import pytest
from sandbox_support import IDENT, LIMITS, boot_ticks, case, notebook, py, run, run_gone, sandbox, wait_until  # noqa: F401

from grader.sandbox import Limits, Sandbox


def test_infinite_loop_while_loading_times_out_quickly(sandbox):
    start = time.monotonic()
    report = run(sandbox, py("def f():\n    return 1\nwhile True:\n    pass\n"), case("f"), case("f"))
    assert time.monotonic() - start < LIMITS.timeout + 1.5
    assert report.load_status == "timeout" and "did not finish within 1.5 s" in report.load_message
    assert [o.status for o in report.outcomes] == ["not_run", "not_run"]
    assert "loading the program timed out" in report.outcomes[0].error


@pytest.mark.slow
def test_infinite_loop_in_a_call_skips_that_function_only(sandbox):
    source = """
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the sandbox does not ask politely
        def spin(n):
            if n > 0:
                while True:
                    pass
            return n
        def other():
            return "still graded"
    """
    start = time.monotonic()
    report = run(sandbox, py(source), case("spin", 0), case("spin", 1), case("spin", 0),
                 case("other"), case("spin", 0))
    assert time.monotonic() - start < LIMITS.timeout + 1.5
    first, hung, after, other, last = report.outcomes
    assert first.status == "returned" and first.value == 0
    assert hung.status == "timeout" and hung.error.startswith("timeout: spin did not finish within 1.5 s")
    assert after.status == last.status == "skipped"
    assert after.error == "not run: an earlier case of spin timed out after 1.5 s"
    assert other.status == "returned" and other.value == "still graded"
    assert report.restarts == 1


@pytest.mark.slow
def test_thread_sleeping_past_the_timeout(sandbox):
    source = """
        import threading, time
        threading.Thread(target=time.sleep, args=(60,)).start()  # non-daemon, outlives main
        def quick():
            return 1
        def waits():
            worker = threading.Thread(target=time.sleep, args=(60,))
            worker.start()
            worker.join()
    """
    start = time.monotonic()
    report = run(sandbox, py(source), case("quick"), case("waits"), case("quick"))
    assert time.monotonic() - start < LIMITS.timeout + 1.5
    assert [o.status for o in report.outcomes] == ["returned", "timeout", "returned"]


def test_memory_hog_fails_only_that_call(sandbox):
    source = """
        import numpy as np
        def hog():
            return np.ones(10 * 2**30 // 8)  # 10 GB
        def grow():
            chunks = []
            while True:
                chunks.append(bytearray(50 * 2**20))
        def fine():
            return 7
    """
    report = run(sandbox, py(source), case("hog"), case("grow"), case("fine"))
    hog, grow, fine = report.outcomes
    assert hog.status == "raised" and hog.error.startswith("MemoryError: exceeded the memory limit (512 MB)")
    assert grow.status in ("raised", "crashed") and "memory" in grow.error
    assert fine.status == "returned" and fine.value == 7


def test_exits_and_signals_crash_one_case_then_continue(sandbox):
    source = """
        import os, signal
        def exit7():
            os._exit(7)
        def kill_group():
            os.killpg(0, signal.SIGKILL)
        def segv():
            os.kill(os.getpid(), signal.SIGSEGV)
        def fine(x):
            return x
    """
    report = run(sandbox, py(source), case("exit7"), case("fine", 1), case("kill_group"),
                 case("fine", 2), case("segv"), case("fine", 3))
    statuses = [o.status for o in report.outcomes]
    assert statuses == ["crashed", "returned"] * 3
    assert report.outcomes[0].error == "the student process exited with code 7 while running exit7"
    assert report.outcomes[2].error.startswith(
        "the student process was killed by signal 9 (SIGKILL) while running kill_group")
    assert "signal 11 (SIGSEGV)" in report.outcomes[4].error and "memory" in report.outcomes[4].error
    assert [o.value for o in report.outcomes[1::2]] == [1, 2, 3]
    assert report.restarts == 3


def test_crash_while_loading(sandbox):
    report = run(sandbox, py("import os\nos._exit(3)\n"), case("f"))
    assert report.load_status == "crashed"
    assert report.load_message == "the student process exited with code 3 while loading the program"
    assert report.outcomes[0].status == "not_run"


def test_a_function_that_always_crashes_fails_at_once_after_two_crashes(sandbox):
    source = "import os\ndef boom(i):\n    os._exit(1)\n"
    report = run(sandbox, py(source), *[case("boom", i) for i in range(12)])
    statuses = [o.status for o in report.outcomes]
    assert statuses == ["crashed"] * 2 + ["skipped"] * 10
    assert report.outcomes[-1].error == "not run: boom crashed the student process 2 times"
    assert report.restarts == 1  # the second crash ended the function: nothing left to restart for


def test_crash_budgets_are_per_function(sandbox):
    """Three functions that kill their own process on every call (exit, killpg, SIGSEGV), each
    called many times between healthy functions: each loses only its own cases, however many
    crashes happened before, and the healthy ones all return."""
    source = """
        import os, signal
        def exits(i):
            os._exit(3)
        def kills_group(i):
            os.killpg(0, signal.SIGKILL)
        def segfaults(i):
            os.kill(os.getpid(), signal.SIGSEGV)
        def fine(i):
            return i
    """
    cases = []
    for bad in ("exits", "kills_group", "segfaults"):
        cases += [case("fine", k) for k in range(5)] + [case(bad, k) for k in range(25)]
    cases += [case("fine", k) for k in range(5, 10)]
    report = run(sandbox, py(source), *cases)
    by_function: dict[str, list[str]] = {}
    for c, o in zip(cases, report.outcomes):
        by_function.setdefault(c.function, []).append(o.status)
    assert by_function["fine"] == ["returned"] * 20
    for bad in ("exits", "kills_group", "segfaults"):
        assert by_function[bad] == ["crashed"] * 2 + ["skipped"] * 23, bad
    assert [o.value for c, o in zip(cases, report.outcomes) if c.function == "fine"] == list(range(5)) * 3 + list(range(5, 10))
    assert report.restarts == 6  # two crashes each, and every crash left other cases to run


def test_killing_the_fork_server_does_not_stop_grading():
    """Without namespaces a student can kill the fork server (with them it cannot: tests/security).
    Its own call dies with the server (parent-death signal); a new server grades the rest."""
    with Sandbox(isolation="process") as box:
        source = ("import os, signal, time\ndef kill_parent():\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                  "    time.sleep(2)\n    return 'done'\ndef fine():\n    return 1\n")
        for _ in range(2):
            report = run(box, py(source), case("fine"), case("kill_parent"), case("fine"))
            assert [o.status for o in report.outcomes] == ["returned", "crashed", "returned"]
            assert "fork server was killed too" in report.outcomes[1].error
            assert [report.outcomes[0].value, report.outcomes[2].value] == [1, 1]
        died = run(box, py("import os, signal\nos.kill(os.getppid(), 9)\nos._exit(5)\n"), case("f"))
        assert died.load_status == "crashed" and "fork server was killed too" in died.load_message
        assert run(box, py("def f():\n    return 2\n"), case("f")).outcomes[0].value == 2


def test_fifty_megabytes_of_prints_are_cut_and_fast(sandbox):
    source = """
        import sys, os
        print("x" * 50_000_000)
        for i in range(200_000):
            print("line", i)
        def f():
            sys.stderr.write("e" * 10_000_000)
            os.write(1, b"y" * 10_000_000)  # straight to the file descriptor
            return "graded"
    """
    limits = Limits(timeout=5, memory_mb=512, output_bytes=4096)
    start = time.monotonic()
    report = run(sandbox, py(source), case("f"), limits=limits)
    assert time.monotonic() - start < 3
    assert report.outcomes[0].value == "graded"
    assert report.stdout.startswith("x" * 3000)
    assert len(report.stdout) < 5000 and "bytes of stdout were not kept" in report.stdout
    assert len(report.stderr) < 5000 and report.stderr.startswith("e" * 3000)


def test_fake_score_on_stdout_changes_nothing(sandbox):
    source = """
        import sys
        print('{"type": "result", "index": 0, "status": "returned", "value": true}')
        print("SCORE: 100/100")
        sys.__stdout__.write("RESULT ok\\n")
        def f():
            print("TOTAL 100")
            return 0
    """
    report = run(sandbox, py(source), case("f"))
    assert report.outcomes[0].value == 0 and report.outcomes[0].status == "returned"
    assert "SCORE: 100/100" in report.stdout and "TOTAL 100" in report.stdout


def test_garbage_on_the_channel_is_a_crash(sandbox):
    source = """
        import os
        def huge_frame():
            os.write(3, b"\\xff\\xff\\xff\\xff")
            return 1
        def bad_json():
            os.write(3, b"\\x00\\x00\\x00\\x05hello")
            return 1
        def fake_result():
            os.write(3, b'\\x00\\x00\\x00\\x0c{"type": 1}')
            return 1
        def fine():
            return 2
    """
    report = run(sandbox, py(source), case("huge_frame"), case("bad_json"), case("fake_result"),
                 case("fine"))
    assert [o.status for o in report.outcomes] == ["crashed"] * 3 + ["returned"]
    assert all("sent malformed data to the grader" in o.error for o in report.outcomes[:3])
    assert report.outcomes[3].value == 2


def test_monkeypatching_does_not_break_the_protocol(sandbox):
    source = """
        import builtins, json, socket, time, numpy as np
        def patch():
            builtins.isinstance = lambda *a: True
            builtins.len = None
            builtins.print = None
            builtins.BaseException = builtins.max = builtins.all = None
            json.dumps = json.loads = None
            np.frombuffer = np.zeros = np.errstate = None
            socket.socket.sendall = None
            time.perf_counter = None
            return np.arange(3)
        def use(x):
            return x * 2
        def fails():
            raise KeyError("still reported")
    """
    report = run(sandbox, py(source), case("patch"), case("use", np.arange(2)), case("use", [1]),
                 case("fails"))
    assert [o.status for o in report.outcomes] == ["returned"] * 3 + ["raised"], report.outcomes
    assert report.outcomes[3].error == "KeyError: 'still reported'"
    assert np.array_equal(report.outcomes[1].value, [0, 2]) and report.outcomes[2].value == [1, 1]


@pytest.mark.slow
def test_grandchildren_die_with_the_run(sandbox):
    source = IDENT + """
import subprocess
def spawn():
    return ident(), subprocess.Popen(["sleep", "60"]).pid
def spin():
    subprocess.Popen(["sleep", "60"])
    while True:
        pass
"""
    report = run(sandbox, py(source), case("spawn"), case("spin"))
    end = boot_ticks()
    who, grandchild = report.outcomes[0].value
    assert report.outcomes[1].status == "timeout"
    assert wait_until(lambda: run_gone(who, end), 2), f"the run of {who} (with {grandchild}) left processes"


def test_floods_of_notes_stay_within_the_frame_limits(sandbox):
    cells = ["def many(xs):\n    for x in xs:\n        x += 1\n    import warnings\n"
             "    for i in range(500):\n        warnings.warn('w' * 5000, type(f'W{i}', (Warning,), {}))\n"]
    cells += [f"raise ValueError('{i}' * 3000)" for i in range(300)]
    program = notebook(*cells)
    report = run(sandbox, program, case("many", [np.zeros(1) for _ in range(5000)]))
    assert len(report.load_warnings) == 51 and report.load_warnings[-1] == "... and 250 more load warnings"
    outcome = report.outcomes[0]
    assert outcome.status == "returned"
    assert len(outcome.mutated) == 51 and outcome.mutated[-1] == "... and 4950 more arguments"
    assert len(outcome.warnings) == 41 and outcome.warnings[-1] == "... and 460 other warnings"
    assert all(len(w) <= 500 for w in outcome.warnings)


def test_a_result_the_fast_path_cannot_send_is_rebuilt_under_the_guard(sandbox):
    source = """
        import sys
        def nest():
            sys.setrecursionlimit(60)  # too low for the runtime's encoder: its fast path fails
            value = 1.5
            for _ in range(45):
                value = [value]
            return value
        def after():
            return 2
    """
    report = run(sandbox, py(source), case("nest"), case("after"))
    assert [o.status for o in report.outcomes] == ["returned", "returned"], report.outcomes
    value, depth = report.outcomes[0].value, 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    assert (value, depth) == (1.5, 45) and report.outcomes[1].value == 2
