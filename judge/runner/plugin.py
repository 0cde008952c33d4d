"""The pytest plugin that challenge tests are written with (trusted side).

Tests are ordinary pytest functions. They ask for fixtures:

* ``sub``: the submission, reached through the worker (``sub.cross_entropy(x, y)``);
* ``ref``: the reference module, imported here on the trusted side;
* ``check``: ``judge.runner.compare.assert_close`` with the challenge's tolerances;
* ``rng``: a ``torch.Generator`` seeded from the run's seed and the test's name;
* ``seed``, ``device``;
* ``helper``: ``helper("name")`` imports the package's own trusted-side module
  ``name.py`` (from the test's folder, else the package's root) under a name
  no other challenge can collide with, and forgets it when the grading ends.

``@pytest.mark.group("name")`` puts a test in a scoring group (default: the
file name without ``test_``). The plugin turns each test's outcome into a
verdict: a ``SubmissionFault`` carries its own, an AssertionError (from
``check`` or a plain ``assert``) is WA, any other exception raised by the
test code itself is JE. In a graded (hidden) run, after a failure the rest of
that group is not run: its points are lost already. After the worker was lost
``STOP_AFTER_LOSSES`` times (a time limit, a memory limit or a crash kills
it), and once the total time is spent, nothing more runs: a submission that
keeps timing out would otherwise hold the judge for (tests x limit) seconds.
"""

from __future__ import annotations

import itertools
import sys
import time
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import torch

from harness import import_file
from judge.runner.compare import Mismatch, Tolerance, assert_close
from judge.runner.faults import JudgeFault, SubmissionFault
from judge.runner.session import Budget, Proxy, WorkerSession
from judge.verdict import Verdict

STOP_AFTER_LOSSES = 2
_gradings = itertools.count()  # helper modules of two gradings in one process never share a name


@dataclass
class RawResult:
    name: str
    group: str
    verdict: Verdict | None
    duration: float
    message: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    time_used: float | None = None  # what the test's calls were charged (CPU seconds unless time_clock says wall)
    time_limit: float | None = None
    time_clock: str = "cpu"


def group_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("group")
    if marker and marker.args:
        return str(marker.args[0])
    stem = item.path.stem if hasattr(item, "path") else "tests"
    return stem.removeprefix("test_")


