"""Per-submission overhead of the sandbox by isolation mode: `python tests/security/measure_overhead.py [RUNS]`.

A trivial program with five calls, run RUNS times (default 50) per mode, the modes interleaved so
that machine load affects both alike; prints the median and quartiles of the wall time per run.
"""
from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from grader.model import Case, Cell, Program
from grader.sandbox import Limits, Sandbox

PROGRAM = Program(cells=(Cell("import numpy as np\ndef f(x):\n    return x + 1\ndef g(a, b=2):\n    return a * b\n",
                              "hw03.py", "hw03.py"),), kind="py")
CASES = [Case("f", "c1", "edge", (np.arange(10.0),)), Case("g", "c2", "edge", (3,)),
         Case("g", "c3", "edge", (1.5,), {"b": 4}), Case("f", "c4", "edge", (2,)), Case("g", "c5", "edge", ([1],))]
LIMITS = Limits(timeout=5, memory_mb=512)


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 50
    times: dict[str, list[float]] = {"process": [], "namespaces": []}
    boxes = {mode: Sandbox(isolation=mode) for mode in times}
    try:
        for box in boxes.values():
            box.run(PROGRAM, CASES, LIMITS)  # start the fork server
        for _ in range(runs):
            for mode, box in boxes.items():
                start = time.perf_counter()
                report = box.run(PROGRAM, CASES, LIMITS)
                times[mode].append(time.perf_counter() - start)
                assert [o.status for o in report.outcomes] == ["returned"] * len(CASES), report.outcomes
    finally:
        for box in boxes.values():
            box.close()
    for mode, values in times.items():
        q1, median, q3 = statistics.quantiles(values, n=4)
        print(f"{mode:>10}: median {median * 1000:6.1f} ms  (quartiles {q1 * 1000:.1f}-{q3 * 1000:.1f} ms, "
              f"{runs} runs of {len(CASES)} calls)")
    print(f"namespaces cost {1000 * (statistics.median(times['namespaces']) - statistics.median(times['process'])):+.1f} ms "
          "per submission over process-level isolation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
