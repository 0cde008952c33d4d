"""Mutants of a challenge's reference, graded as submissions (``mlj verify --mutants``).

Each mutant is the reference with one mutation (``judge.mutant_operators``)
in the code a submission would provide: the functions and classes that
challenge.yaml's ``entry.names`` name, and the module's functions and
classes those use (the trusted-side helpers the tests alone call, such as
debug-training-loop's ``make_blobs``, are left alone). Every mutant is graded
on the hidden tests with one fixed seed, in parallel with ``--jobs``; one
that gets AC *survived*. A survivor is a missing test, or an equivalent
program: the package lists the equivalent ones in ``mutants.yaml``, each
with its reason, so that any other survivor is news and fails the check.

A mutant is named by something that survives edits elsewhere in the file:
its operator, the text of the line it changes, and which of that operator's
mutants on lines with that text it is (``occurrence``, from 0).
"""

from __future__ import annotations

import ast
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from judge import mutant_operators
from judge.challenge import Challenge, load_yaml
from judge.pyast import parse
from judge.sandbox.base import Sandbox
from judge.verdict import SubmissionResult, Verdict

EQUIVALENTS_FILE = "mutants.yaml"
MUTANT_SEED = 20260101  # one fixed seed: a survivor is the same survivor on every run


@dataclass(frozen=True)
class Mutant:
    operator: str
    line: int  # 1-based, in the reference as it is now
    source: str  # the line's text before the mutation, stripped
    occurrence: int  # among this operator's mutants on lines whose text is ``source``
    mutated: str  # the line's text after the mutation, stripped
    code: str  # the whole mutated module

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.operator, self.source, self.occurrence)

    def describe(self) -> str:
        return f"line {self.line}: {self.source}  ->  {self.mutated}  [{self.operator}, occurrence {self.occurrence}]"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Equivalent(_Strict):
    operator: str = Field(min_length=1)
    line: str = Field(min_length=1, description="the text of the line before the mutation, as in the reference")
    occurrence: int = Field(default=0, ge=0)
    reason: str = Field(min_length=10)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.operator, self.line.strip(), self.occurrence)


class EquivalentsFile(_Strict):
    equivalent: list[Equivalent] = []


class MutantsFileError(Exception):
    pass


