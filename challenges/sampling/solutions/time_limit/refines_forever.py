"""Time limit: a top-p that 'refines' its threshold in a loop whose condition never becomes false."""

import torch


def filtered_probs(logits, temperature=1.0, top_k=None, top_p=None):
    probs = torch.softmax(logits / max(temperature, 1e-6), dim=-1)
    threshold = torch.zeros(())
    while bool((probs >= threshold).any()):  # every probability is >= 0: never ends
        threshold = threshold * 0.5
    return probs


def sample(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    probs = filtered_probs(logits, temperature, top_k, top_p)
    return torch.multinomial(probs.reshape(-1, probs.shape[-1]), 1, generator=generator).reshape(logits.shape[:-1])