class MljPlugin:
    def __init__(self, *, session: WorkerSession, reference: Any, tolerances: dict[str, Tolerance],
                 seed: int, device: str, time_per_test: float, total_time: float,
                 stop_group_on_failure: bool = True, package: Path | None = None) -> None:
        self.session = session
        self.package = package
        self._helpers: dict[Path, Any] = {}
        self._prefix = f"mlj_helper_{next(_gradings)}_"
        self.reference = reference
        self.tolerances = tolerances
        self._seed = seed
        self.device_name = device
        self.time_per_test = time_per_test
        self.deadline = time.monotonic() + total_time
        self.total_time = total_time
        self.results: list[RawResult] = []
        self.stop_group_on_failure = stop_group_on_failure
        self._failed_groups: dict[str, str] = {}
        self._figures: list[dict[str, Any]] = []
        self._started = 0.0
        self.collect_errors: list[str] = []

    # -- configuration ---------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "group(name): the scoring group of a test")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        for module in self._helpers.values():
            sys.modules.pop(module.__name__, None)
        self._helpers.clear()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(str(report.longrepr)[-3000:])

    # -- fixtures ----------------------------------------------------------------
    @pytest.fixture
    def sub(self) -> Proxy:
        return Proxy(self.session)

    @pytest.fixture
    def ref(self) -> Any:
        return self.reference

    @pytest.fixture
    def check(self) -> Callable[..., dict[str, Any]]:
        def check(actual: Any, expected: Any, **kwargs: Any) -> dict[str, Any]:
            kwargs.setdefault("tolerances", self.tolerances)
            try:
                figures = assert_close(actual, expected, **kwargs)
            except Mismatch as exc:
                self._figures.append(exc.figures)
                raise
            self._figures.append(figures)
            return figures

        return check

    @pytest.fixture
    def helper(self, request: pytest.FixtureRequest) -> Callable[[str], Any]:
        def load(name: str) -> Any:
            if not name.isidentifier():
                raise ValueError(f"helper({name!r}): a module name, without folders or .py")
            folders = [Path(request.path).parent] + ([self.package] if self.package else [])
            path = next((f / f"{name}.py" for f in folders if (f / f"{name}.py").is_file()), None)
            if path is None:
                raise FileNotFoundError(f"helper({name!r}): no {name}.py beside the test or in the package")
            path = path.resolve()
            if path not in self._helpers:
                self._helpers[path] = import_file(f"{self._prefix}{len(self._helpers)}_{name}", path)
            return self._helpers[path]

        return load

    @pytest.fixture
    def seed(self) -> int:
        return self._seed

    @pytest.fixture
    def device(self) -> str:
        return self.device_name

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> torch.Generator:
        mixed = zlib.crc32(f"{self._seed}:{request.node.nodeid}".encode())
        return torch.Generator().manual_seed(mixed)

    # -- running -------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        group = group_of(item)
        if time.monotonic() > self.deadline:
            pytest.skip(f"not run: the total time limit ({self.total_time:g} s) was used up")
        if self.session.losses >= STOP_AFTER_LOSSES:
            pytest.skip(f"not run: the worker running your code was lost {self.session.losses} times "
                        "(time limit, memory limit or crash)")
        if group in self._failed_groups:
            pytest.skip(f"not run: {self._failed_groups[group]} already failed in group {group!r}")
        self.session.budget = Budget(per_test=self.time_per_test)
        self._figures = []
        self._started = time.monotonic()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
        """Record the verdict, and return a plain report: pytest's own failure
        formatting reads source files for every frame and costs seconds."""
        excinfo = call.excinfo
        skipped = excinfo is not None and excinfo.errisinstance(pytest.skip.Exception)
        if skipped and call.when == "setup":
            reason = str(excinfo.value.msg) if excinfo is not None else "not run"
            self._record(item, None, reason)
        elif (call.when == "setup" and excinfo is not None) or call.when == "call":
            verdict, message = self._classify(call)
            self._record(item, verdict, message)
        outcome = "passed" if excinfo is None else ("skipped" if skipped else "failed")
        longrepr = None
        if skipped:
            longrepr = (str(item.path), 0, str(excinfo.value.msg))  # type: ignore[union-attr]
        elif excinfo is not None:
            longrepr = f"{excinfo.typename}: {excinfo.value}"[:2000]
        return pytest.TestReport(item.nodeid, item.location, keywords={}, outcome=outcome, longrepr=longrepr,
                                 when=call.when, sections=[], duration=call.duration, start=call.start,
                                 stop=call.stop)

    def _classify(self, call: pytest.CallInfo) -> tuple[Verdict, str]:
        if call.excinfo is None:
            return Verdict.AC, ""
        exc = call.excinfo.value
        if isinstance(exc, SubmissionFault):
            message = exc.message
            if exc.line is not None and f"line {exc.line}" not in message:
                # the submission's line: named so, never read as a line of a file the message mentions
                message += f" ({self.session.spec.module_name}.py line {exc.line})"
            if exc.traceback and exc.verdict is Verdict.RE:
                message += "\n" + exc.traceback.rstrip()
            return exc.verdict, message
        if isinstance(exc, AssertionError):
            return Verdict.WA, str(exc)[:4000] or "assertion failed (the test gave no message)"
        if isinstance(exc, pytest.fail.Exception):
            return Verdict.WA, str(exc)[:4000]
        if isinstance(exc, JudgeFault):
            return Verdict.JE, str(exc)
        where = "".join(traceback.format_tb(exc.__traceback__)[-3:])
        return Verdict.JE, f"the test itself failed ({type(exc).__name__}: {exc}); this is a bug in the " \
                           f"challenge, not in your code\n{where[-2000:]}"

    def _record(self, item: pytest.Item, verdict: Verdict | None, message: str) -> None:
        group = group_of(item)
        duration = time.monotonic() - self._started if verdict is not None else 0.0
        figures: dict[str, Any] = {}
        if self._figures:
            worst = max(self._figures, key=lambda f: f.get("max_abs_err", 0.0))
            figures = dict(worst, checks=len(self._figures))
        # the file's name and what follows it: a parameter's id may hold a "/" itself ("C_in / groups")
        path, _, rest = item.nodeid.partition("::")
        name = f"{path.rsplit('/', 1)[-1]}::{rest}"
        budget = self.session.budget
        charged = round(budget.spent, 4) if verdict is not None else None
        self.results.append(RawResult(name, group, verdict, duration, message, figures, charged, budget.per_test,
                                      budget.clock))
        if verdict is Verdict.TLE or (self.stop_group_on_failure and verdict not in (Verdict.AC, None)):
            self._failed_groups.setdefault(group, f"{name} ({verdict})")
