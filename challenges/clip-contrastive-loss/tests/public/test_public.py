"""Public tests: small cases you can read. Run them with `mlj test clip-contrastive-loss`."""

import math

import torch


def test_worked_example(sub, check):
    img = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64)
    txt = torch.tensor([[2.0, 1.0], [0.0, 3.0]], dtype=torch.float64)
    check(sub.clip_loss(img, txt, torch.tensor(math.log(10.0), dtype=torch.float64)),
          torch.tensor(0.49161053928342946, dtype=torch.float64), dtype=torch.float64,
          name="the statement's worked example")


def test_float32_batch(sub, ref, check):
    img = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0], [3.0, 0.0, -1.0]])
    txt = torch.tensor([[1.0, 1.5, 0.5], [0.5, 0.0, 2.0], [2.0, -0.5, -1.0]])
    scale = torch.tensor(math.log(1 / 0.07))
    check(sub.clip_loss(img, txt, scale), ref.clip_loss(img.double(), txt.double(), scale.double()),
          dtype=torch.float32, name="a float32 batch of 3 pairs, logit_scale = log(1/0.07)")


def test_single_pair_is_zero(sub, check):
    img, txt = torch.tensor([[0.3, -2.0]]), torch.tensor([[1.0, 1.0]])
    check(sub.clip_loss(img, txt, torch.tensor(2.0)), torch.tensor(0.0), dtype=torch.float32, allow_constant=True,
          name="N=1: one caption to choose from, the loss is 0")
