"""`grade release`: generate the starters and the self-check data from the definition; build the student bundle."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from grader import codec
from grader.assignment import Assignment, AssignmentError, load_assignment, load_generators, load_reference
from grader.bundle import (GRADER_ROOT, PRIVATE, BundleError, NotABundle, scrub_definition, selfcheck_script, student_modules,
                           student_readme, write_tree, write_zip)
from grader.cases import build_cases
from grader.compare import compare
from grader.expected import expected_for
from grader.publicdata import FILENAME, PublicData, PublicDataError, decode_public, encode_public
from grader.starters import StarterError, starter_ipynb, starter_py
from grader.versions import FILENAME as ENVIRONMENT, Environment

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


Tolerances = Mapping[str, tuple[float, float]]  # function -> (rtol, atol), as grading compares its values


def tolerances(assignment: Assignment) -> dict[str, tuple[float, float]]:
    """Each function's grading tolerance (assignment.toml's [tolerance], or the function's own rtol / atol)."""
    return {f.name: (f.rtol, f.atol) for f in assignment.functions}


def public_differences(committed: PublicData, fresh: PublicData, tolerance: Tolerances) -> list[str]:
    """How two data files differ. The assignment, every case's inputs and every expected exception must be
    identical; an expected value may differ within its function's grading tolerance, since its last bits
    depend on the machine (BLAS kernel, SIMD level, libm) while a case's inputs never do (grader/exact.py)."""
    problems = []
    if committed.assignment != fresh.assignment:
        problems.append(f"written for {committed.assignment!r}, not {fresh.assignment!r}")
    if len(committed.cases) != len(fresh.cases):
        return problems + [f"{len(committed.cases)} cases committed, {len(fresh.cases)} generated"]
    for (c1, e1), (c2, e2) in zip(zip(committed.cases, committed.expected), zip(fresh.cases, fresh.expected)):
        label = f"{c2.function} / {c2.name}"
        inputs = [(c.function, c.name, c.kind, c.args, c.kwargs, c.weight, c.forbid_warnings, c.note) for c in (c1, c2)]
        if codec.encode(inputs[0], strict=True) != codec.encode(inputs[1], strict=True):
            problems.append(f"{label}: the inputs differ")
        elif (e1.raises, e1.error) != (e2.raises, e2.error):
            problems.append(f"{label}: expected exception {e1.error or None!r} committed, {e2.error or None!r} generated")
        elif not e2.raises:
            rtol, atol = tolerance.get(c2.function, (0.0, 0.0))
            if compare(e2.value, e1.value, rtol=rtol, atol=atol) is not None:
                problems.append(f"{label}: the expected value differs beyond the grading tolerance "
                                f"(rtol {rtol:g}, atol {atol:g})")
    return problems


def differences(assignment: Assignment, name: str, committed: bytes, generated: bytes) -> list[str]:
    """Why a committed generated file is stale (empty: it is up to date): starters byte for byte,
    public.json as `public_differences` says."""
    if name != FILENAME:
        return [] if committed == generated else ["differs from what the definition generates"]
    try:
        old = decode_public(committed, str(assignment.folder / name))
    except PublicDataError as exc:
        return [str(exc)]
    return public_differences(old, decode_public(generated), tolerances(assignment))


def stale_files(assignment: Assignment, generated: Generated) -> list[str]:
    """The generated files whose committed copy is missing or stale, each with why (at most 5 lines a file)."""
    stale = []
    for name, data in generated.files().items():
        path = assignment.folder / name
        if not path.is_file():
            stale.append(f"{name}: missing")
        else:
            stale += [f"{name}: {p}" for p in differences(assignment, name, path.read_bytes(), data)[:5]]
    return stale


def write_generated(assignment: Assignment, generated: Generated) -> tuple[Generated, list[Path]]:
    """Write into the assignment folder (where they are committed) the generated files that are stale, and
    leave the others untouched: an up-to-date public.json keeps its bytes on any machine. Returns what the
    folder holds now (the bundle ships it) and the paths written."""
    written, kept = [], {}
    for name, data in generated.files().items():
        path = assignment.folder / name
        committed = path.read_bytes() if path.is_file() else None
        if committed is not None and not differences(assignment, name, committed, data):
            kept[name] = committed
            continue
        path.write_bytes(data)
        written.append(path)
    public = kept.get(FILENAME, generated.public)
    return replace(generated, public=public), written


def bundle_files(assignment: Assignment, generated: Generated, environment: Environment) -> dict[str, bytes]:
    """Every file of the student bundle by relative path; no reference code, no hidden case, no seed.
    The starters, the README and environment.json name the grading `environment`."""
    files = {"starter.py": starter_py(assignment, environment).encode("utf-8"),
             "starter.ipynb": starter_ipynb(assignment, environment).encode("utf-8"),
             "selfcheck.py": selfcheck_script(assignment).encode("utf-8"),
             "README.md": student_readme(assignment, len(decode_public(generated.public).cases),
                                         environment).encode("utf-8")}
    for name, path in student_modules().items():
        files[f"{PRIVATE}/{path.relative_to(GRADER_ROOT.parent).as_posix()}"] = path.read_bytes()
    toml_text = (assignment.folder / "assignment.toml").read_text(encoding="utf-8")
    files[f"{PRIVATE}/{assignment.id}/assignment.toml"] = scrub_definition(toml_text).encode("utf-8")
    files[f"{PRIVATE}/{assignment.id}/{FILENAME}"] = generated.public
    files[f"{PRIVATE}/{assignment.id}/{ENVIRONMENT}"] = environment.to_json()
    return files


def build_bundle(assignment: Assignment, generated: Generated, out: Path,
                 environment: Environment | None = None) -> tuple[Path, Path]:
    """Write `OUT/<id>-student/` and `OUT/<id>-student.zip`; returns both paths. The bundle names
    `environment` (by default this one: release from the environment that grades) as the grader's."""
    top = f"{assignment.id}-student"
    files = bundle_files(assignment, generated, environment or Environment.current())
    out.mkdir(parents=True, exist_ok=True)
    write_tree(out / top, files)
    write_zip(out / f"{top}.zip", top, files)
    return out / top, out / f"{top}.zip"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade release",
        description="Bring the starters and the self-check data in the assignment folder up to date with the "
                    "assignment definition (a file that is up to date is left untouched: public.json's expected "
                    "values may differ in their last bits from this machine's, within each function's grading "
                    "tolerance), then build the student bundle (a folder and a .zip).",
        epilog="Exit status: 0 on success, 1 when --check finds stale files, 2 for a usage error.")
    p.add_argument("--assignment", default="hw03", help="assignment name or folder (default: hw03)")
    p.add_argument("--out", type=Path, default=Path("release"), help="where the bundle goes (default: release/)")
    p.add_argument("--starters-only", action="store_true",
                   help="only bring starter.py, starter.ipynb and public.json in the assignment folder up to date")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a committed generated file is stale (starters byte for byte; "
                        "public.json: inputs bit for bit, expected values within the grading tolerance)")
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
    generated, written = write_generated(assignment, generated)
    for path in written:
        print(f"wrote {path}")
    untouched = [name for name in generated.files() if assignment.folder / name not in written]
    if untouched:
        print(f"up to date, left untouched: {', '.join(untouched)} in {assignment.folder}")
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
