"""Hidden tests: the CLIP loss's value against a float64 reference: random batches, normalisation and its eps,
both directions, a batch of one, large scales."""

from __future__ import annotations

import math

import pytest
import torch

F32, F64 = torch.float32, torch.float64
CLIP_INIT = math.log(1 / 0.07)


def _compare(sub, ref, check, cl, img, txt, logit_scale, what):  # noqa: ANN001
    __tracebackhide__ = True
    ls = torch.tensor(float(logit_scale), dtype=img.dtype)
    where = f"{what}: N={img.shape[0]}, D={img.shape[1]}, {str(img.dtype)[6:]}, logit_scale={float(ls):.4g}"
    expected = ref.clip_loss(img.double(), txt.double(), ls.double())
    cl.expect_loss(check, sub.clip_loss(img, txt, ls), expected, img, txt, ls, name=f"clip_loss ({where})")


# -- values ------------------------------------------------------------------------------------------------

@pytest.mark.group("values")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_random_batches(sub, ref, check, rng, cl, dtype):
    for n, d, logit_scale in ((8, 16, CLIP_INIT), (16, 32, 0.0), (5, 4, 1.0), (32, 64, 3.0), (2, 3, -1.0)):
        img, txt = cl.pairs(rng, n, d, dtype)
        _compare(sub, ref, check, cl, img, txt, logit_scale, "random pairs")


@pytest.mark.group("values")
def test_worked_example(sub, check):
    img = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=F64)
    txt = torch.tensor([[2.0, 1.0], [0.0, 3.0]], dtype=F64)
    check(sub.clip_loss(img, txt, torch.tensor(math.log(10.0), dtype=F64)),
          torch.tensor(0.49161053928342946, dtype=F64), dtype=F64,
          name="the statement's worked example (logit_scale = log(10)): 0.491611")


# -- normalisation -----------------------------------------------------------------------------------------

@pytest.mark.group("normalisation")
def test_norms_spanning_six_decades(sub, ref, check, rng, cl):
    img, txt = cl.pairs(rng, 10, 8, F64)
    norms = torch.logspace(-3, 3, 10, dtype=F64)
    img = img / img.norm(dim=1, keepdim=True) * norms[:, None]
    txt = txt / txt.norm(dim=1, keepdim=True) * norms.flip(0)[:, None]
    _compare(sub, ref, check, cl, img, txt, 2.0, "rows of norm 1e-3 to 1e3 (only their directions count)")


@pytest.mark.group("normalisation")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_rows_around_eps(sub, ref, check, rng, cl, dtype):
    # image rows of norm 0, 1e-13, 1e-12 (on eps) and 1e-11, caption rows of the same norms in another order,
    # beside ordinary rows: x / max(||x||, 1e-12) makes them 0, 0.1, 1 and 1 in norm; x / (||x|| + eps) does not
    img, txt = cl.pairs(rng, 8, 6, F64)
    for x, order in ((img, (0, 1, 2, 3)), (txt, (2, 3, 0, 1))):
        x[:4] = x[:4] / x[:4].norm(dim=1, keepdim=True)
        for row, size in zip(order, (0.0, 1e-13, 1e-12, 1e-11), strict=True):
            x[row] = x[row] * size
    _compare(sub, ref, check, cl, img.to(dtype), txt.to(dtype), 2.5,
             "rows of norm 0, 1e-13, 1e-12 and 1e-11 (eps = 1e-12 clamps the norm from below)")


# -- symmetry ----------------------------------------------------------------------------------------------

@pytest.mark.group("symmetry")
def test_hub_caption(sub, ref, check, rng, cl):
    # caption 0 is close to every image: it draws the images' rows of logits, the text-to-image direction
    # does not see it the same way, so the two directions differ by far more than any tolerance
    img, txt = cl.pairs(rng, 7, 12, F64)
    txt[0] = img.sum(dim=0)
    _compare(sub, ref, check, cl, img, txt, CLIP_INIT, "a caption close to every image")


# -- batch of one ------------------------------------------------------------------------------------------

@pytest.mark.group("batch_of_one")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_single_pair(sub, check, rng, cl, dtype):
    img, txt = cl.pairs(rng, 1, 5, dtype)
    ls = torch.tensor(CLIP_INIT, dtype=dtype)
    value, grads = sub.clip_loss.grad(img, txt, ls, wrt=(0, 1, 2), grad_output=torch.tensor(1.0, dtype=dtype))
    check(value, torch.tensor(0.0, dtype=dtype), dtype=dtype, allow_constant=True,
          name=f"clip_loss of N=1 pair ({str(dtype)[6:]}): one caption to choose from, the loss is 0")
    for g, like, label in zip(grads, (img, txt, ls), ("image_emb", "text_emb", "logit_scale"), strict=True):
        if g is not None:
            check(g, torch.zeros_like(like), dtype=dtype, allow_constant=True,
                  name=f"d loss / d {label} for N=1 (the loss is 0 whatever the inputs: its gradient is 0)")


# -- stability ---------------------------------------------------------------------------------------------

@pytest.mark.group("stability")
@pytest.mark.parametrize(("dtype", "logit_scale"), [(F32, math.log(100.0)), (F64, 7.0)],
                         ids=["float32-scale100", "float64-scale1097"])
def test_large_scale(sub, ref, check, rng, cl, dtype, logit_scale):
    for n, d in ((12, 16), (6, 3)):
        img, txt = cl.pairs(rng, n, d, dtype, match=0.5)
        _compare(sub, ref, check, cl, img, txt, logit_scale, "logits of magnitude up to exp(logit_scale)")


# -- inputs ------------------------------------------------------------------------------------------------

@pytest.mark.group("inputs")
def test_inputs_not_modified(sub, check, rng, cl):
    """The inputs are made inside the worker (the support module's hold) and handed to clip_loss as they are,
    not as copies, then read back. This is a probe inside the worker (the statement says so)."""
    img, txt = cl.pairs(rng, 6, 8, F32)
    inputs = (img, txt, torch.tensor(CLIP_INIT, dtype=F32))
    hold = sub.support("clip_support").hold
    kept = [hold.new(x) for x in inputs]
    value = sub.clip_loss(*kept)
    ok = isinstance(value, torch.Tensor)
    assert ok, f"clip_loss returned {type(value).__name__}"
    for remote, original, label in zip(kept, inputs, ("image_emb", "text_emb", "logit_scale"), strict=True):
        check(remote.clone(), original, rtol=0.0, atol=0.0, allow_constant=True,
              name=f"{label} after clip_loss returned (do not modify the inputs in place: normalise into a new "
                   "tensor, x / max(||x||, eps), not with x /= ...)")
