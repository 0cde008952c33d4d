"""Static scan of a submission's source for forbidden APIs, before anything runs.

It parses the file (a syntax error is reported with its line), follows
import aliases (``import torch.nn.functional as F``, ``from torch.nn import
functional``, ``from x import y as z``), and reports every use of a
forbidden dotted name, import of a forbidden module, and ``getattr`` or
``importlib.import_module`` with a constant string that reaches one. Uses it
cannot resolve (a method called on a tensor, say) are left to the run-time
guard in the worker, which sees the actual call.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

from judge.pyast import parse


@dataclass(frozen=True)
class Finding:
    name: str
    line: int

    def describe(self) -> str:
        return f"line {self.line}: {self.name} is forbidden in this challenge"


@dataclass(frozen=True)
class ScanResult:
    syntax_error: str | None
    findings: tuple[Finding, ...]


class _Scanner(ast.NodeVisitor):
    def __init__(self, apis: set[str], modules: set[str]) -> None:
        self.apis = apis
        self.modules = modules
        self.aliases: dict[str, str] = {}
        self.findings: list[Finding] = []

    def _flag(self, dotted: str, line: int) -> None:
        for module in self.modules:
            if dotted == module or dotted.startswith(module + "."):
                self.findings.append(Finding(f"import of {module}", line))
                return
        for api in self.apis:
            if dotted == api or dotted.startswith(api + "."):
                self.findings.append(Finding(api, line))
                return

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._flag(alias.name, node.lineno)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        self._flag(node.module, node.lineno)
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self._flag(full, node.lineno)
            self.aliases[alias.asname or alias.name] = full

    def dotted(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        full = self.dotted(node)
        if full:
            self._flag(full, node.lineno)
        else:
            self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = self.dotted(node.func) if not isinstance(node.func, ast.Name) else (
            self.aliases.get(node.func.id, node.func.id))
        args = node.args
        if func in ("getattr", "builtins.getattr") and len(args) >= 2 and isinstance(args[1], ast.Constant) \
                and isinstance(args[1].value, str):
            base = self.dotted(args[0])
            if base:
                self._flag(f"{base}.{args[1].value}", node.lineno)
        if func in ("importlib.import_module", "__import__") and args and isinstance(args[0], ast.Constant) \
                and isinstance(args[0].value, str):
            self._flag(args[0].value, node.lineno)
        self.generic_visit(node)


def decode_source(data: bytes, filename: str = "solution.py") -> tuple[str | None, str | None]:
    """``(text, None)`` decoded as Python's importer decodes a module (a PEP 263 coding line, a UTF-8 BOM,
    else UTF-8), or ``(None, why)``: a file Python would not import, a compile error, never the judge's."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown coding name, a BOM contradicting the coding line
        return None, f"cannot decode {filename}: {exc.msg}"
    try:
        return data.decode(encoding), None  # "utf-8-sig" drops the BOM, as the importer does
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, (f"cannot decode {filename} as {encoding}: byte 0x{data[exc.start]:02x} at offset {exc.start} "
                      f"(line {line}); save it as UTF-8, or name its encoding on line 1 or 2 "
                      "(# -*- coding: latin-1 -*-)")


def scan(source: str, *, apis: list[str], modules: list[str], filename: str = "solution.py") -> ScanResult:
    try:
        tree = parse(source, filename=filename)
    except SyntaxError as exc:
        return ScanResult(f"SyntaxError: {exc.msg} ({Path(filename).name} line {exc.lineno})", ())
    except ValueError as exc:  # e.g. null bytes
        return ScanResult(f"cannot parse the file: {exc}", ())
    except (MemoryError, RecursionError):  # CPython's parser gives up on very deep nesting this way
        return ScanResult("cannot parse the file: it nests too deeply", ())
    scanner = _Scanner(set(apis), set(modules))
    try:
        scanner.visit(tree)
    except RecursionError:
        return ScanResult("cannot scan the file: it nests too deeply", ())
    unique = sorted(set(scanner.findings), key=lambda f: (f.line, f.name))
    return ScanResult(None, tuple(unique))
