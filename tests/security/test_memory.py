"""`--memory` bounds what a student takes from the host, not only each process's address space.

RLIMIT_AS counts neither memfd files, nor SysV shared memory, nor the other processes of the same
student: under `--memory 512` each of these attacks held 2 GB and more of the host's memory. A
cgroup per student (memory.max / memory.limit_in_bytes = --memory) counts them all
(grader/sandbox/cgroups.py, defences.py). Where no cgroup can be had, the run says so and
memfd_create, shmget and msgget are refused.

Each attack prints what it holds as it goes (its stdout survives its death) and holds it a moment;
the test samples the host's memory (/proc/meminfo) meanwhile.
"""
from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
import test_keyrings as keyrings
import test_unprivileged as unprivileged
from attack_support import write_clean_class

from grader.model import Case, Cell, Program
from grader.pipeline import GradeOptions, grade_class
from grader.sandbox import Limits, Sandbox, cgroups

MEMORY_MB = 512
TARGET_MB = 2048  # what each attack tries to hold
NOISE_MB = 300  # what else on this machine may take meanwhile (other tests, page cache)
LIMITS = Limits(timeout=30, memory_mb=MEMORY_MB)
MODES = [pytest.param("namespaces", marks=pytest.mark.namespaces), "process"]

ATTACKS = {
    "memfd": f"""
        import os, time
        def hold():
            files, held = [], 0
            chunk = b"m" * (1 << 20)
            try:
                while held < {TARGET_MB}:
                    fd = os.memfd_create("hoard")
                    for _ in range(32):  # 32 MB a file: below the 64 MB file size limit
                        os.write(fd, chunk)
                    files.append(fd)
                    held += 32
                    print("held", held, flush=True)
            except OSError as exc:
                print("refused:", exc, flush=True)
            time.sleep(1.5)
            return held
    """,
    "sysv_shm": f"""
        import ctypes, time
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        libc.shmdt.argtypes = [ctypes.c_void_p]
        def hold():
            held = 0
            while held < {TARGET_MB}:
                segment = libc.shmget(0, 32 << 20, 0o600 | 0o1000)  # IPC_PRIVATE, IPC_CREAT
                if segment < 0:
                    print("refused:", ctypes.get_errno(), flush=True)
                    break
                address = libc.shmat(segment, None, 0)
                ctypes.memset(address, 1, 32 << 20)
                libc.shmdt(address)  # detached, the segment lives on, counted in no address space
                held += 32
                print("held", held, flush=True)
            time.sleep(1.5)
            return held
    """,
    "processes": f"""
        import os, time
        def hold():
            children = []
            for _ in range({TARGET_MB // 256}):
                ready_r, ready_w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    block = bytearray(256 << 20)  # each process well within RLIMIT_AS
                    for at in range(0, len(block), 4096):
                        block[at] = 1
                    os.write(ready_w, b"1")
                    time.sleep(60)
                    os._exit(0)
                children.append(pid)
                os.close(ready_w)
                os.read(ready_r, 1)  # b"" when the child died first
                os.close(ready_r)
                alive = sum(os.waitpid(child, os.WNOHANG) == (0, 0) for child in children)
                print("held", 256 * alive, flush=True)
            time.sleep(1.5)
            return 256 * sum(os.waitpid(child, os.WNOHANG) == (0, 0) for child in children)
    """,
}


