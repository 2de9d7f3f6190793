"""What the student process can see and leave behind; concurrency; per-run overhead."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from sandbox_support import IDENT, boot_ticks, case, notebook, py, run, run_gone, sandbox, wait_until  # noqa: F401

from grader.sandbox import Limits, Sandbox

PROBE = IDENT + textwrap.dedent("""
    import os, sys, resource
    def probe():
        try:
            import reference
            blocked = ""
        except ImportError as exc:
            blocked = str(exc)
        try:
            import grader.codec
            grader_blocked = ""
        except ImportError as exc:
            grader_blocked = str(exc)
        loaded = sorted(m for m in sys.modules
                        if m.split(".")[0] in ("reference", "assignments", "grader", "nbformat",
                                               "pandas", "jinja2"))
        return {"blocked": blocked, "grader_blocked": grader_blocked, "loaded": loaded,
                "env": dict(os.environ), "cwd": os.getcwd(), "ident": ident(),
                "pgid": os.getpgid(0), "sid": os.getsid(0), "path": sys.path,
                "as": resource.getrlimit(resource.RLIMIT_AS)[0],
                "core": resource.getrlimit(resource.RLIMIT_CORE)[0],
                "stdin": sys.stdin.read(), "argv": sys.argv}
""")


def test_student_cannot_reach_the_grader_or_its_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADER_SECRET_MARKER", "do-not-leak")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    with Sandbox(root=str(tmp_path)) as box:
        report = run(box, py(PROBE), case("probe"))
        end = boot_ticks()
        zygote = box.zygote_pid
        isolated = box.isolation == "namespaces"
    seen = report.outcomes[0].value
    assert "the grader does not let submissions import" in seen["blocked"]
    assert "No module named 'grader'" in seen["grader_blocked"]
    assert seen["loaded"] == []
    assert "GRADER_SECRET_MARKER" not in seen["env"]
    assert seen["env"]["OPENBLAS_CORETYPE"] == "Haswell"
    assert seen["env"]["OPENBLAS_NUM_THREADS"] == "1" and seen["env"]["LC_ALL"] == "C.UTF-8"
    assert set(seen["env"]) <= {"PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "OPENBLAS_NUM_THREADS",
                                "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE"}
    if isolated:  # a private tmpfs; its own PID namespace
        assert seen["cwd"] == "/tmp" and seen["ident"][0] == 2
    else:
        assert seen["cwd"].startswith(str(tmp_path))
    assert seen["env"]["TMPDIR"] == seen["env"]["HOME"] == seen["cwd"]
    assert seen["pgid"] == seen["sid"] == seen["ident"][0]  # its own session and process group
    assert seen["as"] == 512 * 2**20 and seen["core"] == 0
    assert seen["stdin"] == "" and seen["argv"] == ["hw03.py"]
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert repo not in seen["path"] and "" not in seen["path"] and "." not in seen["path"]
    assert seen["path"].count(seen["cwd"]) == 1  # the private working folder, as Jupyter has it (%%writefile)
    assert isolated or not os.path.exists(seen["cwd"]), "the scratch dir must be removed after the run"
    assert wait_until(lambda: run_gone(seen["ident"], end)) and not os.path.exists(f"/proc/{zygote}")
    assert os.listdir(tmp_path) == [], "closing the sandbox removes its root"


@pytest.mark.namespaces
def test_student_has_no_privileges_and_cannot_make_namespaces(sandbox):
    source = """
        import ctypes, errno, os
        def probe():
            status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
            libc = ctypes.CDLL(None, use_errno=True)
            refused = {}
            for name, flag in (("user", 0x10000000), ("mount", 0x20000), ("net", 0x40000000)):
                refused[name] = libc.unshare(flag) != 0 and errno.errorcode[ctypes.get_errno()]
            return {"caps": [status[k].strip() for k in ("CapEff", "CapPrm", "CapInh", "CapAmb")],
                    "no_new_privs": status["NoNewPrivs"].strip(), "uid": os.getuid(), "refused": refused}
    """
    seen = run(sandbox, py(source), case("probe")).outcomes[0].value
    assert sandbox.isolation == "namespaces"
    assert seen["caps"] == ["0000000000000000"] * 4 and seen["no_new_privs"] == "1"
    assert seen["uid"] != 0 and all(seen["refused"].values()), seen["refused"]


def test_ordinary_process_use_still_works(sandbox):
    """Isolation must not fail honest code: subprocesses, multiprocessing (POSIX semaphores in
    /dev/shm), temp files, lazy imports of numpy and the standard library."""
    source = """
        import multiprocessing, subprocess, tempfile
        def square(x):
            return x * x
        def work():
            with multiprocessing.Pool(2) as pool:
                squares = pool.map(square, range(4))
            echoed = subprocess.run(["echo", "hi"], capture_output=True, text=True).stdout
            with tempfile.NamedTemporaryFile("w+") as handle:
                handle.write("kept")
                handle.seek(0)
                kept = handle.read()
            import numpy.testing, decimal, fractions
            return squares, echoed, kept
    """
    outcome = run(sandbox, py(source), case("work")).outcomes[0]
    assert outcome.value == ([0, 1, 4, 9], "hi\n", "kept"), outcome.error


def test_fork_server_imports_no_grading_data():
    code = ("import sys, grader.sandbox.zygote, json; print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('reference', 'assignments', 'nbformat', 'pandas', 'jinja2') "
            "or m in ('grader.pipeline', 'grader.score', 'grader.compare'))))")
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert json.loads(out.stdout) == []


def test_scratch_dir_is_private_and_removed(sandbox):
    source = """
        import os
        def litter():
            os.makedirs("deep/er", exist_ok=True)
            with open("deep/er/file.txt", "w") as f:
                f.write("x")
            os.chmod("deep/er", 0o500)
            os.chmod("deep", 0o500)
            os.symlink("/etc/passwd", "link")
            if os.path.exists(".stdout-0"):  # without namespaces the output files are in reach
                os.remove(".stdout-0")
                os.mkfifo(".stdout-0")  # reading this must not block the grader
            return os.getcwd(), oct(os.stat(".").st_mode & 0o777)
    """
    report = run(sandbox, py(source), case("litter"))
    (cwd, mode), = [report.outcomes[0].value]
    assert mode == "0o700"
    if sandbox.isolation == "namespaces":
        assert cwd == "/tmp" and not os.path.exists("/tmp/deep/er/file.txt")
    else:
        assert not os.path.exists(cwd)


@pytest.mark.namespaces  # a process left by a student that crashed is killed with its PID namespace
def test_no_process_of_a_run_survives(sandbox):
    source = IDENT + """
