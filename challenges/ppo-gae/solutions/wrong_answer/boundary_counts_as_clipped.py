# Breaks the rule clip-active-strict: a ratio exactly on 1 +- clip_eps is treated as clipped (>=, <=), so it gets no gradient.
"""Wrong: a ratio exactly on 1 +- clip_eps is treated as clipped (>=, <=), so it gets no gradient."""

import torch


def gae(rewards, values, dones, last_value, gamma=0.99, lam=0.95):
    steps = rewards.shape[0]
    alive = 1.0 - dones.to(rewards.dtype)
    advantages = torch.zeros_like(rewards)
    carried = torch.zeros_like(last_value)
    next_value = last_value
    for t in reversed(range(steps)):
        delta = rewards[t] + gamma * next_value * alive[t] - values[t]
        carried = delta + gamma * lam * alive[t] * carried
        advantages[t] = carried
        next_value = values[t]
    return advantages, advantages + values


def ppo_clip_loss(logp_new, logp_old, advantages, clip_eps=0.2):
    ratio = torch.exp(logp_new - logp_old)
    active = ((advantages > 0) & (ratio >= 1 + clip_eps)) | ((advantages < 0) & (ratio <= 1 - clip_eps))
    bound = torch.where(advantages > 0, torch.full_like(ratio, 1 + clip_eps), torch.full_like(ratio, 1 - clip_eps))
    bound = bound * advantages
    return -torch.where(active, bound, ratio * advantages).mean()
