"""Grade many submissions (``mlj grade``), optionally in parallel, with a progress bar.

Every submission of a batch sees the same hidden inputs (one seed per batch),
so expected values are computed once (``judge.refcache``). Each submission is
graded independently: one submission's crash, timeout or memory blow-up
becomes its own result and never disturbs another's. With ``jobs > 1`` the
gradings run in that many judge processes (pytest, which runs the tests, is
not thread-safe). Those judge processes are forked from a multiprocessing
fork server that imported torch, pytest and the harness once, and the process
backend's workers all come from the parent's one zygote (``Sandbox.share``):
a batch imports torch twice however many jobs it runs, so on a small machine
``--jobs 2`` does not spend its first seconds importing. With no more jobs
than cores, each job (its judge process and its workers) keeps to a core of
its own (``cpus_for_job``), and ``judge.schedule`` decides the order.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from judge import forkserver
from judge.challenge import Challenge, ChallengeError, find
from judge.grading import grade, preload
from judge.layout import submission_files
from judge.sandbox.base import Sandbox
from judge.sandbox.gpus import host_gpus, pin_gpu
from judge.schedule import Schedule, looks_slow
from judge.verdict import SubmissionResult

_child_sandbox: Sandbox | None = None
_child_gpus: str | None = None
_child_cpus: tuple[int, ...] | None = None


class Interrupted(Exception):  # noqa: N818 - what happened, not an error of the batch
    """Ctrl-C during a batch: ``results`` are the submissions that finished, in input order."""

    def __init__(self, results: list[SubmissionResult]) -> None:
        super().__init__(f"interrupted after {len(results)} submissions")
        self.results = results


def _warm(sandbox: Sandbox) -> None:
    """Start the sandbox's fork server first, then import here: the two imports overlap."""
    sandbox.prepare(spare=True)
    preload()


def cpus_for_job(job: int, jobs: int, available: set[int]) -> tuple[int, ...] | None:
    """The core job ``job`` of ``jobs`` keeps to, or None (more jobs than cores: no pinning).

    A grading is a conversation between a judge process and its worker, one
    waiting while the other runs. Two of them left to roam two cores get in
    each other's way (each wake-up lands on the busy core); kept to a core each, they do not
    (measured by bench/run.py's --jobs figures).
    """
    cores = sorted(available)
    return (cores[job],) if 1 < jobs <= len(cores) else None


def _init_child(sandbox_name: str, counter: Any, gpus: str | None, shared: dict | None, jobs: int,
                expected_dir: str, expected_key: bytes) -> None:
    global _child_sandbox, _child_gpus, _child_cpus
    from judge.refcache import CACHE

    # Ctrl-C reaches the whole process group: the parent alone handles it (no traceback per job)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from judge.sandbox import choose

    CACHE.use_folder(Path(expected_dir), expected_key)  # expected values one job computed, the others read

    with counter.get_lock():
        job = counter.value
        counter.value += 1
    _child_gpus = pin_gpu(job, gpus, host_gpus=host_gpus()) if gpus else None
    _child_cpus = cpus_for_job(job, jobs, os.sched_getaffinity(0))
    if _child_cpus is not None:
        os.sched_setaffinity(0, _child_cpus)  # the judge process; its workers are pinned as they start
    _child_sandbox = choose(sandbox_name).sandbox
    # a pool's judge process ends without running atexit handlers: release containers and the like here
    Finalize(None, _child_sandbox.close, exitpriority=10)
    if shared is not None:
        _child_sandbox.adopt(shared)
    _warm(_child_sandbox)


def _pool(jobs: int, sandbox: Sandbox, gpus: str | None, expected_dir: Path) -> ProcessPoolExecutor:
    """``jobs`` judge processes, forked from a fork server that preloaded what grading needs."""
    context = forkserver.start()  # now if the command line has not already: not at the first submit
    sandbox.prepare(spare=True)  # the workers' zygote imports torch while the fork server does
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_child,
                               initargs=(sandbox.name, context.Value("i", 0), gpus, sandbox.share(), jobs,
                                         # the shared expected values' signing key: over the fork server's
                                         # pipe, never in an environment or a command line a worker could read
                                         str(expected_dir), secrets.token_bytes(32)))


