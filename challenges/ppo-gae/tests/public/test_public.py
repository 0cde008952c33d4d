"""Public tests: the statement's worked examples and a done at the last step. Run them with `mlj test ppo-gae`."""

import math

import torch

F64 = torch.float64


def test_gae_worked_example(sub, check):
    r = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.5]], dtype=F64)
    v = torch.tensor([[0.5, 0.2], [1.0, 0.4], [1.5, 0.3]], dtype=F64)
    d = torch.tensor([[False, False], [False, True], [False, False]])
    advantages, returns = sub.gae(r, v, d, torch.tensor([2.0, 1.0], dtype=F64), gamma=0.9, lam=0.8)
    check(advantages, torch.tensor([[2.84432, 0.592], [2.006, 0.6], [2.3, 1.1]], dtype=F64), dtype=F64,
          name="advantages of the worked example")
    check(returns, torch.tensor([[3.34432, 0.792], [3.006, 1.0], [3.8, 1.4]], dtype=F64), dtype=F64,
          name="returns of the worked example (advantages + values)")


def test_gae_done_at_the_last_step(sub, ref, check):
    r = torch.tensor([[1.0], [1.0]])
    v = torch.tensor([[0.5], [0.5]])
    d = torch.tensor([[False], [True]])
    last_value = torch.tensor([100.0])  # the next episode's value: a done after the last step ignores it
    expected = ref.gae(r.double(), v.double(), d, last_value.double(), gamma=0.99, lam=0.95)
    advantages, _ = sub.gae(r, v, d, last_value, gamma=0.99, lam=0.95)
    check(advantages, expected[0], dtype=torch.float32, name="advantages when the episode ends after the last step")


def test_ppo_worked_example(sub, check):
    logp_new = torch.log(torch.tensor([1.5, 0.5, 1.0, 1.1], dtype=F64))
    adv = torch.tensor([2.0, -1.0, 1.0, -3.0], dtype=F64)
    loss, grads = sub.ppo_clip_loss.grad(logp_new, torch.zeros(4, dtype=F64), adv, clip_eps=0.2, wrt=(0,),
                                         grad_output=torch.tensor(1.0, dtype=F64))
    check(loss, torch.tensor(0.175, dtype=F64), dtype=F64, name="the PPO worked example's loss")
    check(grads[0], torch.tensor([0.0, 0.0, -0.25, 0.825], dtype=F64), dtype=F64,
          name="the PPO worked example's gradient (0 where the clip is active)")


def test_ppo_ratio_of_one(sub, check):
    logp = torch.tensor([math.log(0.3), math.log(0.6)])
    adv = torch.tensor([1.0, -2.0])
    check(sub.ppo_clip_loss(logp, logp.clone(), adv), torch.tensor(0.5), dtype=torch.float32,
          name="ratio 1 everywhere: the loss is -mean(A) = 0.5")
