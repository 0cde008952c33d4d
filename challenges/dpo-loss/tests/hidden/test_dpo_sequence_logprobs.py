"""Hidden tests for sequence_logprobs: values, the shift, masking, sum vs mean, stability, gradients; and the
batch of one for both functions.

The batch-of-one group comes last in this file, after test_dpo_objective.py has run: a report lists the groups
in the order they first ran, so a mistake in either function is headlined by that function's own value test,
never by the batch of one."""

from __future__ import annotations

import pytest
import torch

F64, F32 = torch.float64, torch.float32


# -- helpers (trusted side) -------------------------------------------------------------------------

def _batch(rng: torch.Generator, b: int, t: int, v: int, dtype: torch.dtype, scale: float = 1.0):
    """Random logits, labels and a prompt/response/padding mask with at least 2 response tokens a row."""
    logits = (torch.randn(b, t, v, generator=rng, dtype=F64) * scale).to(dtype)
    labels = torch.randint(0, v, (b, t), generator=rng)
    mask = torch.zeros(b, t, dtype=torch.bool)
    for row in range(b):
        prompt = int(torch.randint(1, t - 1, (1,), generator=rng))
        length = int(torch.randint(2, t - prompt + 1, (1,), generator=rng))
        mask[row, prompt:prompt + length] = True
    return logits, labels, mask


