"""Result contracts: every value from the worker is checked against its entry point's declared contract
before a test touches it.

A challenge declares, once, in challenge.yaml's ``results:``, what each entry point returns (``kind``,
dtypes, a shape with symbolic dims bound from the arguments, sizes, item contracts; see
``judge.challenge.ResultContract``). The worker runs the submission, so whatever it sends back is
untrusted: a value of the wrong kind, shape or size is a wrong answer with a message that says what was
expected ("returned int where a Tensor of shape (N,) is expected"), never an AttributeError in a test
(a judge error). A call with no declared contract is the challenge's fault: a ``JudgeFault``.

Keys of ``results:``: a name of the submission (``cross_entropy``), a support module's function
(``training_support.run``), or a method of an object kept in the worker, under the key of the call that
made it (``MultiHeadAttention.state_dict``; calling the object itself is ``MultiHeadAttention.__call__``).
Gradients (``sub.fn.grad``) are checked against a contract made from the arguments they belong to.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from harness.protocol import Handle
from judge.runner.faults import JudgeFault, WrongOutputFault

if TYPE_CHECKING:
    from judge.challenge import ResultContract

ELLIPSIS = "..."
_FLOATING = {"float64", "float32", "float16", "bfloat16"}
_KIND_NAMES = {"tensor": "a Tensor", "ndarray": "a NumPy array", "float": "a float", "int": "an int",
               "bool": "a bool", "str": "a str", "list": "a list", "tuple": "a tuple", "dict": "a dict",
               "handle": "an object kept in the worker", "none": "None", "any": "any value"}


class ContractViolation(Exception):
    """What is wrong with a value, and where in it (``path``)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def kind_of(value: Any) -> str:
    """The name a person reads for what the worker returned."""
    if isinstance(value, torch.Tensor):
        return f"a Tensor of shape {tuple(value.shape)} and dtype {str(value.dtype).removeprefix('torch.')}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, Handle):
        return "an object kept in the worker"
    if isinstance(value, (list, tuple, dict, str)):
        return f"{type(value).__name__} of length {len(value)}"
    return type(value).__name__


