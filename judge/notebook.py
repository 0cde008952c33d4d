"""Jupyter notebooks as submissions: their code cells, in order, are the Python module that is graded.

A notebook is read with ``nbformat`` (plain JSON: nothing in it is executed or unpickled here).
Markdown and raw cells are left out. IPython's own syntax (``%magic``, ``%%cell magic``,
``!shell``, ``x = !cmd``, ``obj?``) is not Python: a notebook that uses it is a compile error
naming the cell, and nothing of it runs. Every code cell must parse on its own, as it does in
Jupyter, so a syntax error names its cell and its line there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from judge.pyast import parse

SUFFIX = ".ipynb"

#: lines IPython reads as its own syntax (after any indentation): magics, shell escapes, help
_IPYTHON_LINE = re.compile(r"^\s*(%%?\w|!|\w[\w.]*\s*=\s*[%!]|[\w.]+\?\??\s*$|\?)")


@dataclass(frozen=True)
class Script:
    """A notebook as one module: ``source``, or ``error`` (a compile error) when it is not one."""

    source: str | None
    error: str | None
    #: for each line of ``source`` (from 1): (cell number from 1, line in that cell from 1)
    lines: tuple[tuple[int, int], ...] = ()

    def where(self, line: int) -> str:
        """"cell 3 line 2" for a line of ``source``."""
        if 1 <= line <= len(self.lines):
            cell, at = self.lines[line - 1]
            return f"cell {cell} line {at}"
        return f"line {line}"


def to_script(data: bytes, filename: str = "solution.ipynb") -> Script:
    """The module a notebook's code cells make, or the compile error that says why there is none."""
    import nbformat

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Script(None, f"cannot decode {filename} as UTF-8 (a notebook is UTF-8 JSON): byte "
                            f"0x{data[exc.start]:02x} at offset {exc.start}")
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises JSON, validation and version errors alike
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        return Script(None, f"{filename} is not a notebook nbformat can read: {first}")
    parts: list[str] = []
    lines: list[tuple[int, int]] = []
    number = 0
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            parse(source, filename=f"{filename} cell {number}")
        except SyntaxError as exc:
            return Script(None, _cell_error(source, number, exc))
        except (ValueError, MemoryError, RecursionError) as exc:
            return Script(None, f"cell {number}: cannot parse it: {type(exc).__name__}")
        header = f"# {filename}, cell {number}"
        parts += [header, source.rstrip("\n"), ""]
        lines.append((number, 0))
        lines += [(number, i + 1) for i in range(source.rstrip("\n").count("\n") + 1)]
        lines.append((number, source.rstrip("\n").count("\n") + 2))
    if not number:
        return Script(None, f"{filename} has no code cells")
    return Script("\n".join(parts) + "\n", None, tuple(lines))


def _cell_error(source: str, number: int, exc: SyntaxError) -> str:
    """A cell that does not parse: IPython syntax named as such, else the syntax error in the cell."""
    for at, line in enumerate(source.splitlines(), 1):
        if _IPYTHON_LINE.match(line):
            return (f"cell {number} line {at}: {line.strip()[:80]!r} is IPython syntax (a magic, a shell escape "
                    "or help), not Python; the judge runs notebooks as plain Python: take it out")
    return f"SyntaxError: {exc.msg} (cell {number} line {exc.lineno})"
