"""Accepted: a backward loop with a running last_gae_lam, and the loss through torch.max of the negatives."""

import torch


def gae(rewards, values, dones, last_value, gamma=0.99, lam=0.95):
    T = rewards.shape[0]
    advantages = torch.zeros_like(rewards)
    last_gae_lam = torch.zeros_like(last_value)
    nonterminal = (~dones.bool()).to(rewards.dtype)
    for t in range(T - 1, -1, -1):
        next_values = last_value if t == T - 1 else values[t + 1]
        delta = rewards[t] + gamma * next_values * nonterminal[t] - values[t]
        last_gae_lam = delta + gamma * lam * nonterminal[t] * last_gae_lam
        advantages[t] = last_gae_lam
    return advantages, advantages + values


def ppo_clip_loss(logp_new, logp_old, advantages, clip_eps=0.2):
    ratio = (logp_new - logp_old).exp()
    pg_loss1 = -advantages * ratio
    pg_loss2 = -advantages * torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps)
    return torch.max(pg_loss1, pg_loss2).mean()
