"""bench/scaleout.py runs from the repository: a small broker board (redis-server, one worker) gives its figures."""

from __future__ import annotations

import shutil

import pytest

from harness import import_file
from judge import ROOT
from tests.conftest import unavailable

scaleout = import_file("mlj_bench_scaleout", ROOT / "bench" / "scaleout.py")
pytestmark = [pytest.mark.redis, pytest.mark.slow]


def test_a_small_broker_board_gives_its_figures() -> None:
    if shutil.which("redis-server") is None:
        unavailable("no redis-server on PATH")
    figures = scaleout.run_setup(slots=1, workers=1, submissions=3, submitters=2)
    assert (figures["graded"], figures["accepted"]) == (3, 3)
    assert figures["per_minute"] > 0
    assert 0 <= figures["start_p50_s"] <= figures["start_p99_s"]
