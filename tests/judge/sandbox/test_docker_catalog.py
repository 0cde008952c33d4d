"""Every challenge's known solutions in the docker sandbox (a file of its own, so that the test runner's
processes grade it beside test_docker.py's other tests rather than after them).

One seed, and no wrong answers: the process backend's verify (tests/challenges) grades every wrong solution
on several seeds, and a wrong answer is decided on the trusted side from values that do not depend on the
sandbox; what does (limits, imports, crashes, the guard) is in the folders graded here. The time_limit
solutions, which cost twice their limit each, run for the challenges whose overruns differ in kind (a
Python loop in NumPy code, a spin in torch code); every other challenge's are graded by the process
backend's verify.
"""

from __future__ import annotations

import pytest

from judge.challenge import BrokenChallenge, discover
from judge.sandbox.docker.sandbox import DockerUnavailable
from judge.verify import verify
from tests.conftest import unavailable
from tests.judge.sandbox.test_docker import Recording, assert_clean, sdk

SANDBOX_FOLDERS = frozenset({"accepted", "memory_limit", "runtime_error", "compile_error", "forbidden"})
TIME_LIMIT_IN_DOCKER = {"kmeans", "softmax-cross-entropy"}


@pytest.fixture(scope="module")
def box():
    try:
        sandbox = Recording.open()
    except DockerUnavailable as exc:
        unavailable(str(exc))
    yield sandbox
    sandbox.close()
    assert_clean(sdk.from_env(), getattr(sandbox, "made", []))


@pytest.mark.docker
@pytest.mark.parametrize("challenge", [pytest.param(c, id=c.id) for c in discover()])
def test_every_known_solution_gets_its_verdict_in_docker(box, challenge):
    if isinstance(challenge, BrokenChallenge):
        pytest.fail(f"{challenge.id}: broken challenge.yaml: {'; '.join(challenge.errors)}")
    folders = SANDBOX_FOLDERS | ({"time_limit"} if challenge.id in TIME_LIMIT_IN_DOCKER else set())
    checks = verify([challenge], sandbox=box, seed=12345, seeds=1, folders=frozenset(folders))
    bad = [f"{c.what}: expected {c.expected}, got {c.got} ({c.detail})" for c in checks if not c.ok]
    assert bad == []
    graded = [c for c in checks if c.result is not None]  # coverage and margin rows carry no grading
    assert graded and all(c.result.sandbox == "docker" for c in graded)
