"""One student's run: fork, send the plan, enforce deadlines, restart after timeouts and crashes."""
from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader import codec
from grader.model import CallOutcome, Case, Program
from grader.sandbox import frames
from grader.sandbox.budget import Budget
from grader.sandbox.control import ZygoteProcess, describe_exit, exit_hint
from grader.sandbox.records import Limits, RunReport, ValueBudget, clip, load_of, not_kept, outcome_of
from grader.sandbox.scratch import Output, open_output, remove_tree

if TYPE_CHECKING:
    from grader.sandbox.runner import Sandbox

HEADER_MAX = 1 << 20  # a result record from the child without its value
RECORD_MAX = HEADER_MAX + codec.MAX_BYTES  # ...and with it
ARGS_MAX = 1 << 28
MAX_SKIPPED_CELLS = 2  # notebook cells left out, one reload each, when they run past the loading limit
MAX_CRASHES = 2  # crashes of one function before its remaining cases fail at once (one restart each)
MARKER_ROOM = 512  # bytes of the output cap left for the child's truncation notes
EXIT_WAIT = 2.0  # seconds to wait for the fork server's exit report of a dead child


class ChildGone(Exception):
    """The student process stopped talking: it died, hung up, or sent malformed data."""

    def __init__(self, what: str, hint: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint

    def text(self, during: str) -> str:
        return f"the student process {self.what} {during}" + (f"; {self.hint}" if self.hint else "")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


@dataclass
class _Child:
    zygote: ZygoteProcess
    pid: int
    ident: int
    sock: socket.socket
    reader: frames.FrameReader
    number: int
    exit_known: bool = False


class Session:
    """Runs one Program against its cases; every failure of the student's code becomes data."""

    def __init__(self, sandbox: Sandbox, program: Program, cases: tuple[Case, ...],
                 limits: Limits) -> None:
        self.sandbox, self.program, self.cases, self.limits = sandbox, program, cases, limits
        self.outcomes: list[CallOutcome | None] = [None] * len(cases)
        self.payloads: dict[int, bytes] = {}
        self.load: tuple[str, str, tuple[str, ...]] = ("ok", "", ())
        self.restarts = 0
        self.crashes: dict[str, int] = {}  # per function: calls that killed the student process
        self.stdout = Output("stdout", limits.output_bytes)
        self.stderr = Output("stderr", limits.output_bytes)
        self.child: _Child | None = None
        self.scratch = ""
        self.forks = 0
        self.loaded = False  # a load report has been kept in self.load
        self.cells = list(range(len(program.cells)))  # the program's cells sent to the child
        self.stuck: int | None = None  # the notebook cell running when loading timed out
        self.skipped: list[str] = []  # notes on notebook cells left out after they timed out
        self.budget = Budget.of(limits, cases)  # wall time for loading and every call together
        self.values = ValueBudget()  # how much of the student's results the grader keeps, all calls together

    def execute(self) -> RunReport:
        start = time.monotonic()
        self.scratch = self.sandbox.scratch_dir()
        try:
            self._encode_args()
            self._run_all()
        finally:
            self._end_child()
            remove_tree(self.scratch)
        outcomes = tuple(o if o is not None else CallOutcome("not_run", error="not run")
                         for o in self.outcomes)
        return RunReport(load_status=self.load[0], load_message=self.load[1],  # type: ignore[arg-type]
                         load_warnings=self.load[2], outcomes=outcomes, stdout=self.stdout.text(),
                         stderr=self.stderr.text(), restarts=self.restarts,
                         seconds=time.monotonic() - start)

    def _encode_args(self) -> None:
        for i, case in enumerate(self.cases):
            try:
                self.payloads[i] = self.sandbox.encoded_args.get(case)
            except codec.WireError as exc:
                self.outcomes[i] = CallOutcome(
                    "not_run", error=f"not run: the grader could not send the arguments of case "
                                     f"{case.name!r} ({exc}); this is a grader problem")

    def _give_up(self, pending: list[int], reason: str) -> None:
        for i in pending:
            self.outcomes[i] = CallOutcome("not_run", error=reason)

    def _run_all(self) -> None:
        pending = [i for i, o in enumerate(self.outcomes) if o is None]
        while not self.budget.spent():
            self._start_child(pending)
            status, message, notes = self._await_load()
            if status == "timeout" and not self.budget.spent() and self._skip_stuck_cell():
                continue  # load the notebook again without the cell that ran too long
            if not self.loaded:
                self.load, self.loaded = (status, message, tuple(self.skipped) + notes), True
            if status == "timeout" and self.budget.spent():
                break
            if status in ("syntax_error", "timeout", "crashed"):
                what = {"syntax_error": "the program has a syntax error",
                        "timeout": "loading the program timed out",
                        "crashed": "the program crashed while loading"}[status]
                if self.forks > 1:
                    what = f"the program could not be restarted ({what})"
                self._give_up(pending, f"not run: {what}: {_first_line(message)}")
                return
            pending = self._collect(pending)
            self._end_child()
            if not pending:
                return
            self.restarts += 1  # bounded per function: MAX_CRASHES crashes, or one timeout, each
        self.budget.fail(self.outcomes, pending)  # spent: the cases left fail at once

    def _start_child(self, pending: list[int]) -> None:
        number = self.forks
        self.forks += 1
        request = {"scratch": self.scratch, "memory_mb": self.limits.memory_mb, "processes": self.limits.processes,
                   **self.budget.clocks(self.limits, len(pending))}  # its CPU time, its namespace's lifetime
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        outputs: list[int] = []
        try:
            # opened here, passed as descriptors: with namespaces the student cannot reach them by path
            outputs = [open_output(os.path.join(self.scratch, f".{name}-{number}")) for name in ("stdout", "stderr")]
            zygote, pid, ident = self.sandbox.spawn([theirs.fileno(), *outputs], request)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
            for fd in outputs:
                os.close(fd)
        self.child = _Child(zygote, pid, ident, ours, frames.FrameReader(ours), number)
        plan = {"kind": self.program.kind, "memory_mb": self.limits.memory_mb,
                "output_chars": max(0, self.limits.output_bytes - MARKER_ROOM),
                "cells": [{"source": c.source, "filename": c.filename, "label": c.label}
                          for c in (self.program.cells[i] for i in self.cells)],
                "calls": [{"index": i, "function": self.cases[i].function} for i in pending]}
        data = [frames.pack(codec.encode(plan, strict=True, max_bytes=ARGS_MAX))]
        data += [frames.pack(self.payloads[i]) for i in pending]
        ours.settimeout(self.limits.loading + 5.0)
        try:
            ours.sendall(b"".join(data))
        except OSError:
            pass  # the child died before reading its plan: seen as EOF while loading

    def _skip_stuck_cell(self) -> bool:
        """Leave out the notebook cell that ran past the loading limit (at most MAX_SKIPPED_CELLS of
        them, before the first load completes); False when loading cannot be retried this way."""
        stuck, self.stuck = self.stuck, None
        if stuck is None or self.loaded or len(self.skipped) >= MAX_SKIPPED_CELLS:
            return False
        cell = self.program.cells[self.cells.pop(stuck)]
        self.skipped.append(f"{cell.label}: did not finish within {self.limits.loading:g} s, so it was stopped "
                            "and the notebook was run again without it; remove or shorten slow cells "
                            "(training, plots, demos)")
        self.restarts += 1
        return True

    def _await_load(self) -> tuple[str, str, tuple[str, ...]]:
        deadline = self.budget.deadline(self.limits.loading)
        try:
            frame = self._read(deadline, HEADER_MAX)
            while frame.get("type") == "cell" and self.program.kind == "ipynb":  # the child starts a cell
                index = frame.get("index")
                if type(index) is not int or not 0 <= index < len(self.cells):
                    raise self._malformed("a bad cell report")
                self.stuck = index
                frame = self._read(deadline, HEADER_MAX)
            self.stuck = None
            try:
                return load_of(frame)
            except ValueError as exc:
                raise self._malformed(str(exc)) from None
        except TimeoutError:
            self._end_child()
            hint = ('move slow top-level code (training, plots, demos) under '
                    '`if __name__ == "__main__":`' if self.program.kind == "py"
                    else "remove or shorten slow cells (training, plots, demos)")
            return ("timeout", f"loading the program did not finish within "
                               f"{self.limits.loading:g} s, so it was stopped; {hint}", ())
        except ChildGone as gone:
            self._end_child()
            return "crashed", gone.text("while loading the program"), ()

    def _collect(self, pending: list[int]) -> list[int]:
        """Read results in plan order; returns the cases still to run in a fresh child."""
        limit = self.limits.timeout
        for pos, index in enumerate(pending):
            name = self.cases[index].function
            deadline = self.budget.deadline(limit)
            try:
                self.outcomes[index] = self._outcome(self._read(deadline, kept=True), index)
            except TimeoutError:
                self._end_child()
                if self.budget.spent():  # the budget ran out, not the call's own time
                    return self.budget.stop(self.outcomes, index, name, pending[pos + 1:])
                self.outcomes[index] = CallOutcome(
                    "timeout", error=f"timeout: {name} did not finish within {limit:g} s, so the "
                                     "sandbox stopped it", seconds=limit)
                self._fail_rest(pending[pos + 1:], name, f"an earlier case of {name} timed out after {limit:g} s")
                return [i for i in pending[pos + 1:] if self.outcomes[i] is None]
            except ChildGone as gone:
                self._end_child()
                self.outcomes[index] = CallOutcome(
                    "crashed", error=gone.text(f"while running {name}"))
                self.crashes[name] = self.crashes.get(name, 0) + 1
                if self.crashes[name] >= MAX_CRASHES:
                    self._fail_rest(pending[pos + 1:], name, f"{name} crashed the student process "
                                                             f"{MAX_CRASHES} times")
                return [i for i in pending[pos + 1:] if self.outcomes[i] is None]
        return []

    def _fail_rest(self, later: list[int], name: str, why: str) -> None:
        """The remaining cases of `name` fail at once (without another restart) because of `why`."""
        for i in later:
            if self.cases[i].function == name:
                self.outcomes[i] = CallOutcome("skipped", error=f"not run: {why}")

    def _read(self, deadline: float, max_bytes: int = RECORD_MAX, kept: bool = False) -> Any:
        """The next record as a dict (a CallOutcome if `kept` and too large to keep); TimeoutError or ChildGone."""
        assert self.child is not None
        try:
            raw = self.child.reader.read(max_bytes=max_bytes, deadline=deadline)
        except TimeoutError:
            raise
        except frames.FrameError as exc:
            raise self._malformed(str(exc)) from None
        except OSError as exc:
            raise self._malformed(f"socket error {exc}") from None
        if raw is None:
            raise self._hung_up()
        if kept and (refused := self.values.refuse(raw)):
            return not_kept(raw, refused)  # never parsed
        try:
            frame = codec.parse(raw, max_bytes=max_bytes)
        except codec.WireError as exc:
            raise self._malformed(str(exc)) from None
        if type(frame) is not dict:
            raise self._malformed("a frame that is not a record")
        return frame

    def _outcome(self, frame: Any, index: int) -> CallOutcome:
        try:
            return frame if type(frame) is CallOutcome else outcome_of(frame, index)
        except ValueError as exc:  # WireError too: a value that does not decode
            raise self._malformed(str(exc)) from None

    def _malformed(self, detail: str) -> ChildGone:
        self._kill()
        return ChildGone(f"sent malformed data to the grader ({clip(detail, 200)})",
                         "it was stopped")

    def _hung_up(self) -> ChildGone:
        child = self.child
        assert child is not None
        status = child.zygote.exit_status(child.pid, EXIT_WAIT)
        if status is None and child.zygote.alive:
            self._kill()
            return ChildGone("closed its connection to the grader", "it was stopped")
        child.exit_known = status is not None
        if status is None:
            return ChildGone(describe_exit(None), "the sandbox's fork server was killed too, "
                                                  "probably by the submission")
        return ChildGone(describe_exit(status), exit_hint(status, self.limits.memory_mb))

    def _kill(self) -> None:
        if self.child is not None:
            self.child.zygote.kill(self.child.pid, self.child.ident)

    def _end_child(self) -> None:
        """Kill the child (through its fork server), close its channel and keep its output."""
        child = self.child
        if child is None:
            return
        self._kill()
        self.child = None
        child.sock.close()
        if not child.exit_known:
            child.zygote.forget(child.pid)
        note = f"[sandbox: the program was restarted (restart {child.number})]\n" if child.number else ""
        self.stdout.take_file(os.path.join(self.scratch, f".stdout-{child.number}"), note)  # read, then removed:
        self.stderr.take_file(os.path.join(self.scratch, f".stderr-{child.number}"), note)  # one pair at a time
