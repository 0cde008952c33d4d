"""Output over the cap, and memory errors: kept up to the cap, dropped beyond it, and told plainly."""

from __future__ import annotations

import json

from rich.console import Console

from judge.grading import grade
from judge.reports import print_result, result_dict
from judge.verdict import Verdict

LOUD = '''

import sys as _sys

_sys.stdout.write("x" * (3 << 20))  # 3 MiB at import, far over the 64 KiB the judge keeps
_sys.stdout.flush()
'''


def test_a_right_answer_that_prints_too_much_is_ac_and_told_what_was_dropped(softmax, process_sandbox, tmp_path):
    submission = tmp_path / "solution.py"
    submission.write_text(softmax.reference_path.read_text() + LOUD)
    result = grade(softmax, submission, sandbox=process_sandbox, seed=3)
    assert result.verdict is Verdict.AC, result.message
    assert result.output_dropped >= (3 << 20) - (64 << 10), result.output_dropped
    assert json.loads(json.dumps(result_dict(result)))["output_dropped"] == result.output_dropped
    console = Console(width=80, record=True)
    print_result(console, result)
    text = console.export_text()
    assert "MiB of its" in text and "dropped" in text, text


def test_quiet_code_drops_nothing(softmax, process_sandbox):
    result = grade(softmax, softmax.reference_path, sandbox=process_sandbox, seed=3)
    assert result.verdict is Verdict.AC and result.output_dropped == 0


CUDA_OOM = '''

_real_cross_entropy = cross_entropy


def cross_entropy(*args, **kwargs):  # noqa: F811 - what torch raises when the GPU's memory is spent
    raise RuntimeError("CUDA out of memory. Tried to allocate 16.00 GiB (GPU 0; 139.81 GiB total capacity)")
'''


def test_cuda_out_of_memory_is_mle_about_gpu_memory(softmax, process_sandbox, tmp_path):
    """The GPU path of the verdict, on a machine without a GPU: torch's CUDA OOM error is MLE, never RE
    (scripts/gpu-check.sh provokes the real one on a GPU machine)."""
    submission = tmp_path / "solution.py"
    submission.write_text(softmax.reference_path.read_text() + CUDA_OOM)
    result = grade(softmax, submission, sandbox=process_sandbox, seed=3)
    assert result.verdict is Verdict.MLE, (result.verdict, result.message)
    failing = [t for t in result.tests if t.verdict is Verdict.MLE]
    assert failing and all("GPU memory" in t.message for t in failing), [t.message for t in failing][:2]
