"""How a run isolated student code: the weakest level any worker or stored result used, and where."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from grader.sandbox.runner import Isolation

STRENGTH = {"process": 0, "namespaces": 1}  # isolation levels, weakest first; an unknown level counts as weakest


@dataclass(frozen=True)
class RunIsolation:
    """How a run isolated student code: the weakest level used, and by which workers."""

    level: str  # "namespaces" or "process"
    detail: str
    where: str = ""  # e.g. "worker tcp://10.0.0.7:40123 (1 of 3 workers)"; "" when students ran here
    workers: dict[str, Isolation] = field(default_factory=dict)

    graded: dict[str, int] = field(default_factory=dict)  # students by the level their code ran under

    @classmethod
    def of(cls, here: Isolation, workers: Mapping[str, Isolation],
           graded: Mapping[str, int] | None = None) -> RunIsolation:
        """`here` (this machine's probe) when no worker ran student code, else the weakest worker's level;
        weaker still when stored results (reused from an earlier run) say their code ran with less."""
        run = cls._of_run(here, workers)
        counts = {level: n for level, n in (graded or {}).items() if level}
        if not counts:
            return run
        weakest = min(counts, key=lambda level: STRENGTH.get(level, -1))
        if STRENGTH.get(weakest, -1) >= STRENGTH.get(run.level, -1):
            return replace(run, graded=counts)
        n, total = counts[weakest], sum(counts.values())
        where = f"{n} of {total} students graded by an earlier run (results reused)"
        return cls(weakest, f"{weakest} for {where}; this run: {run.detail}", where, run.workers, counts)

    @classmethod
    def _of_run(cls, here: Isolation, workers: Mapping[str, Isolation]) -> RunIsolation:
        if not workers:
            return cls(here.level, here.detail)
        weakest = min(STRENGTH.get(i.level, -1) for i in workers.values())
        names = sorted(w for w, i in workers.items() if STRENGTH.get(i.level, -1) == weakest)
        first = workers[names[0]]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        where = (f"every worker ({shown})" if len(names) == len(workers) else
                 f"worker{'s' if len(names) > 1 else ''} {shown} ({len(names)} of {len(workers)} workers)")
        return cls(first.level, f"{first.level} on {where}: {first.detail}", where, dict(workers))

    def record(self) -> dict[str, object]:
        """The run.json entries: the level, its detail, and each worker's level and detail when workers ran."""
        entries: dict[str, object] = {"isolation": self.level, "isolation_detail": self.detail}
        if self.graded:
            entries["students_by_isolation"] = dict(sorted(self.graded.items()))
        if self.workers:
            entries["workers"] = {w: i.level for w, i in sorted(self.workers.items())}
            entries["worker_details"] = {w: i.detail for w, i in sorted(self.workers.items())}
        return entries


def note_isolation(seen: dict[str, Isolation], worker: str, reply: Mapping[str, object]) -> None:
    """Keep in `seen` the weakest isolation `worker` reported (a sandbox not yet used reports "unused")."""
    level, detail = str(reply.get("isolation", "")), str(reply.get("isolation_detail", ""))
    if level == "unused":
        return
    known = seen.get(worker)
    if known is None or STRENGTH.get(level, -1) < STRENGTH.get(known.level, -1):
        seen[worker] = Isolation(level or "unknown", detail or "the worker did not say")
