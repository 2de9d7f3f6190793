"""The grader run by an ordinary user: the isolation then comes from unprivileged user namespaces
(students keep the grader's uid, in user namespaces of their own, without capabilities).

The suite runs as root here, so the test drops to an unused uid with setpriv, in a private mount
namespace where the Python installation is reachable to that uid (it may live under /root)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from attack_support import ATTACKS, write_clean_class

USER = 4242  # no account, no processes: an ordinary user as far as the kernel cares
PREFIX = Path(sys.base_prefix).resolve()

pytestmark = [pytest.mark.namespaces, pytest.mark.skipif(
    os.geteuid() != 0 or not (shutil.which("setpriv") and shutil.which("unshare")),
    reason="needs root (to become another user) and util-linux setpriv and unshare")]


def python_in_tmp() -> set[str]:
    """The names in /tmp that lead to this Python's folders living there (a venv in /tmp): a student
    finds them in its own /tmp, bound back read-only, beside its own files."""
    found = set()
    for entry in (sys.prefix, sys.base_prefix, *sys.path):
        real = Path(entry).resolve() if entry else Path("/")
        if real.is_relative_to("/tmp") and real != Path("/tmp"):
            found.add(real.relative_to("/tmp").parts[0])
    return found

SCRIPT = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from grader.model import Case, Cell, Program
    from grader.pipeline import GradeOptions, grade_class
    from grader.sandbox import Sandbox
    base = Path(sys.argv[1])
    probe = "import os\\ndef who():\\n    return [os.getuid(), os.getpid(), sorted(os.listdir('/tmp')), os.path.exists(%r)]\\n"
    with Sandbox() as box:
        report = box.run(Program(cells=(Cell(probe % str(base), "hw03.py", "hw03.py"),), kind="py"),
                         [Case("who", "c", "edge", ())])
        seen = report.outcomes[0].value
    run = grade_class(GradeOptions(submissions=base / "class", out=base / "out", timeout=2.0, jobs=2))
    results = {r.student: [r.status, r.total, r.stdout[:300]] for r in run.results}
    print(json.dumps({"isolation": box.isolation, "seen": seen, "run": run.isolation, "results": results}))
""")


def _expose(base: Path) -> str:
    """Shell commands that make the interpreter and the venv reachable to USER (e.g. /root/.pyenv under a
    0700 /root, a venv in a 0700 temp folder) without touching the host: in the test's own mount
    namespace, each folder leading to them that others cannot enter is covered by a tmpfs holding
    only the way to them."""
    closed: dict[Path, set[str]] = {}  # folder others cannot enter -> the names inside it to keep
    for prefix in {PREFIX, Path(sys.prefix).resolve()}:
        outer = next((p for p in prefix.parents if p != Path("/") and not os.stat(p).st_mode & 0o001), None)
        if outer is not None:
            closed.setdefault(outer, set()).add(prefix.relative_to(outer).parts[0])
    commands = []
    for number, (outer, names) in enumerate(sorted(closed.items(), key=lambda item: -len(item[0].parts))):
        stages = {name: base / f"stage-{number}-{k}" for k, name in enumerate(sorted(names))}
        for name, stage in stages.items():
            stage.mkdir()
            commands.append(f"mount --bind {outer / name} {stage}")
        commands.append(f"mount -t tmpfs -o mode=755 tmpfs {outer}")
        for name, stage in stages.items():
            commands += [f"mkdir {outer / name}", f"mount --move {stage} {outer / name}"]
    return "".join(f"{c} && " for c in commands)


def test_an_ordinary_user_grades_with_namespace_isolation():
    base = Path(tempfile.mkdtemp(prefix="grader-unprivileged-"))
    try:
        write_clean_class(base / "class", "not-secret")
        shutil.copy(ATTACKS / "forks_spam.py", base / "class" / "forks_spam.py")
        for path in [base, *base.rglob("*")]:
            os.chown(path, USER, USER)
        expose = _expose(base)
        command = (f"{expose}exec setpriv --reuid={USER} --regid={USER} --clear-groups "
                   f"{sys.executable} -c \"$0\" {base}")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8",
               **{k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ}}  # the grader under test
        done = subprocess.run(["unshare", "--mount", "sh", "-c", command, SCRIPT], capture_output=True, text=True,
                              timeout=300, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert report["isolation"] == report["run"] == "namespaces", done.stderr[-2000:]
    uid, pid, scratch, sees_base = report["seen"]
    assert uid == USER and pid == 2 and set(scratch) <= python_in_tmp() and not sees_base
    results = report["results"]
    assert results["clean_passes"][0] == "graded" and results["clean_passes"][1] == pytest.approx(100)
    spam = results["forks_spam"]
    assert spam[0] == "graded" and "forks_spam: fork refused after" in spam[2]
    started = int(spam[2].split("fork refused after ")[1].split(":")[0])
    assert 0 < started < 64  # RLIMIT_NPROC counts per student: in its own user namespace
