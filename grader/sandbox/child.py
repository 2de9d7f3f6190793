"""Student-side runtime: loads the Program in a fresh namespace and runs the planned calls."""
from __future__ import annotations

import builtins
import linecache
import os
import socket
import sys
import time
import traceback
import types
import warnings
from typing import Any, Iterator, NoReturn

import numpy as np

from grader import codec, wire
from grader.sandbox import frames, guard, kernel, traces
from grader.sandbox import plan as plan_module
from grader.sandbox.plan import Inputs

BLOCKED_PACKAGES = ("reference", "assignments", "grader")
PLAN_MAX_BYTES = 1 << 30
_NDARRAY = np.ndarray
# Private references: the per-call fast path runs right after student code, without the module
# guard, so it must not look anything up in builtins or in modules the student may have patched.
_BaseException = BaseException
_type, _enumerate, _zip, _callable = type, enumerate, zip, callable
_list, _tuple, _dict = list, tuple, dict
_encode_tree, _dumps, _pack, _raised_key = codec.encode_tree, codec.dumps, frames.pack, traces.raised_key


def _arrays(value: Any, label: str) -> Iterator[tuple[str, np.ndarray]]:
    """Every ndarray inside value (through lists, tuples and dicts) with a readable label."""
    cls = _type(value)
    if cls is _NDARRAY:
        yield label, value
    elif cls is _list or cls is _tuple:
        for i, item in _enumerate(value):
            yield from _arrays(item, f"{label}[{i}]")
    elif cls is _dict:
        for key, item in value.items():
            yield from _arrays(item, f"{label}[{key!r}]")


