"""Batches (`mlj grade FILES --server URL`): an admin's submissions graded by the board, off the leaderboard.

A batch is opened (``POST /api/batches``, with a seed or none: one is drawn),
filled one submission per request (``POST /api/batches/{id}/submissions``, each
under the board's upload cap), and read back (``GET /api/batches/{id}``) with
every result in full. Its submissions are ordinary queued rows of the admin who
sent them, so the board's slots or workers grade them under the fair schedule
(one member: at most half the slots while others wait), each on the batch's
seed, and ``models.on_board`` keeps them off the leaderboard, the members'
pages and the per-member caps.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judge.server.deps import get_session, require_api_writer, require_user
from judge.server.models import FINISHED, Batch, Submission, User, utcnow
from judge.server.submitting import check_code, json_object, known, parse_id
from judge.server.views import iso

router = APIRouter(prefix="/api/batches")
MAX_BATCH = 5000  # submissions in one batch
MAX_LABEL = 255
SEED_LIMIT = 2**31  # the seeds `mlj grade --seed` takes


def _admin(user: User) -> User:
    if not user.is_admin:
        raise HTTPException(403, f"{user.name} is not an admin: only admins grade batches on this board "
                                 "(`mlj admin add-user NAME --admin` makes one)")
    return user


def _batch(session: Session, batch_id: str) -> Batch:
    batch = session.get(Batch, parse_id(batch_id, "batch"))
    if batch is None:
        raise HTTPException(404, f"no batch {batch_id}")
    return batch


@router.post("", status_code=201)
async def open_batch(request: Request) -> dict[str, Any]:
    """Body: {"seed": INT or null}. The batch's id and seed."""
    data = json_object(await request.body() or b"{}", '{"seed": INT or null}')
    seed = data.get("seed")
    if seed is not None and (type(seed) is not int or not 0 <= seed < SEED_LIMIT):
        raise HTTPException(400, f"seed must be an integer from 0 to {SEED_LIMIT - 1}, or null to draw one")
    return await run_in_threadpool(_open, request, seed)


def _open(request: Request, seed: int | None) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        user = _admin(require_api_writer(request, session))
        batch = Batch(user_id=user.id, seed=secrets.randbelow(SEED_LIMIT) if seed is None else seed, size=0,
                      created_at=utcnow())
        session.add(batch)
        session.commit()
        return {"id": batch.id, "seed": batch.seed}


@router.post("/{batch_id}/submissions", status_code=201)
async def add_submission(batch_id: str, request: Request) -> dict[str, Any]:
    """Body: {"challenge": ID, "name": LABEL, "code": SOURCE}. Stored (queued) on the batch's seed."""
    shape = '{"challenge": "ID", "name": "LABEL", "code": "SOURCE"}'
    data = json_object(await request.body(), shape)  # capped by security.Guard
    if not all(isinstance(data.get(k), str) for k in ("challenge", "name", "code")):
        raise HTTPException(400, f"the body must be JSON: {shape}")
    if not 0 < len(data["name"]) <= MAX_LABEL:
        raise HTTPException(400, f"name must be 1 to {MAX_LABEL} characters (the submission's path in the batch)")
    return await run_in_threadpool(_add, request, batch_id, data["challenge"], data["name"], data["code"])


def _add(request: Request, batch_id: str, challenge_id: str, name: str, code: str) -> dict[str, Any]:
    check_code(code, request.app.state.settings.max_upload)
    challenge_id = known(challenge_id)
    with request.app.state.submit_lock, request.app.state.sessions() as session:
        user = _admin(require_api_writer(request, session))
        batch = _batch(session, batch_id)
        if batch.size >= MAX_BATCH:
            raise HTTPException(413, f"batch {batch.id} holds {MAX_BATCH} submissions, the most one batch takes: "
                                     "grade the rest in another batch")
        submission = Submission(user_id=user.id, challenge=challenge_id, code=code, created_at=utcnow(),
                                batch_id=batch.id, label=name, seed=batch.seed)
        batch.size += 1
        session.add(submission)
        session.commit()
        request.app.state.grader.enqueue(submission.id)
        return {"id": submission.id, "batch": batch.id, "name": name, "status": submission.status}


@router.get("/{batch_id}")
def get_batch(batch_id: str, request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
    """The batch and each of its submissions with its full result (null until graded, or after a JE)."""
    _admin(require_user(request, session))
    batch = _batch(session, batch_id)
    rows = list(session.scalars(select(Submission).where(Submission.batch_id == batch.id).order_by(Submission.id)))
    finished = session.scalar(select(func.count()).select_from(Submission)
                              .where(Submission.batch_id == batch.id, Submission.status.in_(FINISHED))) or 0
    return {
        "id": batch.id, "seed": batch.seed, "size": batch.size, "finished": finished,
        "created_at": iso(batch.created_at),
        "submissions": [{"id": s.id, "name": s.label, "challenge": s.challenge, "status": s.status,
                         "verdict": s.verdict, "score": s.score, "max_score": s.max_score, "message": s.message,
                         "result": json.loads(s.result_json) if s.result_json else None} for s in rows],
    }