class HostMemory:
    """The most host memory in use (and in shared memory: tmpfs, memfd, SysV) above what it was at start."""

    def __init__(self) -> None:
        self.start = self._sample()
        self.most = {"used": 0, "shmem": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    @staticmethod
    def _sample() -> dict[str, int]:
        with open("/proc/meminfo") as handle:
            info = {line.split(":")[0]: int(line.split()[1]) // 1024 for line in handle}
        return {"used": info["MemTotal"] - info["MemAvailable"], "shmem": info["Shmem"]}

    def _watch(self) -> None:
        while not self._stop.is_set():
            now = self._sample()
            for key in self.most:
                self.most[key] = max(self.most[key], now[key] - self.start[key])
            time.sleep(0.02)

    def stop(self) -> dict[str, int]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.most


def sysv_objects() -> set[tuple[str, str]]:
    """The SysV IPC objects (shared memory, message queues, semaphores) of the grader's IPC namespace."""
    found = set()
    for kind in ("shm", "msg", "sem"):
        with open(f"/proc/sysvipc/{kind}") as handle:
            found |= {(kind, line.split()[1]) for line in handle.read().splitlines()[1:]}
    return found


def remove_sysv(objects: set[tuple[str, str]]) -> None:
    """IPC_RMID each of `objects` (what an attack left behind before the fix)."""
    libc = ctypes.CDLL(None, use_errno=True)
    control = {"shm": libc.shmctl, "msg": libc.msgctl, "sem": libc.semctl}
    for kind, ident in objects:
        control[kind](int(ident), 0, None)  # IPC_RMID (semctl: semnum 0)


def attack(box: Sandbox, name: str) -> tuple[int, dict[str, int], str]:
    """(the most the attack said it held, the host's peak above start, its stdout)."""
    program = Program(cells=(Cell(textwrap.dedent(ATTACKS[name]), "hw03.py", "hw03.py"),), kind="py")
    host = HostMemory()
    try:
        report = box.run(program, [Case("hold", "c", "edge", ())], LIMITS)
    finally:
        peak = host.stop()
    held = max((int(n) for n in re.findall(r"^held (\d+)$", report.stdout, re.M)), default=0)
    return held, peak, " | ".join(report.stdout.splitlines()[-2:] + [report.outcomes[0].error])


@pytest.mark.parametrize("name", sorted(ATTACKS))
@pytest.mark.parametrize("isolation", MODES)
def test_a_student_holds_at_most_its_memory_limit(isolation, name):
    before = sysv_objects()
    with Sandbox(isolation=isolation) as box:
        held, peak, said = attack(box, name)
        detail = box.isolation_detail
    left = sysv_objects() - before  # without namespaces they would outlive the run, holding their memory
    remove_sysv(left)
    assert not left, f"{len(left)} SysV IPC objects outlived the run"
    assert held <= MEMORY_MB, f"{name} held {held} MB under --memory {MEMORY_MB}: {said}"
    assert peak["used"] <= MEMORY_MB + NOISE_MB and peak["shmem"] <= MEMORY_MB + NOISE_MB, peak
    assert "memory per student: cgroup" in detail, detail


@pytest.mark.parametrize("isolation", MODES)
def test_without_a_cgroup_memfd_and_shm_are_refused_and_the_run_says_so(isolation, monkeypatch):
    monkeypatch.setattr(cgroups, "prepare", lambda tag: cgroups.Place(reason="turned off by the test"))
    warnings: list[str] = []
    with Sandbox(isolation=isolation, warn=warnings.append) as box:
        for name in ("memfd", "sysv_shm"):
            held, _peak, said = attack(box, name)
            assert held == 0 and "refused:" in said, said
        detail = box.isolation_detail
    assert "memory per student NOT BOUNDED BY A CGROUP (turned off by the test)" in detail, detail
    assert any("no cgroup bounds a student's memory (turned off by the test)" in w for w in warnings), warnings


def test_run_json_says_which_defences_were_on(tmp_path, monkeypatch, capsys):
    write_clean_class(tmp_path / "class", "not-secret")
    for name in ("clean_fails_relu_grad", "clean_notebook"):
        next((tmp_path / "class").glob(f"{name}.*")).unlink()
    grade_class(GradeOptions(submissions=tmp_path / "class", out=tmp_path / "on", timeout=5.0, jobs=1))
    detail = json.loads((tmp_path / "on" / "run.json").read_text())["isolation_detail"]
    assert "system-call filter (seccomp)" in detail and "memory per student: cgroup" in detail, detail
    monkeypatch.setattr(cgroups, "prepare", lambda tag: cgroups.Place(reason="turned off by the test"))
    grade_class(GradeOptions(submissions=tmp_path / "class", out=tmp_path / "off", timeout=5.0, jobs=1))
    detail = json.loads((tmp_path / "off" / "run.json").read_text())["isolation_detail"]
    assert "memory per student NOT BOUNDED BY A CGROUP (turned off by the test)" in detail, detail
    assert "no cgroup bounds a student's memory" in capsys.readouterr().err
    # the report header says it too, in bold; and says nothing of the kind when every defence was on
    on, off = ((tmp_path / run / "index.html").read_text(encoding="utf-8") for run in ("on", "off"))
    assert "<b>Defence not active: memory per student NOT BOUNDED BY A CGROUP (turned off by the test)" in off
    assert "Defence not active" not in on and "system-call filter (seccomp)" in on


@pytest.mark.namespaces
@pytest.mark.skipif(os.geteuid() != 0 or not (shutil.which("setpriv") and shutil.which("unshare")),
                    reason="needs root (to become another user) and util-linux setpriv and unshare")
def test_an_ordinary_user_without_a_delegated_cgroup_is_told(tmp_path):
    """Here the cgroups belong to root and none is delegated: an ordinary user's grader says so
    and falls back to refusing memfd (systemd's Delegate=yes would give it a cgroup of its own)."""
    base = Path(tempfile.mkdtemp(prefix="grader-memory-"))
    try:
        os.chown(base, unprivileged.USER, unprivileged.USER)
        prefix = (f"{unprivileged._expose(base)}exec setpriv --reuid={unprivileged.USER} --regid={unprivileged.USER} "
                  "--clear-groups -- ")
        memfd = textwrap.dedent(ATTACKS["memfd"]).replace("def hold():", "def hold(*_keys):")
        report = keyrings.grade([(memfd, "hold")], "namespaces", prefix)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    status, held, error = report["outcomes"][0]
    assert status == "returned" and held == 0, (status, held, error)
    assert "NOT BOUNDED BY A CGROUP" in report["detail"] and "memfd_create, shmget and msgget" in report["detail"]