class Runtime:
    """One student process: its channel, protections, namespace and the plan it runs."""

    def __init__(self, sock: socket.socket) -> None:
        self._sendall = sock.sendall  # bound C method: survives patching of socket.socket
        self._perf = time.perf_counter
        self._exit = os._exit
        self._catch_warnings = warnings.catch_warnings
        self._simplefilter = warnings.simplefilter
        self._errstate = np.errstate
        self._sock = sock
        self.namespace: dict[str, Any] = {}
        self.filenames: frozenset[str] = frozenset()
        self.load_note = ""
        self.memory_mb: int | None = None
        self.captures: list[guard.OutputCapture] = []
        self.guard: guard.ModuleGuard | None = None
        self.raised = traces.RaisedTexts()  # texts of raised calls, by traces.raised_key
        self.undefined: dict[str, str] = {}  # the "missing" message of each function the submission lacks

    def read_plan(self) -> tuple[dict[str, Any], list[Inputs | str]]:
        """The plan and every call's rebuilt arguments (see grader.sandbox.plan); exits when the
        grader went away before sending them."""
        received = plan_module.read_plan(self._sock, PLAN_MAX_BYTES)
        if received is None:
            self._exit(0)
        return received

    def protect(self, plan: dict[str, Any]) -> None:
        """Everything that must be in place before the first line of student code runs."""
        limit = int(plan["output_chars"])
        self.captures = [guard.OutputCapture(1, "stdout", limit),
                         guard.OutputCapture(2, "stderr", limit)]
        for name, capture in (("stdout", self.captures[0]), ("stderr", self.captures[1])):
            setattr(sys, name, capture)
            setattr(sys, f"__{name}__", capture)
        kernel.prepare(sys.path, os.getcwd())  # sys.path (with the private working folder, as in Jupyter), display
        # numpy, os and time are not guarded (large, slow to check): what the runtime needs
        # from them is held in private references (here, in codec and in guard).
        # json, base64 and binascii are not guarded: after student code the runtime uses only the C
        # JSON encoder and binascii functions it bound at import (see grader.wire).
        guarded = [builtins, traceback, linecache, wire, codec, frames, guard, traces, sys.modules[__name__]]
        self.guard = guard.ModuleGuard(guarded)
        sys.meta_path.insert(0, guard.ImportBarrier(BLOCKED_PACKAGES))
        guard.forget_modules(BLOCKED_PACKAGES)
        cells = plan["cells"]
        sys.argv = [cells[0]["filename"] if cells else "submission.py"]
        self.memory_mb = int(plan["memory_mb"])

    def send(self, message: dict[str, Any]) -> None:
        """One record to the grader: plain JSON (a result's value is an encoded tree inside it)."""
        self._sendall(_pack(_dumps(message).encode("ascii")))

    def finish_output(self) -> None:
        for capture in self.captures:
            capture.finish()

    def load(self, plan: dict[str, Any]) -> bool:
        """Run the student's cells; send the "load" frame; False when nothing can be called."""
        kind, cells = plan["kind"], plan["cells"]
        module = types.ModuleType("submission")
        self.namespace = module.__dict__
        sys.modules["submission"] = module
        if kind == "py" and len(cells) == 1:
            self.namespace["__file__"] = cells[0]["filename"]
        self.filenames = frozenset(c["filename"] for c in cells)
        status, message, notes = "ok", "", []
        progress = kind == "ipynb" and len(cells) > 1  # the grader learns which cell runs too long, to skip it
        for position, cell in enumerate(cells):
            if progress:
                self.send({"type": "cell", "index": position})
            source, filename, label = cell["source"], cell["filename"], cell["label"]
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            try:
                code = compile(source, filename, "exec", dont_inherit=True)
            except BaseException as exc:  # noqa: BLE001 - SyntaxError, ValueError (null bytes)...
                if kind == "py":
                    status, message = "syntax_error", traces.syntax_message(exc, filename)
                    break
                notes.append(self._compile_note(exc, label))
                continue
            with self.guard_off():
                error = self._execute(code)
            if error is not None:
                line = traces.last_line_in(error, filename)
                where = f"{label}{f', line {line}' if line else ''}"
                summary = f"{where}: {traces.describe(error, self.memory_mb)}"
                if kind == "py":
                    status = "load_error"
                    message = summary + "\n" + traces.student_traceback(
                        error, self.filenames, self.memory_mb)
                    self.load_note = f" (loading stopped at {where} with {traces.describe(error, hint=False)})"
                    break
                notes.append(summary)
        last = status == "syntax_error" or not plan["calls"]
        if last:
            self.finish_output()
        self.send({"type": "load", "status": status, "message": message,
                   "warnings": traces.capped(notes, "load warnings")})
        return status != "syntax_error"

    @staticmethod
    def _compile_note(exc: BaseException, label: str) -> str:
        if isinstance(exc, SyntaxError):
            line = f", line {exc.lineno}" if exc.lineno else ""
            return f"{label}{line}: {traces.exception_name(exc)}: {exc.msg}"
        return f"{label}: {traces.describe(exc)}"

    def _execute(self, code: Any) -> BaseException | None:
        try:
            exec(code, self.namespace)
        except _BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            return exc
        return None

    def guard_off(self) -> _Untrusted:
        return _Untrusted(self.guard)

    def call(self, call: dict[str, Any], inputs: Inputs | str, last: bool) -> None:
        """Run one planned call and send its "result" record.

        The common case (a value returned, no warnings, no argument changed) takes a fast path
        that uses private references only. Anything else, or any failure of the fast path, is
        handled under the module guard, with the student's patches undone."""
        index = call["index"]
        if _type(inputs) is str:
            return self._slow(call, "not_run", inputs, ((), ()), 0.0, last)
        func = self.namespace.get(call["function"])
        if func is None or not _callable(func):
            error = self.undefined.get(call["function"]) if func is None and not last else None
            if error is not None:  # as the earlier calls of this undefined function said
                return self._send_known(index, "missing", (error, [], ""), 0.0)
            return self._slow(call, "missing", func, ((), ()), 0.0, last)
        args, kwargs = inputs
        originals = [(label, arr, arr.copy()) for i, a in _enumerate(args)
                     for label, arr in _arrays(a, f"arg {i}")]
        if kwargs:
            originals += [(label, arr, arr.copy()) for k, v in kwargs.items()
                          for label, arr in _arrays(v, k)]
        caught: list[Any] = []
        start = self._perf()
        try:
            with self._catch_warnings(record=True) as caught, self._errstate(
                    divide="warn", over="warn", under="ignore", invalid="warn"):  # numpy's defaults
                self._simplefilter("always")
                value = func(*args, **kwargs)
        except _BaseException as exc:  # noqa: BLE001 - every failure is data
            value = _Raised(exc)
        seconds = self._perf() - start
        del func, args, kwargs
        mutated = [label for label, arr, copy in originals
                   if arr.shape != copy.shape or arr.dtype != copy.dtype or arr.tobytes() != copy.tobytes()]
        if _type(value) is _Raised and not (caught or mutated or last):
            key = _raised_key(value.exc)
            texts = self.raised.get(key)
            if texts is not None:  # raised as an earlier call did: its texts, without the guard
                return self._send_known(index, "raised", texts, seconds)
            return self._slow(call, "returned", value, (caught, mutated), seconds, last, key)
        if _type(value) is _Raised or caught or mutated or last:
            return self._slow(call, "returned", value, (caught, mutated), seconds, last)
        try:
            record = (f'{{"type":"result","index":{index},"status":"returned","error":"","error_types":[],'
                      f'"traceback":"","warnings":[],"mutated":[],"seconds":{seconds!r},"value":'
                      + _dumps(_encode_tree(value)) + "}")  # what send() writes for this record, built directly
            self._sendall(_pack(record.encode("ascii")))
        except _BaseException:  # noqa: BLE001 - e.g. a patched recursion limit: retry under the guard
            self._slow(call, "returned", value, ((), ()), seconds, last)

    def _send_known(self, index: int, status: str, texts: tuple[str, list[str], str], seconds: float) -> None:
        """A result whose texts (error, error types, traceback) were built for an earlier call."""
        self._sendall(_pack(_dumps({"type": "result", "index": index, "status": status, "error": texts[0],
                                    "error_types": texts[1], "traceback": texts[2], "warnings": [], "mutated": [],
                                    "seconds": seconds, "value": None}).encode("ascii")))

    def _slow(self, call: dict[str, Any], status: str, what: Any, notes: tuple[Any, Any],
              seconds: float, last: bool, key: tuple[Any, ...] | None = None) -> None:
        """Build and send a result under the module guard (raised, missing, warnings, mutations...)."""
        assert self.guard is not None
        with self.guard:
            name = call["function"]
            result: dict[str, Any] = {"type": "result", "index": call["index"], "status": status,
                                      "error": "", "error_types": [], "traceback": "", "warnings": [],
                                      "mutated": [], "seconds": seconds, "value": None}
            if status == "not_run":
                result["error"] = what
            elif status == "missing":
                kind = ("is not defined" if what is None
                        else f"is not a function (it is of type {codec.type_name(what)})")
                result["error"] = f"{name} {kind} in the submission{self.load_note}"
                if what is None:
                    self.undefined[name] = result["error"]
            elif type(what) is _Raised:  # never isinstance: a student __class__ may lie
                raised = what.exc
                result.update(status="raised", error=traces.describe(raised, self.memory_mb),
                              error_types=traces.capped(traces.class_names(raised), "classes"),
                              traceback=traces.student_traceback(raised, self.filenames, self.memory_mb))
                self.raised.put(key, (result["error"], result["error_types"], result["traceback"]))
                del raised
            else:
                result["value"], result["error"] = self._encode_value(what)
            del what
            caught, mutated = notes
            result["warnings"] = traces.warning_texts(list(caught))
            result["mutated"] = traces.capped(list(mutated), "arguments")
            if last:
                self.finish_output()
            self.send(result)

    @staticmethod
    def _encode_value(value: Any) -> tuple[Any, str]:
        try:
            return codec.encode_tree(value), ""
        except codec.WireError as exc:
            problem = f"the result could not be sent back: {exc}"
        except BaseException as exc:  # noqa: BLE001 - student __repr__/__float__ may misbehave
            problem = f"the result could not be sent back: {traces.describe(exc)}"
        marker = codec.Unsupported(codec.type_name(value), problem[:200])
        return codec.encode_tree(marker), problem


class _Raised:
    """Wraps an exception raised by student code (distinguishes it from a returned value)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class _Untrusted:
    """Context manager: leaves the module guard so student code sees its own patches."""

    def __init__(self, module_guard: guard.ModuleGuard | None) -> None:
        self._guard = module_guard

    def __enter__(self) -> None:
        if self._guard is not None:
            self._guard.__exit__()

    def __exit__(self, *exc: object) -> None:
        if self._guard is not None:
            self._guard.__enter__()


def main(sock: socket.socket) -> NoReturn:
    """Entry point in the forked student process; never returns."""
    runtime = Runtime(sock)
    plan, inputs = runtime.read_plan()
    runtime.protect(plan)
    assert runtime.guard is not None
    with runtime.guard:
        loaded = runtime.load(plan)
    if loaded:  # the calls run with the student's patches in place; see Runtime.call
        calls, final = plan["calls"], len(plan["calls"]) - 1
        for i, pair in _enumerate(_zip(calls, inputs)):  # private: builtins may be patched by now
            runtime.call(pair[0], pair[1], last=i == final)
    runtime._exit(0)
