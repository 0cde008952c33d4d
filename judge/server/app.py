"""The FastAPI application: settings, startup (migrations, re-queueing, grading slots), the two routers.

Every request passes ``security.Guard`` first (body caps, the same-origin check).

The routes' own dependencies (session, viewer, token checks) are in ``deps``.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from judge import __version__
from judge.sandbox import concrete as concrete_sandbox
from judge.server import api, batches, pages
from judge.server.db import open_database
from judge.server.dispatch import BrokerGrader
from judge.server.grader import Grader
from judge.server.security import Guard

log = logging.getLogger("mlj.server")


@dataclass(frozen=True)
class Settings:
    db: str | None = None  # URL or SQLite path; None: ./.mlj/server.db
    sandbox: str = "auto"
    workers: int = 2  # gradings at once (one process each)
    max_upload: int = 256 * 1024  # bytes of code per submission
    rate_limit: int = 10  # submissions per user per minute; 0: no limit
    max_pending: int = 3  # submissions one member may have queued or running at once; 0: no limit
    secure_cookies: bool = False  # mark cookies Secure (the site is served over https, e.g. behind a proxy)
    trust_proxy: bool = False  # believe X-Forwarded-Proto/-Host (only behind a proxy that sets them)
    broker: str | None = None  # redis://HOST:PORT/N: gradings go to `mlj worker` processes (judge.server.dispatch)


def create_app(settings: Settings) -> FastAPI:
    """Open (and migrate) the database now, so a bad URL fails before the server listens."""
    engine, sessions = open_database(settings.db)
    sandbox = "on the workers" if settings.broker else concrete_sandbox(settings.sandbox)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # judge.challenge (pydantic, yaml): load it beside startup, not in the first request
        threading.Thread(target=importlib.import_module, args=("judge.challenge",), daemon=True).start()
        grader: Grader | BrokerGrader
        if settings.broker:
            grader = BrokerGrader(sessions, broker=settings.broker)
        else:
            grader = Grader(sessions, workers=settings.workers, sandbox_name=sandbox)
        requeued = grader.start()
        if requeued:
            log.info("re-queued %d submission(s) left from the previous run", requeued)
        app.state.grader = grader
        try:
            yield
        finally:
            grader.stop()
            engine.dispose()

    app = FastAPI(title="mlj leaderboard", version=__version__, lifespan=lifespan, docs_url="/api/docs",
                  redoc_url=None, openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.sandbox = sandbox
    app.state.submit_lock = threading.Lock()

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": f"internal server error: {type(exc).__name__}"}, status_code=500)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                             for e in exc.errors())
        return JSONResponse({"detail": f"invalid request: {problems[:500]}"}, status_code=400)

    app.add_middleware(Guard, max_upload=settings.max_upload, trust_proxy=settings.trust_proxy)
    app.include_router(api.router)
    app.include_router(batches.router)
    app.include_router(pages.router)
    return app

