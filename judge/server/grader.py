"""Background grading: slots that each grade one submission at a time, in a fresh process every time.

Each grading runs in a process of its own (it shares nothing with the web
server), forked from a fork server that imported torch, pytest and the harness
once (``Warm``), and, with the process backend, its workers come from one
zygote the server keeps warm: a slot keeps its next process warming while the
current one grades, and retires a process after its one grading. So nothing a grading leaves in
its process (test modules, a patched library, a cache entry) reaches another
grading. If a grading process dies or overruns, only its submission becomes
``error``/JE. Which submission is next is ``schedule.next_eligible`` over the
database's queued rows, so a restart loses nothing (``Grader.start`` re-queues
what was running) and the queue is fair across members.

Stopping: ``Grader.stop`` asks every grading process to stop (SIGTERM), and a
grading process that receives it, or sees the server gone, closes its sandbox
(killing its worker, removing its container) before it exits.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from judge.server import schedule
from judge.server.models import DONE, ERROR, QUEUED, RUNNING, Submission, utcnow

log = logging.getLogger("mlj.server")
GRACE_SECONDS = 120  # on top of the challenge's own time limits, before a grading is declared stuck
POLL_SECONDS = 2.0  # how often an idle slot looks at the database (rows another process queued)
STOP_SECONDS = 10  # how long a grading process has to close its sandbox once asked to stop


class GradingCrashed(Exception):
    """The grading process died, overran, or could not grade at all."""


def _slot_main(conn: Any, sandbox_name: str, gpus: str | None = None, shared: dict | None = None
               ) -> None:  # runs in the grading process
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us
    server = os.getppid()  # the fork server, which exits with the server
    sandbox: Any = None

    def stop(*_: Any) -> None:
        try:
            if sandbox is not None:
                sandbox.close()  # kills the worker (the process backend) or removes the container
            from judge.sandbox.docker.registry import CONTAINERS

            CONTAINERS.remove_all()
        finally:
            os._exit(0)

    signal.signal(signal.SIGTERM, stop)

    def watch_server() -> None:  # the server (so its fork server) died without stopping us: clean up all the same
        while os.getppid() == server:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch_server, name="mlj-watch-server", daemon=True).start()

    from judge.challenge import find_known
    from judge.grading import grade, preload

    preload()  # warm up: the imports a cold grading would pay for
    from judge.sandbox import choose

    try:
        sandbox, problem = choose(sandbox_name).sandbox, ""
        if shared is not None:
            sandbox.adopt(shared)  # the server's warm zygote: no torch import of our own for the workers
        sandbox.prepare()
    except Exception as exc:  # noqa: BLE001 - reported with the job instead
        problem = f"sandbox {sandbox_name!r} is not available: {exc}"
    try:
        try:
            challenge_id, path, seed = conn.recv()  # one grading, then this process exits
        except (EOFError, OSError):
            return
        if problem:
            conn.send(("error", problem))
            return
        try:
            result = grade(find_known(challenge_id), Path(path), sandbox=sandbox, gpus=gpus, seed=seed)
            conn.send(("ok", result.to_dict()))
        except Exception as exc:  # noqa: BLE001
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        if sandbox is not None:
            sandbox.close()


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class _Process:
    """One grading process (forked from the fork server) and its end of the pipe."""

    def __init__(self, ctx: Any, sandbox_name: str, gpus: str | None = None, shared: dict | None = None) -> None:
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_slot_main, args=(child, sandbox_name, gpus, shared), name="mlj-grader",
                                daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent

    def stop(self, patience: float = STOP_SECONDS) -> None:
        """SIGTERM (it closes its sandbox), then SIGKILL if it has not gone within ``patience``."""
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(patience)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


class Warm:
    """What a server's (or a worker's) grading processes start from, shared by all its slots.

    The fork server: each grading process is a fresh fork of a process that imported torch, pytest and the
    harness and never graded anything, so it is ready in a fraction of a second instead of the seconds a
    spawned interpreter takes, and starts as clean. With the process backend, one zygote (``Sandbox.share``)
    that the grading processes' workers are forked from, as a parallel batch's are; if it dies, the next
    grading process gets a new one, and a grading process that cannot reach it starts its own.
    """

    def __init__(self, sandbox_name: str) -> None:
        from judge import forkserver

        self.ctx = forkserver.start(owner=__name__)
        self._lock = threading.Lock()
        self._sandbox: Any = None
        try:
            from judge.sandbox import backend, choose

            if backend(sandbox_name).shares_warm_state:
                self._sandbox = choose(sandbox_name).sandbox
        except Exception:  # noqa: BLE001 - each grading process reports it with its submission
            log.warning("sandbox %r is not available here; each grading process will say why", sandbox_name)

    def shared(self) -> dict | None:
        """What a new grading process adopts (a live zygote's address), or None: it warms up its own."""
        if self._sandbox is None:
            return None
        with self._lock:
            try:
                return self._sandbox.share()  # starts the zygote again if it died
            except Exception as exc:  # noqa: BLE001
                log.warning("cannot share the sandbox's warm state (%s); the grading process starts its own", exc)
                return None

    def close(self) -> None:
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None


class Slot:
    """One grading at a time, each in a fresh process; the next one is warming while this one grades.

    ``gpus`` (a --gpus value, e.g. "device=1") is handed to every grading: challenges that run on cuda
    are tested there (``mlj worker --gpus`` pins one GPU per slot).
    """

    def __init__(self, sandbox_name: str, gpus: str | None = None, *, warm: Warm) -> None:
        self.sandbox_name = sandbox_name
        self.gpus = gpus
        self.warm = warm
        self._ctx = warm.ctx
        self._lock = threading.Lock()
        self._stopped = False
        self._current: _Process | None = None
        self._next: _Process | None = self._new()

    def _new(self) -> _Process:
        return _Process(self._ctx, self.sandbox_name, self.gpus, self.warm.shared())

    def _take(self) -> _Process:
        with self._lock:
            if self._stopped:
                raise GradingCrashed("the server is stopping")
            current = self._next if self._next is not None and self._next.proc.is_alive() else None
            if current is None:
                if self._next is not None:
                    self._next.stop(0)
                current = self._new()
            self._current = current
            self._next = self._new()  # warms while ``current`` grades
            return current

    def _retire(self, process: _Process) -> None:
        with self._lock:
            if self._current is process:
                self._current = None
        process.stop()

    def grade(self, challenge_id: str, path: Path, timeout: float, seed: int | None = None) -> dict[str, Any]:
        """The result (as a dict) of one grading; ``seed`` None draws one."""
        process = self._take()
        log.info("grading %s in process %d", path.name, process.proc.pid)
        try:
            process.conn.send((challenge_id, str(path), seed))
            if not process.conn.poll(timeout):
                raise GradingCrashed(f"grading took more than {timeout:.0f}s and was stopped")
            kind, payload = process.conn.recv()
        except (EOFError, OSError) as exc:
            process.proc.join(5)
            raise GradingCrashed(f"the grading process died ({_describe_exit(process.proc.exitcode)}) while "
                                 "grading this submission; other submissions were not affected") from exc
        finally:
            self._retire(process)
        if kind != "ok":
            raise GradingCrashed(payload)
        return payload

    def stop(self) -> None:
        """Stop both processes, each closing its sandbox."""
        with self._lock:
            self._stopped = True
            processes = [p for p in (self._current, self._next) if p is not None]
            self._current = self._next = None
        for process in processes:
            if process.proc.is_alive():
                process.proc.terminate()  # all at once: each closes its sandbox in parallel
        for process in processes:
            process.stop()

    def pids(self) -> list[int]:
        with self._lock:
            return [p.proc.pid for p in (self._current, self._next) if p is not None and p.proc.pid]


class Grader:
    """The slots and their threads; ``enqueue`` after a submission is committed wakes one."""

    def __init__(self, sessions: sessionmaker[Session], *, workers: int, sandbox_name: str) -> None:
        self.sessions = sessions
        self.workers = workers
        self.per_member = schedule.per_member_slots(workers)
        self.sandbox_name = sandbox_name
        self.slots: list[Slot] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        self._pick_lock = threading.Lock()
        self._scratch = Path(tempfile.mkdtemp(prefix="mlj-server-"))
        self._warm: Warm | None = None

    def start(self) -> int:
        """Start the slots, re-queue what a previous run left running; the number of submissions waiting."""
        with self.sessions() as session:
            session.execute(update(Submission).where(Submission.status == RUNNING)
                            .values(status=QUEUED, started_at=None))
            session.commit()
            pending = len(schedule.snapshot(session)[0])
        self._warm = Warm(self.sandbox_name)
        for i in range(self.workers):
            slot = Slot(self.sandbox_name, warm=self._warm)
            self.slots.append(slot)
            thread = threading.Thread(target=self._loop, args=(slot,), name=f"mlj-grading-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return pending

    def enqueue(self, submission_id: int | None = None) -> None:
        """Something was queued (``submission_id`` is only informative: the database is the queue)."""
        with self._wake:
            self._wake.notify_all()

    def stop(self) -> None:
        """Stop grading now; what was running stays ``running`` and is re-queued at the next start."""
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        threads = [threading.Thread(target=slot.stop) for slot in self.slots]  # every slot at once
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(STOP_SECONDS + 10)
        for thread in self._threads:
            thread.join(5)
        if self._warm is not None:
            self._warm.close()  # the zygote, after the grading processes that used it
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _claim(self) -> int | None:
        """The next submission by the schedule, marked running; None when nothing can start."""
        with self._pick_lock, self.sessions() as session:
            queued, loads = schedule.snapshot(session)
            while True:
                chosen = schedule.next_eligible(queued, loads, self.per_member)
                if chosen is None:
                    return None
                claimed = session.execute(update(Submission)
                                          .where(Submission.id == chosen.id, Submission.status == QUEUED)
                                          .values(status=RUNNING, started_at=utcnow()))
                session.commit()
                if claimed.rowcount == 1:
                    return chosen.id
                queued = [q for q in queued if q.id != chosen.id]  # taken by another server on this database

    def _loop(self, slot: Slot) -> None:
        while not self._stopping.is_set():
            try:
                submission_id = self._claim()
            except Exception:  # noqa: BLE001 - the database hiccuped: try again shortly
                log.exception("cannot read the queue")
                submission_id = None
            if submission_id is None:
                with self._wake:
                    self._wake.wait(POLL_SECONDS)
                continue
            try:
                self._grade_one(slot, submission_id)
            except Exception:  # noqa: BLE001 - never let one submission stop the loop
                log.exception("grading submission %s failed", submission_id)
            with self._wake:
                self._wake.notify_all()  # a member's slot is free again: another thread may start their next

    def _grade_one(self, slot: Slot, submission_id: int) -> None:
        with self.sessions() as session:
            submission = session.get(Submission, submission_id)
            if submission is None:
                return  # removed with its user
            challenge_id, code, seed = submission.challenge, submission.code, submission.seed
            user = submission.user.name
        try:
            values = grade_values(slot, self._scratch, submission_id, challenge_id, code, user, seed)
        except Exception as exc:  # noqa: BLE001 - GradingCrashed, a challenge gone from the catalog, ...
            if self._stopping.is_set():
                return  # the server is stopping: leave it running, the next start re-queues it
            values = error_values(submission_id, exc)
        with self.sessions() as session:
            session.execute(update(Submission).where(Submission.id == submission_id, Submission.status == RUNNING)
                            .values(finished_at=utcnow(), **values))
            session.commit()


def grade_values(slot: Slot, scratch: Path, submission_id: int, challenge_id: str, code: str, user: str,
                 seed: int | None = None) -> dict[str, Any]:
    """Grade ``code`` in ``slot`` (a fresh process); the finished row's columns. Raises when it cannot finish.

    Shared by the local slots and the scale-out workers (``judge.server.tasks``), so both grade alike.
    """
    from judge.challenge import find_known

    name = f"submission-{submission_id}.py"
    path = scratch / name
    path.write_text(code, encoding="utf-8")
    try:
        limits = find_known(challenge_id).spec.limits
        result = slot.grade(challenge_id, path, limits.total_time + limits.import_time + GRACE_SECONDS, seed)
    finally:
        path.unlink(missing_ok=True)
    result["submission"] = name
    values = {"status": DONE, "verdict": str(result["verdict"]), "score": result["score"],
              "max_score": result["max_score"], "message": result["message"],
              "result_json": json.dumps(result, default=str)}
    log.info("graded #%s (%s, %s): %s %g/%g in %.1fs", submission_id, user, challenge_id, values["verdict"],
             result["score"], result["max_score"], result["duration"])
    return values


def error_values(submission_id: int, exc: BaseException) -> dict[str, Any]:
    """The columns of a grading that could not finish: JE, with the reason."""
    log.error("grading #%s failed: %s", submission_id, exc)
    return {"status": ERROR, "verdict": "JE", "score": None, "max_score": None,
            "message": f"judge error: {exc}", "result_json": None}
