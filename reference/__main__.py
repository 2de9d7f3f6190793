"""`python -m reference` / `lecture-replay`: replay lecture 03's worked example beside the numbers it prints."""
from __future__ import annotations

from reference.lecture import KEY_QUANTITIES, PRINTED, STEPS, Printed, network, reference_values

_OK, _CARRY, _ERR = "ok", "~ carry", "ERRATUM"


def _mark(row: Printed, exact: float) -> str:
    if row.erratum:
        return _ERR
    if abs(exact - row.value) <= 0.5 * 10.0 ** -row.decimals * (1 + 1e-9):
        return _OK
    return _CARRY


def _rows_of_step(step: str) -> list[tuple[Printed, int]]:
    """The step's rows, identical (line, quantity, printed) repeats folded into one row with a count."""
    folded: dict[tuple[int, str, str], list[object]] = {}
    for row in PRINTED:
        if row.step == step:
            key = (row.line, row.quantity, row.printed)
            if key in folded:
                folded[key][1] = int(folded[key][1]) + 1  # type: ignore[call-overload]
            else:
                folded[key] = [row, 1]
    return [(row, count) for row, count in folded.values()]  # type: ignore[misc]


def main() -> int:
    """Print the replay table (grouped by slide / backprop step), the errata and the headline values."""
    values = reference_values()
    params, x, y, lr = network()
    widths = [params[0][0].shape[1]] + [W.shape[0] for W, _ in params]
    print("Lecture 03 worked example, replayed with the reference solution")
    print(f"network {'-'.join(map(str, widths))} (sigmoid everywhere), x = {x.tolist()}, y = {y.tolist()}, "
          f"lr = {lr}; binary cross-entropy, natural log")
    print("columns: lecture line | quantity | printed | reference rounded to the printed decimals | "
          "reference (float64) | mark")
    print(f"marks: {_OK!r} = printed is the reference value rounded; {_CARRY!r} = off by the rounding of the "
          f"lecture's 4-decimal inputs (documented slack); {_ERR!r} = a slip, see reference/ERRATA.md")
    print("the verification pass is compared with the exact update (unrounded weights); see ERRATA.md")

    head = f"{'line':>5}  {'quantity':<26} {'printed':>9} {'rounded':>10} {'reference':>13}  mark"
    counts = {_OK: 0, _CARRY: 0, _ERR: 0}
    for step in STEPS:
        print()
        print(f"== {step} ==")
        print(head)
        for row, repeat in _rows_of_step(step):
            exact = values[row.quantity]
            mark = _mark(row, exact)
            counts[mark] += repeat
            rounded = f"{exact:.{row.decimals}f}"
            times = f" (x{repeat})" if repeat > 1 else ""
            line = (f"{row.line:>5}  {row.quantity:<26} {row.printed:>9} {rounded:>10} "
                    f"{exact:>13.{row.decimals + 3}f}  {mark}{times}")
            if row.erratum:
                line += f" {row.erratum}: should be {row.correct}; {row.note}"
            elif mark == _CARRY or row.note:
                line += f"  ({row.note})" if row.note else ""
            print(line)

    print()
    print("== Headline values (reference) ==")
    for q in KEY_QUANTITIES:
        shown = sorted({r.printed for r in PRINTED if r.quantity == q and not r.erratum})
        print(f"  {q:<10} = {values[q]:.6f}   lecture prints {', '.join(shown)}")
    print()
    errata: dict[str, Printed] = {}
    for row in PRINTED:
        if row.erratum and row.erratum not in errata:
            errata[row.erratum] = row
    print(f"== Numeric errata ({len(errata)}; formula-level slips are listed in reference/ERRATA.md) ==")
    for eid, row in errata.items():
        lines = sorted({r.line for r in PRINTED if r.erratum == eid})
        pairs = list(dict.fromkeys(f"{r.printed} -> {r.correct}" for r in PRINTED if r.erratum == eid))
        where = f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
        print(f"  {eid}: {where}: printed -> correct: {'; '.join(pairs)}")
    print()
    print(f"{sum(counts.values())} printed numbers: {counts[_OK]} ok, {counts[_CARRY]} rounding carry, "
          f"{counts[_ERR]} errata")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
