"""The example class graded once (timeout 2 s) into a temporary folder, shared by the report tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.pipeline import ClassRun, GradeOptions, grade_class

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "submissions"


@pytest.fixture(scope="session")
def example_report(tmp_path_factory) -> tuple[ClassRun, Path]:
    out = tmp_path_factory.mktemp("example-report")
    run = grade_class(GradeOptions(submissions=EXAMPLES, out=out, timeout=2.0, memory_mb=1024, jobs=2))
    return run, out
