"""Batch grading: every known solution gets the same verdict in parallel as its folder says,
and a cold command-line grading agrees with a warm one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from judge.batch import cpus_for_job, grade_many, resolve
from judge.challenge import Challenge, discover
from judge.layout import submission_files
from judge.sandbox.process import ProcessSandbox
from judge.verdict import SOLUTION_FOLDERS, Verdict

CHALLENGES = [c for c in discover() if isinstance(c, Challenge)]


def known(challenge: Challenge) -> list[tuple[Path, Verdict]]:
    """The reference and the first known solution of each verdict folder: every verdict of every challenge
    (tests/challenges grades every known solution; this is about the batch that grades them together)."""
    first: dict[str, Path] = {}
    for folder, path in challenge.solutions():
        first.setdefault(folder, path)
    return [(challenge.reference_path, Verdict.AC)] + [(p, SOLUTION_FOLDERS[f]) for f, p in first.items()]


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> tuple[Path, dict[str, Verdict]]:
    root = tmp_path_factory.mktemp("batch")
    expected = {}
    for challenge in CHALLENGES:
        (root / challenge.id).mkdir()
        for i, (path, verdict) in enumerate(known(challenge)):
            target = root / challenge.id / f"{i:02d}_{path.name}"
            shutil.copyfile(path, target)
            expected[str(target)] = verdict
    return root, expected


@pytest.mark.slow
def test_parallel_batch_gives_every_known_solution_its_verdict(layout):
    root, expected = layout
    pairs = resolve("all", (root,))
    assert len(pairs) == len(expected) and {c.id for c, _ in pairs} == {c.id for c in CHALLENGES}
    results = grade_many(pairs, sandbox=ProcessSandbox(), seed=9, jobs=2)
    wrong = [(r.submission, r.verdict, expected[r.submission], r.message[:200]) for r in results
             if r.verdict is not expected[r.submission]]
    assert wrong == []
    assert [r.submission for r in results] == [str(p) for _, p in pairs], "results keep the input order"


def test_cold_command_line_agrees_with_warm_batch(layout, tmp_path):
    """One known solution of each verdict, graded cold (a fresh `mlj grade` each) and warm (one batch)."""
    root, expected = layout
    sample: dict[Verdict, str] = {}
    for path, verdict in expected.items():
        sample.setdefault(verdict, path)
    pairs = [(next(c for c in CHALLENGES if c.id == Path(p).parent.name), Path(p)) for p in sample.values()]
    warm = grade_many(pairs, sandbox=ProcessSandbox(), seed=4, jobs=1)
    for (challenge, path), warm_result in zip(pairs, warm):
        report = tmp_path / f"{path.stem}.json"
        proc = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "grade", challenge.id, str(path),
                               "--sandbox", "process", "--seed", "4", "--json-file", str(report)],
                              capture_output=True, text=True, timeout=300)
        cold = json.loads(report.read_text())["submissions"][0]
        assert cold["verdict"] == warm_result.verdict == expected[str(path)], (path, proc.stderr[-500:])
        assert proc.returncode == (0 if cold["verdict"] == "AC" else 1)


def test_collect_reads_folders_named_after_challenges(tmp_path):
    (tmp_path / "kmeans").mkdir()
    (tmp_path / "kmeans" / "a.py").write_text("")
    (tmp_path / "notes.txt").write_text("")
    assert submission_files("all", (tmp_path,)) == [("kmeans", tmp_path / "kmeans" / "a.py")]


def test_each_parallel_job_is_pinned_to_its_own_gpu():
    from judge.sandbox.gpus import cuda_visible_devices, pin_gpu

    assert [pin_gpu(job, "2,5") for job in range(4)] == ["device=2", "device=5", "device=2", "device=5"]
    assert [pin_gpu(job, "3") for job in range(4)] == ["device=0", "device=1", "device=2", "device=0"]
    assert [cuda_visible_devices(g) for g in ("device=1", "2", "0,3", "all")] == ["1", "0,1", "0,3", None]


def test_device_follows_gpus_and_the_challenges_devices():
    from judge.challenge import find
    from judge.grading import device_for, load_request

    softmax = find("softmax-cross-entropy")
    assert device_for(softmax, None) == "cpu" and device_for(softmax, "all") == "cuda"
    assert load_request(softmax, "cuda")["device"] == "cuda"


def test_worker_moves_tensor_arguments_to_its_device():
    import torch

    from harness.worker import to_device

    moved = to_device({"x": [torch.ones(2), 3, (torch.zeros(1, dtype=torch.int64),)]}, "cpu")
    assert isinstance(moved["x"][0], torch.Tensor) and moved["x"][1] == 3 and moved["x"][2][0].dtype == torch.int64


def test_gpus_on_a_host_without_gpus_is_a_clear_usage_error(monkeypatch, tmp_path):
    from click.testing import CliRunner

    import cli
    from judge.sandbox import gpus

    monkeypatch.setattr(gpus, "CONTROL", tmp_path / "nvidiactl")  # a host without the driver, on any host
    result = CliRunner().invoke(cli.main, ["submit", "softmax-cross-entropy", str(Path(__file__)), "--gpus", "all",
                                           "--sandbox", "process"])
    assert result.exit_code == 2 and "no NVIDIA GPU" in result.output


def test_each_parallel_job_keeps_to_its_own_core_when_there_are_enough():
    assert [cpus_for_job(job, 2, {0, 1}) for job in range(2)] == [(0,), (1,)]
    assert [cpus_for_job(job, 2, {5, 2, 9}) for job in range(2)] == [(2,), (5,)]
    assert cpus_for_job(0, 1, {0, 1}) is None, "one job may use every core"
    assert cpus_for_job(0, 3, {0, 1}) is None, "more jobs than cores: the kernel shares them out"


def test_all_gpus_are_listed_for_cuda_by_index(monkeypatch):
    from judge.sandbox.gpus import cuda_visible_devices
    from judge.sandbox.process import sandbox as process

    assert cuda_visible_devices("all", host_gpus=3) == "0,1,2"
    monkeypatch.setattr(process, "host_gpus", lambda: 2)
    assert process._gpu_env("all") == {"CUDA_VISIBLE_DEVICES": "0,1"}, "CUDA does not read 'all'"
    assert process._gpu_env("device=1") == {"CUDA_VISIBLE_DEVICES": "1"} and process._gpu_env(None) == {}