def _mistakes(logits: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
    """What the usual mistakes would return (float64), each with the hint to give."""
    every = torch.log_softmax(logits.double(), dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    right = torch.log_softmax(logits.double()[:, :-1], dim=-1).gather(-1, labels[:, 1:].unsqueeze(-1)).squeeze(-1)
    keep = mask.bool()
    keep_next = keep[:, 1:]
    count = keep_next.sum(-1).double()
    return [
        ("your result equals scoring logits[:, t] against labels[:, t]. The logits at position t predict the "
         "NEXT token: use logits[:, :-1] with labels[:, 1:] and loss_mask[:, 1:]",
         torch.where(keep, every, 0.0).sum(-1)),
        ("your result equals the MEAN of the token log-probs of each sequence; DPO needs their SUM "
         "(the log-probability of the whole response is a sum over its tokens)",
         torch.where(keep_next, right, 0.0).sum(-1) / count),
        ("your result uses loss_mask[:, :-1]; shift the mask like the labels: loss_mask[:, 1:]",
         torch.where(keep[:, :-1], right, 0.0).sum(-1)),
        ("your result includes the masked positions (prompt/padding); they must contribute exactly 0",
         right.sum(-1)),
    ]


def _matches(actual: object, wrong: torch.Tensor) -> bool:
    return (isinstance(actual, torch.Tensor) and actual.is_floating_point() and actual.shape == wrong.shape
            and bool(torch.allclose(actual.double(), wrong, rtol=1e-4, atol=1e-4, equal_nan=True)))


def _expect(check, actual, expected, *, dtype, name, mistakes=()) -> None:  # noqa: ANN001
    """``check``; on a mismatch, name the known mistake the output matches, if any."""
    __tracebackhide__ = True
    try:
        check(actual, expected, dtype=dtype, name=name)
    except AssertionError as exc:
        right = expected.double()
        hint = next((h for h, wrong in mistakes if _matches(actual, wrong) and not _matches(right, wrong)), None)
        if hint is None and isinstance(actual, torch.Tensor) and actual.is_floating_point() and actual.dtype != dtype:
            hint = f"return the result in the dtype of logits ({str(dtype)[6:]}), not {str(actual.dtype)[6:]}"
        if (hint is None and isinstance(actual, torch.Tensor) and actual.is_floating_point()
                and not torch.isfinite(actual).all()):
            hint = ("log(softmax(x)) underflows to log(0) = -inf for unlikely tokens; use a stable "
                    "log-softmax (x - max - log(sum(exp(x - max))), or torch.log_softmax)")
        if hint is None:
            raise
        raise AssertionError(f"{exc}\nhint: {hint}") from None


def _run(sub, ref, check, logits, labels, mask, what: str) -> None:  # noqa: ANN001
    __tracebackhide__ = True
    b, t, v = logits.shape
    name = f"sequence_logprobs, {what}, logits ({b}, {t}, {v}) {str(logits.dtype)[6:]}"
    _expect(check, sub.sequence_logprobs(logits, labels, mask), ref.sequence_logprobs(logits.double(), labels, mask),
            dtype=logits.dtype, name=name, mistakes=_mistakes(logits, labels, mask))


# -- tests --------------------------------------------------------------------------------------------

@pytest.mark.group("seq_values")
@pytest.mark.parametrize("dtype,shape", [(F64, (4, 12, 17)), (F32, (3, 10, 50))], ids=["float64", "float32"])
def test_random_batches(sub, ref, check, rng, dtype, shape):
    logits, labels, mask = _batch(rng, *shape, dtype, scale=2.0)
    _run(sub, ref, check, logits, labels, mask, "random prompt/response/padding masks")


@pytest.mark.group("shift")
def test_logits_predict_the_next_token(sub, ref, check, rng):
    b, t, v = 2, 7, 6
    labels = torch.randint(0, v, (b, t), generator=rng)
    logits = torch.randn(b, t, v, generator=rng, dtype=F64) * 0.1
    for row in range(b):
        for pos in range(t - 1):
            logits[row, pos, labels[row, pos + 1]] += 6.0  # position t is confident about token t + 1
    mask = torch.ones(b, t, dtype=torch.bool)
    mask[:, :2] = False
    _run(sub, ref, check, logits, labels, mask,
         "logits[:, t] put most of their mass on labels[:, t + 1] (the result is close to 0)")


@pytest.mark.group("shift")
def test_shift_on_random_float32(sub, ref, check, rng):
    logits, labels, _ = _batch(rng, 3, 9, 11, F32, scale=3.0)
    mask = torch.ones(3, 9, dtype=torch.bool)
    _run(sub, ref, check, logits, labels, mask, "every position counted (loss_mask all True)")


@pytest.mark.group("masking")
def test_prompt_and_padding(sub, ref, check, rng):
    logits, labels, mask = _batch(rng, 5, 10, 13, F64, scale=2.0)
    mask[0] = False  # an empty response: the sum over no tokens is 0
    mask[1] = True  # every position counts (position 0 is never scored)
    for mask_dtype in (torch.bool, torch.int64):
        _run(sub, ref, check, logits, labels, mask.to(mask_dtype),
             f"{str(mask_dtype)[6:]} loss_mask; row 0 all masked (expect 0), row 1 all unmasked")


@pytest.mark.group("masking")
def test_masked_logits_are_ignored(sub, ref, check, rng):
    logits, labels, mask = _batch(rng, 3, 11, 9, F32)
    # Masked positions get wild (but finite) logits: they must not change anything.
    wild = torch.randn(logits.shape, generator=rng, dtype=F64).mul(80).to(F32)
    drop = ~mask[:, 1:]
    logits[:, :-1][drop] = wild[:, :-1][drop]
    _run(sub, ref, check, logits, labels, mask, "large logits at the masked (prompt/padding) positions")


@pytest.mark.group("sum_over_tokens")
def test_responses_of_different_lengths(sub, ref, check, rng):
    b, t, v = 5, 10, 8
    logits = torch.randn(b, t, v, generator=rng, dtype=F64) * 2
    labels = torch.randint(0, v, (b, t), generator=rng)
    mask = torch.zeros(b, t, dtype=torch.bool)
    for row, length in enumerate((1, 2, 3, 5, 8)):
        mask[row, 2:2 + length] = True
    _run(sub, ref, check, logits, labels, mask, "responses of 1, 2, 3, 5 and 8 tokens (a SUM over tokens)")


@pytest.mark.group("seq_stability")
def test_very_unlikely_labels_float32(sub, ref, check, rng):
    b, t, v = 3, 8, 10
    logits = (torch.randn(b, t, v, generator=rng, dtype=F64) * 60).to(F32)
    labels = torch.randint(0, v, (b, t), generator=rng)
    labels[:, 1:] = logits[:, :-1].argmin(dim=-1)  # the least likely token: log-prob in the hundreds
    mask = torch.ones(b, t, dtype=torch.bool)
    _run(sub, ref, check, logits, labels, mask,
         "float32 logits of scale 60 and the least likely token as every label (log-probs of -100s)")


@pytest.mark.group("seq_gradients")
def test_gradient_wrt_logits(sub, ref, check, rng, grads):
    for dtype in (F64, F32):
        logits, labels, mask = _batch(rng, 3, 8, 7, dtype, scale=2.0)
        g = torch.randn(3, generator=rng, dtype=F64).to(dtype)
        value, returned = sub.sequence_logprobs.grad(logits, labels, mask, wrt=(0,), grad_output=g)
        name = f"logits ({', '.join(map(str, logits.shape))}) {str(dtype)[6:]}"
        _expect(check, value, ref.sequence_logprobs(logits.double(), labels, mask), dtype=dtype,
                name=f"sequence_logprobs value, {name}", mistakes=_mistakes(logits, labels, mask))
        x = logits.double().requires_grad_(True)
        (want,) = torch.autograd.grad((ref.sequence_logprobs(x, labels, mask) * g.double()).sum(), x)
        check(returned[0], want, dtype=dtype, name=f"d sequence_logprobs / d logits, {name} (it is 0 at masked "
              "positions and at the last position, which predicts nothing)")
        # and it is the derivative of the submission's own forward (two float64 forward calls, checked here;
        # labels and the mask are not differentiated)
        grads.assert_gradient_of_forward(sub.sequence_logprobs, (logits, labels, mask), (0,), returned[:1], g, rng,
                                         what=f"d sequence_logprobs / d logits, {name}")


@pytest.mark.group("batch_of_one")
def test_sequence_logprobs_batch_of_one(sub, ref, check, rng):
    logits, labels, mask = _batch(rng, 1, 6, 5, F32)
    _run(sub, ref, check, logits, labels, mask, "a batch of one")


@pytest.mark.group("batch_of_one")
def test_dpo_loss_batch_of_one(sub, ref, check, rng):
    rc, rr = -(torch.rand(1, generator=rng, dtype=F64) * 40 + 5), -(torch.rand(1, generator=rng, dtype=F64) * 40 + 5)
    inputs = tuple(x.to(F32) for x in (rc + torch.randn(1, generator=rng, dtype=F64), rr - 1.5, rc, rr))
    got = sub.dpo_loss(*inputs, beta=0.1)
    ok = isinstance(got, (tuple, list)) and len(got) == 3
    assert ok, f"dpo_loss must return a tuple (losses, chosen_rewards, rejected_rewards), got {type(got).__name__}"
    want = ref.dpo_loss(*(x.double() for x in inputs), beta=0.1)
    for label, actual, expected in zip(("losses", "chosen_rewards", "rejected_rewards"), got, want, strict=True):
        check(actual, expected, dtype=F32, name=f"{label} for a batch of one (B=1 float32, beta=0.1)")
