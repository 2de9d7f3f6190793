"""`grade release`: generate the starters and the self-check data from the definition; build the student bundle."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import codec
from grader.assignment import Assignment, AssignmentError, load_assignment, load_generators, load_reference
from grader.bundle import (GRADER_ROOT, PRIVATE, BundleError, NotABundle, scrub_definition, selfcheck_script, student_modules,
                           student_readme, write_tree, write_zip)
from grader.cases import build_cases
from grader.compare import compare
from grader.expected import expected_for
from grader.publicdata import FILENAME, PublicData, decode_public, encode_public
from grader.starters import StarterError, starter_ipynb, starter_py

DRIFT_RTOL = 1e-12  # expected values may differ in the last bits between numpy builds, never more


@dataclass(frozen=True)
class Generated:
    """What the definition generates: the two starters and the public cases' data file, as bytes."""

    starter_py: bytes
    starter_ipynb: bytes
    public: bytes

    def files(self) -> dict[str, bytes]:
        return {"starter.py": self.starter_py, "starter.ipynb": self.starter_ipynb, FILENAME: self.public}


def generate(assignment: Assignment) -> Generated:
    """Starters from the TOML; public cases from cases.py with the reference's expected values."""
    generators, reference = load_generators(assignment), load_reference(assignment)
    cases = build_cases(assignment, generators, 0, public_only=True)
    public = encode_public(assignment.id, cases, [expected_for(reference, c) for c in cases])
    return Generated(starter_py(assignment).encode("utf-8"), starter_ipynb(assignment).encode("utf-8"), public)


def write_generated(assignment: Assignment, generated: Generated) -> list[Path]:
    """Write the generated files into the assignment folder (they are committed beside the TOML)."""
    paths = []
    for name, data in generated.files().items():
        path = assignment.folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def public_differences(committed: PublicData, fresh: PublicData) -> list[str]:
    """How two data files differ: case inputs must be identical, expected values equal to DRIFT_RTOL."""
    if len(committed.cases) != len(fresh.cases):
        return [f"{len(committed.cases)} cases committed, {len(fresh.cases)} generated"]
    problems = []
    for (c1, e1), (c2, e2) in zip(zip(committed.cases, committed.expected), zip(fresh.cases, fresh.expected)):
        label = f"{c2.function} / {c2.name}"
        inputs = [(c.function, c.name, c.kind, c.args, c.kwargs, c.weight, c.forbid_warnings, c.note) for c in (c1, c2)]
        if codec.encode(inputs[0], strict=True) != codec.encode(inputs[1], strict=True):
            problems.append(f"{label}: the inputs differ")
        elif e1.raises != e2.raises:
            problems.append(f"{label}: expected exception {e1.raises[:1]} committed, {e2.raises[:1]} generated")
        elif not e2.raises and compare(e2.value, e1.value, rtol=DRIFT_RTOL, atol=0.0) is not None:
            problems.append(f"{label}: the expected value differs")
    return problems


def stale_files(assignment: Assignment, generated: Generated) -> list[str]:
    """The generated files whose committed copy is missing or differs (starters byte for byte)."""
    stale = []
    for name, data in generated.files().items():
        path = assignment.folder / name
        if not path.is_file():
            stale.append(f"{name}: missing")
        elif name == FILENAME:
            problems = public_differences(decode_public(path.read_bytes(), str(path)), decode_public(data))
            stale += [f"{name}: {p}" for p in problems[:5]]
        elif path.read_bytes() != data:
            stale.append(f"{name}: differs from what the definition generates")
    return stale


def bundle_files(assignment: Assignment, generated: Generated) -> dict[str, bytes]:
    """Every file of the student bundle by relative path; no reference code, no hidden case, no seed."""
    files = {"starter.py": generated.starter_py, "starter.ipynb": generated.starter_ipynb,
             "selfcheck.py": selfcheck_script(assignment).encode("utf-8"),
             "README.md": student_readme(assignment, len(decode_public(generated.public).cases)).encode("utf-8")}
    for name, path in student_modules().items():
        files[f"{PRIVATE}/{path.relative_to(GRADER_ROOT.parent).as_posix()}"] = path.read_bytes()
    toml_text = (assignment.folder / "assignment.toml").read_text(encoding="utf-8")
    files[f"{PRIVATE}/{assignment.id}/assignment.toml"] = scrub_definition(toml_text).encode("utf-8")
    files[f"{PRIVATE}/{assignment.id}/{FILENAME}"] = generated.public
    return files


def build_bundle(assignment: Assignment, generated: Generated, out: Path) -> tuple[Path, Path]:
    """Write `OUT/<id>-student/` and `OUT/<id>-student.zip`; returns both paths."""
    top = f"{assignment.id}-student"
    files = bundle_files(assignment, generated)
    out.mkdir(parents=True, exist_ok=True)
    write_tree(out / top, files)
    write_zip(out / f"{top}.zip", top, files)
    return out / top, out / f"{top}.zip"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade release",
        description="Regenerate the starters and the self-check data from the assignment definition "
                    "(into the assignment folder), then build the student bundle (a folder and a .zip).",
        epilog="Exit status: 0 on success, 1 when --check finds stale files, 2 for a usage error.")
    p.add_argument("--assignment", default="hw03", help="assignment name or folder (default: hw03)")
    p.add_argument("--out", type=Path, default=Path("release"), help="where the bundle goes (default: release/)")
    p.add_argument("--starters-only", action="store_true",
                   help="only regenerate starter.py, starter.ipynb and public.json in the assignment folder")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if the committed generated files are stale")
    return p


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    try:
        assignment = load_assignment(args.assignment)
        generated = generate(assignment)
    except (AssignmentError, StarterError) as exc:
        print(f"grade release: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = stale_files(assignment, generated)
        for line in stale:
            print(f"stale: {assignment.folder / line}", file=sys.stderr)
        if stale:
            print(f"run `grade release --starters-only --assignment {args.assignment}` and commit the result",
                  file=sys.stderr)
        else:
            print(f"{assignment.id}: the starters and {FILENAME} are up to date")
        return 1 if stale else 0
    for path in write_generated(assignment, generated):
        print(f"wrote {path}")
    if args.starters_only:
        return 0
    try:
        folder, archive = build_bundle(assignment, generated, args.out)
    except NotABundle as exc:
        print(f"grade release: error: {exc}", file=sys.stderr)
        return 2
    except BundleError as exc:
        print(f"grade release: internal error (please report it): {exc}", file=sys.stderr)
        return 1
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"wrote {folder}/ ({count} files) and {archive} ({archive.stat().st_size / 1024:.0f} KB)")
    return 0