class Checker:
    """One call's check: dims bound from its arguments, then from the value itself as they are met."""

    def __init__(self, contract: ResultContract, args: tuple, kwargs: Mapping[str, Any]) -> None:
        self.contract = contract
        self.dims: dict[str, Any] = {}
        arguments = dict(zip(contract.params, args))
        arguments.update({str(i): a for i, a in enumerate(args)})
        arguments.update(kwargs)
        for name, pattern in contract.bind.items():
            if name not in arguments:
                continue
            value = arguments[name]
            if isinstance(pattern, str):  # an int argument names a dim (k clusters, say)
                if isinstance(value, int) and not isinstance(value, bool) and pattern not in self.dims:
                    self.dims[pattern] = value
                continue
            shape = _shape(value)
            if shape is not None:
                found = _match(pattern, shape, dict(self.dims))
                if found is not None:  # an argument off its own pattern (an error test's) binds nothing
                    self.dims = found

    def check(self, value: Any) -> None:
        self._check(self.contract, value, "")

    # -- the walk ---------------------------------------------------------------------------------------
    def describe(self, contract: ResultContract) -> str:
        if contract.any_of:
            text = " or ".join(self.describe(c) for c in contract.any_of)
        else:
            text = _KIND_NAMES[contract.kind]
            if contract.kind in ("tensor", "ndarray"):
                if contract.shape is not None:
                    text += f" of shape {_pattern_text(contract.shape)}"
                    concrete = self._concrete(contract.shape)
                    if concrete is not None and concrete != _pattern_text(contract.shape):
                        text += f" = {concrete}"
                elif contract.rank is not None:
                    text += f" with {contract.rank} dimension{'s' if contract.rank != 1 else ''}"
                if contract.dtype:
                    text += f" ({' or '.join(contract.dtype)})"
            elif contract.kind in ("list", "tuple") and contract.length is not None:
                text += f" of {contract.length} items"
        return text + (" or None" if contract.or_none else "")

    def _concrete(self, pattern: list[int | str]) -> str | None:
        dims: list[str] = []
        for token in pattern:
            if isinstance(token, int):
                dims.append(str(token))
            elif token == ELLIPSIS and ELLIPSIS in self.dims:
                dims += [str(d) for d in self.dims[ELLIPSIS]]
            elif token in self.dims and token != ELLIPSIS:
                dims.append(str(self.dims[token]))
            else:
                return None
        return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"

    def _fail(self, contract: ResultContract, value: Any, path: str, detail: str = "") -> ContractViolation:
        text = f"returned {kind_of(value)} where {self.describe(contract)} is expected"
        return ContractViolation(text + (f" ({detail})" if detail else ""), path)

    def _check(self, contract: ResultContract, value: Any, path: str) -> None:
        if value is None and contract.or_none:
            return
        if contract.any_of:
            saved = dict(self.dims)
            for option in contract.any_of:
                try:
                    self._check(option, value, path)
                    return
                except ContractViolation:
                    self.dims = dict(saved)
            raise self._fail(contract, value, path)
        getattr(self, f"_{contract.kind}")(contract, value, path)

    def _any(self, contract: ResultContract, value: Any, path: str) -> None:
        pass

    def _none(self, contract: ResultContract, value: Any, path: str) -> None:
        if value is not None:
            raise self._fail(contract, value, path)

    def _handle(self, contract: ResultContract, value: Any, path: str) -> None:
        if not isinstance(value, Handle):
            raise self._fail(contract, value, path)

    def _bool(self, contract: ResultContract, value: Any, path: str) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise self._fail(contract, value, path)

    def _int(self, contract: ResultContract, value: Any, path: str) -> None:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise self._fail(contract, value, path)
        if abs(int(value)) >= 2**63:
            raise self._fail(contract, value, path, "it does not fit in 64 bits")

    def _float(self, contract: ResultContract, value: Any, path: str) -> None:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, int, np.floating, np.integer)):
            raise self._fail(contract, value, path)
        try:
            as_float = float(value)
        except OverflowError:
            raise self._fail(contract, value, path, "too large for a float") from None
        if isinstance(value, (int, np.integer)) and not math.isfinite(as_float):
            raise self._fail(contract, value, path, "too large for a float")

    def _str(self, contract: ResultContract, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise self._fail(contract, value, path)
        self._length(contract, value, path)

    def _length(self, contract: ResultContract, value: Any, path: str) -> None:
        if contract.length is not None and len(value) != contract.length:
            raise self._fail(contract, value, path, f"{len(value)} items instead of {contract.length}")
        if contract.max_len is not None and len(value) > contract.max_len:
            raise self._fail(contract, value, path, f"more than {contract.max_len} items")

    def _sequence(self, contract: ResultContract, value: Any, path: str) -> None:
        self._length(contract, value, path)
        if contract.items is not None:  # the contract of every item
            for i, item in enumerate(value):
                self._check(contract.items, item, f"{path}[{i}]")
        for i, (item, item_contract) in enumerate(zip(value, contract.positions)):  # of each position in turn
            self._check(item_contract, item, f"{path}[{i}]")

    def _list(self, contract: ResultContract, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise self._fail(contract, value, path)
        self._sequence(contract, value, path)

    def _tuple(self, contract: ResultContract, value: Any, path: str) -> None:
        if not isinstance(value, tuple):
            raise self._fail(contract, value, path)
        self._sequence(contract, value, path)

    def _dict(self, contract: ResultContract, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise self._fail(contract, value, path)
        self._length(contract, value, path)
        if contract.fields is not None:  # a dataclass-like dict: exactly these keys
            if set(value) != set(contract.fields):
                missing = sorted(set(contract.fields) - set(value))
                extra = sorted(set(value) - set(contract.fields))[:5]
                raise ContractViolation(
                    f"returned a dict with keys {sorted(value)[:10]} where the keys {sorted(contract.fields)} are "
                    f"expected" + (f" (missing: {missing})" if missing else "") + (f" (extra: {extra})" if extra
                                                                                  else ""), path)
            for key, field_contract in contract.fields.items():
                self._check(field_contract, value[key], f"{path}[{key!r}]")
        if contract.values is not None:
            for key, item in value.items():
                self._check(contract.values, item, f"{path}[{key!r}]")

    def _tensor(self, contract: ResultContract, value: Any, path: str) -> None:
        if not isinstance(value, torch.Tensor):
            raise self._fail(contract, value, path)
        self._array(contract, value, tuple(value.shape), str(value.dtype).removeprefix("torch."), value.numel(),
                    path)

    def _ndarray(self, contract: ResultContract, value: Any, path: str) -> None:
        if not isinstance(value, np.ndarray):
            raise self._fail(contract, value, path)
        self._array(contract, value, tuple(value.shape), str(value.dtype), int(value.size), path)

    def _array(self, contract: ResultContract, value: Any, shape: tuple[int, ...], dtype: str, numel: int,
               path: str) -> None:
        if contract.dtype and not any(dtype == d or (d == "floating" and dtype in _FLOATING)
                                      or (d == "integer" and dtype.startswith(("int", "uint")))
                                      for d in contract.dtype):
            raise self._fail(contract, value, path)
        if contract.rank is not None and len(shape) != contract.rank:
            raise self._fail(contract, value, path)
        if contract.max_numel is not None and numel > contract.max_numel:
            raise self._fail(contract, value, path, f"more than {contract.max_numel} elements")
        if contract.shape is not None:
            found = _match(contract.shape, shape, self.dims)
            if found is None:
                raise self._fail(contract, value, path)
            self.dims = found


def _shape(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return tuple(int(d) for d in value.shape)
    return None


def _pattern_text(pattern: list[int | str]) -> str:
    return "(" + ", ".join(str(t) for t in pattern) + ("," if len(pattern) == 1 and pattern != [ELLIPSIS] else "") + ")"


def _match(pattern: list[int | str], shape: tuple[int, ...], dims: dict[str, Any]) -> dict[str, Any] | None:
    """``dims`` extended with what ``shape`` binds, or None when it does not fit ``pattern``."""
    dims = dict(dims)
    if ELLIPSIS in pattern:
        at = pattern.index(ELLIPSIS)
        after = len(pattern) - at - 1
        if len(shape) < len(pattern) - 1:
            return None
        middle = shape[at:len(shape) - after]
        if ELLIPSIS in dims and tuple(dims[ELLIPSIS]) != middle:
            return None
        dims[ELLIPSIS] = middle
        pairs = list(zip(pattern[:at], shape[:at])) + list(zip(pattern[at + 1:], shape[len(shape) - after:]))
    else:
        if len(shape) != len(pattern):
            return None
        pairs = list(zip(pattern, shape))
    for token, size in pairs:
        if isinstance(token, int):
            if token != size:
                return None
        elif token != "*" and dims.setdefault(token, size) != size:
            return None
    return dims


class Contracts:
    """A challenge's declared result contracts, keyed as described above, and the check of one call."""

    def __init__(self, results: Mapping[str, ResultContract]) -> None:
        self.results = dict(results)

    def check(self, key: str, value: Any, args: tuple, kwargs: Mapping[str, Any], what: str) -> None:
        """Raise WrongOutputFault (WA) when ``value`` breaks the contract of ``key``; JudgeFault when the
        challenge declares none for it."""
        contract = self.results.get(key)
        if contract is None:
            raise JudgeFault(f"challenge.yaml declares no result contract for {key!r} (called as {what}): add it "
                             f"under results: (README.md, 'Writing a challenge')")
        checker = Checker(contract, args, kwargs)
        try:
            checker.check(value)
        except ContractViolation as exc:
            where = f" at {exc.path}" if exc.path else ""
            raise WrongOutputFault(f"{what}{where} {exc.message}") from None

    def class_of(self, key: str) -> str:
        """The key an object kept in the worker answers under: the ``of`` of the call that made it, else
        that call's own key (``sub.MultiHeadAttention.new(...)`` makes a ``MultiHeadAttention``)."""
        contract = self.results.get(key)
        return contract.of if contract is not None and contract.of else key


def check_grads(grads: Any, inputs: list[Any], params: bool, what: str) -> None:
    """Gradients as ``harness.worker`` sends them: one per input (its shape, a float dtype, or None), and
    with ``params`` a dict ``{"inputs": [...], "params": {name: tensor or None}}``."""
    def fail(text: str) -> WrongOutputFault:
        return WrongOutputFault(f"{what}: the gradients came back as {text}")

    listed = grads
    if params:
        if not isinstance(grads, dict) or set(grads) != {"inputs", "params"} or not isinstance(grads["params"], dict):
            raise fail(kind_of(grads))
        for name, grad in grads["params"].items():
            if grad is not None and not (isinstance(grad, torch.Tensor) and grad.is_floating_point()):
                raise fail(f"{kind_of(grad)} for parameter {name!r}")
        listed = grads["inputs"]
    if not isinstance(listed, list) or len(listed) != len(inputs):
        raise fail(f"{kind_of(listed)} where a list of {len(inputs)} tensors is expected")
    for i, (grad, given) in enumerate(zip(listed, inputs)):
        if grad is None:
            continue
        if not isinstance(grad, torch.Tensor) or not grad.is_floating_point():
            raise fail(f"{kind_of(grad)} for input {i} where a floating-point Tensor is expected")
        shape = _shape(given)
        if shape is not None and tuple(grad.shape) != shape:
            raise fail(f"a Tensor of shape {tuple(grad.shape)} for input {i}, whose shape is {shape}")
