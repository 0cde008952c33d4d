"""Grade one submission against one challenge's public or hidden tests.

``grade`` is the single entry point the CLI, batch mode, ``verify`` and the
server use. It scans the source, starts the worker (so its torch import
overlaps ours), runs the challenge's tests in-process with pytest and the
``judge.runner.plugin`` fixtures, and folds the per-test verdicts into scoring
groups, a score and an overall verdict. It never raises for anything the
submission does; the judge's own failures become JE.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import import_file
from judge import __version__, notebook, staticscan
from judge.challenge import Challenge
from judge.forkserver import PRELOAD
from judge.sandbox.base import Limits, Sandbox, WorkerSpec, WorkerStartFailed, start_worker
from judge.verdict import GroupResult, SubmissionResult, TestResult, Verdict, near_time_limit, overall

PUBLIC_SEED = 0


def load_reference(challenge: Challenge) -> Any:
    name = f"mlj_reference_{challenge.id.replace('-', '_')}"
    return sys.modules.get(name) or import_file(name, challenge.reference_path)


@functools.cache
def _blas_libraries() -> Any:
    """The BLAS libraries loaded in this process (finding them takes a scan: once)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def one_thread() -> Any:
    """The judge's own maths (the reference, the checks) on one thread, torch's and numpy's BLAS alike.

    The reference's small ops gain nothing from threads, and a parallel batch gives each job one
    core, where a second BLAS thread only spins against the first. The worker's threads are the
    challenge's limit, set on its side.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with _blas_libraries().limit(limits=1, user_api="blas"):
            yield
    finally:
        torch.set_num_threads(threads)


def device_for(challenge: Challenge, gpus: str | None) -> str:
    """Where the submission computes: cuda when GPUs were passed and the challenge runs there."""
    return "cuda" if gpus and "cuda" in challenge.spec.devices else "cpu"


def worker_spec(challenge: Challenge, submission: Path, gpus: str | None = None,
                cpus: tuple[int, ...] | None = None) -> WorkerSpec:
    limits = challenge.spec.limits
    return WorkerSpec(
        submission=submission,
        module_name=challenge.spec.entry.file.removesuffix(".py"),
        support_files=challenge.support_paths,
        limits=Limits(memory_bytes=limits.memory_mb << 20,
                      cpu_seconds=int(limits.total_time + limits.import_time + 60)),
        gpus=gpus,
        cpus=cpus,
    )


def load_request(challenge: Challenge, device: str = "cpu") -> dict[str, Any]:
    forbidden = challenge.spec.forbidden
    return {
        "module": challenge.spec.entry.file.removesuffix(".py"),
        "names": list(challenge.spec.entry.names),
        "forbidden": {"apis": forbidden.apis, "ops": forbidden.ops, "modules": forbidden.modules},
        "threads": 1,
        "import_seconds": challenge.spec.limits.import_time,
        "device": device,
    }


def preload() -> None:
    for name in PRELOAD:
        importlib.import_module(name)


def _pytest_args(challenge: Challenge, suite: str, select: str | None = None) -> list[str]:
    return [*(["-k", select] if select else []),
        str(challenge.tests_dir(suite)), "-c", os.devnull, "--rootdir", str(challenge.path),
        "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise", "-p", "no:warnings",
        "--import-mode=importlib", "--assert=plain",
        # only the judge's own plugin: whatever pytest plugins the host has installed stay out of a grading
        "--disable-plugin-autoload",
        # these call gc.collect() around every test: seconds per grading
        "-p", "no:unraisableexception", "-p", "no:threadexception",
    ]


def read_source(submission: Path, data: bytes) -> tuple[str | None, str | None]:
    """The submission's Python text and None, or None and why it has none (a compile error).

    A ``.py`` file is decoded as Python's importer decodes it (PEP 263, BOM); a notebook's code cells make
    the module (``judge.notebook``).
    """
    if submission.suffix == notebook.SUFFIX:
        script = notebook.to_script(data, submission.name)
        return script.source, script.error
    return staticscan.decode_source(data, submission.name)


def grade(challenge: Challenge, submission: Path, *, sandbox: Sandbox, suite: str = "hidden",
          seed: int | None = None, gpus: str | None = None, cpus: tuple[int, ...] | None = None,
          select: str | None = None, whole: bool = False) -> SubmissionResult:
    """Grade ``submission`` (a ``.py`` file or a notebook) and return its result; never raises for the
    submission's faults.

    With ``gpus`` ("all", "2", "0,1") the worker gets those GPUs and, where the
    challenge lists cuda among its devices, the tests run there (with the
    challenge's cuda tolerances). ``select`` keeps the tests whose names match it (pytest's ``-k``: the
    practice loop's `mlj test ID -k NAME`); none matching is a JE result with no tests. With ``whole``, a
    failure does not stop the rest of its group (``mlj verify``'s rule coverage sees every test a wrong
    solution fails); the score and the verdict are then not the graded ones.
    """
    with contextlib.ExitStack() as stack:
        return _grade(challenge, submission, sandbox, suite, seed, gpus, cpus, stack, select, whole)


def _grade(challenge: Challenge, submission: Path, sandbox: Sandbox, suite: str, seed: int | None,
           gpus: str | None, cpus: tuple[int, ...] | None, stack: contextlib.ExitStack,
           select: str | None = None, whole: bool = False) -> SubmissionResult:
    device = device_for(challenge, gpus)
    started = time.monotonic()
    if seed is None:
        seed = PUBLIC_SEED if suite == "public" else secrets.randbelow(2**31)
    try:
        data = submission.read_bytes()
    except OSError as exc:
        return _judge_error(challenge, submission, suite, sandbox, seed, started,
                            f"cannot read the submission {submission}: {exc.strerror}")
    source, unreadable = read_source(submission, data)
    forbidden = challenge.spec.forbidden
    scanned = staticscan.ScanResult(unreadable, ()) if unreadable is not None else \
        staticscan.scan(source or "", apis=forbidden.apis, modules=forbidden.modules, filename=str(submission))
    runs = submission
    if submission.suffix == notebook.SUFFIX and unreadable is None:  # the worker imports the cells as a module
        scripts = stack.enter_context(tempfile.TemporaryDirectory(prefix="mlj-notebook-"))
        runs = Path(scripts) / challenge.spec.entry.file
        runs.write_text(source or "", encoding="utf-8")
    spec = worker_spec(challenge, runs, gpus, cpus)
    worker = None
    if not scanned.syntax_error and not scanned.findings:
        try:  # first, so that the worker's torch import overlaps the judge's own
            worker = start_worker(sandbox, spec)
        except WorkerStartFailed as exc:
            return _judge_error(challenge, submission, suite, sandbox, seed, started, str(exc))

    # only now: these import torch, and the worker started above imports its own meanwhile
    from judge.refcache import CachedReference
    from judge.runner.contracts import Contracts
    from judge.runner.faults import CompileFault, ForbiddenFault
    from judge.runner.plugin import MljPlugin
    from judge.runner.session import WorkerSession

    session = WorkerSession(sandbox, spec, load_request(challenge, device), worker=worker,
                            max_blob=challenge.spec.limits.max_output_mb << 20,
                            contracts=Contracts(challenge.spec.results))
    message = ""
    if scanned.syntax_error:
        session.sticky = CompileFault(scanned.syntax_error)
    elif scanned.findings:
        session.sticky = ForbiddenFault("; ".join(f.describe() for f in scanned.findings),
                                        line=scanned.findings[0].line)
    try:
        reference = CachedReference(load_reference(challenge), f"{challenge.id}@{challenge.spec.version}")
        plugin = MljPlugin(session=session, reference=reference,
                           tolerances=challenge.tolerances(device), seed=seed, device=device,
                           time_per_test=challenge.spec.limits.time_per_test,
                           total_time=challenge.spec.limits.total_time,
                           stop_group_on_failure=suite == "hidden" and not whole, package=challenge.path)
        import pytest

        before = set(sys.modules)
        try:
            with one_thread(), _plain_asserts():
                code = pytest.main(_pytest_args(challenge, suite, select), plugins=[plugin])
        finally:
            _forget_test_modules(before, challenge.path)
        if code == pytest.ExitCode.INTERRUPTED and not plugin.collect_errors:
            raise KeyboardInterrupt
        if plugin.collect_errors or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            detail = "\n".join(plugin.collect_errors) or f"pytest exit code {int(code)}"
            return _judge_error(challenge, submission, suite, sandbox, seed, started,
                                f"the {suite} tests could not run: {detail}", session.logs())
    except Exception as exc:  # noqa: BLE001 - a judge failure is a JE result, not a crash
        return _judge_error(challenge, submission, suite, sandbox, seed, started,
                            f"{type(exc).__name__}: {exc}", session.logs())
    finally:
        session.close()
    if session.sticky is not None:
        message = session.sticky.message
    result = _fold(challenge, submission, suite, sandbox, seed, started, plugin.results, message, session.logs())
    return dataclasses.replace(result, output_dropped=session.output_dropped())


@contextlib.contextmanager
def _plain_asserts() -> Any:
    """No assertion rewriting of the challenge's tests, even where the judge itself runs under pytest.

    The grading asks for ``--assert=plain``, but an outer pytest session (the project's own tests grading
    in-process) leaves its rewriting import hook in ``sys.meta_path``, and a test module it rewrites loses
    the message of a failing ``assert x, message``.
    """
    hooks = [(i, f) for i, f in enumerate(sys.meta_path) if type(f).__name__ == "AssertionRewritingHook"]
    for _, hook in hooks:
        sys.meta_path.remove(hook)
    try:
        yield
    finally:
        for index, hook in hooks:
            sys.meta_path.insert(index, hook)


def _forget_test_modules(before: set[str], folder: Path) -> None:
    """Drop the test modules pytest imported: two challenges may both have tests/hidden/test_x.py."""
    # both sides resolved: a package reached through an alias (``..``, a symlink) still has its modules dropped
    root = folder.resolve()
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if path and Path(path).resolve().is_relative_to(root):
            del sys.modules[name]


def _fold(challenge: Challenge, submission: Path, suite: str, sandbox: Sandbox, seed: int, started: float,
          raw: list, message: str, log: str) -> SubmissionResult:
    groups: dict[str, list] = {}
    for result in raw:
        groups.setdefault(result.group, []).append(result)
    tests: list[TestResult] = []
    group_results: list[GroupResult] = []
    for name, members in groups.items():
        points = challenge.points(name)
        passed = all(m.verdict is Verdict.AC for m in members)
        failed = [m.verdict for m in members if m.verdict not in (Verdict.AC, None)]
        # nothing failed but not everything ran: TLE when the total time ran out before the rest, else
        # (the worker was lost in other groups) not run, never a time verdict it did not earn
        out_of_time = any(m.verdict is None and "total time" in m.message for m in members)
        verdict = Verdict.AC if passed else overall(failed) if failed else \
            Verdict.TLE if out_of_time else Verdict.NR
        group_results.append(GroupResult(name, points, points if passed else 0.0, verdict))
        per_test = points / len(members)
        for m in members:
            tests.append(TestResult(m.name, name, m.verdict or Verdict.NR,
                                    per_test, per_test if passed else 0.0, m.duration,
                                    m.message, m.figures, m.time_used, m.time_limit, m.time_clock,
                                    near_time_limit(m.time_used, m.time_limit)))
    verdict = overall([g.verdict for g in group_results])
    if not tests:
        message = message or "no tests ran"
    first_bad = next((t for t in tests if t.verdict not in (Verdict.AC, Verdict.NR)), None)
    if first_bad is None and verdict is not Verdict.AC:
        first_bad = next((t for t in tests if t.verdict is Verdict.NR), None)  # why the rest did not run
    if not message and first_bad is not None:
        message = f"{first_bad.name}: {first_bad.message.splitlines()[0] if first_bad.message else first_bad.verdict}"
    return SubmissionResult(
        challenge=challenge.id, submission=str(submission), suite=suite, verdict=verdict,
        score=round(sum(g.points_earned for g in group_results), 6),
        max_score=round(sum(g.points_possible for g in group_results), 6),
        tests=tuple(tests), groups=tuple(group_results), sandbox=sandbox.name, judge_version=__version__,
        seed=seed, duration=round(time.monotonic() - started, 4),
        message=message, log=log,
    )


def _judge_error(challenge: Challenge, submission: Path, suite: str, sandbox: Sandbox, seed: int,
                 started: float, message: str, log: str = "") -> SubmissionResult:
    return SubmissionResult(
        challenge=challenge.id, submission=str(submission), suite=suite, verdict=Verdict.JE, score=0.0,
        max_score=0.0, tests=(), groups=(), sandbox=sandbox.name, judge_version=__version__, seed=seed,
        duration=round(time.monotonic() - started, 4), message=message, log=log,
    )
