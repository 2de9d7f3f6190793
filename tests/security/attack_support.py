"""Helpers for the adversarial tests: the attack fixtures, a clean class, and the probes the grader's
test takes around a run (a canary process, network listeners, file snapshots, a process sampler)."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import reference
from grader.assignment import load_assignment

HERE = Path(__file__).resolve().parent
ATTACKS = HERE / "attacks"
FIXTURES = HERE.parent / "fixtures" / "submissions"
REPO = HERE.parents[1]
REFERENCE = Path(reference.__file__).resolve().parent
FUNCTIONS = [f.name for f in load_assignment("hw03").functions]
# the clean class: student name -> fixture it copies
CLEAN = {"clean_passes": "passes_all.py", "clean_fails_relu_grad": "fails_relu_grad_at_zero.py",
         "clean_notebook": "passes_all.ipynb"}
PATHS_LINE = re.compile(r"^PATHS = \{\}.*$", re.M)
EXPECT_FULL = re.compile(r"^# expect-full: (.+)$", re.M)


def attack_names() -> list[str]:
    return sorted(p.stem for p in ATTACKS.glob("*.py"))


def expected_full(name: str) -> set[str]:
    """The functions an attack fixture's header says earn full points (all others earn none)."""
    match = EXPECT_FULL.search((ATTACKS / f"{name}.py").read_text())
    assert match, f"{name}.py has no '# expect-full:' line"
    return {f.strip() for f in match.group(1).split(",")}


def write_clean_class(folder: Path, secret: str) -> None:
    """The clean students; clean_passes carries `secret` in a comment (it changes no grade)."""
    folder.mkdir(parents=True, exist_ok=True)
    for student, fixture in CLEAN.items():
        target = folder / f"{student}{Path(fixture).suffix}"
        shutil.copy(FIXTURES / fixture, target)
    with open(folder / "clean_passes.py", "a") as handle:
        handle.write(f"\n# SECRET-{secret}\n")


def write_attacks(folder: Path, paths: dict[str, object]) -> None:
    """Each attack as its own student, with the real folders filled in where it asks for them."""
    for name in attack_names():
        text = (ATTACKS / f"{name}.py").read_text()
        text = PATHS_LINE.sub(lambda _m: f"PATHS = {paths!r}", text)
        (folder / f"{name}.py").write_text(text)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the SHA-256 of its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def processes_with_cmdline(argv: list[str]) -> list[int]:
    """Live processes on this machine whose command line is exactly `argv`."""
    wanted = b"\0".join(a.encode() for a in argv) + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if handle.read() == wanted:
                        found.append(int(entry))
            except OSError:
                pass
    return found


class Listeners:
    """A TCP and a UDP socket on the loopback, and an abstract Unix socket, counting what reaches them."""

    def __init__(self) -> None:
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.abstract_name = f"grader-test-{os.getpid()}-{time.monotonic_ns()}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(b"\0" + self.abstract_name.encode())
        self.unix.listen()
        self.reached: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._serve, args=(s, kind), daemon=True)
                         for s, kind in ((self.tcp, "tcp"), (self.udp, "udp"), (self.unix, "unix"))]
        for thread in self._threads:
            thread.start()

    def _serve(self, sock: socket.socket, kind: str) -> None:
        sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                if kind == "udp":
                    sock.recvfrom(100)
                else:
                    sock.accept()[0].close()
                self.reached.append(kind)
            except OSError:
                continue

    def paths(self) -> dict[str, object]:
        return {"port": self.tcp.getsockname()[1], "udp_port": self.udp.getsockname()[1],
                "abstract": self.abstract_name}

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()


class Sampler:
    """Counts, every 20 ms while a run goes on, the live processes with a given command line."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.most = max(self.most, len(processes_with_cmdline(self.argv)))
            time.sleep(0.02)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.most


def start_canary() -> subprocess.Popen[bytes]:
    """A process of the grader's own user that no student may be able to kill."""
    return subprocess.Popen(["sleep", "300"])
