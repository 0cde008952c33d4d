"""The benchmark script runs from the repository and its batch figures add up (on a two-file batch)."""

from __future__ import annotations

import io
import shutil

import pytest
from rich.console import Console

from harness import import_file
from judge import ROOT
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


def test_cold_figures_take_the_baseline_and_both_backends_in_turn(monkeypatch):
    """Round by round, the order of the backends flipped each time; the overhead is the median of the
    rounds' differences. Here the machine slows down by a second a round and one round's docker start is
    slow: the rounds' differences (0.1, 2.0, 0.2) have median 0.2, where the difference of the two
    medians would say 1.2."""
    calls: list[str] = []
    docker_extra = [0.1, 2.0, 0.2]

    def fake_timed(cmd, **kwargs):
        what = "torch" if cmd[-1] == "import torch" else cmd[cmd.index("--sandbox") + 1]
        calls.append(what)
        round_ = sum(1 for c in calls if c == "torch") - 1
        extra = docker_extra[round_ % 3] if what == "docker" else 0.0
        return {"torch": 1.0, "process": 2.0, "docker": 2.0}[what] + extra + round_

    monkeypatch.setattr(bench, "timed", fake_timed)
    figures = bench.cold_figures(3, docker=True)
    assert calls == ["torch", "process", "docker", "torch", "docker", "process", "torch", "process", "docker"]
    assert figures["docker_overhead_s"] == pytest.approx({"median": 0.2, "min": 0.1, "max": 2.0})
    assert figures["cold_process"]["median"] == 3.0 and figures["torch_import"]["n"] == 3
    assert "cold_docker" not in bench.cold_figures(1, docker=False)
