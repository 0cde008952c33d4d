"""Submissions are read as Python reads them: PEP 263 coding lines, a BOM, notebooks' code cells."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from judge import notebook
from judge.grading import grade
from judge.layout import submission_files
from judge.schedule import python_loops
from judge.staticscan import decode_source
from judge.verdict import Verdict

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "softmax_cross_entropy.py").read_text(encoding="utf-8")


def test_a_coding_line_decodes_as_the_importer_does():
    data = "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")
    text, error = decode_source(data)
    assert error is None and "café" in text


def test_a_bom_is_dropped():
    text, error = decode_source(b"\xef\xbb\xbfx = 1\n")
    assert error is None and text == "x = 1\n"


def test_undecodable_bytes_name_their_offset_and_line():
    text, error = decode_source(b"x = 1\ny = '\xe9'\n", "solution.py")
    assert text is None
    assert "offset 11" in error and "line 2" in error and "0xe9" in error and "coding" in error


def test_an_unknown_coding_is_an_error_not_a_crash():
    text, error = decode_source(b"# coding: no-such-codec\nx = 1\n")
    assert text is None and "no-such-codec" in error


def _notebook(*cells: tuple[str, str]) -> bytes:
    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        nb.cells.append(nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source))
    return nbformat.writes(nb).encode()


def test_a_notebook_is_its_code_cells_in_order():
    script = notebook.to_script(_notebook(("code", "a = 1"), ("markdown", "# not code"), ("code", "b = a + 1")))
    assert script.error is None
    namespace: dict = {}
    exec(compile(script.source, "nb", "exec"), namespace)  # noqa: S102 - our own test text
    assert namespace["b"] == 2 and "not code" not in script.source
    line = script.source.splitlines().index("b = a + 1") + 1
    assert script.where(line) == "cell 2 line 1"


@pytest.mark.parametrize("magic", ["%timeit f()", "!pip install torch", "%%time\nx = 1", "files = !ls", "f?"])
def test_ipython_syntax_is_a_compile_error_naming_its_cell(magic):
    script = notebook.to_script(_notebook(("code", "x = 1"), ("code", f"y = 2\n{magic}")))
    assert script.source is None
    assert "cell 2 line 2" in script.error and "IPython" in script.error


def test_a_syntax_error_names_its_cell():
    script = notebook.to_script(_notebook(("code", "x = 1"), ("code", "def f(:\n    pass")))
    assert script.source is None and "cell 2 line 1" in script.error


def test_a_broken_notebook_is_a_compile_error():
    assert "not a notebook" in notebook.to_script(b'{"cells": 3}').error
    assert "offset 1" in notebook.to_script(b'{\xff}').error


def test_folders_hold_notebooks_too(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.ipynb").write_bytes(_notebook(("code", "x = 1")))
    (tmp_path / "notes.txt").write_text("")
    assert [p.name for _, p in submission_files("kmeans", (tmp_path,))] == ["a.py", "b.ipynb"]


def test_the_schedule_reads_latin1_and_notebooks(tmp_path):
    latin = tmp_path / "a.py"
    latin.write_bytes("# coding: latin-1\n# é\nfor i in range(3):\n    pass\n".encode("latin-1"))
    book = tmp_path / "b.ipynb"
    book.write_bytes(_notebook(("code", "for i in range(2):\n    pass\nwhile False:\n    pass")))
    assert python_loops(latin) == 1 and python_loops(book) == 2


@pytest.mark.parametrize("encoded", [
    ("# -*- coding: latin-1 -*-\n# é\n" + EXAMPLE).encode("latin-1"),
    b"\xef\xbb\xbf" + EXAMPLE.encode(),
], ids=["latin-1", "bom"])
def test_files_python_imports_are_graded(softmax, process_sandbox, tmp_path, encoded):
    path = tmp_path / "solution.py"
    path.write_bytes(encoded)
    result = grade(softmax, path, sandbox=process_sandbox, suite="public")
    assert result.verdict is Verdict.AC, result.message


def test_an_undecodable_file_is_a_compile_error(softmax, process_sandbox, tmp_path):
    path = tmp_path / "solution.py"
    path.write_bytes(b"import torch\n# \xff\n")
    result = grade(softmax, path, sandbox=process_sandbox, suite="public")
    assert result.verdict is Verdict.CE and "offset 15" in result.message


def test_a_notebook_is_graded(softmax, process_sandbox, tmp_path):
    path = tmp_path / "solution.ipynb"
    head, _, rest = EXAMPLE.partition("def cross_entropy")
    path.write_bytes(_notebook(("markdown", "my solution"), ("code", head), ("code", "def cross_entropy" + rest)))
    result = grade(softmax, path, sandbox=process_sandbox, suite="public")
    assert result.verdict is Verdict.AC, result.message
    assert result.submission == str(path)


def test_a_notebook_with_a_magic_is_not_run(softmax, process_sandbox, tmp_path):
    path = tmp_path / "solution.ipynb"
    path.write_bytes(_notebook(("code", "x = 1"), ("code", "!ls\n" + EXAMPLE)))
    result = grade(softmax, path, sandbox=process_sandbox, suite="public")
    assert result.verdict is Verdict.CE and "cell 2 line 1" in result.message
