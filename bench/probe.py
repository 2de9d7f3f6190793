"""Process figures read from /proc: a sampler of the grader's descendants (student peak RSS, their CPU)."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass

TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc/PID/task/*/children (empty when it is gone)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    return found


def is_fork_server(pid: int) -> bool:
    """Whether `pid` runs the sandbox's fork server (its command line names grader.sandbox.zygote)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"grader.sandbox.zygote" in handle.read()
    except OSError:
        return False


def stat_times(pid: int) -> tuple[float, float]:
    """(own CPU seconds, CPU seconds of its reaped children) of `pid`; raises OSError when it is gone."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def peak_rss_mb(pid: int, field: str = "VmHWM") -> float:
    """VmHWM (peak resident set; or another field, e.g. VmRSS) of `pid` in MB, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Descendants:
    """What the sampler saw below the grader: fork servers, their student processes."""

    student_peak_mb: float = 0.0  # largest VmHWM of a student process
    students_seen: int = 0
    server_cpu: float = 0.0  # fork servers' own CPU seconds (forking, reaping)
    worker_cpu: float = 0.0  # own CPU seconds of grading processes (--executor processes) and helpers
    workers_peak_mb: float = 0.0  # peak RSS (VmHWM) of the grading processes, summed
    grading_rss_mb: float = 0.0  # the grader's own largest RSS while students were being graded
    reports_rss_mb: float = 0.0  # ... and after the last student, while the reports were written


class Sampler:
    """Polls /proc every `interval` s: the grader's RSS, the fork servers below it and their students.

    Student processes live a few hundred ms; a 5 ms poll sees nearly all of them, and VmHWM
    is a high-water mark, so a late sample still reads the peak reached so far.
    """

    def __init__(self, root: int, interval: float = 0.005) -> None:
        self.root, self.interval = root, interval
        self.result = Descendants()
        self._servers: dict[int, float] = {}  # own CPU seconds of each fork server
        self._workers: dict[int, float] = {}  # ... and of each grading process
        self._worker_peaks: dict[int, float] = {}
        self._alive: set[int] = set()  # student pids in the last sample: the sampler's own memory stays flat
        self._seen = 0  # distinct student processes (a pid reused within one interval counts once)
        self._stop = threading.Event()
        self.reporting = False  # set once every student is graded: RSS from then on is the reports'
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._thread.join()
        self.result.students_seen = self._seen
        self.result.server_cpu = sum(self._servers.values())
        self.result.worker_cpu = sum(self._workers.values())
        self.result.workers_peak_mb = sum(self._worker_peaks.values())

    def stop(self) -> None:
        """Ask the polling thread to stop (it does at its next tick)."""
        self._stop.set()

    def wait_stopped(self) -> None:
        """Block until `stop` is called."""
        self._stop.wait()

    def sample(self) -> None:
        rss = peak_rss_mb(self.root, "VmRSS")
        if self.reporting:
            self.result.reports_rss_mb = max(self.result.reports_rss_mb, rss)
        else:
            self.result.grading_rss_mb = max(self.result.grading_rss_mb, rss)
        below, alive = [pid for pid in children(self.root) if pid != os.getpid()], set[int]()
        while below:  # grading processes (if any), their fork servers, the students below those
            pid = below.pop()
            server = is_fork_server(pid)
            try:
                (self._servers if server else self._workers)[pid] = stat_times(pid)[0]
            except (OSError, IndexError, ValueError):
                continue
            if not server:  # a grading process if a fork server runs below it, else a helper
                kids = children(pid)
                if any(is_fork_server(kid) for kid in kids):
                    self._worker_peaks[pid] = max(self._worker_peaks.get(pid, 0.0), peak_rss_mb(pid))
                below += kids
                continue
            students = children(pid)
            while students:  # students, and whatever they or a namespace helper started
                student = students.pop()
                alive.add(student)
                self.result.student_peak_mb = max(self.result.student_peak_mb, peak_rss_mb(student))
                students += children(student)
        self._seen += len(alive - self._alive)
        self._alive = alive

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()


class SamplerProcess:
    """The Sampler in a process of its own, watching `root` (this process) from outside: the measured
    `grade` then runs no thread of its own, as the `grade` command does not (it forks grading processes
    and report shards only when it has no other thread). `reporting = True` is passed on through its
    stdin; the sampler's own CPU is kept apart (`own_cpu`) so it is not counted as the students'."""

    def __init__(self, root: int, interval: float = 0.005) -> None:
        self.root, self.interval = root, interval
        self.result = Descendants()
        self.own_cpu = 0.0
        self._proc: subprocess.Popen[str] | None = None
        self._reporting = False

    def __enter__(self) -> SamplerProcess:
        self._proc = subprocess.Popen([sys.executable, "-m", "bench.probe", str(self.root), str(self.interval)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self._proc.stdout is None or self._proc.stdout.readline().strip() != "sampling":
            raise RuntimeError("bench.probe: the sampler process did not start")
        return self

    @property
    def reporting(self) -> bool:
        return self._reporting

    @reporting.setter
    def reporting(self, value: bool) -> None:
        if value and not self._reporting and self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.write("reporting\n")
            self._proc.stdin.flush()
        self._reporting = value

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None
        out, _ = self._proc.communicate()  # closing stdin stops it; it prints what it saw
        data = json.loads(out.strip().splitlines()[-1])
        self.own_cpu = data.pop("own_cpu")
        self.result = Descendants(**data)


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.probe ROOT_PID INTERVAL`: sample until stdin closes ("reporting" lines switch
    the RSS figure to the reports'), then print the Descendants and this process's own CPU as JSON."""
    args = sys.argv[1:] if argv is None else argv
    sampler = Sampler(int(args[0]), float(args[1]))

    def commands() -> None:
        for line in sys.stdin:
            if line.strip() == "reporting":
                sampler.reporting = True
        sampler.stop()

    with sampler:
        print("sampling", flush=True)
        threading.Thread(target=commands, daemon=True).start()
        sampler.wait_stopped()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({**asdict(sampler.result), "own_cpu": usage.ru_utime + usage.ru_stime}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
