"""Public tests: small cases you can read. Run them with `mlj test dpo-loss`."""

from __future__ import annotations

import math

import torch


def test_sequence_logprobs_by_hand(sub, check):
    # One sequence of 3 tokens [0, 1, 0] over a vocabulary of 2; the first token is the prompt.
    logits = torch.tensor([[[0.0, 0.0], [2.0, 0.0], [5.0, 5.0]]])
    labels = torch.tensor([[0, 1, 0]])
    loss_mask = torch.tensor([[False, True, True]])
    # logits[0, 0] predict labels[0, 1] = 1: log(1/2); logits[0, 1] predict labels[0, 2] = 0: log(e^2/(e^2+1)).
    # logits[0, 2] predict nothing (there is no 4th token).
    expected = torch.tensor([math.log(0.5) + 2.0 - math.log(math.exp(2.0) + 1.0)])
    check(sub.sequence_logprobs(logits, labels, loss_mask), expected, dtype=torch.float32,
          name="sequence_logprobs of one 3-token sequence (shift by one, then sum)")


def test_sequence_logprobs_padding(sub, ref, check):
    logits = torch.tensor([[[1.0, 0.0, -1.0], [0.5, 0.5, 0.0], [0.0, 3.0, 0.0], [9.0, 9.0, 9.0]],
                           [[0.0, 1.0, 2.0], [2.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 4.0]]])
    labels = torch.tensor([[2, 0, 1, 0], [1, 2, 2, 1]])
    loss_mask = torch.tensor([[0, 1, 1, 0], [0, 0, 1, 1]])  # prompt, response, then padding in row 0
    check(sub.sequence_logprobs(logits, labels, loss_mask), ref.sequence_logprobs(logits.double(), labels, loss_mask),
          dtype=torch.float32, name="sequence_logprobs with prompt and padding masked (int 0/1 mask)")


def test_dpo_loss_policy_equals_reference(sub, check):
    logps = torch.tensor([-12.0, -30.0, -7.5])
    losses, chosen_rewards, rejected_rewards = sub.dpo_loss(logps, logps - 3, logps, logps - 3)
    check(losses, torch.full((3,), math.log(2.0)), dtype=torch.float32,
          name="losses when the policy equals the reference (log 2)", allow_constant=True)
    check(chosen_rewards, torch.zeros(3), dtype=torch.float32, name="chosen_rewards when policy == reference",
          allow_constant=True)
    check(rejected_rewards, torch.zeros(3), dtype=torch.float32, name="rejected_rewards when policy == reference",
          allow_constant=True)


def test_dpo_loss_small(sub, ref, check):
    pc, pr = torch.tensor([-10.0, -20.0]), torch.tensor([-14.0, -18.0])
    rc, rr = torch.tensor([-12.0, -19.0]), torch.tensor([-13.0, -19.0])
    for beta, smoothing in ((0.1, 0.0), (0.5, 0.2)):
        got = sub.dpo_loss(pc, pr, rc, rr, beta=beta, label_smoothing=smoothing)
        want = ref.dpo_loss(pc.double(), pr.double(), rc.double(), rr.double(), beta=beta,
                            label_smoothing=smoothing)
        for name, a, e in zip(("losses", "chosen_rewards", "rejected_rewards"), got, want, strict=True):
            check(a, e, dtype=torch.float32, name=f"{name} (beta={beta}, label_smoothing={smoothing})")


def test_dpo_loss_large_gap(sub, check):
    # The policy prefers the rejected response by 2000 nats: logits = 0.1 * (-2000) = -200.
    # sigmoid(-200) is 0 in float32, so log(sigmoid(x)) gives inf; the true loss is about 200.
    pc, pr = torch.tensor([-2050.0]), torch.tensor([-50.0])
    rc, rr = torch.tensor([-50.0]), torch.tensor([-50.0])
    losses, _, _ = sub.dpo_loss(pc, pr, rc, rr, beta=0.1)
    check(losses, torch.tensor([200.0]), dtype=torch.float32, name="losses for logits = -200 (use a stable logsigmoid)")
