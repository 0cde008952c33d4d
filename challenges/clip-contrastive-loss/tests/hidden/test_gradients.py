"""Hidden tests: the gradients with respect to both embeddings and logit_scale."""

from __future__ import annotations

import math

import pytest
import torch

F32, F64 = torch.float32, torch.float64
NAMES = ("image_emb", "text_emb", "logit_scale")


def _check_gradients(sub, ref, check, img, txt, logit_scale, g, where):  # noqa: ANN001
    __tracebackhide__ = True
    dtype = img.dtype
    ls = torch.tensor(float(logit_scale), dtype=dtype)
    _, grads = sub.clip_loss.grad(img, txt, ls, wrt=(0, 1, 2), grad_output=torch.tensor(g, dtype=dtype))
    leaves = [x.detach().double().requires_grad_(True) for x in (img, txt, ls)]
    expected = torch.autograd.grad(ref.clip_loss(*leaves) * g, leaves)
    for got, want, label in zip(grads, expected, NAMES, strict=True):
        ok = got is not None
        assert ok, (f"no gradient reached {label} ({where}): the loss must stay differentiable with respect to "
                    f"it (no .item(), no .detach() on its path)")
        check(got, want, dtype=dtype, name=f"d loss / d {label} ({where})")


@pytest.mark.group("gradients")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_gradients(sub, ref, check, rng, cl, dtype):
    for n, d, logit_scale in ((8, 16, math.log(1 / 0.07)), (5, 6, 0.5), (12, 4, -0.5)):
        img, txt = cl.pairs(rng, n, d, dtype)
        g = float(torch.rand((), generator=rng)) + 0.5
        _check_gradients(sub, ref, check, img, txt, logit_scale, g,
                         f"N={n}, D={d}, {str(dtype)[6:]}, logit_scale={logit_scale:.4g}")


@pytest.mark.group("gradients")
def test_gradients_large_scale(sub, ref, check, rng, cl):
    img, txt = cl.pairs(rng, 10, 8, F64, match=0.5)
    _check_gradients(sub, ref, check, img, txt, 7.0, 1.0, "N=10, D=8, float64, logit_scale=7 (scale ~1097)")
