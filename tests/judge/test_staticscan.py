"""The static scan: forbidden names found with their lines, through aliases."""

from __future__ import annotations

from judge.staticscan import scan

APIS = ["torch.nn.functional.cross_entropy", "torch.logsumexp", "torch.Tensor.softmax"]
MODULES = ["sklearn", "scipy.cluster"]


def names(source: str) -> list[tuple[str, int]]:
    return [(f.name, f.line) for f in scan(source, apis=APIS, modules=MODULES).findings]


def test_aliases_and_from_imports_are_resolved():
    src = ("import torch\nimport torch.nn.functional as F\nfrom torch import logsumexp as lse\n"
           "def f(x, y):\n    return F.cross_entropy(x, y) + lse(x, 0)\n")
    assert names(src) == [("torch.logsumexp", 3), ("torch.nn.functional.cross_entropy", 5)]


def test_getattr_and_import_module_with_constants():
    src = ("import importlib\nimport torch\nce = getattr(torch.nn.functional, 'cross_entropy')\n"
           "km = importlib.import_module('sklearn.cluster')\n")
    assert names(src) == [("torch.nn.functional.cross_entropy", 3), ("import of sklearn", 4)]


def test_forbidden_modules_in_every_import_form():
    src = "import sklearn\nfrom scipy.cluster.vq import kmeans\nfrom scipy import linalg\n"
    assert names(src) == [("import of sklearn", 1), ("import of scipy.cluster", 2)]


def test_clean_code_and_unresolvable_methods_are_left_to_run_time():
    src = "import torch\ndef f(x):\n    m = x.amax(-1, keepdim=True)\n    return x.softmax(-1) - m\n"
    assert names(src) == []


def test_syntax_error_is_reported_with_line():
    result = scan("def f(:\n  pass\n", apis=APIS, modules=MODULES)
    assert result.syntax_error and "line 1" in result.syntax_error


def test_a_file_too_deep_for_the_parser_is_a_compile_error_not_a_crash():
    result = scan("x = " + "-" * 200_000 + "1\n", apis=APIS, modules=MODULES)  # the parser runs out of memory
    assert result.syntax_error and "too deeply" in result.syntax_error