def load_equivalents(challenge: Challenge) -> list[Equivalent]:
    """The package's list of equivalent mutants (none when it has no mutants.yaml); strict."""
    path = challenge.path / EQUIVALENTS_FILE
    if not path.is_file():
        return []
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        parsed = EquivalentsFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise MutantsFileError(f"{path}: not valid YAML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MutantsFileError(f"{path}: cannot read it as UTF-8 text: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise MutantsFileError(f"{path}: {problems} (each entry: operator, line, occurrence, reason)") from None
    unknown = [e.operator for e in parsed.equivalent if e.operator not in mutant_operators.NAMES]
    if unknown:
        raise MutantsFileError(f"{path}: unknown operator(s) {', '.join(unknown)}; known: judge/mutant_operators.py")
    return parsed.equivalent


def graded_scope(source: str, names: list[str]) -> list[tuple[int, int]]:
    """Line spans of the module-level functions and classes in ``names`` and of those they use, transitively."""
    tree = parse(source)
    defs = {node.name: node for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    todo, seen = [n for n in names if n in defs], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        used = {n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name)}
        todo.extend(used & set(defs) - seen)
    spans = []
    for name in seen:
        node = defs[name]
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        spans.append((first, node.end_lineno or node.lineno))
    return sorted(spans)


def mutants(challenge: Challenge, operators: tuple[str, ...] = mutant_operators.NAMES) -> list[Mutant]:
    """Every mutant of the challenge's reference within the graded scope, in a stable order."""
    from cosmic_ray.ast import ast_nodes, get_ast
    from cosmic_ray.mutating import mutate_code

    source = challenge.reference_path.read_text()
    lines = source.splitlines()
    spans = graded_scope(source, list(challenge.spec.entry.names))
    found: list[Mutant] = []
    seen: dict[tuple[str, str], int] = {}
    for name in operators:
        operator = mutant_operators.get(name)
        positions = [(node, start) for node in ast_nodes(get_ast(source))
                     for start, _ in operator.mutation_positions(node)]
        for occurrence, (node, (line, _)) in enumerate(positions):
            if not any(a <= line <= b for a, b in spans) or _inert(node):
                continue
            code = mutate_code(source, mutant_operators.get(name), occurrence)
            if code is None or code == source:
                continue
            try:
                compile(code, str(challenge.reference_path), "exec")
            except SyntaxError:  # cosmic-ray calls these incompetent mutants: nothing to grade
                continue
            text = lines[line - 1].strip()
            nth = seen.get((name, text), 0)
            seen[(name, text)] = nth + 1
            new_lines = code.splitlines()
            mutated = new_lines[line - 1].strip() if line - 1 < len(new_lines) else ""
            found.append(Mutant(name, line, text, nth, mutated, code))
    return found


def _inert(node: Any) -> bool:
    """A place where a mutation changes no behaviour the tests could see, by construction: inside an
    f-string (an error message's text), or the bare ``*`` of a parameter list (parso reads it as an
    operator; ``/`` there only makes the parameters before it positional-only)."""
    if node.type == "operator" and node.parent is not None and node.parent.type == "parameters":
        return True
    while node is not None:
        if node.type == "fstring":
            return True
        node = node.parent
    return False


@dataclass(frozen=True)
class MutantReport:
    challenge: str
    total: int
    killed: int
    survivors: list[tuple[Mutant, SubmissionResult]]  # not listed as equivalent: a missing test, or news
    explained: list[tuple[Mutant, Equivalent]]  # survived, and listed as equivalent
    killed_but_listed: list[tuple[Mutant, Equivalent]]  # listed as equivalent, yet a test kills it
    stale: list[Equivalent]  # listed entries that match no mutant of the reference any more
    judge_errors: list[tuple[Mutant, SubmissionResult]]
    reference: SubmissionResult | None = None  # the unmutated reference, graded beside them: it must be AC

    @property
    def reference_ok(self) -> bool:
        return self.reference is not None and self.reference.verdict is Verdict.AC

    @property
    def ok(self) -> bool:
        """No unexplained survivor, no stale list, and kills that mean something: the reference itself is AC."""
        return self.reference_ok and not (self.survivors or self.killed_but_listed or self.stale or self.judge_errors)


def run(challenge: Challenge, *, sandbox: Sandbox, jobs: int = 1, seed: int | None = None,
        operators: tuple[str, ...] = mutant_operators.NAMES,
        on_result: Callable[[Mutant, SubmissionResult], None] | None = None) -> MutantReport:
    """Grade every mutant of ``challenge``'s reference on the hidden tests and sort out the survivors.

    ``operators`` narrows the operators (the stale check then only covers the entries of those operators)."""
    from judge.batch import grade_many

    equivalents = load_equivalents(challenge)
    listed = {e.key: e for e in equivalents}
    found = mutants(challenge, operators)
    with tempfile.TemporaryDirectory(prefix=f"mlj-mutants-{challenge.id}-") as folder:
        # the reference first, under the same seed: a mutant's failure means nothing if the reference fails too
        pairs = [(challenge, challenge.reference_path)]
        for i, mutant in enumerate(found):
            path = Path(folder) / f"mutant_{i:04d}.py"
            path.write_text(mutant.code)
            pairs.append((challenge, path))
        reference, *results = grade_many(pairs, sandbox=sandbox, seed=MUTANT_SEED if seed is None else seed,
                                         jobs=jobs)
    survivors, explained, killed_but_listed, errors = [], [], [], []
    for mutant, result in zip(found, results):
        if on_result is not None:
            on_result(mutant, result)
        entry = listed.get(mutant.key)
        if result.verdict is Verdict.JE:
            errors.append((mutant, result))
        elif result.verdict is Verdict.AC:
            (explained.append((mutant, entry)) if entry else survivors.append((mutant, result)))
        elif entry is not None:
            killed_but_listed.append((mutant, entry))
    keys = {m.key for m in found}
    stale = [e for e in equivalents if e.key not in keys and e.operator in operators]
    killed = sum(r.verdict not in (Verdict.AC, Verdict.JE) for r in results)
    return MutantReport(challenge.id, len(found), killed, survivors, explained, killed_but_listed, stale, errors,
                        reference)


def equivalent_entry(mutant: Mutant) -> str:
    """The mutants.yaml entry that would list ``mutant`` as equivalent (its reason left to write)."""
    return yaml.safe_dump([{"operator": mutant.operator, "line": mutant.source, "occurrence": mutant.occurrence,
                            "reason": "WHY this mutant computes the same thing"}], sort_keys=False, width=200)
