"""Starter files (starter.py, starter.ipynb) generated from an assignment definition, never by hand."""
from __future__ import annotations

import ast
import textwrap

import nbformat

from grader.assignment import Assignment, FunctionSpec, Part
from grader.versions import Environment

WIDTH = 92
PREAMBLE = ("Replace every `raise NotImplementedError(...)` with your code. Keep the function names and "
            "parameters exactly as they are: the grader calls them. Use numpy and the Python standard "
            "library only, and do not modify the arrays you are given.")


class StarterError(ValueError):
    """The definition cannot be turned into a starter (a bad signature or text): the instructor's to fix."""


def _flow(text: str, indent: str = "", width: int = WIDTH) -> str:
    """Text with its whitespace collapsed, wrapped to `width` (TOML multi-line strings keep line breaks)."""
    return textwrap.fill(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def _points(x: float) -> str:
    return f"{x:g} point" + ("" if x == 1 else "s")


def part_points(part: Part) -> float:
    return sum(f.points for f in part.functions)


def check_signature(spec: FunctionSpec) -> str:
    """`def name(params):` from the TOML signature; StarterError unless it parses and names the function."""
    header = f"def {spec.signature}:"
    try:
        tree = ast.parse(header + "\n    pass\n")
    except SyntaxError as exc:
        raise StarterError(f"{spec.name}: signature {spec.signature!r} is not a Python signature ({exc.msg}); "
                           "fix it in assignment.toml") from None
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef) or node.name != spec.name:
        raise StarterError(f"{spec.name}: signature {spec.signature!r} names another function; fix assignment.toml")
    return header


def stub(spec: FunctionSpec) -> str:
    """One function: its signature, a docstring with the contract, and a body that raises NotImplementedError."""
    header = check_signature(spec)
    text = " ".join([spec.signature, spec.returns, spec.doc])
    if '"""' in text:
        raise StarterError(f"{spec.name}: the contract text holds triple quotes; remove them from assignment.toml")
    quote = 'r"""' if "\\" in text else '"""'
    body = [_flow(spec.doc or spec.returns, "    ").lstrip(), ""]
    if spec.doc and spec.returns:
        body += [_flow(f"In short: {spec.returns}.", "    ")]
    body += [f"    Worth {_points(spec.points)}.", '    """']
    return "\n".join([header, f"    {quote}{body[0]}", *body[1:],
                      f'    raise NotImplementedError("{spec.name} is not implemented yet")', ""])


def _comment(markdown: str) -> str:
    """Markdown (with LaTeX) as `#` comment lines: prose wrapped, display math and tables kept whole."""
    out = []
    for line in markdown.strip().splitlines():
        if not line.strip():
            out.append("#")
        elif line.lstrip().startswith(("$$", "|")):
            out.append("# " + line)
        else:
            out.append(_flow(line, "# ", WIDTH))
    return "\n".join(out)


def graded_with(environment: Environment | None) -> str:
    """The starters' sentence naming the grading environment ("" when not known: the committed copies)."""
    if environment is None:
        return ""
    return (f"Your work is graded with {environment.sentence()}: code that needs a newer Python or "
            "another numpy may fail there (the self-check warns when yours differ).")


def starter_py(assignment: Assignment, environment: Environment | None = None) -> str:
    """The .py starter: module docstring, numpy import, then per part its formulas and its stubs.
    With the grading `environment` (the bundle's copy), the docstring names its versions."""
    versions = graded_with(environment)
    lines = [f'"""{assignment.id} starter: {assignment.title}.', "",
             _flow(PREAMBLE), "",
             _flow(f"Check your work with `python selfcheck.py {assignment.id}.py` from the student bundle "
                   "(public cases only; the grade also counts hidden cases). This file is generated from "
                   "the assignment definition."),
             *(["", _flow(versions)] if versions else []),
             '"""', "import numpy as np", ""]
    for number, part in enumerate(assignment.parts, 1):
        rule = "# " + "=" * (WIDTH - 2)
        lines += ["", rule, f"# Part {number}: {part.title} ({_points(part_points(part))})"]
        if part.formula:
            lines += ["#", _comment(part.formula)]
        lines += [rule, ""]
        for spec in part.functions:
            lines += ["", stub(spec)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _part_markdown(number: int, part: Part) -> str:
    names = ", ".join(f"`{f.name}`" for f in part.functions)
    head = f"## Part {number}: {part.title} ({_points(part_points(part))})"
    return "\n\n".join(x for x in (head, part.formula, f"Functions of this part: {names}.") if x)


def starter_ipynb(assignment: Assignment, environment: Environment | None = None) -> str:
    """The notebook starter: a markdown cell per part quoting the lecture, a code cell per stub; stable ids.
    With the grading `environment` (the bundle's copy), the first cell names its versions."""
    v4 = nbformat.v4
    versions = graded_with(environment)
    intro = (f"# {assignment.id}: {assignment.title}\n\n{PREAMBLE}\n\n"
             f"Run the code cells in order. Submit this notebook as `{assignment.id}.ipynb`, and check it "
             f"first with `python selfcheck.py {assignment.id}.ipynb` from the student bundle (public cases "
             "only; the grade also counts hidden cases). Cells that only try things out are fine: the "
             "grader runs every code cell in order and then calls the functions."
             + (f"\n\n{versions}" if versions else ""))
    cells = [v4.new_markdown_cell(intro, id="intro"), v4.new_code_cell("import numpy as np", id="imports")]
    for number, part in enumerate(assignment.parts, 1):
        cells.append(v4.new_markdown_cell(_part_markdown(number, part), id=f"part-{part.name}"[:64]))
        cells += [v4.new_code_cell(stub(spec).rstrip("\n"), id=f"fn-{spec.name}"[:64]) for spec in part.functions]
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nbformat.writes(nb)
