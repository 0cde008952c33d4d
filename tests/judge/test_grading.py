"""Every verdict, produced by a real submission graded in the process sandbox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from judge.challenge import Challenge
from judge.grading import grade
from judge.verdict import Verdict
from tests.conftest import FIXTURES, expected_verdict

SUBMISSIONS = sorted((FIXTURES / "softmax").glob("*.py"))


@pytest.mark.parametrize("path", SUBMISSIONS, ids=[p.stem for p in SUBMISSIONS])
def test_submission_gets_its_verdict(softmax, process_sandbox, path: Path):
    result = grade(softmax, path, sandbox=process_sandbox, seed=1234)
    assert result.verdict == Verdict(expected_verdict(path)), (result.verdict, result.message, result.log[-2000:])
    if result.verdict is not Verdict.AC:
        assert result.message, "every verdict other than AC carries a message"
        assert result.score < result.max_score
    else:
        assert result.score == result.max_score > 0


def test_wrong_answer_message_has_the_figures(softmax, process_sandbox):
    result = grade(softmax, FIXTURES / "softmax" / "wa_patches_allclose.py", sandbox=process_sandbox, seed=1)
    wrong = [t for t in result.tests if t.verdict is Verdict.WA]
    assert wrong
    values = next(t for t in wrong if t.group == "values")
    assert "every value is 0" in values.message or "max abs error" in values.message
    text = next(t.message for t in wrong if "max abs error" in t.message)
    assert "index" in text and "rtol=" in text and "values differ" in text


def test_runtime_error_shows_the_submissions_traceback_only(softmax, process_sandbox):
    result = grade(softmax, FIXTURES / "softmax" / "re_exception.py", sandbox=process_sandbox, seed=1)
    message = result.tests[0].message
    assert "RuntimeError" in message and "shape" in message
    assert "line 6" in message and "helper" in message
    assert "harness" not in message and "site-packages" not in message


def test_compile_error_names_the_line(softmax, process_sandbox, tmp_path):
    bad = tmp_path / "solution.py"
    bad.write_text("import torch\n\ndef log_softmax(x, dim=-1)\n    return x\n")
    result = grade(softmax, bad, sandbox=process_sandbox)
    assert result.verdict is Verdict.CE
    assert "line 3" in result.message


def test_missing_name_is_compile_error_with_the_name(softmax, process_sandbox):
    result = grade(softmax, FIXTURES / "softmax" / "ce_missing_name.py", sandbox=process_sandbox)
    assert result.verdict is Verdict.CE and "cross_entropy" in result.message


def test_forbidden_call_names_api_and_line(softmax, process_sandbox):
    result = grade(softmax, FIXTURES / "softmax" / "fb_aten_op.py", sandbox=process_sandbox)
    assert result.verdict is Verdict.FB
    assert "_log_softmax" in result.message and "line 9" in result.message
    static = grade(softmax, FIXTURES / "softmax" / "fb_static.py", sandbox=process_sandbox)
    assert "line 7" in static.message and "torch.nn.functional.log_softmax" in static.message


def test_memory_limit_says_memory(softmax, process_sandbox):
    result = grade(softmax, FIXTURES / "softmax" / "mle_allocates.py", sandbox=process_sandbox)
    assert result.verdict is Verdict.MLE
    assert any("memory" in t.message.lower() for t in result.tests if t.verdict is Verdict.MLE)


def test_time_limit_kills_everything_the_submission_started(softmax, process_sandbox):
    result = grade(softmax, FIXTURES / "softmax" / "tle_setsid_child.py", sandbox=process_sandbox)
    assert result.verdict is Verdict.TLE
    assert "time limit" in result.tests[0].message
    leftovers = subprocess.run(["pgrep", "-f", "mlj-test-orphan-marker"], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "a process the submission started outlived the grading"


def test_stdout_of_the_submission_is_a_log_not_a_result(softmax, process_sandbox):
    result = grade(softmax, FIXTURES / "softmax" / "wa_fake_report.py", sandbox=process_sandbox)
    assert result.verdict is Verdict.WA
    assert '"verdict": "AC"' in result.log  # captured and shown as a log ...
    assert result.score == 0  # ... and never read as a result


def test_public_suite_runs_public_tests(softmax, process_sandbox):
    result = grade(softmax, softmax.reference_path, sandbox=process_sandbox, suite="public")
    assert result.verdict is Verdict.AC and result.suite == "public"
    assert all(t.name.startswith("test_basics.py::") for t in result.tests)


def test_random_hidden_seed_is_recorded_and_differs(softmax, process_sandbox):
    a = grade(softmax, softmax.reference_path, sandbox=process_sandbox)
    b = grade(softmax, softmax.reference_path, sandbox=process_sandbox)
    assert a.verdict is b.verdict is Verdict.AC
    assert a.seed != b.seed


def test_unreadable_submission_is_a_judge_error(softmax, process_sandbox, tmp_path):
    missing = tmp_path / "nope.py"
    result = grade(softmax, missing, sandbox=process_sandbox)
    assert result.verdict is Verdict.JE and "cannot read" in result.message


def test_worker_environment_holds_no_secrets(softmax, process_sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("MLJ_SECRET_FOR_TEST", "hunter2")
    spy = tmp_path / "solution.py"
    spy.write_text(
        "import os, torch\n"
        "def log_softmax(x, dim=-1):\n"
        "    raise RuntimeError(repr(sorted(os.environ)) + ' ' + os.getcwd())\n"
        "def cross_entropy(logits, targets, **kw):\n"
        "    raise RuntimeError('x')\n")
    result = grade(softmax, spy, sandbox=process_sandbox, suite="public")
    message = result.tests[0].message
    assert "MLJ_SECRET_FOR_TEST" not in message and "hunter2" not in message
    assert "mlj-worker-" in message  # it ran in its scratch directory


def test_pytest_plugins_installed_on_the_host_stay_out_of_a_grading(softmax, process_sandbox, tmp_path, monkeypatch):
    """A plugin registered through a pytest11 entry point (as pip installs them) is not loaded by a grading."""
    marker = tmp_path / "loaded"
    (tmp_path / "mlj_host_plugin.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    info = tmp_path / "mlj_host_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mlj-host-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pytest11]\nmlj_host_plugin = mlj_host_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from importlib.metadata import entry_points

    assert "mlj_host_plugin" in {e.name for e in entry_points(group="pytest11")}, "the plugin is installed"
    result = grade(softmax, softmax.reference_path, sandbox=process_sandbox, seed=1)
    assert result.verdict is Verdict.AC
    assert not marker.exists(), "the grading loaded a plugin the judge did not ask for"


def test_tests_left_unrun_when_the_total_time_runs_out_are_not_accepted(softmax, process_sandbox, tmp_path):
    """The tests that ran passed, the rest never ran: that is a time limit, not AC with a low score."""
    slow = tmp_path / "solution.py"  # right, but 0.2 s a call: a 1 s budget runs out part way, on any machine
    slow.write_text(softmax.reference_path.read_text() + (
        "\n\nimport time as _time\n_log_softmax, _cross_entropy = log_softmax, cross_entropy\n\n\n"
        "def log_softmax(*args, **kwargs):\n    _time.sleep(0.2)\n    return _log_softmax(*args, **kwargs)\n\n\n"
        "def cross_entropy(*args, **kwargs):\n    _time.sleep(0.2)\n    return _cross_entropy(*args, **kwargs)\n"))
    limits = softmax.spec.limits.model_copy(update={"total_time": 1.0})
    hurried = Challenge(softmax.spec.model_copy(update={"limits": limits}), softmax.path)
    result = grade(hurried, slow, sandbox=process_sandbox, seed=1)
    assert any(t.verdict is Verdict.NR for t in result.tests), "the budget should run out part way"
    assert all(t.verdict in (Verdict.AC, Verdict.NR) for t in result.tests)
    assert result.verdict is Verdict.TLE and not result.accepted and result.score < result.max_score
    assert "total time" in result.message


def test_a_worker_exiting_137_is_a_runtime_error_not_a_kill(softmax, process_sandbox, tmp_path):
    """Exit status 137 is what a shell shows for SIGKILL; the judge must not take one for the other."""
    quits = tmp_path / "solution.py"
    quits.write_text("import os\n"
                     "def log_softmax(x, dim=-1):\n    os._exit(137)\n"
                     "def cross_entropy(logits, targets, **kw):\n    os._exit(137)\n")
    result = grade(softmax, quits, sandbox=process_sandbox, suite="public")
    assert result.verdict is Verdict.RE, (result.verdict, result.message)


def test_the_reported_seed_is_the_one_the_tests_ran_with(softmax, process_sandbox):
    public = grade(softmax, softmax.reference_path, sandbox=process_sandbox, suite="public")
    seeded = grade(softmax, softmax.reference_path, sandbox=process_sandbox, suite="public", seed=77)
    assert public.seed == 0 and seeded.seed == 77


def test_the_judge_computes_on_one_thread_and_gives_its_threads_back(softmax, process_sandbox, monkeypatch):
    """The reference and the checks run with one torch thread and one BLAS thread (a parallel batch gives
    each job a core, where a second thread only spins against the first); afterwards both are as before."""
    import torch
    from threadpoolctl import threadpool_info

    import judge.grading as grading

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    seen: list[tuple[int, list[int]]] = []
    real = grading.load_reference(softmax)

    def spied(name: str):
        def call(*args, **kwargs):
            seen.append((torch.get_num_threads(), blas_threads()))
            return getattr(real, name)(*args, **kwargs)
        return call

    spy = type("SpiedReference", (), {n: staticmethod(spied(n)) for n in ("log_softmax", "cross_entropy")})
    monkeypatch.setattr(grading, "load_reference", lambda challenge: spy)
    torch_before, blas_before = torch.get_num_threads(), blas_threads()
    assert blas_before, "numpy's BLAS should be loaded in the judge: else this test checks nothing"
    result = grade(softmax, softmax.reference_path, sandbox=process_sandbox, seed=424242)
    assert result.verdict is Verdict.AC, result.message
    assert seen, "the tests should have asked the reference for expected values"
    assert all(torch_threads == 1 and all(n == 1 for n in blas) for torch_threads, blas in seen), seen
    assert (torch.get_num_threads(), blas_threads()) == (torch_before, blas_before)


_LEAN_JUDGE = """
import sys
from judge.challenge import Challenge, discover
from judge.grading import grade, preload
from judge.sandbox import choose

preload()
sandbox = choose("process").sandbox
for challenge in discover():
    if isinstance(challenge, Challenge):
        result = grade(challenge, challenge.reference_path, sandbox=sandbox, seed=11)
        print(challenge.id, result.verdict)
print("sympy imported:", "sympy" in sys.modules)
"""


def test_the_judge_grades_every_challenge_without_importing_sympy():
    """torch imports sympy (half a second, before the first grading of a batch or a cold `mlj grade`) the
    first time autograd.grad is given grad_outputs; the judge's tests take a vector-Jacobian product as
    grad(sum(out * g)) instead, which is the same gradient, bitwise. The worker still preloads it: a
    submission may need it."""
    proc = subprocess.run([sys.executable, "-c", _LEAN_JUDGE], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert len(lines) > 5 and all(line.endswith(" AC") for line in lines[:-1]), proc.stdout
    assert lines[-1] == "sympy imported: False", proc.stdout
