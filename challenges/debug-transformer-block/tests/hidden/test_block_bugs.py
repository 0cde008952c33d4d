"""Hidden tests for debug-transformer-block: one scoring group per planted bug.

Every group is decided here, on the trusted side, from the block's outputs: this side draws the weights and
the inputs, loads the weights into the submission's block (in the worker) and compares what comes back with
the block computed here (``variants.block``, the reference with any set of the planted bugs left in). A
group passes when the output is that of the block with its own bug fixed and any of the OTHER planted bugs
still in (so each fix earns its points alone); an output that is the block with this group's bug in fails
with that bug's name. Dropout active in eval mode is random, so every group but ``dropout`` runs with
dropout=0, where it does not show; the ``dropout`` group runs with dropout=0.5 in eval mode (and checks that
training mode still drops).
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

import pytest
import torch

F64 = torch.float64
RTOL, ATOL = 1e-6, 1e-9  # float64, the same operations: only another summation order may differ
D_MODEL, N_HEADS, D_FF, B, T = 16, 4, 32, 2, 6


@pytest.fixture
def variants(helper: Any) -> Any:
    return helper("variants")


def fail(message: str) -> NoReturn:
    """A wrong answer with this message (kept whole, unlike a failing ``assert a == b, message``)."""
    raise AssertionError(message)


def draw_state(ref: Any, rng: torch.Generator) -> dict[str, torch.Tensor]:
    """Random float64 weights for the block: LayerNorm scales around 1, shifts and biases around 0."""
    shapes = {k: v.shape for k, v in ref.TransformerBlock(D_MODEL, N_HEADS, D_FF).state_dict().items()}
    state = {}
    for name, shape in shapes.items():
        noise = torch.randn(shape, generator=rng, dtype=F64)
        if name.startswith("ln") and name.endswith("weight"):
            state[name] = 1.0 + 0.3 * noise
        elif name.startswith("ln"):
            state[name] = 0.3 * noise
        else:
            state[name] = noise / math.sqrt(shape[-1]) * (2.0 if name.endswith("weight") else 0.3)
    return state


def draw_input(rng: torch.Generator) -> torch.Tensor:
    # per-feature offsets and scales, so that normalizing over the positions and over the features differ
    offsets = torch.randn(D_MODEL, generator=rng, dtype=F64) * 2
    return torch.randn(B, T, D_MODEL, generator=rng, dtype=F64) * (1 + torch.rand(D_MODEL, generator=rng,
                                                                                     dtype=F64)) + offsets


def same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a.to(F64), b, rtol=RTOL, atol=ATOL)


Case = tuple[dict[str, torch.Tensor], torch.Tensor, dict[frozenset[str], torch.Tensor]]


def telling_case(ref: Any, variants: Any, rng: torch.Generator, bug: str, others: list[str],
                 attempts: int = 20) -> Case:
    """Weights and input on which every block with ``bug`` in differs from every block without it (for any of
    ``others`` in or out): a test on them fails that bug and no other, whatever the seed."""
    for _ in range(attempts):
        state, x = draw_state(ref, rng), draw_input(rng)
        outputs = {s: variants.block(state, x, N_HEADS, s) for s in variants.subsets([bug, *others])}
        fixed = [o for s, o in outputs.items() if bug not in s]
        broken = [o for s, o in outputs.items() if bug in s]
        if all((a - b).abs().max() > 1e-3 for a in fixed for b in broken):
            return state, x, outputs
    raise RuntimeError(f"no inputs among {attempts} draws tell the {bug!r} bug apart")


def run_block(sub: Any, state: dict[str, torch.Tensor], x: torch.Tensor, dropout: float | None) -> Any:
    """The submission's block with these weights (``dropout`` None: the constructor's default), in float64 and
    eval mode; returns the handle."""
    module = (sub.TransformerBlock.new(D_MODEL, N_HEADS, D_FF) if dropout is None
              else sub.TransformerBlock.new(D_MODEL, N_HEADS, D_FF, dropout))
    got = module.state_dict()
    if not isinstance(got, dict) or sorted(got) != sorted(state):
        fail(f"TransformerBlock({D_MODEL}, {N_HEADS}, {D_FF}).state_dict() has keys "
             f"{sorted(got) if isinstance(got, dict) else got}, expected exactly {sorted(state)}: keep the "
             f"parameter names of the stub")
    for name, value in state.items():
        if tuple(got[name].shape) != tuple(value.shape):
            fail(f"{name} has shape {tuple(got[name].shape)}, expected {tuple(value.shape)}")
    module.to.new(F64)
    module.load_state_dict(state)
    module.eval.new()
    return module


def judge(got: Any, outputs: dict[frozenset[str], torch.Tensor], bug: str, words: str, what: str) -> None:
    """Pass when ``got`` is the block with ``bug`` fixed (any other planted bug in or out)."""
    if not isinstance(got, torch.Tensor) or got.shape != (B, T, D_MODEL):
        fail(f"{what}: the block returned {type(got).__name__} "
             f"{tuple(got.shape) if isinstance(got, torch.Tensor) else ''}, expected a tensor of shape "
             f"{(B, T, D_MODEL)}")
    if not torch.isfinite(got).all():
        fail(f"{what}: the output has NaN or inf values")
    if any(same(got, o) for s, o in outputs.items() if bug not in s):
        return
    if any(same(got, o) for s, o in outputs.items() if bug in s):
        fail(f"{what}: {words}")
    reference = outputs[frozenset()]
    fail(f"{what}: the output is neither the reference block's nor that of the block with some of the planted "
         f"bugs left in (largest difference from the reference {float((got.to(F64) - reference).abs().max()):.3g}): "
         f"a change outside the planted bugs?")


def deterministic_bugs(variants: Any) -> list[str]:
    return list(variants.BUGS)


@pytest.mark.group("residual")
def test_residual_connection(sub, ref, variants, rng):
    check_group(sub, ref, variants, rng, "residual")


@pytest.mark.group("causal_mask")
def test_causal_mask(sub, ref, variants, rng):
    check_group(sub, ref, variants, rng, "mask")


@pytest.mark.group("attention_scale")
def test_attention_scale(sub, ref, variants, rng):
    check_group(sub, ref, variants, rng, "scale")


@pytest.mark.group("layer_norm")
def test_layer_norm(sub, ref, variants, rng):
    check_group(sub, ref, variants, rng, "layernorm")


@pytest.mark.group("head_split")
def test_head_split(sub, ref, variants, rng):
    check_group(sub, ref, variants, rng, "heads")


def check_group(sub: Any, ref: Any, variants: Any, rng: torch.Generator, bug: str) -> None:
    others = [b for b in deterministic_bugs(variants) if b != bug]
    state, x, outputs = telling_case(ref, variants, rng, bug, others)
    module = run_block(sub, state, x, 0.0)
    judge(module(x), outputs, bug, variants.BUGS[bug],
          f"TransformerBlock({D_MODEL}, {N_HEADS}, {D_FF}, dropout=0.0) in eval mode, x {tuple(x.shape)}")


@pytest.mark.group("dropout")
@pytest.mark.parametrize("dropout", [0.5, None])
def test_dropout_only_in_training(sub, ref, variants, rng, dropout):
    others = deterministic_bugs(variants)
    state, x = draw_state(ref, rng), draw_input(rng)
    outputs = {s: variants.block(state, x, N_HEADS, s) for s in variants.subsets(others)}
    module = run_block(sub, state, x, dropout)
    what = f"TransformerBlock({D_MODEL}, {N_HEADS}, {D_FF}" + (")" if dropout is None else f", dropout={dropout})")
    if dropout is None:
        what += " (dropout defaults to 0.1)"
    first, second = module(x), module(x)
    # exactly equal, NaN included (a NaN from another bug is not dropout: judge() below names it)
    if isinstance(first, torch.Tensor) and isinstance(second, torch.Tensor) and first.shape == second.shape and \
            first.dtype == second.dtype and not torch.allclose(first, second, rtol=0, atol=0, equal_nan=True):
        fail(f"{what} in eval mode: two calls on the same input give different outputs: dropout is active in "
             f"eval mode (use self.drop, or F.dropout(..., training=self.training))")
    judge(first, outputs, "dropout", "", f"{what} in eval mode (dropout must be off)")
    module.train.new()
    trained = module(x)
    if isinstance(trained, torch.Tensor) and same(trained, first.to(F64)):
        fail(f"{what} in training mode gives the eval-mode output: dropout must be active in training mode, "
             f"after the attention's projection and after the MLP")
