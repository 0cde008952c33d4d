"""The debug-training-loop challenge: verify passes, and each one-bug-left solution fails exactly its group.

One ``mlj verify`` run (process sandbox) is shared by the module. The stub plants seven independent bugs;
``solutions/wrong_answer/`` holds one file per bug with every other bug fixed, and each must lose the
points of its own scoring group and of no other (partial credit works bug by bug), with a WA message that
says what is wrong. ``mlj show`` must render the statement and the untouched stub must fail the public
tests with messages that point at what to fix. A few fast checks of the support module guard the
determinism everything relies on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from click.testing import CliRunner

import cli
from harness import import_file
from judge.challenge import Challenge, find
from judge.grading import load_reference
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import assert_every_check_ok, assert_full_marks, failed_groups, result_of

CHALLENGE = "debug-training-loop"

#: wrong solution -> (the groups it must fail and no other, words its failure messages must contain). The
#: first seven are the stub with every bug fixed but one; the rest break one other rule of the statement, or
#: (first line "# Hostile: ...") keep a bug and try to forge the check that finds it.
TARGETS: dict[str, tuple[frozenset[str], str]] = {
    "keeps_stale_gradients.py": (frozenset({"zero_grad"}), "gradients from earlier steps are still accumulated"),
    "softmax_before_loss.py": (frozenset({"loss_function"}), "cross-entropy of softmax(logits)"),
    "trains_in_eval_mode.py": (frozenset({"train_eval_mode"}), "forward passes on training batches ran in eval mode"),
    "validates_with_autograd.py": (frozenset({"no_grad_validation"}), "ran with autograd enabled"),
    "stores_loss_tensors.py": (frozenset({"graph_memory"}), "memory grows with the number of steps"),
    "clips_after_step.py": (frozenset({"grad_clipping"}), "optimizer.step() used had a larger total L2 norm"),
    "scheduler_steps_per_batch.py": (frozenset({"lr_schedule"}), "StepLR(step_size=2, gamma=0.25)"),
    # one other rule each
    "zero_grad_after_backward.py": (frozenset({"zero_grad"}), "runs between loss.backward() and optimizer.step()"),
    "train_loss_nominal_batch.py": (frozenset({"loss_function"}), "divided by the nominal batch size"),
    "epoch_mean_train_loss.py": (frozenset({"loss_function"}), "one value per epoch"),
    "forgets_weight_decay.py": (frozenset({"zero_grad", "loss_function", "grad_clipping", "lr_schedule"}),
                                "SGD is built without weight_decay"),
    "ignores_momentum.py": (frozenset({"zero_grad", "grad_clipping", "lr_schedule"}), "SGD is built without momentum"),
    "validates_in_train_mode.py": (frozenset({"train_eval_mode"}), "validation batches ran in training mode"),
    "train_mode_at_end.py": (frozenset({"train_eval_mode"}), "the model must be in eval mode"),
    "val_mean_of_batch_means.py": (frozenset({"train_eval_mode"}), "yours is the mean of the batch means"),
    "val_accuracy_batch_means.py": (frozenset({"train_eval_mode"}), "the mean of the batches' accuracies"),
    "accuracy_in_percent.py": (frozenset({"train_eval_mode"}), "yours is a percentage"),
    "keeps_epoch_losses.py": (frozenset({"graph_memory"}), "memory grows with the number of steps"),
    "history_detached_tensors.py": (frozenset({"graph_memory"}), "history values must be Python floats"),
    "normalizes_gradients.py": (frozenset({"grad_clipping"}), "even when their norm is already below it"),
    "records_lr_after_scheduler_step.py": (frozenset({"lr_schedule"}), "recorded after scheduler.step()"),
    "runs_one_epoch_when_zero.py": (frozenset({"lr_schedule"}), "epochs=0: train() must make no step"),
    "history_extra_key.py": (frozenset({"graph_memory"}), "keys beyond the four asked for ('epoch')"),
    "validates_in_two_passes.py": (frozenset({"no_grad_validation"}), "iterate val_loader once per epoch"),
    "reseeds_generators.py": (frozenset({"zero_grad", "loss_function", "grad_clipping"}),
                              "torch.manual_seed(0) re-seeds the random generators"),
    # hostile: a bug kept, its check forged
    "keeps_stale_gradients_replaces_support.py": (frozenset({"zero_grad"}),
                                                  "gradients from earlier steps are still accumulated"),
    "keeps_stale_gradients_patches_sgd.py": (frozenset({"zero_grad"}),
                                             "gradients from earlier steps are still accumulated"),
    "trains_in_eval_mode_patches_module_train.py": (frozenset({"train_eval_mode"}),
                                                    "forward passes on training batches ran in eval mode"),
    "train_mode_at_end_fakes_training.py": (frozenset({"train_eval_mode"}), "the model must be in eval mode"),
    "validates_with_autograd_patches_grad_mode.py": (frozenset({"no_grad_validation"}), "ran with autograd enabled"),
    "validates_with_autograd_wraps_observe.py": (frozenset({"no_grad_validation"}), "ran with autograd enabled"),
    "stores_loss_tensors_as_floats.py": (frozenset({"graph_memory"}), "memory grows with the number of steps"),
    "stores_loss_tensors_patches_weakref.py": (frozenset({"graph_memory"}), "memory grows with the number of steps"),
}
HOSTILE = {name for name in TARGETS if "_patches_" in name or "_replaces_" in name or "_fakes_" in name
           or "_wraps_" in name or name.endswith("_as_floats.py")}


@pytest.mark.slow
def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_one_wrong_solution_per_group(challenge: Challenge) -> None:
    found = {(folder, path.name) for folder, path in challenge.solutions()}
    assert {name for folder, name in found if folder == "wrong_answer"} == set(TARGETS)
    assert {group for groups, _ in TARGETS.values() if len(groups) == 1 for group in groups} == set(
        challenge.spec.scoring.groups)
    assert any(folder == "accepted" for folder, _ in found)
    assert ("runtime_error", "iterates_train_loader_twice.py") in found


def test_hostile_solutions_say_what_they_forge(challenge: Challenge) -> None:
    assert len(HOSTILE) >= 3
    for name in HOSTILE:
        first = (challenge.path / "solutions" / "wrong_answer" / name).read_text().splitlines()[0]
        assert first.startswith("# Hostile: forges "), (name, first)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_exactly_its_groups(checks: list[Check], challenge: Challenge, name: str) -> None:
    groups, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA, (result.verdict, result.message)
    assert failed_groups(result) == groups, f"{name} should fail only {sorted(groups)}; it failed " \
                                            f"{sorted(failed_groups(result))}"
    assert all(t.verdict in (Verdict.AC, Verdict.WA, Verdict.NR, None) for t in result.tests)
    bad = [t for t in result.tests if t.group in groups and t.verdict is Verdict.WA]
    assert bad and all(any(words in t.message for t in bad if t.group == g) for g in groups), \
        [t.message for t in bad]
    assert result.score == result.max_score - sum(challenge.points(g) for g in groups)


@pytest.mark.slow
def test_stub_fails_every_group(checks: list[Check], challenge: Challenge) -> None:
    stub = result_of(checks, "stub")
    assert stub.verdict is Verdict.WA and stub.score == 0
    assert failed_groups(stub) == set(challenge.spec.scoring.groups)


@pytest.mark.slow
def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("Debug a training loop", "train(model, train_loader, val_loader, config)", "clip_norm",
                  "StepLR", "val_accuracy", "zero_grad", "training_support.py"):
        assert words in result.output, words


@pytest.mark.slow
def test_stub_fails_public_tests_with_pointers(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "WA" and report["score"] == 0
    messages = " | ".join(t["message"] for t in report["tests"])
    for words in ("history values must be Python floats", "the cross-entropy of the logits",
                  "model.training during the training forward passes", "validation accuracy per epoch"):
        assert words in messages, (words, messages)


# -- the support module, on this side (fast) ----------------------------------------------------------

def _reference_run(**config: Any) -> dict[str, Any]:
    challenge = find(CHALLENGE)
    ref = load_reference(challenge)
    ts = import_file("mlj_test_training_support", challenge.path / "training_support.py")
    rng = torch.Generator().manual_seed(3)
    data = ref.make_blobs(rng, 48, 32)
    return ref.reference_run(ts, data, ts.default_config(**config), model_seed=5, seed=6)


def test_runs_are_deterministic_and_leave_torch_as_it_was() -> None:
    step_before = torch.optim.SGD.__dict__["step"]
    threads_before = torch.get_num_threads()
    first = _reference_run(epochs=2, clip_norm=1.0, gamma=0.5)
    second = _reference_run(epochs=2, clip_norm=1.0, gamma=0.5)
    assert first["history"] == second["history"]
    assert all(torch.equal(first["state"][k], second["state"][k]) for k in first["state"])
    assert torch.optim.SGD.__dict__["step"] is step_before
    assert torch.get_num_threads() == threads_before


def test_monitors_see_a_correct_loop_as_correct() -> None:
    got = _reference_run(epochs=2, lr=0.05)
    probes = got["probes"]
    assert got["history_problem"] is None and not got["history_not_float"] and got["history_extra"] == []
    assert all(probes["train_forward_training"]) and not any(probes["val_forward_training"])
    assert not any(probes["val_forward_grad_enabled"]) and got["training"] is False
    assert probes["most_graphs_alive"] <= 1 and probes["graphs_alive_after"] == 0
    assert max(probes["step_stale_grad"]) == 0.0
    assert len(probes["step_lr"]) == 2 * got["steps_per_epoch"] == len(got["history"]["train_loss"])


@pytest.mark.slow
def test_optimizer_runs_without_importing_dynamo() -> None:
    """torch._dynamo would cost every worker more CPU than importing torch (see optimizer_without_dynamo)."""
    code = ("import sys, tests.challenges.test_debug_training_loop as t; t._reference_run(epochs=1); "
            "print('torch._dynamo' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=Path(cli.__file__).resolve().parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False", "a training run imported torch._dynamo"


@pytest.mark.parametrize("config", [{"epochs": 3, "clip_norm": 0.5, "gamma": 0.5, "step_size": 1},
                                    {"epochs": 2, "clip_norm": None, "lr": 0.0}, {"epochs": 0}])
def test_train_with_no_mistake_is_the_graded_train(config: dict[str, Any]) -> None:
    """The hidden tests name mistakes by running ``train_with``; the reference graded as a submission (and
    mutated by ``mlj verify --mutants``) is ``train``: with no switch set the two are the same loop."""
    challenge = find(CHALLENGE)
    ref = load_reference(challenge)
    ts = import_file("mlj_test_training_support", challenge.path / "training_support.py")
    data = ref.make_blobs(torch.Generator().manual_seed(11), 40, 33)
    plain = ts.run(ts.make_setup(*data, 5, dropout=0.3), ts.default_config(**config), seed=6, train_fn=ref.train)
    switched = ref.reference_run(ts, data, ts.default_config(**config), model_seed=5, seed=6, dropout=0.3)
    assert plain["history"] == switched["history"] and plain["training"] == switched["training"]
    assert all(torch.equal(plain["state"][k], switched["state"][k]) for k in plain["state"])
