"""The mutation operators ``mlj verify --mutants`` applies: cosmic-ray's, and a few of the ML kind.

The generic operators are cosmic-ray's own (``cosmic_ray.operators``, over parso
trees), chosen for the mistakes a candidate makes: a comparison flipped on its
boundary, a plus for a minus, a dropped sign, a number off by one (which also
moves a ``dim``/``axis`` argument to its neighbour), a flag flipped, a loop
that never runs. cosmic-ray has no operator for the mistakes particular to
tensor code, so those are written here on its ``Operator`` interface: a
reduction swapped for its sibling (a sum for a mean, a max for a norm, an
argmin for an argmax) and a dropped ``detach``/``clone``/``copy`` call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cosmic_ray.plugins
import parso.python.tree
from cosmic_ray.operators.operator import Example, Operator

#: cosmic-ray's core operators that are used (its full set also swaps every arithmetic operator for every
#: other, shifts and bitwise ones included: mutants no candidate would write, at a grading each)
CORE = tuple(f"core/{name}" for name in (
    "ReplaceComparisonOperator_Lt_LtE", "ReplaceComparisonOperator_LtE_Lt",
    "ReplaceComparisonOperator_Gt_GtE", "ReplaceComparisonOperator_GtE_Gt",
    "ReplaceComparisonOperator_Lt_Gt", "ReplaceComparisonOperator_Gt_Lt",
    "ReplaceComparisonOperator_Eq_NotEq", "ReplaceComparisonOperator_NotEq_Eq",
    "ReplaceComparisonOperator_Is_IsNot", "ReplaceComparisonOperator_IsNot_Is",
    "ReplaceBinaryOperator_Add_Sub", "ReplaceBinaryOperator_Sub_Add",
    "ReplaceBinaryOperator_Mul_Div", "ReplaceBinaryOperator_Div_Mul",
    "ReplaceBinaryOperator_FloorDiv_Div", "ReplaceBinaryOperator_Pow_Mul",
    "ReplaceUnaryOperator_Delete_USub", "ReplaceUnaryOperator_Delete_Invert", "ReplaceUnaryOperator_Delete_Not",
    "NumberReplacer",
    "ReplaceTrueWithFalse", "ReplaceFalseWithTrue", "ReplaceAndWithOr", "ReplaceOrWithAnd",
    "ZeroIterationForLoop", "ReplaceBreakWithContinue",
))

#: attribute names swapped for a sibling: the reductions and comparisons tensor code is built from
SWAPS = {
    "mean": "sum", "sum": "mean", "amax": "amin", "amin": "amax", "max": "min", "min": "max",
    "argmin": "argmax", "argmax": "argmin", "maximum": "minimum", "minimum": "maximum", "norm": "amax",
    "triu": "tril", "tril": "triu",
}
#: method calls whose removal keeps the code running: x.detach() -> x
DROPPABLE = ("detach", "clone", "copy")


def _attribute_name(node: Any) -> bool:
    """``node`` is the name after a dot (``x.mean``, ``torch.mean``), not a variable of the same name."""
    parent = node.parent
    return (isinstance(node, parso.python.tree.Name) and parent is not None and parent.type == "trailer"
            and parent.children[0].type == "operator" and parent.children[0].value == ".")


class SwapReduction(Operator):
    """``x.mean(...)`` -> ``x.sum(...)``, ``.amax`` -> ``.amin``, ``.norm`` -> ``.amax``, and the like."""

    def mutation_positions(self, node: Any) -> Iterator[tuple]:
        if _attribute_name(node) and node.value in SWAPS:
            yield (node.start_pos, node.end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        node.value = SWAPS[node.value]
        return node

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("y = x.mean(dim=1)", "y = x.sum(dim=1)"), Example("y = torch.amax(x)", "y = torch.amin(x)"))


def _droppable_calls(node: Any) -> Iterator[int]:
    """Indices in ``node.children`` of each ``.detach`` (``.clone``, ``.copy``) trailer followed by ``()``."""
    if node.type not in ("atom_expr", "power"):
        return
    children = node.children
    for i in range(1, len(children) - 1):
        name, call = children[i], children[i + 1]
        if (name.type == "trailer" and name.children[0].value == "." and name.children[1].value in DROPPABLE
                and call.type == "trailer" and len(call.children) == 2 and call.children[0].value == "("):
            yield i


class DropCall(Operator):
    """``x.detach()`` -> ``x`` (and ``.clone()``, ``.copy()``): a copy or a cut in the graph forgotten."""

    def mutation_positions(self, node: Any) -> Iterator[tuple]:
        for i in _droppable_calls(node):
            yield (node.children[i].start_pos, node.children[i + 1].end_pos)

    def mutate(self, node: Any, index: int) -> Any:
        i = list(_droppable_calls(node))[index]
        node.children[i:i + 2] = []
        return node.children[0] if len(node.children) == 1 else node

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("y = x.detach()", "y = x"), Example("y = f(x).clone().sum()", "y = f(x).sum()"))


OWN: dict[str, type[Operator]] = {"mlj/SwapReduction": SwapReduction, "mlj/DropCall": DropCall}

#: every operator name, in the order mutants are listed
NAMES: tuple[str, ...] = CORE + tuple(OWN)


def get(name: str) -> Operator:
    """A fresh operator instance (cosmic-ray's operators keep no state across mutations, but ours are cheap)."""
    if name in OWN:
        return OWN[name]()
    return cosmic_ray.plugins.get_operator(name)()
