"""The benchmark script runs from the repository and its batch figures add up (on a two-file batch)."""

from __future__ import annotations

import io
import shutil

import pytest
from rich.console import Console

from harness import import_file
from judge.challenge import ROOT
from tests.conftest import FIXTURES

bench = import_file("mlj_bench_run", ROOT / "bench" / "run.py")


def test_batch_figures_of_a_small_batch(tmp_path, softmax):
    folder = tmp_path / "batch"
    (folder / softmax.id).mkdir(parents=True)
    shutil.copyfile(softmax.reference_path, folder / softmax.id / "a.py")
    shutil.copyfile(FIXTURES / "softmax" / "re_exception.py", folder / softmax.id / "b.py")
    figures = bench.batch_figures(folder, 1, Console(file=io.StringIO()))
    for jobs in (1, 2):
        fig = figures[f"batch_jobs{jobs}"]
        assert fig["runs"] == 1 and fig["seconds"] > 0
        assert fig["per_minute"] == pytest.approx(2 / fig["seconds"] * 60)  # the files it graded, not BATCH
        assert 0 < fig["grading_seconds"] <= jobs * fig["seconds"] and 0 < fig["busy"] <= 1
    speedup = figures["batch_speedup"]
    assert speedup["ratio"] == pytest.approx(figures["batch_jobs1"]["seconds"] / figures["batch_jobs2"]["seconds"])
    assert speedup["pairs"] == [speedup["ratio"]] and figures["machine_two_cores"]["pairs"] == [
        figures["machine_two_cores"]["ratio"]]
    machine = figures["machine_two_cores"]  # CI's machine, like the one the targets are for, has two cores
    assert 0.3 < machine["ratio"] < 3  # a wall-clock ratio: anything from a starved core to two free ones
    assert speedup["of_machine"] == pytest.approx(speedup["ratio"] / machine["ratio"])


def test_the_two_core_probe_needs_two_cores(monkeypatch):
    monkeypatch.setattr(bench.os, "sched_getaffinity", lambda pid: {0})
    assert bench.machine_pair() is None