@dataclass(frozen=True)
class Grading:
    """One grading of a batch: ``mlj grade`` gives every one the batch's seed and the hidden suite; ``mlj
    verify`` also grades on other seeds, the public suite, and under a scaled time limit."""

    challenge: Challenge
    path: Path
    seed: int | None = None  # None: the batch's seed
    suite: str = "hidden"
    time_factor: float = 1.0  # the challenge's time limits multiplied by this (verify's time_limit margin)
    whole: bool = False  # every test of a group runs after a failure (verify's rule coverage; see grading.grade)

    def run(self, sandbox: Sandbox, seed: int, gpus: str | None, cpus: tuple[int, ...] | None = None
            ) -> SubmissionResult:
        challenge = self.challenge
        if self.time_factor != 1.0:
            challenge = challenge.with_time_limits(self.time_factor)
        return grade(challenge, self.path, sandbox=sandbox, suite=self.suite,
                     seed=seed if self.seed is None else self.seed, gpus=gpus, cpus=cpus, whole=self.whole)


def _grade_in_child(grading: Grading, seed: int) -> SubmissionResult:
    assert _child_sandbox is not None
    return grading.run(_child_sandbox, seed, _child_gpus, _child_cpus)


def grade_many(pairs: list[tuple[Challenge, Path]], *, sandbox: Sandbox, seed: int | None = None,
               jobs: int = 1, console: Console | None = None, gpus: str | None = None) -> list[SubmissionResult]:
    """Results in the order of ``pairs``; Ctrl-C raises ``Interrupted`` with those that finished."""
    return grade_each([Grading(challenge, path) for challenge, path in pairs], sandbox=sandbox, seed=seed,
                      jobs=jobs, console=console, gpus=gpus)


def grade_each(gradings: list[Grading], *, sandbox: Sandbox, seed: int | None = None, jobs: int = 1,
               console: Console | None = None, gpus: str | None = None,
               on_result: Callable[[int, SubmissionResult], None] | None = None) -> list[SubmissionResult]:
    """Results in the order of ``gradings``, ``on_result(index, result)`` as each finishes; Ctrl-C raises
    ``Interrupted`` with those that finished."""
    seed = secrets.randbelow(2**31) if seed is None else seed
    results: dict[int, SubmissionResult] = {}
    progress = Progress(TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.description}"), console=console, transient=True,
                        disable=console is None or len(gradings) < 2)

    def finished(index: int, result: SubmissionResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    try:
        _grade_all(gradings, sandbox, seed, jobs, gpus, progress, finished)
    except KeyboardInterrupt:
        raise Interrupted([results[i] for i in sorted(results)]) from None
    return [results[i] for i in range(len(gradings))]


def _grade_all(gradings: list[Grading], sandbox: Sandbox, seed: int, jobs: int, gpus: str | None,
               progress: Progress, finished: Callable[[int, SubmissionResult], None]) -> None:
    with progress:
        task = progress.add_task("", total=len(gradings))
        if jobs <= 1 or len(gradings) < 2:
            if len(gradings) > 1:  # a single grading overlaps its own imports (see grade)
                _warm(sandbox)
            for i, grading in enumerate(gradings):
                progress.update(task, description=f"{grading.challenge.id}/{grading.path.name}")
                finished(i, grading.run(sandbox, seed, gpus))
                progress.advance(task)
        else:
            running: dict[Future, int] = {}
            with tempfile.TemporaryDirectory(prefix="mlj-batch-") as expected, \
                    _pool(jobs, sandbox, gpus, Path(expected)) as pool, _stopped_on_interrupt(pool):
                # read the files while the fork server and the zygote import
                schedule = Schedule([g.challenge.id for g in gradings],
                                    looks_slow([(g.path, g.challenge.reference_path) for g in gradings]))
                while True:
                    while len(running) < jobs and (index := schedule.next()) is not None:
                        running[pool.submit(_grade_in_child, gradings[index], seed)] = index
                    if not running:
                        break
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        index = running.pop(future)
                        result = future.result()
                        schedule.finished(index, result.duration)
                        finished(index, result)
                        progress.update(task, description=f"{gradings[index].challenge.id}/"
                                                          f"{gradings[index].path.name}")
                        progress.advance(task)


@contextlib.contextmanager
def _stopped_on_interrupt(pool: ProcessPoolExecutor) -> Iterator[None]:
    """On Ctrl-C the jobs' gradings are cut short: their judge processes are ended rather than waited for
    (each would otherwise finish its submission first)."""
    try:
        yield
    except KeyboardInterrupt:
        for process in list(getattr(pool, "_processes", {}).values()):  # the executor has no public handle
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def resolve(challenge_id: str, items: tuple[Path, ...]) -> list[tuple[Challenge, Path]]:
    """The (challenge, file) pairs to grade, as ``judge.layout`` reads FILES; each challenge loaded once."""
    cache: dict[str, Challenge] = {}
    pairs = []
    for cid, path in submission_files(challenge_id, items):
        if cid not in cache:
            cache[cid] = find(cid)
        pairs.append((cache[cid], path))
    return pairs


__all__ = ["ChallengeError", "Grading", "grade_each", "grade_many", "resolve"]
