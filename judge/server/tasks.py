"""The Celery application of the scale-out: one task, ``mlj.grade``, whose message is a submission id.

The broker (Redis) only carries ids, as JSON (never pickle: ``accept_content``
refuses anything else). The database stays the source of truth: the task
claims the row's lease (``leases.claim``), grades in a fresh process exactly
as the server's local slots do (``grader.Slot``, ``grader.grade_values``),
and writes the result only if it still holds that lease (``leases.finish``).

Delivery settings: one message reserved per grading lane
(``worker_prefetch_multiplier=1``), acknowledged after the grading
(``task_acks_late``), given back when a worker process is lost
(``task_reject_on_worker_lost``), and a visibility timeout well above the
longest grading, so Redis never redelivers a message whose grading is still
going; the server's sweeper (``leases.sweep``) covers what the broker loses.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from judge.server import leases
from judge.server.grader import GRACE_SECONDS, Slot, error_values, grade_values

log = logging.getLogger("mlj.server")
TASK = "mlj.grade"
QUEUES = ("cpu", "gpu")


def longest_grading() -> float:
    """The most seconds any grading may take before its slot gives up: the largest limits challenge.yaml allows."""
    from judge.challenge import LimitSpec  # the schema's bounds: no challenge has to be loaded

    def bound(name: str) -> float:
        return max(float(m.le) for m in LimitSpec.model_fields[name].metadata if getattr(m, "le", None))

    return bound("total_time") + bound("import_time") + GRACE_SECONDS


def visibility_timeout() -> float:
    """How long Redis waits for an unacknowledged message before handing it out again: four longest gradings."""
    return 4 * longest_grading()


def make_app(broker: str) -> Celery:
    """The Celery app on ``broker`` (redis://HOST:PORT/N), configured as the module docstring says."""
    app = Celery("mlj", broker=broker, set_as_current=False)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json", event_serializer="json",
        task_ignore_result=True, result_backend=None,
        worker_prefetch_multiplier=1, task_acks_late=True, task_reject_on_worker_lost=True,
        broker_transport_options={"visibility_timeout": visibility_timeout()},
        task_default_queue="cpu", broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False, worker_send_task_events=False,
    )
    app.task(name=TASK, ignore_result=True)(grade)
    return app


@dataclass
class Lane:
    """One grading at a time: a worker id (a row of ``workers``) and its slot; ``claim`` while it grades."""

    id: str
    slot: Slot
    claim: leases.Claim | None = None


@dataclass
class WorkerState:
    """What the task needs in an ``mlj worker`` process (set by ``judge.server.worker``)."""

    sessions: sessionmaker[Session]
    lanes: list[Lane]
    lease: timedelta
    scratch: Path
    free: queue.Queue[Lane] = field(default_factory=queue.Queue)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        for lane in self.lanes:
            self.free.put(lane)


STATE: WorkerState | None = None


def grade(submission_id: Any) -> str:
    """The task: claim, grade, write if still held. What happened, for the log: graded, skipped, lost, refused."""
    if type(submission_id) is not int:  # the broker is not trusted to hand us a well-formed id
        log.error("refused a message with submission id %r (not an integer)", submission_id)
        return "refused"
    if STATE is None:
        raise RuntimeError("the mlj.grade task runs only in `mlj worker`")
    lane = STATE.free.get()
    try:
        return _grade_in(STATE, lane, submission_id)
    finally:
        STATE.free.put(lane)


def _grade_in(state: WorkerState, lane: Lane, submission_id: int) -> str:
    with state.sessions() as session:
        claim = leases.claim(session, submission_id, lane.id, state.lease)
    if claim is None:
        log.info("#%s: nothing to do (graded already, held by another worker, or gone)", submission_id)
        return "skipped"
    log.info("grading #%s (%s, %s), attempt %d, on %s", submission_id, claim.user, claim.challenge,
             claim.attempt, lane.id)
    lane.claim = claim
    try:
        try:
            values = grade_values(lane.slot, state.scratch, submission_id, claim.challenge, claim.code, claim.user,
                                  claim.seed)
        except Exception as exc:  # noqa: BLE001 - GradingCrashed, a challenge gone from the catalog, ...
            if state.stopping.is_set():  # our grading process was stopped with us: another worker grades it
                with state.sessions() as session:
                    leases.release(session, claim, lane.id)
                log.warning("#%s: stopped before its grading finished; queued again", submission_id)
                return "released"
            values = error_values(submission_id, exc)
        with state.sessions() as session:
            written = leases.finish(session, claim, lane.id, values)
    finally:
        lane.claim = None
    if not written:
        log.warning("#%s: the lease was lost before the result was written (another worker took it over); "
                    "this result is dropped", submission_id)
        return "lost"
    return "graded"


def beat(state: WorkerState) -> None:
    """One heartbeat: every lane is alive; every lane grading keeps its lease."""
    with state.sessions() as session:
        leases.heartbeat(session, [lane.id for lane in state.lanes])
        for lane in state.lanes:
            claim = lane.claim
            if claim is not None and not leases.extend(session, claim, lane.id, state.lease):
                log.warning("#%s: lease lost while grading (the sweeper re-queued it)", claim.submission_id)
