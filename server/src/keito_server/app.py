"""``create_app(settings)``: the one place that wires everything. No engine exists at import time."""

from __future__ import annotations

import anyio.to_thread
from fastapi import FastAPI

from keito_server import __version__
from keito_server.api import errors as api_errors
from keito_server.api.middleware import ApiMiddleware
from keito_server.api.openapi import openapi_for
from keito_server.api.routes import DIRECT_ROUTES, ROUTERS
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


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    # Every thread of the pool, plus the session-closing limiter's (api/deps.py), may hold one.
    db = db or Database(settings.database_url, pool_size=settings.threads + 4)
    app = FastAPI(
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
    app.router.routes[0:0] = DIRECT_ROUTES
    mount_web(app, settings)
    limiter = RateLimiter(db, settings.rate_limit_per_minute, settings.redis_url)
    app.add_middleware(ApiMiddleware, db=db, limiter=limiter, fault_injection=settings.enable_fault_injection)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.on_event("startup")
    def _thread_pool() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads

    @app.on_event("shutdown")
    def _dispose() -> None:
        db.dispose()

    return app
