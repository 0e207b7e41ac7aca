"""``create_app(settings)``: the one place that wires everything. No engine exists at import time."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp, Message

from keito_server import __version__
from keito_server.api import errors as api_errors
from keito_server.api.direct import DirectLane
from keito_server.api.lane_threads import LaneThreads
from keito_server.api.middleware import ApiMiddleware
from keito_server.api.openapi import openapi_for
from keito_server.api.routes import DIRECT, ROUTERS
from keito_server.db.engine import Database
from keito_server.services.rate_limits import RateLimiter
from keito_server.settings import Settings
from keito_server.web import mount as mount_web

API_DESCRIPTION = """Keito: time and cost tracking for teams of humans and AI agents.

Two dialects over one implementation:

* **v2** under `/api/v2` (Harvest-style, `Authorization: Bearer kto_...` plus `Keito-Account-Id`),
  page-numbered lists, errors `{error, error_description, code}`.
* **v1** under `/v1` (the quickstart's kebab-case paths, bearer key alone), cursor lists,
  errors `{error: {code, message, field}}`.
"""


class KeitoApp(FastAPI):
    """FastAPI with one layer outside all of its own (ADR 0506): ``outer``, ApiMiddleware, sees a
    request first, so API requests skip the layers they have no use for."""

    outer: Callable[[ASGIApp], ASGIApp] | None = None

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return self.outer(stack) if self.outer is not None else stack


def lane_threads(settings: Settings) -> int:
    """Threads of ApiMiddleware's own pool (api/lane_threads.py, ADR 0511). Measured under wrk on 2 vCPUs
    (ADR 0506): on SQLite, which runs one write at a time across all processes, two threads do
    more than eight (more only wait for the GIL). On PostgreSQL a quarter of ``KEITO_THREADS``
    did better than half until writes were grouped (ADR 0521); since then an eighth (2 by
    default) does better than a quarter or three sixteenths: fewer threads serve bigger groups
    (docs/performance.md, twelfth session)."""
    return 2 if settings.is_sqlite else max(2, settings.threads // 8)


def group_size(settings: Settings) -> int:
    """Requests a lane thread takes at once when several wait (db/grouped.py, ADR 0521): on
    PostgreSQL their creates share one insert statement. SQLite runs one write at a time, so
    there a thread takes one."""
    return 1 if settings.is_sqlite else settings.group_writes


def _freeze_startup_heap() -> None:
    """Moves every object the process made while starting (modules, the app, its routes and
    tables: most of its heap) out of the garbage collector's sight (``gc.freeze``). A full
    collection then walks only what was made since. Under load the objects of requests in
    flight that happen to survive two young collections reach the oldest generation, so full
    collections come every half a minute or so, and each walked the whole startup heap: 120-170
    ms of a worker's time with the GIL held, every request of that worker waiting (docs/performance.md,
    twelfth session). Nothing made at startup is ever collected as a cycle afterwards; what its
    references let go of is still freed as usual."""
    gc.collect()
    gc.freeze()


async def _warm_up(app: ASGIApp) -> None:
    """Serves one request (``GET /healthz``) before the process takes connections. FastAPI builds
    its routing tables on the first request a process routes, which took 0.3-0.6 s here: without
    this, a new worker's first client would wait for it (and, with several workers, its siblings
    would take every connection that arrived meanwhile, ADR 0510)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/healthz",
        "raw_path": b"/healthz",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Message) -> None:
        return None

    await app(scope, receive, send)


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, direct: bool = True, freeze_heap: bool = False
) -> KeitoApp:
    """The app. ``direct=False`` leaves out the direct lane (api/direct.py), for the test that
    compares the two. ``freeze_heap``: the process serves this app alone (keito_server.asgi),
    so its startup heap is frozen once it has started (``_freeze_startup_heap``); an app made
    inside another program (a test) leaves that program's heap alone."""
    settings = settings or Settings.from_env()
    # Every thread of both pools, plus the session-closing limiter's (api/deps.py), may hold one.
    # The one-statement pool serves ApiMiddleware's own threads only (idempotency, rate limits).
    db = db or Database(
        settings.database_url,
        pool_size=settings.threads + lane_threads(settings) + 4,
        statement_pool_size=lane_threads(settings),
    )
    threads = LaneThreads(lane_threads(settings), group=group_size(settings))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        await _warm_up(app)
        if freeze_heap:
            _freeze_startup_heap()
        try:
            yield
        finally:
            threads.shutdown()
            db.dispose()

    app = KeitoApp(
        lifespan=lifespan,
        # Keito ships no OpenTelemetry set-up; FastAPI's own checks for one cost time per request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="Keito API",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.openapi = openapi_for(app)  # type: ignore[method-assign]  # contract response schemas
    app.state.settings = settings
    app.state.db = db
    api_errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    mount_web(app, settings)
    limiter = RateLimiter(db, settings.rate_limit_per_minute, settings.redis_url)
    lane = DirectLane(app, DIRECT, threads, db, settings) if direct else None

    def outer(stack: ASGIApp) -> ASGIApp:
        return ApiMiddleware(
            stack,
            db=db,
            limiter=limiter,
            fault_injection=settings.enable_fault_injection,
            threads=threads,
            lane=lane,
        )

    app.outer = outer

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
