"""The fork server a parallel batch's judge processes come from, and what it preloads.

``mlj grade --jobs N`` forks its N judge processes from a multiprocessing fork
server that imported torch, pytest and the harness once (``judge.batch``); the
leaderboard server and ``mlj worker`` fork each grading process from one too
(``judge.server.grader``).
Those imports are the batch's first seconds, so the fork server should start
as early as the command can know it will be needed: before the command line
itself imports the challenge models (pydantic) and the sandbox, which then
load side by side with it. This module imports nothing heavy, so that the
command line can call ``start`` first.
"""

from __future__ import annotations

from multiprocessing import forkserver, get_context
from multiprocessing.context import BaseContext

# What a judge process needs before its first grading: torch, pytest and the harness. Warm judge
# processes (a batch's, the server's) import these up front. Not sympy: torch imports it (half a
# second) when autograd.grad is first given grad_outputs, so the challenges' tests write a
# vector-Jacobian product as grad(sum(out * g)) (tests/judge/test_grading.py checks it).
PRELOAD = ["pytest", "judge.runner.plugin", "judge.runner.session", "judge.refcache"]


def start(*, owner: str = "judge.batch") -> BaseContext:
    """The fork-server context, its server started (once; later calls return at once). ``owner``: the module
    whose function the forked processes run (a batch's jobs, the server's grading processes), preloaded too."""
    context = get_context("forkserver")
    context.set_forkserver_preload([*PRELOAD, owner])
    forkserver.ensure_running()
    return context
