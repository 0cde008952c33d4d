"""Challenge packages: ``challenges/<id>/challenge.yaml`` parsed into a strict model.

Every error in a challenge.yaml is reported at once, each with its file, line,
field path and a hint; then the files the package names are checked to exist.
``discover`` never raises for one bad package: it returns it as a
``BrokenChallenge`` so that ``mlj list`` and ``mlj verify`` report it and go on.
"""

from __future__ import annotations

import ast
import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from judge import CHALLENGES_DIR, REFERENCE_DIR
from judge.pyast import parse
from judge.runner.tolerance import DEFAULT_TOLERANCES, Tolerance
from judge.verdict import SOLUTION_FOLDERS

DType = Literal["float64", "float32", "float16", "bfloat16"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToleranceSpec(_Strict):
    rtol: float = Field(ge=0)
    atol: float = Field(ge=0)


class Entry(_Strict):
    file: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.py$")
    stub: str = "stub.py"
    names: list[str] = Field(min_length=1)


class LimitSpec(_Strict):
    time_per_test: float = Field(default=10.0, gt=0, le=600)
    total_time: float = Field(default=300.0, gt=0, le=7200)
    import_time: float = Field(default=10.0, gt=0, le=600)
    memory_mb: int = Field(default=2048, ge=256, le=262144)
    max_output_mb: int = Field(default=64, ge=1, le=4096)


class Forbidden(_Strict):
    apis: list[str] = []
    ops: list[str] = []
    modules: list[str] = []

    @field_validator("apis", "modules")
    @classmethod
    def _dotted(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*", name):
                raise ValueError(f"{name!r} is not a dotted Python name")
        return names


class Scoring(_Strict):
    groups: dict[str, float] = {}
    default_points: float = Field(default=1.0, ge=0)

    @field_validator("groups")
    @classmethod
    def _positive(cls, groups: dict[str, float]) -> dict[str, float]:
        for name, points in groups.items():
            if points < 0:
                raise ValueError(f"group {name!r} has negative points")
        return groups


class Rule(_Strict):
    """One rule the statement states, the hidden tests that check it, and the known wrong solutions that
    break it and nothing else (``mlj verify`` reports a rule without either)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    rule: str = Field(min_length=8)  # the rule in the statement's words
    tests: list[str] = Field(min_length=1)  # "test_file.py::test_name" (parameters left out)
    wrong: list[str] = []  # "wrong_answer/name.py" under solutions/; empty only with a reason in ``why_no_wrong``
    why_no_wrong: str = ""


ResultKind = Literal["tensor", "ndarray", "float", "int", "bool", "str", "list", "tuple", "dict", "handle", "none",
                     "any"]


class ResultContract(_Strict):
    """What one entry point returns, checked on the trusted side before any test sees the value
    (``judge.runner.contracts``; README, "Writing a challenge")."""

    kind: ResultKind = "any"
    any_of: list[ResultContract] = []  # one of these (kind is then not read)
    or_none: bool = False  # None is accepted too
    dtype: list[str] = []  # tensor/ndarray: dtype names, or "floating" / "integer"
    shape: list[int | str] | None = None  # dims: ints, names bound from the arguments or the value, "*", "..."
    rank: int | None = Field(default=None, ge=0)
    max_numel: int | None = Field(default=None, ge=0)
    length: int | None = Field(default=None, ge=0)  # list/tuple/dict/str: exactly this many items
    max_len: int | None = Field(default=None, ge=0)
    items: ResultContract | None = None  # list/tuple: every item
    positions: list[ResultContract] = []  # list/tuple: item 0, item 1, ... in turn
    fields: dict[str, ResultContract] | None = None  # dict: exactly these keys (a dataclass-like dict)
    values: ResultContract | None = None  # dict: every value
    of: str = ""  # handle: the results key the object answers under (default: the key of the call)
    params: list[str] = []  # the entry point's positional parameter names, for ``bind``
    bind: dict[str, list[int | str] | str] = {}  # argument (name or index) -> shape pattern, or an int arg's dim


class ChallengeSpec(_Strict):
    format: Literal[1]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=3)
    version: str = "1"
    difficulty: Literal["easy", "medium", "hard"]
    tags: list[str] = []
    summary: str = Field("", max_length=160)  # one line for `mlj list`; else the statement's first sentence
    statement: str = "statement.md"
    entry: Entry
    reference: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.py$")
    support: list[str] = []
    devices: list[Literal["cpu", "cuda"]] = ["cpu"]
    limits: LimitSpec = LimitSpec()
    tolerances: dict[DType, ToleranceSpec] = {}
    device_tolerances: dict[Literal["cuda"], dict[DType, ToleranceSpec]] = {}
    forbidden: Forbidden = Forbidden()
    scoring: Scoring = Scoring()
    rules: list[Rule] = []
    results: dict[str, ResultContract] = {}  # entry point (or Class.method, module.function) -> its result contract


HINTS = {
    "missing": "add this field",
    "extra_forbidden": "remove it or fix its spelling; see the allowed fields in README.md",
    "literal_error": "use one of the values listed",
    "string_pattern_mismatch": "see the pattern it must match",
    "greater_than": "use a larger number",
    "greater_than_equal": "use a larger number",
    "less_than_equal": "use a smaller number",
    "float_parsing": "write a number, e.g. 10 or 1e-5",
    "int_parsing": "write a whole number",
    "list_type": "write a YAML list (- item)",
    "dict_type": "write a YAML mapping (key: value)",
    "model_type": "write a YAML mapping (key: value)",
    "too_short": "add at least one item",
}


class ChallengeError(Exception):
    """A challenge package with problems; ``errors`` lists every one."""

    def __init__(self, path: Path, errors: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(errors))
        self.path = path
        self.errors = errors


def _line_map(text: str) -> dict[tuple, int]:
    """Field path -> 1-based line, from the YAML node tree."""
    lines: dict[tuple, int] = {}

    def walk(node: Any, path: tuple) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[path + (key.value,)] = key.start_mark.line + 1
                walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error (YAML keeps the last
    silently: a second ``results:`` block replaced the first without a word)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int) and key in seen:
                problem = f"{key!r} is given twice (first on line {seen[key] + 1}): keep one"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
            if isinstance(key, str | int):
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    """A package's YAML (challenge.yaml, mutants.yaml) as data: safe, and a repeated key is an error."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader that refuses repeated keys


def parse_spec(path: Path) -> ChallengeSpec:
    """Parse one challenge.yaml; raise ChallengeError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ChallengeError(path, [f"cannot read: {exc.strerror}"]) from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChallengeError(path, [f"{where}YAML syntax error: {problem}"]) from None
    if not isinstance(data, dict):
        raise ChallengeError(path, ["the file must be a YAML mapping of fields (id: ..., title: ...)"])
    try:
        return ChallengeSpec.model_validate(data)
    except ValidationError as exc:
        lines = _line_map(text)
        errors = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            field = ".".join(str(p) for p in loc) or "(top level)"
            line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
            hint = HINTS.get(err["type"], "")
            text_err = f"line {line}: {field}: {err['msg']}" if line else f"{field}: {err['msg']}"
            errors.append(text_err + (f" (hint: {hint})" if hint else ""))
        raise ChallengeError(path, errors) from None


@dataclass(frozen=True)
class Challenge:
    """A loaded challenge package."""

    spec: ChallengeSpec
    path: Path

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def statement_path(self) -> Path:
        return self.path / self.spec.statement

    @property
    def stub_path(self) -> Path:
        return self.path / self.spec.entry.stub

    @property
    def reference_path(self) -> Path:
        """The package's own ``reference`` file where it has one, else the built-in ``reference/`` folder's."""
        own = self.path / self.spec.reference
        return own if own.is_file() else REFERENCE_DIR / self.spec.reference

    @property
    def support_paths(self) -> tuple[Path, ...]:
        return tuple(self.path / name for name in self.spec.support)

    def tests_dir(self, suite: str) -> Path:
        return self.path / "tests" / suite

    def tolerances(self, device: str = "cpu") -> dict[str, Tolerance]:
        table = dict(DEFAULT_TOLERANCES)
        table.update({k: Tolerance(v.rtol, v.atol) for k, v in self.spec.tolerances.items()})
        for k, v in self.spec.device_tolerances.get(device, {}).items():  # type: ignore[call-overload]
            table[k] = Tolerance(v.rtol, v.atol)
        return table

    def points(self, group: str) -> float:
        return self.spec.scoring.groups.get(group, self.spec.scoring.default_points)

    def with_time_limits(self, factor: float) -> Challenge:
        """The challenge with its per-test and total time limits multiplied by ``factor`` (``mlj verify``'s
        time_limit margin)."""
        limits = self.spec.limits
        longer = limits.model_copy(update={"time_per_test": limits.time_per_test * factor,
                                           "total_time": limits.total_time * factor})
        return Challenge(self.spec.model_copy(update={"limits": longer}), self.path)

    def solutions(self) -> list[tuple[str, Path]]:
        """Known solutions as (folder name, file), sorted."""
        found = []
        base = self.path / "solutions"
        for folder in sorted(base.iterdir()) if base.is_dir() else []:
            if folder.is_dir():
                found += [(folder.name, f) for f in sorted(folder.glob("*.py"))]
        return found


@dataclass(frozen=True)
class BrokenChallenge:
    path: Path
    errors: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.path.name


_loaded: dict[str, tuple[bytes, Challenge | ChallengeError]] = {}
_loaded_lock = threading.Lock()


def _fingerprint(directory: Path) -> bytes:
    """A digest of every file of the package (names and contents): what its loaded form depends on."""
    digest = hashlib.blake2b(digest_size=20)
    for path in sorted(directory.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        digest.update(str(path.relative_to(directory)).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\1unreadable")
        digest.update(b"\0")
    return digest.digest()


def load_challenge(directory: Path) -> Challenge:
    """The package in ``directory``, or ChallengeError with every problem. Loaded again only when one of
    its files changed: reading the files is cheap, parsing and validating the whole catalog is not (1.5 s
    for 28 packages, on every page and request that lists them)."""
    key, fingerprint = str(directory.resolve()), _fingerprint(directory)
    with _loaded_lock:
        known = _loaded.get(key)
    if known is not None and known[0] == fingerprint:
        outcome = known[1]
    else:
        try:
            outcome = _load_challenge(directory)
        except ChallengeError as exc:
            outcome = exc
        with _loaded_lock:
            _loaded[key] = (fingerprint, outcome)
    if isinstance(outcome, ChallengeError):
        raise ChallengeError(outcome.path, list(outcome.errors))
    return outcome


def _load_challenge(directory: Path) -> Challenge:
    yaml_path = directory / "challenge.yaml"
    if not yaml_path.is_file():
        raise ChallengeError(yaml_path, ["missing challenge.yaml (see README.md, 'Writing a challenge')"])
    text = yaml_path.read_text(encoding="utf-8", errors="replace")
    try:
        spec = parse_spec(yaml_path)
    except ChallengeError as exc:  # the files it names are checked too, so every error comes at once
        raise ChallengeError(yaml_path, by_line([*exc.errors, *_missing_files(directory, text)])) from None
    challenge = Challenge(spec, directory)
    errors = []
    if spec.id != directory.name:
        errors.append(f"id: {spec.id!r} differs from the folder name {directory.name!r} (hint: rename one)")
    errors += _missing_files(directory, text)
    for suite in ("public", "hidden"):
        if not any(challenge.tests_dir(suite).glob("test_*.py")):
            errors.append(f"tests/{suite}: no test_*.py files (hint: every challenge needs {suite} tests)")
    solutions = directory / "solutions"
    for folder in sorted(solutions.iterdir()) if solutions.is_dir() else []:
        if folder.is_dir() and folder.name not in SOLUTION_FOLDERS:
            errors.append(f"solutions/{folder.name}: unknown verdict folder (hint: use one of "
                          f"{', '.join(SOLUTION_FOLDERS)})")
    errors += rule_errors(challenge, yaml_path.read_text(encoding="utf-8"))
    if errors:
        raise ChallengeError(yaml_path, by_line(errors))
    return challenge


def _missing_files(directory: Path, text: str) -> list[str]:
    """The files challenge.yaml names that are not there, each with its line; read from the YAML itself,
    so that they are reported beside schema errors (a field that is not a string is the schema's to report)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    if not isinstance(data, dict):
        return []
    lines = _line_map(text)
    entry = data.get("entry") if isinstance(data.get("entry"), dict) else {}
    support = data.get("support") if isinstance(data.get("support"), list) else []
    named = [(("statement",), data.get("statement", "statement.md")), (("entry", "stub"), entry.get("stub", "stub.py")),
             (("reference",), data.get("reference"))] + [(("support", i), name) for i, name in enumerate(support)]
    errors = []
    for loc, name in named:
        if not isinstance(name, str) or not name:
            continue
        path = directory / name
        if loc == ("reference",) and not path.is_file():
            path = REFERENCE_DIR / name
        if not path.is_file():
            line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
            field = ".".join(str(p) for p in loc)
            where = f"line {line}: " if line else ""
            shown = name if loc != ("reference",) else f"{name} (in the package or reference/)"
            errors.append(f"{where}{field}: file {shown} does not exist")
    return errors


def by_line(errors: list[str]) -> list[str]:
    """Errors in the order of their lines in challenge.yaml; those with no line last, in their order."""
    def key(error: str) -> int:
        match = re.match(r"line (\d+)", error)
        return int(match.group(1)) if match else 1 << 30

    return sorted(errors, key=key)


def hidden_test_names(challenge: Challenge) -> dict[str, set[str]]:
    """File name -> the test functions it defines (``test_x`` and ``TestCase::test_x``), read with ``ast``.

    Parsed, never imported: loading a challenge must not run its tests' module code. A file that does not
    parse defines nothing (pytest reports its syntax error when the tests run).
    """
    found: dict[str, set[str]] = {}
    for path in sorted(challenge.tests_dir("hidden").glob("test_*.py")):
        try:
            tree = parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            found[path.name] = set()
            continue
        names = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                names.add(node.name)
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                names |= {f"{node.name}::{m.name}" for m in node.body
                          if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name.startswith("test")}
        found[path.name] = names
    return found


def rule_errors(challenge: Challenge, text: str) -> list[str]:
    """The rule table checked against the package: unique ids, named tests and wrong solutions that exist."""
    rules = challenge.spec.rules
    if not rules:
        return []
    lines = _line_map(text)
    tests = hidden_test_names(challenge)
    solutions = challenge.path / "solutions"
    errors: list[str] = []

    def report(loc: tuple, message: str) -> None:
        field = ".".join(str(p) for p in loc)
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
        errors.append(f"line {line}: {field}: {message}" if line else f"{field}: {message}")

    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        if rule.id in seen:
            report(("rules", i, "id"), f"duplicate rule id {rule.id!r} (also rules.{seen[rule.id]}; hint: "
                                       f"give every rule its own id)")
        seen.setdefault(rule.id, i)
        for j, name in enumerate(rule.tests):
            file, sep, function = name.partition("::")
            if not sep or not file.endswith(".py") or "/" in file or "[" in function:
                report(("rules", i, "tests", j), f"{name!r} is not 'test_file.py::test_name' (hint: a file of "
                                                 f"tests/hidden/ and a test function in it, parameters left out)")
            elif file not in tests:
                report(("rules", i, "tests", j), f"no file tests/hidden/{file} (hint: known: "
                                                 f"{', '.join(sorted(tests)) or 'none'})")
            elif function not in tests[file]:
                report(("rules", i, "tests", j), f"tests/hidden/{file} defines no test {function!r} (hint: "
                                                 f"check its spelling; parameters are left out)")
        for j, name in enumerate(rule.wrong):
            folder, _, file = name.partition("/")
            path = solutions / name
            if folder not in SOLUTION_FOLDERS or not file.endswith(".py") or "/" in file:
                report(("rules", i, "wrong", j), f"{name!r} is not '<verdict folder>/<file>.py' under solutions/ "
                                                 f"(hint: e.g. wrong_answer/{rule.id.replace('-', '_')}.py)")
            elif not path.is_file():
                report(("rules", i, "wrong", j), f"file solutions/{name} does not exist")
    return errors  # a rule without a wrong solution is no error here: `mlj verify` reports it as uncovered


def discover(root: Path = CHALLENGES_DIR) -> list[Challenge | BrokenChallenge]:
    """Every challenge under ``root``, broken ones included, sorted by id."""
    found: list[Challenge | BrokenChallenge] = []
    for directory in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        try:
            found.append(load_challenge(directory))
        except ChallengeError as exc:
            found.append(BrokenChallenge(directory, tuple(exc.errors)))
    return found


def find(challenge_id: str, root: Path = CHALLENGES_DIR) -> Challenge:
    """Load one challenge by id; ChallengeError if it is unknown or broken."""
    directory = root / challenge_id
    if not directory.is_dir():
        known = ", ".join(sorted(p.name for p in root.iterdir() if p.is_dir())) if root.is_dir() else ""
        raise ChallengeError(directory, [f"no challenge {challenge_id!r} (known: {known or 'none'})"])
    return load_challenge(directory)


def catalog_ids(root: Path = CHALLENGES_DIR) -> list[str]:
    """The ids of the catalog's loadable challenges, sorted (a broken package is left out)."""
    return [c.id for c in discover(root) if isinstance(c, Challenge)]


def find_known(challenge_id: object, root: Path = CHALLENGES_DIR) -> Challenge:
    """The catalog's challenge whose id is exactly ``challenge_id``; ChallengeError for anything else.

    For ids from untrusted people (the server): the id is compared with the catalog's names and never
    joined onto a path, so ``x/``, ``./x`` or ``/abs/path`` are unknown ids, and the one message does
    not depend on what exists on disk.
    """
    if isinstance(challenge_id, str) and root.is_dir():
        # only the package whose folder name (read from the disk, not taken from the id) is the id is loaded:
        # loading the whole catalog for each request and grading cost a second and a half at 28 challenges
        for directory in (p for p in root.iterdir() if p.name == challenge_id and p.is_dir()):
            try:
                challenge = load_challenge(directory)
            except ChallengeError:
                break  # a broken package is not in the catalog
            if challenge.id == challenge_id:
                return challenge
    raise ChallengeError(root, [f"no challenge {str(challenge_id)[:80]!r} on this server"])
