"""Hidden tests: values of log_softmax and cross_entropy against a float64 reference."""

from __future__ import annotations

import pytest
import torch


def float32_rounding(x: torch.Tensor) -> float:
    """The absolute error float32 allows in x - logsumexp(x), the statement's own formula: m + log(sum) is
    rounded at the logits' magnitude, a few ulps of max|x| (~0.004 at 3e4) in every entry, also those near 0."""
    return 8 * torch.finfo(torch.float32).eps * float(x.abs().max())


def make_case(rng: torch.Generator, shape: tuple[int, ...], scale: float = 3.0, dtype=torch.float32):
    logits = (torch.randn(*shape, generator=rng, dtype=torch.float64) * scale).to(dtype)
    target_shape = (shape[0], *shape[2:])
    targets = torch.randint(0, shape[1], target_shape, generator=rng)
    return logits, targets


@pytest.mark.group("log_softmax")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_log_softmax_values(sub, ref, check, rng, dtype, dim):
    x = (torch.randn(7, 11, 5, generator=rng, dtype=torch.float64) * 4).to(dtype)
    check(sub.log_softmax(x, dim=dim), ref.log_softmax(x.double(), dim=dim), dtype=dtype,
          name=f"log_softmax(x of shape (7, 11, 5), dim={dim}) in {dtype}")


@pytest.mark.group("values")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(1, 2), (16, 10), (64, 1000)])
def test_cross_entropy_values(sub, ref, check, rng, dtype, shape):
    logits, targets = make_case(rng, shape, dtype=dtype)
    check(sub.cross_entropy(logits, targets), ref.cross_entropy(logits.double(), targets), dtype=dtype,
          name=f"cross_entropy(logits {shape}, {dtype}) with reduction='mean'")


@pytest.mark.group("stability")
@pytest.mark.parametrize("scale", [1e2, 1e4])
def test_large_logits(sub, ref, check, rng, scale):
    logits, targets = make_case(rng, (32, 20), scale=scale)
    for reduction in ("none", "mean"):
        check(sub.cross_entropy(logits, targets, reduction=reduction),
              ref.cross_entropy(logits.double(), targets, reduction=reduction), dtype=torch.float32,
              atol=max(float32_rounding(logits), 1e-5),
              name=f"cross_entropy with logits of magnitude {scale:g} (mixed signs), reduction={reduction!r}")


@pytest.mark.group("stability")
def test_log_softmax_extreme(sub, ref, check, rng):
    x = torch.randn(8, 30, generator=rng, dtype=torch.float64) * 1e4
    x[0] = 0.0
    x[1, 3] = 3e4
    x = x.float()
    check(sub.log_softmax(x, dim=-1), ref.log_softmax(x.double(), dim=-1), dtype=torch.float32,
          atol=float32_rounding(x),
          name="log_softmax of logits up to 3e4 in float32 (exp overflows without the max shift)")


@pytest.mark.group("low_precision")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_half_precision(sub, ref, check, rng, dtype, reduction):
    logits, targets = make_case(rng, (256, 50), scale=4.0, dtype=dtype)
    expected = ref.cross_entropy(logits.double(), targets, reduction=reduction)
    if reduction == "sum":  # the exact sum, rounded once to the output dtype
        expected = expected.to(dtype)
    check(sub.cross_entropy(logits, targets, reduction=reduction), expected, dtype=dtype,
          name=f"cross_entropy of (256, 50) {dtype} logits, reduction={reduction!r}")


@pytest.mark.group("low_precision")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_large(sub, ref, check, rng, dtype):
    logits, targets = make_case(rng, (16, 12), scale=1e3 if dtype == torch.float16 else 1e4, dtype=dtype)
    check(sub.cross_entropy(logits, targets, reduction="none"),
          ref.cross_entropy(logits.double(), targets, reduction="none"), dtype=dtype,
          name=f"cross_entropy of large {dtype} logits (compute in float32, not in {dtype})")


