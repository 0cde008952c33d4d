"""Result contracts: a value of the wrong kind, shape, dtype or size is WA with a message, never JE."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from harness.protocol import Handle
from judge.challenge import ResultContract, discover, find
from judge.runner.contracts import Contracts, check_grads
from judge.runner.faults import JudgeFault, WrongOutputFault


def contracts(**results: dict) -> Contracts:
    return Contracts({k: ResultContract.model_validate(v) for k, v in results.items()})


SDPA = {"kind": "tensor", "dtype": ["floating"], "params": ["q", "k", "v"],
        "bind": {"q": ["...", "L", "E"], "v": ["...", "S", "Ev"]}, "shape": ["...", "L", "Ev"]}


def wrong(table: Contracts, key: str, value, *args, **kwargs) -> str:
    with pytest.raises(WrongOutputFault) as caught:
        table.check(key, value, args, kwargs, f"{key}()")
    assert caught.value.verdict.name == "WA"
    return caught.value.message


def test_an_int_where_a_tensor_is_expected_says_what_shape_was_expected():
    q, v = torch.zeros(2, 5, 8), torch.zeros(2, 7, 3)
    message = wrong(contracts(sdpa=SDPA), "sdpa", 7, q, q, v)
    assert message == "sdpa() returned int where a Tensor of shape (..., L, Ev) = (2, 5, 3) (floating) is expected"


def test_symbolic_dims_are_bound_from_the_arguments():
    table = contracts(sdpa=SDPA)
    q, k, v = torch.zeros(2, 5, 8), torch.zeros(2, 7, 8), torch.zeros(2, 7, 3)
    table.check("sdpa", torch.zeros(2, 5, 3), (q, k, v), {}, "sdpa()")
    table.check("sdpa", torch.zeros(2, 5, 3), (), {"q": q, "k": k, "v": v}, "sdpa()")  # by keyword as well
    for bad in (torch.zeros(2, 5, 8), torch.zeros(5, 3), torch.zeros(3, 5, 3), torch.zeros(2, 5, 3, dtype=torch.int64)):
        assert "where a Tensor of shape (..., L, Ev)" in wrong(table, "sdpa", bad, q, k, v)


def test_an_argument_off_its_own_pattern_binds_nothing():
    table = contracts(sdpa=SDPA)
    table.check("sdpa", torch.zeros(4, 4), (torch.zeros(3), torch.zeros(3), torch.zeros(3)), {}, "sdpa()")


def test_a_huge_int_where_a_float_is_expected_is_wa_and_a_small_one_passes():
    table = contracts(loss={"kind": "float"}, n={"kind": "int"})
    assert "too large for a float" in wrong(table, "loss", 10**399)
    table.check("loss", 3, (), {}, "loss()")
    table.check("loss", np.float32(1.5), (), {}, "loss()")
    table.check("loss", float("nan"), (), {}, "loss()")  # the comparison decides about NaN, not the contract
    assert "fit in 64 bits" in wrong(table, "n", 2**70)
    for value in (True, 1.0, "1", None, [1]):
        wrong(table, "n", value)


def test_nested_contracts_name_the_place_of_the_wrong_item():
    table = contracts(state={"kind": "dict", "values": {"kind": "tensor"}},
                      run={"kind": "dict", "fields": {"a": {"kind": "int"},
                                                      "b": {"kind": "list", "items": {"kind": "float"}}}},
                      pair={"kind": "tuple", "length": 2, "items": {"kind": "tensor", "shape": ["B"]}})
    message = wrong(table, "state", {"w": torch.zeros(2), "b": 3})
    assert message.startswith("state() at ['b'] returned int where a Tensor")
    assert "missing: ['b']" in wrong(table, "run", {"a": 1})
    assert "at ['b'][1] returned str" in wrong(table, "run", {"a": 1, "b": [1.0, "x"]})
    assert "3 items instead of 2" in wrong(table, "pair", (torch.zeros(2),) * 3)
    assert "at [1] returned a Tensor of shape (3,)" in wrong(table, "pair", (torch.zeros(2), torch.zeros(3)))
    wrong(table, "pair", [torch.zeros(2), torch.zeros(2)])  # a list is not a tuple


def test_any_of_or_none_and_sizes():
    table = contracts(x={"any_of": [{"kind": "ndarray", "shape": []}, {"kind": "float"}], "or_none": True},
                      t={"kind": "tensor", "max_numel": 10}, s={"kind": "list", "max_len": 2})
    for ok in (None, 1.5, np.asarray(2.0)):
        table.check("x", ok, (), {}, "x()")
    assert "or a float or None is expected" in wrong(table, "x", np.zeros(2))
    assert "more than 10 elements" in wrong(table, "t", torch.zeros(11))
    assert "more than 2 items" in wrong(table, "s", [1, 2, 3])


def test_an_undeclared_entry_is_the_challenges_fault_and_handles_keep_their_class():
    table = contracts(Model={"kind": "handle"}, **{"Model.to": {"kind": "handle", "of": "Model"}})
    with pytest.raises(JudgeFault, match="declares no result contract for 'other'"):
        table.check("other", 1, (), {}, "other()")
    table.check("Model", Handle(3), (), {}, "Model()")
    assert table.class_of("Model") == "Model" and table.class_of("Model.to") == "Model"


def test_grads_must_be_float_tensors_of_the_inputs_shapes():
    x = torch.zeros(2, 3)
    check_grads([torch.ones(2, 3), None], [x, x], False, "f.grad()")
    check_grads({"inputs": [None], "params": {"w": torch.ones(1)}}, [x], True, "f.grad()")
    for grads in (7, [7, None], [torch.ones(3, 2), None], [torch.ones(2, 3)],
                  [torch.ones(2, 3, dtype=torch.int64), None]):
        with pytest.raises(WrongOutputFault, match="gradients came back as"):
            check_grads(grads, [x, x], False, "f.grad()")
    with pytest.raises(WrongOutputFault):
        check_grads({"inputs": [None], "params": {"w": 3}}, [x], True, "f.grad()")


def test_every_challenge_declares_a_contract_for_each_entry_name():
    """Each name of ``entry.names`` that is a function has a contract, and a class has one per method the
    tests call (checked for real by the gradings; here only that none was forgotten at the top level)."""
    for challenge in discover():
        results = challenge.spec.results
        assert results, f"{challenge.id}: no results: in challenge.yaml"
        for name in challenge.spec.entry.names:
            assert name in results or any(key.startswith(name + ".") for key in results) or \
                   challenge.spec.support, f"{challenge.id}: no contract for {name}"


def test_the_training_support_report_of_debug_training_loop_is_checked_field_by_field():
    table = Contracts(find("debug-training-loop").spec.results)
    good = {"history": {"train_loss": [0.5, 0.25]}, "history_not_float": {}, "history_problem": None,
            "history_extra": [], "training": False, "state": {"fc1.weight": torch.zeros(2, 2)}, "steps_per_epoch": 3,
            "probes": {"step_lr": [0.1, 0.1], "most_graphs_alive_at": None, "graphs_alive_after": 0}}
    table.check("training_support.run", good, (), {}, "run()")
    assert "missing:" in wrong(table, "training_support.run", {"state": 7})
    assert "at ['state']['fc1.weight'] returned int" in wrong(table, "training_support.run",
                                                              dict(good, state={"fc1.weight": 0}))
    assert "at ['history']['train_loss'][0]" in wrong(table, "training_support.run",
                                                      dict(good, history={"train_loss": ["0.5"]}))
