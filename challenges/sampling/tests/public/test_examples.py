"""Public tests: the statement's worked example. Run them with `mlj test sampling`."""

import pytest
import torch

LOGITS = torch.tensor([2.0, 1.0, 0.5, 0.5, -1.0])


@pytest.mark.parametrize("kwargs, expected", [
    ({}, [0.5365, 0.1974, 0.1197, 0.1197, 0.0267]),
    ({"temperature": 0.5}, [0.8082, 0.1094, 0.0402, 0.0402, 0.0020]),
    ({"top_k": 2}, [0.7311, 0.2689, 0.0, 0.0, 0.0]),
    ({"top_k": 3}, [0.5512, 0.2028, 0.1230, 0.1230, 0.0]),
    ({"top_p": 0.8}, [0.6285, 0.2312, 0.1402, 0.0, 0.0]),
    ({"temperature": 0.5, "top_k": 3, "top_p": 0.9}, [0.8808, 0.1192, 0.0, 0.0, 0.0]),
    ({"temperature": 0.0}, [1.0, 0.0, 0.0, 0.0, 0.0]),
])
def test_worked_example(sub, check, kwargs, expected):
    check(sub.filtered_probs(LOGITS, **kwargs), torch.tensor(expected), atol=6e-5, rtol=0.0, allow_constant=True,
          name=f"filtered_probs([2, 1, 0.5, 0.5, -1], {kwargs})")


def test_top_p_boundary(sub, check):
    x = torch.full((4,), 1.5)
    check(sub.filtered_probs(x, top_p=0.5), torch.tensor([0.5, 0.5, 0.0, 0.0]), dtype=torch.float32,
          name="filtered_probs(4 equal logits, top_p=0.5): 0.25 + 0.25 reaches 0.5")


def test_bad_top_p_raises(sub):
    from judge.runner import RuntimeFault
    with pytest.raises(RuntimeFault) as info:
        sub.filtered_probs(LOGITS, top_p=0.0)
    assert info.value.exc_type == "ValueError", info.value.message


def test_sample_with_top_k(sub):
    generator = sub.support("sampling_support").generator.new(0)
    tokens = sub.sample(LOGITS.expand(20000, 5), top_k=2, generator=generator)
    assert tokens.shape == (20000,) and tokens.dtype == torch.int64
    counts = torch.bincount(tokens, minlength=5)
    assert counts[2:].sum() == 0, "top_k=2: only tokens 0 and 1 may be drawn"
    assert abs(float(counts[0]) / 20000 - 0.7311) < 0.02, f"token 0 drawn {int(counts[0])} times of 20000"
