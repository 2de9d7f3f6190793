"""The baseline's student process: a fresh `python3` that imports numpy, runs the cells, calls the cases."""
# Reads one JSON plan on stdin ({"cells": [...], "calls": [{"function", "args"}]}, arguments in the
# grader's wire format), writes one JSON line per call on its real stdout, then its peak RSS.
# The student's own prints go to a buffer that is thrown away. No sandbox: this is what a naive
# grader does.
from __future__ import annotations

import io
import json
import os
import sys
import warnings

import numpy as np

from grader import codec, testfuncs


def _arrays(value: object) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays(v)]
    return []


def call(namespace: dict, plan_call: dict) -> dict:
    func = namespace.get(plan_call["function"])
    if not callable(func):
        return {"status": "missing", "error": f"{plan_call['function']} is not defined in the submission"}
    args, kwargs = codec.decode(plan_call["args"].encode(), build_func=testfuncs.build)
    inputs = [(a, a.copy()) for a in _arrays((args, kwargs))]
    with warnings.catch_warnings(record=True) as caught, np.errstate(divide="warn", over="warn", invalid="warn"):
        warnings.simplefilter("always")
        try:
            value = func(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure is data
            names = [t.__name__ for t in type(exc).__mro__ if t not in (object, BaseException)]
            return {"status": "raised", "error": f"{type(exc).__name__}: {exc}", "error_types": names}
    mutated = [str(i) for i, (a, before) in enumerate(inputs) if not np.array_equal(a, before, equal_nan=True)]
    return {"status": "returned", "value": codec.encode(value).decode(), "mutated": mutated,
            "warnings": [f"{w.category.__name__}: {w.message}" for w in caught]}


def main() -> None:
    out = os.fdopen(os.dup(1), "w")
    plan = json.load(sys.stdin)
    sys.stdout = io.StringIO()
    namespace: dict = {"__name__": "submission"}
    for cell in plan["cells"]:
        try:
            exec(compile(cell["source"], cell["filename"], "exec"), namespace)
        except BaseException:  # noqa: BLE001 - like a notebook: the next cell still runs
            pass
    for plan_call in plan["calls"]:
        out.write(json.dumps(call(namespace, plan_call)) + "\n")
    with open("/proc/self/status") as status:
        peak = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    out.write(json.dumps({"peak_kb": peak}) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
