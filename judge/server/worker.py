"""What ``mlj worker`` does: grading lanes on this host, fed by the broker, reporting to the database.

Each of ``concurrency`` lanes (with ``--gpus``, one per GPU, pinned to it)
grades one submission at a time, in a fresh
process per grading (``grader.Slot``, warmed while the previous one grades)
and is a row of the ``workers`` table. A heartbeat thread marks the lanes
alive and extends the lease of every grading in hand; when this process dies,
the heartbeats stop, the leases run out, and the server's sweeper queues
those submissions again.

Celery runs the consumer with its thread pool (the gradings themselves are
separate processes): SIGTERM or Ctrl-C is Celery's warm shutdown, which takes
no new message and waits for the gradings in hand to finish.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

import click

from judge.sandbox import concrete as concrete_sandbox
from judge.server import leases, tasks
from judge.server.db import DatabaseError, open_database, redact
from judge.verdict import EXIT_ERROR, EXIT_OK

log = logging.getLogger("mlj.server")


def _heartbeats(state: tasks.WorkerState, every: float, done: threading.Event) -> None:
    while not done.wait(every):
        try:
            tasks.beat(state)
        except Exception:  # noqa: BLE001 - the database hiccuped: the next beat tries again
            log.exception("heartbeat failed")


def lane_gpus(gpus: str | None, concurrency: int) -> list[str | None]:
    """Each lane's --gpus value: without GPUs, ``concurrency`` plain lanes; with them, one lane per GPU, pinned."""
    if not gpus:
        return [None] * concurrency
    from judge.sandbox.gpus import host_gpus, parse_gpus, pin_gpu

    count, ids = parse_gpus(gpus)
    lanes = len(ids) if ids else (host_gpus() if count == -1 else count)
    if lanes < 1:
        raise ValueError(f"--gpus {gpus}: this host shows no GPU to pin a lane to")
    return [pin_gpu(i, gpus, host_gpus=host_gpus()) for i in range(lanes)]


def run(*, broker: str, db: str | None, sandbox: str, queue: str, concurrency: int, lease_seconds: float,
        log_level: str, gpus: str | None = None) -> int:
    """Register the lanes, consume until stopped, then finish the gradings in hand and leave the table."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        pinned = lane_gpus(gpus, concurrency)
        engine, sessions = open_database(db)
    except (DatabaseError, ValueError) as exc:
        click.secho(f"error: {exc}", fg="red", bold=True, err=True)
        return EXIT_ERROR
    from judge.server.grader import Slot, Warm

    sandbox = concrete_sandbox(sandbox)
    host = socket.gethostname()
    prefix = f"{host}/{os.getpid()}/{secrets.token_hex(2)}"
    warm = Warm(sandbox)
    lanes = [tasks.Lane(f"{prefix}/{i}", Slot(sandbox, gpu, warm=warm)) for i, gpu in enumerate(pinned)]
    scratch = Path(tempfile.mkdtemp(prefix="mlj-worker-"))
    state = tasks.WorkerState(sessions, lanes, timedelta(seconds=lease_seconds), scratch)
    tasks.STATE = state
    with sessions() as session:
        leases.register(session, [lane.id for lane in lanes], host=host, queues=[queue], sandbox=sandbox)
    done = threading.Event()
    beats = threading.Thread(target=_heartbeats, args=(state, min(10.0, lease_seconds / 4), done),
                             name="mlj-heartbeat", daemon=True)
    beats.start()
    app = tasks.make_app(broker)

    from celery.signals import worker_shutting_down

    @worker_shutting_down.connect(weak=False)
    def _stopping(**_: object) -> None:
        state.stopping.set()
        log.info("stopping: no new gradings; finishing the %d in hand",
                 sum(lane.claim is not None for lane in lanes))

    click.echo(f"mlj worker {prefix}: queue {queue}, {len(lanes)} lane(s)"
               + (f" on GPUs {', '.join(g or '' for g in pinned)}" if gpus else "") + f", sandbox {sandbox}, "
               f"database {redact(str(engine.url))}, broker {redact(broker)}", err=True)
    try:
        app.worker_main(["worker", "--pool=threads", f"--concurrency={len(lanes)}", f"--queues={queue}",
                         f"--loglevel={log_level.upper()}", "--without-gossip", "--without-mingle",
                         f"--hostname=mlj-{queue}@{prefix.replace('/', '-')}"])
    finally:
        state.stopping.set()
        done.set()
        for lane in lanes:
            lane.slot.stop()
        warm.close()
        try:
            with sessions() as session:
                leases.unregister(session, [lane.id for lane in lanes])
        except Exception:  # noqa: BLE001 - the rows age out of the table (leases.FORGET_WORKERS)
            log.exception("could not remove this worker's rows")
        engine.dispose()
        shutil.rmtree(scratch, ignore_errors=True)
        log.info("worker %s stopped", prefix)
    return EXIT_OK
