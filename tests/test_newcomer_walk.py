"""A newcomer's walk, end to end, with a non-editable install in a fresh venv under /tmp.

``pip install .`` (not ``-e``), then from a folder outside the repository: the README's first
command, ``mlj list``, ``mlj start``, a wrong then a right solution, ``mlj submit``, a notebook,
``mlj grade`` with the Markdown and CSV summaries; and a worker of the installed judge cannot
read the installed catalog's hidden tests.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "softmax_cross_entropy.py"
IDS = sorted(p.name for p in (ROOT / "challenges").iterdir() if (p / "challenge.yaml").is_file())


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    where = Path("/tmp") / f"mlj-walk-{os.getpid()}"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(where)], check=True)
    # torch and the other dependencies come from the system site-packages: nothing is downloaded again
    pip = subprocess.run([str(where / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                          "--disable-pip-version-check", str(ROOT)], capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stderr[-3000:]
    yield where
    subprocess.run(["rm", "-rf", str(where)], check=False)


def mlj(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MLJ_DATA_DIR=str(cwd / "data"), COLUMNS="80")
    env.pop("MLJ_CHALLENGES_DIR", None)
    return subprocess.run([str(venv / "bin" / "mlj"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_a_newcomers_walk_with_a_plain_pip_install(venv, tmp_path):
    home = tmp_path / "newcomer"
    home.mkdir()
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "judge" / "catalog" / "challenges").is_dir() and not (site / "challenges").exists()

    listed = mlj(venv, home, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(row["id"] for row in json.loads(listed.stdout)) == IDS

    first = mlj(venv, home, "submit", "softmax-cross-entropy", str(EXAMPLE), "--sandbox", "process")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert "AC" in first.stdout

    started = mlj(venv, home, "start", "softmax-cross-entropy")
    assert started.returncode == 0 and "mlj test softmax-cross-entropy" in started.stdout
    wrong = mlj(venv, home, "test", "softmax-cross-entropy", "--sandbox", "process")
    assert wrong.returncode == 1 and "not implemented yet" in wrong.stdout
    (home / "softmax-cross-entropy" / "solution.py").write_text(EXAMPLE.read_text())
    right = mlj(venv, home, "test", "softmax-cross-entropy", "--sandbox", "process")
    assert right.returncode == 0, right.stdout[-2000:]
    submitted = mlj(venv, home, "submit", "softmax-cross-entropy", "--sandbox", "process")
    assert submitted.returncode == 0, submitted.stdout[-2000:]
    status = json.loads(mlj(venv, home, "status", "--json").stdout)
    assert status["softmax-cross-entropy"]["last_verdict"] == "AC"

    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_markdown_cell("my answer"), nbformat.v4.new_code_cell(EXAMPLE.read_text())]
    (home / "solution.ipynb").write_text(nbformat.writes(book))
    notebook = mlj(venv, home, "submit", "softmax-cross-entropy", "solution.ipynb", "--sandbox", "process")
    assert notebook.returncode == 0, notebook.stdout[-2000:]

    subs = home / "subs"
    subs.mkdir()
    (subs / "right.py").write_text(EXAMPLE.read_text())
    (subs / "wrong.py").write_text("def log_softmax(x, dim=-1)\n")
    (subs / "book.ipynb").write_text(nbformat.writes(book))
    graded = mlj(venv, home, "grade", "softmax-cross-entropy", "subs", "--sandbox", "process",
                 "--summary-md", "summary.md", "--csv", "grades.csv")
    assert graded.returncode == 1, graded.stdout[-2000:] + graded.stderr[-2000:]
    assert all(len(line) <= 80 for line in graded.stdout.splitlines())
    rows = {r["submission"]: r["verdict"] for r in csv.DictReader((home / "grades.csv").open())}
    assert rows == {"subs/book.ipynb": "AC", "subs/right.py": "AC", "subs/wrong.py": "CE"}
    assert "2 of 3 submissions accepted" in (home / "summary.md").read_text()


@pytest.mark.slow
def test_an_installed_judge_hides_its_catalog_from_the_worker(venv, tmp_path):
    site = next((venv / "lib").glob("python3*/site-packages"))
    hidden = site / "judge" / "catalog" / "challenges" / "softmax-cross-entropy" / "tests" / "hidden"
    target = sorted(hidden.glob("test_*.py"))[0]
    assert target.read_text(), "the installed catalog holds the hidden tests"
    probe = tmp_path / "probe.py"
    # a correct solution, unless the hidden test can be read: then every answer is wrong
    scaled = EXAMPLE.read_text().replace("from __future__ import annotations\n", "").replace(
        "    work = logits", "    logits = logits * (1 + SEEN)\n    work = logits")
    probe.write_text(f"try:\n    SEEN = len(open({str(target)!r}).read())\nexcept OSError:\n    SEEN = 0\n" + scaled)
    result = mlj(venv, tmp_path, "submit", "softmax-cross-entropy", str(probe), "--sandbox", "process", "--json")
    data = json.loads(result.stdout)
    assert data["verdict"] == "AC", data["reason"]
