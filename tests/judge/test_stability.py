"""A verdict does not depend on what else runs on the machine.

The same solutions (the accepted and time-limit ones of kmeans and softmax-cross-entropy, and a wrong
answer) are graded alone and then with every core kept busy by processes that burn CPU, with the same
seed: every test must get the same verdict both times. The per-test limit charges the worker's CPU
time, which a busy machine does not inflate, where wall time would have turned the accepted kmeans
into a TLE.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from judge.challenge import find
from judge.grading import grade
from judge.verdict import Verdict

SOLUTIONS = [
    ("kmeans", "accepted/torch_kmeans.py", Verdict.AC),
    ("kmeans", "time_limit/python_loop.py", Verdict.TLE),
    ("softmax-cross-entropy", "accepted/logsumexp_by_hand.py", Verdict.AC),
    ("softmax-cross-entropy", "time_limit/spins_forever.py", Verdict.TLE),
    ("softmax-cross-entropy", "wrong_answer/naive_softmax.py", Verdict.WA),
]
BURN_SECONDS = 150  # a bound on the burners' life, whatever happens to the test


def _grade_all(sandbox) -> list[tuple[str, Verdict, list[tuple[str, Verdict]]]]:  # noqa: ANN001
    results = []
    for cid, name, _ in SOLUTIONS:
        challenge = find(cid)
        result = grade(challenge, challenge.path / "solutions" / name, sandbox=sandbox, seed=7)
        results.append((f"{cid}/{name}", result.verdict, [(t.name, t.verdict) for t in result.tests]))
    return results


def _burners() -> list[subprocess.Popen]:
    code = f"import time\nend = time.monotonic() + {BURN_SECONDS}\nwhile time.monotonic() < end:\n    pass\n"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(len(os.sched_getaffinity(0)))]


@pytest.mark.slow
def test_the_same_verdicts_alone_and_with_every_core_busy(process_sandbox):
    alone = _grade_all(process_sandbox)
    assert [verdict for _, verdict, _ in alone] == [expected for _, _, expected in SOLUTIONS], alone
    burners = _burners()
    try:
        busy = _grade_all(process_sandbox)
        assert all(b.poll() is None for b in burners), "the cores were busy for the whole second round"
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    for (what, verdict, tests), (_, busy_verdict, busy_tests) in zip(alone, busy):
        assert busy_verdict is verdict, f"{what}: {verdict} alone, {busy_verdict} with every core busy"
        assert busy_tests == tests, f"{what}: the tests' verdicts differ with every core busy"
