"""``mlj verify --mutants``: mutants of a reference graded as submissions, survivors reported unless listed.

The fixture is the softmax-cross-entropy package copied to a temporary folder with a tiny reference of its
own and one or two hidden tests, so that its mutants are few and each is known: the ``.mean()`` of
``cross_entropy`` survives once the test of ``cross_entropy`` is removed, and dropping the ``.detach()`` of
the max shift is an equivalent program, listed in mutants.yaml and never reported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from judge import mutants
from judge.challenge import load_challenge

ROOT = Path(__file__).resolve().parents[2]
SOFTMAX = ROOT / "challenges" / "softmax-cross-entropy"

REFERENCE = '''import torch


def log_softmax(x, dim):
    m = x.amax(dim=dim, keepdim=True).detach()
    return x - m - (x - m).exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits, targets, **options):  # no defaults: this fixture's tests never pass an option
    return -log_softmax(logits, 1).gather(1, targets[:, None]).mean()


def make_inputs(n):  # a trusted-side helper beside the graded functions: never mutated
    return torch.randn(n, 5) * 3 > 0
'''

LOG_SOFTMAX_TEST = '''import pytest
import torch


@pytest.mark.group("log_softmax")
def test_log_softmax(sub, ref, check, rng):
    x = torch.randn(6, 5, generator=rng, dtype=torch.float64) * 3
    x[0] = torch.tensor([1e3, -1e3, 0.0, 5.0, -5.0], dtype=torch.float64)  # a shift by the min would overflow
    check(sub.log_softmax(x, 1), ref.log_softmax(x, 1), dtype=torch.float64, name="log_softmax")
'''

CROSS_ENTROPY_TEST = '''import pytest
import torch


@pytest.mark.group("values")
def test_cross_entropy_mean(sub, ref, check, rng):
    logits = torch.randn(8, 5, generator=rng, dtype=torch.float64)
    targets = torch.randint(0, 5, (8,), generator=rng)
    check(sub.cross_entropy(logits, targets), ref.cross_entropy(logits, targets), dtype=torch.float64,
          name="cross_entropy")
'''

EQUIVALENT = {"operator": "mlj/DropCall", "line": "m = x.amax(dim=dim, keepdim=True).detach()", "occurrence": 0,
              "reason": "the shift cancels out of log_softmax, in value and in gradient"}


def make_package(root: Path, *, with_cross_entropy_test: bool = True, equivalent: list | None = None) -> Path:
    package = root / "challenges" / "softmax-cross-entropy"
    package.mkdir(parents=True)
    spec = yaml.safe_load((SOFTMAX / "challenge.yaml").read_text())
    spec.pop("rules", None)  # the real package's rule table names tests this fixture does not have
    (package / "challenge.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    for name in ("statement.md", "stub.py"):
        shutil.copy(SOFTMAX / name, package / name)
    shutil.copytree(SOFTMAX / "tests" / "public", package / "tests" / "public")
    (package / spec["reference"]).write_text(REFERENCE)  # the package's own reference comes first
    hidden = package / "tests" / "hidden"
    hidden.mkdir(parents=True)
    (hidden / "test_log_softmax.py").write_text(LOG_SOFTMAX_TEST)
    if with_cross_entropy_test:
        (hidden / "test_cross_entropy.py").write_text(CROSS_ENTROPY_TEST)
    if equivalent is not None:
        (package / "mutants.yaml").write_text(yaml.safe_dump({"equivalent": equivalent}, sort_keys=False))
    return package


def test_only_the_code_a_submission_provides_is_mutated(tmp_path):
    challenge = load_challenge(make_package(tmp_path))
    found = mutants.mutants(challenge)
    assert found, "the reference has mutants"
    assert not any("randn" in m.source for m in found), "make_inputs is not an entry name: never mutated"
    keys = [m.key for m in found]
    assert len(keys) == len(set(keys)), "every mutant has a key of its own"
    drop = [m for m in found if m.operator == "mlj/DropCall"]
    assert [m.mutated for m in drop] == ["m = x.amax(dim=dim, keepdim=True)"]
    swap = {m.mutated for m in found if m.operator == "mlj/SwapReduction"}
    assert "return -log_softmax(logits, 1).gather(1, targets[:, None]).sum()" in swap  # a sum for a mean
    for mutant in found:
        compile(mutant.code, "mutant", "exec")
        assert mutant.code != REFERENCE


def test_the_scope_follows_what_the_entry_names_use():
    source = "def helper(x):\n    return x\n\n\ndef entry(x):\n    return helper(x)\n\n\ndef alone(x):\n    return x\n"
    assert mutants.graded_scope(source, ["entry"]) == [(1, 2), (5, 6)]


def test_a_bad_mutants_file_is_an_error_that_names_the_field(tmp_path):
    challenge = load_challenge(make_package(tmp_path, equivalent=[{**EQUIVALENT, "reson": "typo"}]))
    with pytest.raises(mutants.MutantsFileError, match="reson"):
        mutants.load_equivalents(challenge)
    (challenge.path / "mutants.yaml").write_text(yaml.safe_dump({"equivalent": [{**EQUIVALENT, "operator": "x/Y"}]}))
    with pytest.raises(mutants.MutantsFileError, match="unknown operator"):
        mutants.load_equivalents(challenge)


def _verify(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MLJ_CHALLENGES_DIR=str(root / "challenges"), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "cli", "verify", "--mutants", "softmax-cross-entropy",
                           "--sandbox", "process"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_a_survivor_fails_the_check_and_a_listed_equivalent_does_not(tmp_path):
    complete = tmp_path / "complete"
    make_package(complete, equivalent=[EQUIVALENT])
    run = _verify(complete)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 equivalent" in run.stdout and "0 survived" in run.stdout
    assert "survived line" not in run.stdout
    assert "mutants: 1 passed, 0 failed" in run.stdout

    holed = tmp_path / "holed"  # the test of cross_entropy removed: its mean can become a sum unnoticed
    make_package(holed, with_cross_entropy_test=False, equivalent=[EQUIVALENT])
    run = _verify(holed)
    assert run.returncode == 1, run.stdout + run.stderr
    survivors = [line for line in run.stdout.splitlines() if "survived line" in line]
    assert any(".gather(1, targets[:, None]).sum()" in line and "mlj/SwapReduction" in line for line in survivors)
    assert not any("mlj/DropCall" in line for line in survivors), "a listed equivalent mutant is never reported"
    assert "operator: mlj/SwapReduction" in run.stdout, "the entry to list it with is printed"


@pytest.mark.slow
def test_a_stale_entry_and_a_killed_entry_fail_the_check(tmp_path, process_sandbox):
    killed = {"operator": "core/ReplaceBinaryOperator_Sub_Add", "line": EQUIVALENT["line"].replace(".detach()", ""),
              "occurrence": 0, "reason": "a line that is not in the reference any more"}
    challenge = load_challenge(make_package(tmp_path, equivalent=[EQUIVALENT, killed, {
        "operator": "mlj/SwapReduction", "line": "return -log_softmax(logits, 1).gather(1, targets[:, None]).mean()",
        "occurrence": 0, "reason": "claimed equivalent, but the cross_entropy test kills it"}]))
    report = mutants.run(challenge, sandbox=process_sandbox,
                         operators=("mlj/DropCall", "mlj/SwapReduction", "core/ReplaceBinaryOperator_Sub_Add"))
    assert report.reference_ok
    assert [e.operator for e in report.stale] == ["core/ReplaceBinaryOperator_Sub_Add"]
    assert [m.operator for m, _ in report.killed_but_listed] == ["mlj/SwapReduction"]
    assert [m.operator for m, _ in report.explained] == ["mlj/DropCall"]
    assert not report.survivors and not report.ok


def test_changed_challenges_lists_the_packages_and_references_a_change_touches(tmp_path):
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "changed-challenges.sh", repo / "scripts")
    for cid, reference in (("alpha", "alpha.py"), ("beta", "beta.py"), ("gamma", "own.py")):
        (repo / "challenges" / cid).mkdir(parents=True)
        (repo / "challenges" / cid / "challenge.yaml").write_text(f"id: {cid}\nreference: {reference}  # note\n")
    (repo / "challenges" / "gamma" / "own.py").write_text("x = 1\n")  # in the package: it wins
    (repo / "reference").mkdir()
    for name in ("alpha.py", "beta.py", "own.py"):
        (repo / "reference" / name).write_text("x = 1\n")

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                              env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                                       GIT_COMMITTER_EMAIL="t@t")).stdout

    def changed(*args: str) -> list[str]:
        return subprocess.run(["bash", "scripts/changed-challenges.sh", *args], cwd=repo, check=True,
                              capture_output=True, text=True).stdout.split()

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    git("commit", "-q", "--allow-empty", "-m", "two")
    assert changed() == []
    (repo / "reference" / "alpha.py").write_text("x = 2\n")  # alpha's reference, uncommitted
    (repo / "reference" / "own.py").write_text("x = 2\n")  # not gamma's: its package holds its own
    assert changed() == ["alpha"]
    (repo / "challenges" / "beta" / "new_test.py").write_text("")  # untracked, in beta's folder
    assert changed() == ["alpha", "beta"]
    git("add", ".")
    git("commit", "-q", "-m", "three")
    assert changed("HEAD") == []
    assert changed("HEAD~1") == ["alpha", "beta"]
    assert changed("no-such-commit") == ["alpha", "beta", "gamma"], "no history: every challenge, never none"
