"""Synthetic classes for the benchmark: N submissions made from the fixture submissions (half notebooks)."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"

# (template, share of the class): correct, buggy and erroring submissions mixed. Hostile ones
# (infinite loops, memory hogs) are left out: they measure the timeout, not the grader.
MIX: tuple[tuple[str, float], ...] = (
    ("passes_all.py", 0.25), ("passes_all_lists.py", 0.10),
    ("fails_backward_transposed.py", 0.05), ("fails_bce_grad_sign.py", 0.05),
    ("fails_forward_no_activation_last_layer.py", 0.05), ("fails_mse_grad_split_outside.py", 0.05),
    ("fails_perceptron_train_no_early_stop.py", 0.05), ("fails_relu_grad_at_zero.py", 0.05),
    ("fails_sigmoid_overflow.py", 0.05), ("fails_sgd_step_mutates.py", 0.05),
    ("fails_jacobian_sum_flat.py", 0.05),
    ("starter_not_implemented.py", 0.08), ("missing_functions.py", 0.05),
    ("crashes_sys_exit_top.py", 0.04), ("syntax_error.py", 0.03),
)
# every function returns at once: what grading costs when the student's code costs nothing
INSTANT = "import numpy as np\n\n" + "".join(
    f"def {name}(*args, **kwargs):\n    return None\n\n\n" for name in (
        "unit_step perceptron_predict perceptron_train sigmoid sigmoid_grad tanh tanh_grad relu relu_grad "
        "leaky_relu leaky_relu_grad bce_loss bce_grad forward backward sgd_step train jacobian_identity "
        "jacobian_elementwise jacobian_scalar_add jacobian_sum chain_rule_example chain_jacobians "
        "numerical_jacobian relu_neuron neuron_grad mse_cost mse_grad gradient_descent").split())


@dataclass(frozen=True)
class Member:
    """One generated submission: who, from which template, in which form."""

    student: str
    template: str
    kind: str  # "py" or "ipynb"
    path: Path


def _cells(source: str) -> list[str]:
    """A .py source split into notebook cells at top-level definitions and section comments."""
    chunks = re.split(r"\n(?=(?:def |# =+|import ))", source)
    return [c.strip("\n") for c in chunks if c.strip()]


def to_notebook(source: str, title: str) -> str:
    """The source as a v4 notebook: a markdown title, then one code cell per definition."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# HW03\n{title}"))
    nb.cells.extend(nbformat.v4.new_code_cell(c) for c in _cells(source))
    return nbformat.writes(nb)


def templates(n: int, rng: random.Random) -> list[str]:
    """n template names in the proportions of MIX (rounded, then shuffled)."""
    names = [name for name, share in MIX for _ in range(max(1, round(share * n)))]
    while len(names) < n:
        names.append("passes_all.py")
    rng.shuffle(names)
    return names[:n]


def make_class(folder: Path, n: int = 200, seed: int = 486, *, source: str | None = None) -> list[Member]:
    """Write n submissions `folder/sNNNNN.py|.ipynb`, alternating .py and .ipynb.

    With `source`, every submission is that code (e.g. INSTANT) instead of the MIX templates.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    names = templates(n, rng) if source is None else ["<given>"] * n
    texts: dict[str, str] = {}
    members = []
    for i, name in enumerate(names):
        student = f"s{i:05d}"
        if name not in texts:
            texts[name] = source if source is not None else (FIXTURES / name).read_text(encoding="utf-8")
        body = f"# submitted by {student}\n{texts[name]}"
        kind = "ipynb" if i % 2 else "py"
        path = folder / f"{student}.{kind}"
        path.write_text(to_notebook(body, student) if kind == "ipynb" else body, encoding="utf-8")
        members.append(Member(student, name, kind, path))
    return members
