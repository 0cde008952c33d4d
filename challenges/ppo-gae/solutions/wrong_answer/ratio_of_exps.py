"""Wrong (rule ppo-ratio): ratio = exp(logp_new) / exp(logp_old), the same number on paper, but for
unlikely actions (log-probs near -800) both exps underflow to 0 and the ratio is 0 / 0 = NaN."""

import torch


def gae(rewards, values, dones, last_value, gamma=0.99, lam=0.95):
    mask = 1.0 - dones.to(rewards.dtype)
    next_values = torch.cat([values[1:], last_value.unsqueeze(0)], dim=0)
    deltas = rewards + gamma * next_values * mask - values
    out = []
    running = torch.zeros_like(last_value)
    for t in reversed(range(rewards.shape[0])):
        running = deltas[t] + gamma * lam * mask[t] * running
        out.append(running)
    advantages = torch.stack(out[::-1])
    returns = values.clone()
    returns += advantages
    return advantages, returns


def ppo_clip_loss(logp_new, logp_old, advantages, clip_eps=0.2):
    ratio = torch.exp(logp_new) / torch.exp(logp_old)  # the same ratio, written as a quotient of exps
    active = ((advantages > 0) & (ratio > 1 + clip_eps)) | ((advantages < 0) & (ratio < 1 - clip_eps))
    bound = torch.where(advantages > 0, torch.full_like(ratio, 1 + clip_eps), torch.full_like(ratio, 1 - clip_eps))
    objective = torch.where(active, bound * advantages, ratio * advantages)
    return -objective.mean()
