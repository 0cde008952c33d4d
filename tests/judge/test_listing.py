"""`mlj list`: filters by tag and difficulty, summaries, counts, and the README's table of challenges."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from judge import ROOT
from judge.challenge import CHALLENGES_DIR, Challenge, discover, load_challenge
from judge.listing import UnknownTag, markdown_table, select, summary

SOURCE = CHALLENGES_DIR / "softmax-cross-entropy"


def make(root: Path, cid: str, difficulty: str, tags: list[str], summary_line: str = "") -> Path:
    """A copy of a built-in package under another id, difficulty and tags."""
    target = root / cid
    shutil.copytree(SOURCE, target, ignore=shutil.ignore_patterns("__pycache__"))
    text = (target / "challenge.yaml").read_text()
    text = re.sub(r"(?m)^id: .*$", f"id: {cid}", text)
    text = re.sub(r"(?m)^difficulty: .*$", f"difficulty: {difficulty}", text)
    text = re.sub(r"(?m)^summary: .*\n", "", text)
    text = re.sub(r"(?m)^tags: .*$", f"tags: [{', '.join(tags)}]" + (f"\nsummary: {summary_line!r}"
                                                                      if summary_line else ""), text)
    (target / "challenge.yaml").write_text(text)
    return target


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    make(tmp_path, "alpha", "easy", ["pytorch", "losses"])
    make(tmp_path, "beta", "hard", ["numpy", "LLM"], summary_line="Sample tokens | exactly.")
    make(tmp_path, "gamma", "hard", ["pytorch", "llm", "losses"])
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "challenge.yaml").write_text("format: 1\n")
    return tmp_path


def test_filters_need_every_tag_and_the_difficulty(catalog: Path) -> None:
    found = discover(catalog)
    ids = lambda listing: [c.id for c in listing.shown if isinstance(c, Challenge)]  # noqa: E731
    assert ids(select(found)) == ["alpha", "beta", "gamma"]
    assert ids(select(found, tags=("llm",))) == ["beta", "gamma"]  # tags compare case-insensitively
    assert ids(select(found, tags=("llm", "losses"))) == ["gamma"]
    assert ids(select(found, difficulty="hard", tags=("PyTorch",))) == ["gamma"]
    assert ids(select(found, difficulty="easy", tags=("llm",))) == []
    # the broken package stays in view whatever the filters: hiding it would hide its error
    assert "broken" in [c.id for c in select(found, tags=("llm",)).shown]


def test_footer_counts_what_is_shown(catalog: Path) -> None:
    found = discover(catalog)
    assert select(found).footer((), None) == "3 challenges: 1 easy, 2 hard"
    assert select(found, tags=("llm",)).footer(("llm",), None) == "2 of 3 challenges (tag llm): 2 hard"
    assert select(found, difficulty="medium").footer((), "medium") == "0 of 3 challenges (difficulty medium)"


def test_an_unknown_tag_is_an_error_that_lists_the_tags(catalog: Path) -> None:
    with pytest.raises(UnknownTag, match=r"no challenge has the tag 'lossses'; the tags are: llm, losses, numpy"):
        select(discover(catalog), tags=("lossses",))


def test_summary_is_the_field_or_the_statements_first_sentence(catalog: Path) -> None:
    assert summary(load_challenge(catalog / "beta")) == "Sample tokens | exactly."
    first = summary(load_challenge(catalog / "alpha"))
    assert first.startswith("Implement the loss behind almost every classifier") and first.endswith("formula.")
    statement = catalog / "alpha" / "statement.md"
    statement.write_text("# T\n\nUse a stable form, e.g. the log-sum-exp. Then more.\n" + "x " * 200)
    assert summary(load_challenge(catalog / "alpha")) == "Use a stable form, e.g. the log-sum-exp."
    statement.write_text("# T\n\n" + "word " * 60 + "\n")
    long = summary(load_challenge(catalog / "alpha"))
    assert len(long) <= 150 and long.endswith("…")


def test_markdown_table_escapes_pipes(catalog: Path) -> None:
    table = markdown_table([load_challenge(catalog / "beta")])
    assert table.splitlines()[2] == ("| `beta` | **Numerically stable softmax cross-entropy**. Sample tokens \\| "
                                     "exactly. | hard | numpy, LLM |")


def test_the_cli_filters_and_exits_2_on_an_unknown_tag(catalog: Path) -> None:
    env = {**os.environ, "MLJ_CHALLENGES_DIR": str(catalog), "COLUMNS": "200"}

    def mlj(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli", "list", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    shown = mlj("--tag", "llm", "--difficulty", "hard")
    assert "gamma" in shown.stdout and "beta" in shown.stdout and "alpha" not in shown.stdout
    assert "2 of 3 challenges (tag llm, difficulty hard): 2 hard" in shown.stdout
    assert shown.returncode == 2  # the broken package is listed, and makes the exit code say so
    bad = mlj("--tag", "nope")
    assert bad.returncode == 2 and "no challenge has the tag 'nope'" in bad.stderr


def test_the_readme_table_is_the_catalogs() -> None:
    """README.md keeps `mlj list --markdown` between its markers: a new challenge updates it."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- challenges: mlj list --markdown -->\n(.*?)<!-- /challenges -->", readme, re.S)
    assert match, "README.md has no table of challenges between its markers"
    want = markdown_table([c for c in discover() if isinstance(c, Challenge)])
    assert match.group(1) == want, "the README's table of challenges is stale: paste `mlj list --markdown` into it"