import os, subprocess
def start():
    subprocess.Popen(["sleep", "30"])
    return ident()
def crash():
    subprocess.Popen(["sleep", "30"])
    os._exit(1)
"""
    report = run(sandbox, py(source), case("start"), case("crash"), case("ident"))
    end = boot_ticks()
    first, second = report.outcomes[0].value, report.outcomes[2].value
    assert first[3] != second[3] and report.restarts == 1
    assert wait_until(lambda: run_gone(first, end) and run_gone(second, end), 2)


def test_concurrent_runs_from_threads_are_independent(sandbox):
    source = IDENT.replace("def ident", "def who") + textwrap.dedent("""
        import os, time
        def ident(i):
            time.sleep(0.05)
            return i, who()[3]
        def crash(i):
            if i % 2:
                os._exit(9)
            return i
    """)
    results: dict[int, object] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for round_ in range(3):
                program = py(textwrap.dedent(source) + f"STUDENT = {n}\n") if n % 2 else notebook(source)
                report = run(sandbox, program, case("ident", n), case("crash", n), case("ident", -n))
                results[n * 10 + round_] = report
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(results) == 12
    pids = set()
    for key, report in results.items():
        n = key // 10
        ident, crash, back = report.outcomes
        assert ident.value[0] == n and back.value[0] == -n
        assert crash.status == ("crashed" if n % 2 else "returned")
        assert report.restarts == n % 2
        pids.update((ident.value[1], back.value[1]))
    assert len(pids) == 12 + 6  # a fresh process per run, and after each crash


def test_per_run_overhead(sandbox, capsys):
    program = py("import numpy as np\ndef f(x):\n    return x + 1\ndef g(a, b=2):\n    return a * b\n")
    cases = [case("f", np.arange(10.0)), case("g", 3), case("g", 1.5, b=4), case("f", 2), case("g", [1])]
    limits = Limits(timeout=5, memory_mb=512)
    sandbox.run(program, cases, limits)  # warm up (the fork server starts lazily)
    times = []
    for _ in range(50):
        start = time.perf_counter()
        report = sandbox.run(program, cases, limits)
        times.append(time.perf_counter() - start)
        assert [o.status for o in report.outcomes] == ["returned"] * 5
    median = statistics.median(times)
    with capsys.disabled():
        print(f"\n[sandbox overhead] median {median * 1000:.1f} ms, "
              f"max {max(times) * 1000:.1f} ms over 50 runs of 5 calls")
    assert median < 0.25


def test_closed_sandbox_refuses_runs():
    box = Sandbox()
    box.close()
    with pytest.raises(RuntimeError, match="closed"):
        box.run(py("x = 1"), [], Limits())


@pytest.mark.parametrize("kwargs", [{"timeout": 0}, {"memory_mb": -1}, {"output_bytes": -5},
                                    {"load_timeout": 0}])
def test_limits_are_validated(kwargs):
    with pytest.raises(ValueError):
        Limits(**kwargs)
