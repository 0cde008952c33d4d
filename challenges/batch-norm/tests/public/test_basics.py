"""Public tests: the worked example. Run them with `mlj test batch-norm`."""

import torch

X = torch.tensor([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]])


def test_training_output_and_running_statistics(sub, ref, check):
    module, expected = sub.BatchNorm.new(2), ref.BatchNorm(2).double()
    check(module(X), expected(X.double()), dtype=torch.float32, name="training-mode output of the worked example")
    state, want = module.state_dict(), expected.state_dict()
    check(state["running_mean"], want["running_mean"], dtype=torch.float32, name="running_mean after one batch")
    check(state["running_var"], want["running_var"], dtype=torch.float32, allow_constant=True,
          name="running_var after one batch (the unbiased variance)")
    assert int(state["num_batches_tracked"]) == 1, "num_batches_tracked after one training batch"


def test_eval_output(sub, ref, check):
    module, expected = sub.BatchNorm.new(2), ref.BatchNorm(2).double()
    module(X)
    expected(X.double())
    module.eval.new()
    expected.eval()
    x = torch.tensor([[3.0, 4.0]])
    check(module(x), expected(x.double()), dtype=torch.float32, name="eval-mode output after one batch")
