"""Grade many submissions (``mlj grade``), optionally in parallel, with a progress bar.

Each submission is graded independently: one submission's crash, timeout or
memory blow-up becomes its own result and never disturbs another's. With
``jobs > 1`` the gradings run in separate judge processes (pytest, which runs
the tests, is not thread-safe).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from judge.challenge import Challenge, find
from judge.grading import grade
from judge.sandbox.base import Sandbox
from judge.verdict import SubmissionResult


def _grade_in_child(challenge_id: str, path: str, sandbox_name: str, seed: int | None) -> SubmissionResult:
    from judge.sandbox import choose

    sandbox = choose(sandbox_name).sandbox
    try:
        return grade(find(challenge_id), Path(path), sandbox=sandbox, seed=seed)
    finally:
        sandbox.close()


def grade_many(challenge: Challenge, paths: list[Path], *, sandbox: Sandbox, seed: int | None = None,
               jobs: int = 1, console: Console | None = None) -> list[SubmissionResult]:
    """Results in the order of ``paths``."""
    results: dict[int, SubmissionResult] = {}
    progress = Progress(TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.description}"), console=console, transient=True,
                        disable=console is None or len(paths) < 2)
    with progress:
        task = progress.add_task("", total=len(paths))
        if jobs <= 1 or len(paths) < 2:
            for i, path in enumerate(paths):
                progress.update(task, description=path.name)
                results[i] = grade(challenge, path, sandbox=sandbox, seed=seed)
                progress.advance(task)
        else:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
                futures = {pool.submit(_grade_in_child, challenge.id, str(p), sandbox.name, seed): i
                           for i, p in enumerate(paths)}
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    progress.update(task, description=paths[futures[future]].name)
                    progress.advance(task)
    return [results[i] for i in range(len(paths))]
