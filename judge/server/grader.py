"""Background grading: a FIFO of submission ids served by ``workers`` grading processes.

Each grading slot is one long-lived process (spawned, so it shares nothing
with the web server) that imports torch and the harness once and then grades
one submission at a time with ``judge.grading.grade``, exactly as the CLI does.
If a slot's process dies or overruns, only the submission it was grading is
marked ``error``/JE and the slot is replaced; the other slots never notice.
Submissions are read from, and results written to, the database, so a
restart loses nothing: ``Grader.start`` re-queues what was queued or running.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import queue
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from judge.server.models import DONE, ERROR, QUEUED, RUNNING, Submission, utcnow

log = logging.getLogger("mlj.server")
GRACE_SECONDS = 120  # on top of the challenge's own time limits, before a grading is declared stuck
GRADINGS_PER_PROCESS = 200  # then a fresh process, so nothing one grading leaves behind piles up


class GradingCrashed(Exception):
    """The grading process died, overran, or could not grade at all."""


def _slot_main(conn: Any, sandbox_name: str) -> None:  # runs in the grading process
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us
    from judge.challenge import find
    from judge.grading import grade, preload

    preload()  # warm up: the imports a cold grading would pay for
    from judge.sandbox import choose

    try:
        sandbox, problem = choose(sandbox_name).sandbox, ""
    except Exception as exc:  # noqa: BLE001 - reported with every job instead
        sandbox, problem = None, f"sandbox {sandbox_name!r} is not available: {exc}"
    try:
        while True:
            try:
                challenge_id, path = conn.recv()
            except (EOFError, OSError):
                return
            if sandbox is None:
                conn.send(("error", problem))
                continue
            try:
                conn.send(("ok", grade(find(challenge_id), Path(path), sandbox=sandbox).to_dict()))
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


class Slot:
    """One grading process, started at once (to warm up) and replaced after a crash."""

    def __init__(self, sandbox_name: str) -> None:
        self.sandbox_name = sandbox_name
        self._ctx = multiprocessing.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None
        self._graded = 0
        self.start()

    def start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_slot_main, args=(child, self.sandbox_name),
                                       name="mlj-grader", daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        self._graded = 0

    def kill(self) -> None:
        """Kill the process, if any."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        if proc.is_alive():
            proc.kill()
        proc.join(10)
        self._conn.close()

    def grade(self, challenge_id: str, path: Path, timeout: float) -> dict[str, Any]:
        if self._proc is None or not self._proc.is_alive() or self._graded >= GRADINGS_PER_PROCESS:
            self.kill()
            self.start()
        self._graded += 1
        try:
            self._conn.send((challenge_id, str(path)))
            if not self._conn.poll(timeout):
                self.kill()
                raise GradingCrashed(f"grading took more than {timeout:.0f}s and was stopped")
            kind, payload = self._conn.recv()
        except (EOFError, OSError) as exc:
            code = None
            if self._proc is not None:
                self._proc.join(5)
                code = self._proc.exitcode
            self.kill()
            raise GradingCrashed(f"the grading process died ({_describe_exit(code)}) while grading this "
                                 "submission; other submissions were not affected") from exc
        if kind != "ok":
            raise GradingCrashed(payload)
        return payload


class Grader:
    """The queue and the slots; ``enqueue`` after a submission is committed."""

    def __init__(self, sessions: sessionmaker[Session], *, workers: int, sandbox_name: str) -> None:
        self.sessions = sessions
        self.workers = workers
        self.sandbox_name = sandbox_name
        self.queue: queue.Queue[int | None] = queue.Queue()
        self.slots: list[Slot] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._scratch = Path(tempfile.mkdtemp(prefix="mlj-server-"))

    def start(self) -> int:
        """Start the slots, re-queue what a previous run left; the number re-queued."""
        with self.sessions() as session:
            session.execute(update(Submission).where(Submission.status == RUNNING)
                            .values(status=QUEUED, started_at=None))
            session.commit()
            pending = list(session.scalars(select(Submission.id).where(Submission.status == QUEUED)
                                           .order_by(Submission.id)))
        for submission_id in pending:
            self.queue.put(submission_id)
        for i in range(self.workers):
            slot = Slot(self.sandbox_name)
            self.slots.append(slot)
            thread = threading.Thread(target=self._loop, args=(slot,), name=f"mlj-grading-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return len(pending)

    def enqueue(self, submission_id: int) -> None:
        self.queue.put(submission_id)

    def stop(self) -> None:
        """Stop grading now; what was running stays ``running`` and is re-queued at the next start."""
        self._stopping.set()
        for _ in self._threads:
            self.queue.put(None)
        for slot in self.slots:
            slot.kill()
        for thread in self._threads:
            thread.join(10)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _loop(self, slot: Slot) -> None:
        while not self._stopping.is_set():
            submission_id = self.queue.get()
            if submission_id is None or self._stopping.is_set():
                return
            try:
                self._grade_one(slot, submission_id)
            except Exception:  # noqa: BLE001 - never let one submission stop the loop
                log.exception("grading submission %s failed", submission_id)

    def _grade_one(self, slot: Slot, submission_id: int) -> None:
        from judge.challenge import find

        with self.sessions() as session:
            claimed = session.execute(update(Submission)
                                      .where(Submission.id == submission_id, Submission.status == QUEUED)
                                      .values(status=RUNNING, started_at=utcnow()))
            session.commit()
            if claimed.rowcount != 1:
                return  # already graded, or claimed by another server on the same database
            submission = session.get(Submission, submission_id)
            assert submission is not None
            challenge_id, code, user = submission.challenge, submission.code, submission.user.name
        name = f"submission-{submission_id}.py"
        path = self._scratch / name
        path.write_text(code, encoding="utf-8")
        values: dict[str, Any]
        try:
            limits = find(challenge_id).spec.limits
            result = slot.grade(challenge_id, path, limits.total_time + limits.import_time + GRACE_SECONDS)
            result["submission"] = name
            values = {"status": DONE, "verdict": str(result["verdict"]), "score": result["score"],
                      "max_score": result["max_score"], "message": result["message"],
                      "result_json": json.dumps(result, default=str)}
            log.info("graded #%s (%s, %s): %s %g/%g in %.1fs", submission_id, user, challenge_id, values["verdict"],
                     result["score"], result["max_score"], result["duration"])
        except Exception as exc:  # noqa: BLE001 - GradingCrashed, a broken challenge, ...
            if self._stopping.is_set():
                return  # the server is stopping: leave it running, the next start re-queues it
            values = {"status": ERROR, "verdict": "JE", "score": None, "max_score": None,
                      "message": f"judge error: {exc}"}
            log.error("grading #%s failed: %s", submission_id, exc)
        finally:
            path.unlink(missing_ok=True)
        with self.sessions() as session:
            session.execute(update(Submission).where(Submission.id == submission_id)
                            .values(finished_at=utcnow(), **values))
            session.commit()

