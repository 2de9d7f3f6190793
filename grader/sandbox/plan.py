"""The student process's plan: read from the grader, every call's arguments rebuilt before student code runs."""
from __future__ import annotations

import socket
from typing import Any, Callable

from grader import codec
from grader.sandbox import frames

Inputs = tuple[tuple[Any, ...], dict[str, Any]]  # one call's (args, kwargs)


def _load_builder() -> tuple[Callable[[Any], Any] | None, str]:
    """grader.testfuncs.build, imported once in the fork server (before any barrier exists)."""
    try:
        from grader.testfuncs import build
    except ModuleNotFoundError as exc:
        if exc.name != "grader.testfuncs":
            return None, f"grader.testfuncs failed to import: {exc}"
        return None, "grader.testfuncs is not available"
    except Exception as exc:  # noqa: BLE001 - reported when a FuncSpec needs it
        return None, f"grader.testfuncs failed to import: {type(exc).__name__}: {exc}"
    return build, ""


_BUILD, _BUILD_PROBLEM = _load_builder()


def _build_func(spec: Any) -> Any:
    if _BUILD is None:
        raise RuntimeError(_BUILD_PROBLEM)
    return _BUILD(spec)


def read_plan(sock: socket.socket, max_bytes: int) -> tuple[dict[str, Any], list[Inputs | str]] | None:
    """The plan, and each call's (args, kwargs) decoded now, before any student code runs (for a
    case that cannot be rebuilt, the reason as a string); None when the grader hung up first."""
    reader = frames.FrameReader(sock)
    header = reader.read(max_bytes=max_bytes)
    if header is None:
        return None
    plan = codec.decode(header, max_bytes=max_bytes)
    inputs: list[Inputs | str] = []
    for _ in plan["calls"]:
        blob = reader.read(max_bytes=max_bytes)
        if blob is None:
            return None
        try:
            args, kwargs = codec.decode_trusted(blob, build_func=_build_func, max_bytes=max_bytes)
            inputs.append((tuple(args), dict(kwargs)))
        except Exception as exc:  # noqa: BLE001 - a grader-side problem, reported as data
            inputs.append(f"the sandbox could not rebuild the arguments of this case: {exc}")
    return plan, inputs
