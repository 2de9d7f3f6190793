"""The host disk a student holds is bounded: each incarnation's stdout and stderr files (64 MB each at
most, RLIMIT_FSIZE) are read (their capped head) and removed when it ends, so a student that crashes or
times out again and again holds at most one incarnation's files, not one pair per restart."""
from __future__ import annotations

import pytest
from fairness_support import DiskSampler, cases, held_bytes, py

from grader.sandbox import Limits, Sandbox

MB = 1 << 20
FUNCTIONS = [f"f{i}" for i in range(6)]

FLOOD = """
import os
def _flood(megabytes):
    chunk = b"x" * (1 << 20)
    for _ in range(megabytes):
        for fd in (1, 2):
            try:
                os.write(fd, chunk)
            except OSError:
                pass  # past the file size limit
"""

VARIANTS = {
    # crashes twice per function: two restarts per function, each with its own pair of files
    "floods_then_crashes": FLOOD + """
def _bad(megabytes):
    _flood(megabytes)
    os._exit(3)
""",
    # one timeout per function, each a restart
    "floods_then_hangs": FLOOD + """
def _bad(megabytes):
    _flood(megabytes)
    while True:
        pass
""",
    # a child keeps the descriptors and writes on while the call crashes
    "a_child_floods_after_the_crash": FLOOD + """
import time
def _bad(megabytes):
    if os.fork() == 0:
        _flood(megabytes)
        time.sleep(60)
    time.sleep(0.3)
    os._exit(3)
""",
}


def flood_run(tmp_path, variant: str, megabytes: int, functions: list[str]) -> tuple[int, int, object]:
    """(most disk held at once under the sandbox's folder, what remains after, the report)."""
    source = VARIANTS[variant] + "".join(f"{f} = _bad\n" for f in functions)
    root = tmp_path / "sandbox"
    root.mkdir()
    with Sandbox(root=str(root)) as box:
        box.start()
        sampler = DiskSampler(root)
        try:
            report = box.run(py(source), cases(functions, 2, megabytes), Limits(timeout=1.0, memory_mb=512))
        finally:
            most = sampler.stop()
        left = held_bytes(root)
    return most, left, report


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_restarting_student_holds_one_incarnations_output_at_most(tmp_path, variant):
    megabytes = 6  # per stream and incarnation: 12 MB a pair
    most, left, report = flood_run(tmp_path, variant, megabytes, FUNCTIONS)
    assert report.restarts >= len(FUNCTIONS) - 1  # before: 6 to 12 pairs kept until the student ended (72-144 MB)
    assert most <= 2 * megabytes * MB * 1.5, f"{most / MB:.0f} MB held at once"
    assert left < MB
    assert len(report.stdout) < 40_000 and "bytes of stdout were not kept" in report.stdout


@pytest.mark.slow
def test_files_at_the_size_limit_in_a_crash_loop_stay_within_two_of_them(tmp_path):
    """The file size limit (64 MB) per stream, 12 incarnations: 1.5 GB before, at most 128 MB now."""
    most, _left, report = flood_run(tmp_path, "floods_then_crashes", 70, FUNCTIONS)
    assert report.restarts >= 11
    assert most <= 2 * 64 * MB + 8 * MB, f"{most / MB:.0f} MB held at once"
