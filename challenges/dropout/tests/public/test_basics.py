"""Public tests: the worked example. Run them with `mlj test dropout`."""

import torch

X = torch.arange(1.0, 9.0).reshape(2, 4)


def test_worked_example(sub, check):
    g = sub.support("dropout_support").generator.new(0)
    check(sub.dropout(X, 0.5, generator=g), torch.tensor([[0.0, 4.0, 0.0, 0.0], [0.0, 12.0, 0.0, 16.0]]),
          dtype=torch.float32, name="dropout(x, 0.5, generator seeded with 0)")
    check(sub.dropout(X, 0.5, generator=g), torch.tensor([[0.0, 4.0, 0.0, 0.0], [0.0, 0.0, 0.0, 16.0]]),
          dtype=torch.float32, name="a second dropout(x, 0.5) with the same generator: its second draw")


def test_eval_and_p_one(sub, check):
    check(sub.dropout(X, 0.5, training=False), X, rtol=0.0, atol=0.0, name="dropout(x, 0.5, training=False) is x")
    check(sub.dropout(X, 1.0), torch.zeros(2, 4), dtype=torch.float32, allow_constant=True, name="dropout(x, 1.0)")
