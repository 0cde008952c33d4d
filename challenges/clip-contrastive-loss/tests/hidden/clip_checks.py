"""Trusted-side helpers of the clip-contrastive-loss hidden tests: inputs, and a comparison that names the
known mistake a wrong loss matches.

Each mistake is the loss computed here in float64 with one step done the wrong way (one direction only, no
normalisation, the scale without exp, ...): when the submission's loss misses the reference but matches
one of them, the failure says which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

F64 = torch.float64


def pairs(rng: torch.Generator, n: int, d: int, dtype: torch.dtype, match: float = 1.0) -> tuple[torch.Tensor, ...]:
    """Image and text embeddings (N, D) whose rows have norms between 0.3 and 3 (so that normalising
    matters), each caption near its image (``match`` weighs the shared part against the noise)."""
    shared = torch.randn(n, d, generator=rng, dtype=F64)
    img = shared * match + torch.randn(n, d, generator=rng, dtype=F64)
    txt = shared * match + torch.randn(n, d, generator=rng, dtype=F64)
    for x in (img, txt):
        x *= (torch.rand(n, 1, generator=rng, dtype=F64) * 2.7 + 0.3) / x.norm(dim=1, keepdim=True)
    return img.to(dtype), txt.to(dtype)


def variant(img: torch.Tensor, txt: torch.Tensor, logit_scale: torch.Tensor | float, *, norm: str = "rows",
            scale: str = "exp", labels: str = "diagonal", reduce: str = "mean", directions: str = "mean",
            eps: float = 1e-12) -> torch.Tensor:
    """The loss in float64, each step chosen: the reference's choices are the defaults."""
    img, txt = img.detach().to(F64), txt.detach().to(F64)
    ls = torch.as_tensor(logit_scale, dtype=F64)

    def unit(x: torch.Tensor) -> torch.Tensor:
        if norm == "none":
            return x
        n = x.norm(dim=0 if norm == "cols" else 1, keepdim=True)
        return x / (n + eps) if norm == "added" else x / n.clamp(min=eps)

    factor = {"exp": torch.exp(ls), "clamped": torch.exp(ls).clamp(max=100.0), "raw": ls}[scale]
    logits = factor * unit(img) @ unit(txt).T
    n = logits.shape[0]
    picks = torch.arange(n - 1, -1, -1) if labels == "reversed" else torch.arange(n)

    def ce(x: torch.Tensor) -> torch.Tensor:
        m = x.amax(dim=1, keepdim=True)
        logp = x - m - torch.log(torch.exp(x - m).sum(dim=1, keepdim=True))
        nll = -logp[torch.arange(n), picks]
        return nll.sum() if reduce == "sum" else nll.mean()

    if directions == "i2t":
        return ce(logits)
    return ce(logits) + ce(logits.T) if directions == "sum" else (ce(logits) + ce(logits.T)) / 2


MISTAKES: list[tuple[str, dict[str, str]]] = [
    ("your loss is the image-to-text cross-entropy alone; CLIP's loss is the mean of both directions (the "
     "text-to-image one is the cross-entropy of logits.T)", {"directions": "i2t"}),
    ("your loss adds the two directions; it is their mean, (loss_i2t + loss_t2i) / 2", {"directions": "sum"}),
    ("your loss uses the embeddings without L2-normalising them", {"norm": "none"}),
    ("your loss normalises each feature column over the batch (dim 0); each row (one embedding) is "
     "normalised over its D features (dim 1)", {"norm": "cols"}),
    ("your loss uses logit_scale as the scale; it is the LOG of the scale: multiply by exp(logit_scale)",
     {"scale": "raw"}),
    ("your loss clamps the scale at 100 (as CLIP's training code does); here exp(logit_scale) is used as it is",
     {"scale": "clamped"}),
    ("your labels run backwards; pair i is on the diagonal: labels = arange(N)", {"labels": "reversed"}),
    ("each of your cross-entropies is summed over the N rows; it is their mean", {"reduce": "sum"}),
    ("your loss divides by ||x|| + eps; the norm is clamped from below instead: x / max(||x||, eps)",
     {"norm": "added"}),
]


def expect_loss(check: Callable[..., Any], got: Any, expected: torch.Tensor, img: torch.Tensor,
                txt: torch.Tensor, logit_scale: torch.Tensor, *, name: str) -> None:
    """``check`` the loss against the reference's; on a mismatch, name the known mistake that the submitted
    value matches, if any."""
    __tracebackhide__ = True
    try:
        check(got, expected, dtype=img.dtype, name=name)
    except AssertionError as exc:
        hint = None
        if isinstance(got, torch.Tensor) and got.is_floating_point() and got.shape == expected.shape:
            value = got.detach().to(F64)
            if not bool(torch.isfinite(value).all()):
                hint = ("your loss is not finite: shift each row's logits by their max before exp "
                        "(x - max - log(sum(exp(x - max)))), and divide by max(||x||, eps), never by ||x|| alone")
            else:
                for text, how in MISTAKES:
                    wrong = variant(img, txt, logit_scale, **how)
                    if torch.allclose(value, wrong, rtol=1e-4, atol=1e-6) and not torch.allclose(
                            wrong, expected, rtol=1e-4, atol=1e-6):
                        hint = text
                        break
        if hint is None:
            raise
        raise AssertionError(f"{exc}\nhint: {hint}") from None