@pytest.mark.group("low_precision")
def test_half_precision_large_vocabulary(sub, ref, check, rng):
    # 100,000 classes of similar logits: sum(exp(x - max)) is about 80,000, past float16's largest
    # value (65,504), so a softmax summed in float16 overflows where float32 does not
    logits, targets = make_case(rng, (4, 100_000), scale=0.05, dtype=torch.float16)
    check(sub.cross_entropy(logits, targets, reduction="none"),
          ref.cross_entropy(logits.double(), targets, reduction="none"), dtype=torch.float16,
          name="cross_entropy of (4, 100000) float16 logits, reduction='none' (the sum of exp over 100,000 classes "
               "does not fit in float16: compute in float32 and cast the result back)")


@pytest.mark.group("reductions")
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_reductions(sub, ref, check, rng, reduction):
    logits, targets = make_case(rng, (40, 7))
    check(sub.cross_entropy(logits, targets, reduction=reduction),
          ref.cross_entropy(logits.double(), targets, reduction=reduction), dtype=torch.float32,
          name=f"cross_entropy(reduction={reduction!r}) on (40, 7) logits")


@pytest.mark.group("ignore_index")
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("ignore_index", [-100, 3])
def test_ignore_index(sub, ref, check, rng, reduction, ignore_index):
    logits, targets = make_case(rng, (50, 6))
    drop = torch.rand(50, generator=rng) < 0.4
    targets[drop] = ignore_index
    targets[0] = ignore_index
    check(sub.cross_entropy(logits, targets, ignore_index=ignore_index, reduction=reduction),
          ref.cross_entropy(logits.double(), targets, ignore_index=ignore_index, reduction=reduction),
          dtype=torch.float32,
          name=f"cross_entropy with {int((targets == ignore_index).sum())} of 50 targets ignored "
               f"(ignore_index={ignore_index}, reduction={reduction!r}; 'mean' counts only the others)")


@pytest.mark.group("ignore_index")
def test_all_ignored(sub, check, rng):
    logits, targets = make_case(rng, (5, 4))
    targets[:] = -100
    mean = sub.cross_entropy(logits, targets, reduction="mean")
    assert isinstance(mean, torch.Tensor) and mean.dim() == 0 and bool(torch.isnan(mean)), (
        f"when every target is ignored, reduction='mean' must return NaN (0/0, as documented); got {mean!r}")
    check(sub.cross_entropy(logits, targets, reduction="sum"), torch.tensor(0.0), dtype=torch.float32,
          name="reduction='sum' with every target ignored", allow_constant=True)
    check(sub.cross_entropy(logits, targets, reduction="none"), torch.zeros(5), dtype=torch.float32,
          name="reduction='none' with every target ignored", allow_constant=True)


@pytest.mark.group("ignore_index")
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_one_target_kept(sub, ref, check, rng, reduction):
    logits, targets = make_case(rng, (9, 5))
    kept = int(torch.randint(0, 9, (1,), generator=rng))
    targets[torch.arange(9) != kept] = -100
    check(sub.cross_entropy(logits, targets, reduction=reduction),
          ref.cross_entropy(logits.double(), targets, reduction=reduction), dtype=torch.float32,
          name=f"cross_entropy with every target but row {kept} ignored, reduction={reduction!r} ('mean' divides "
               f"by the 1 target that is not ignored)")


@pytest.mark.group("label_smoothing")
@pytest.mark.parametrize("epsilon", [0.0, 0.05, 0.1, 0.5])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_label_smoothing(sub, ref, check, rng, epsilon, reduction):
    logits, targets = make_case(rng, (30, 9))
    targets[::7] = -100
    check(sub.cross_entropy(logits, targets, reduction=reduction, label_smoothing=epsilon),
          ref.cross_entropy(logits.double(), targets, reduction=reduction, label_smoothing=epsilon),
          dtype=torch.float32, name=f"cross_entropy(label_smoothing={epsilon}, reduction={reduction!r})")


@pytest.mark.group("shapes")
@pytest.mark.parametrize("shape", [(4, 5, 3), (2, 6, 3, 4), (3, 4, 2, 2, 2)])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_spatial_shapes(sub, ref, check, rng, shape, reduction):
    logits, targets = make_case(rng, shape)
    check(sub.cross_entropy(logits, targets, reduction=reduction),
          ref.cross_entropy(logits.double(), targets, reduction=reduction), dtype=torch.float32,
          name=f"cross_entropy of logits {shape} (classes on dim 1), reduction={reduction!r}")
