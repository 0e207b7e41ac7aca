"""Named dependencies, so handlers read like prose: ``session: SessionDep, actor: CurrentActor``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from keito_server.api.dialects import Dialect, dialect_for_path
from keito_server.api.headers import headers_of
from keito_server.db.engine import Database
from keito_server.domain.errors import AuthenticationError, ValidationError
from keito_server.services import api_keys
from keito_server.services.context import Actor
from keito_server.settings import Settings

ACCOUNT_HEADER = b"keito-account-id"


def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the
# thread pool, a hop that costs more than the dependency itself.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request. Async so that FastAPI does not send its set-up and tear-down
    to the thread pool (two thread hops per request): making a session does no I/O, and
    closing one does only when a transaction is still open (a read), which then goes to a
    thread. A write that committed holds no connection and closes in place."""
    # Reads on SQLite use a deferred transaction so they never queue behind writers.
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    session = get_db(request).session(write=write)
    try:
        yield session
    finally:
        if session.in_transaction():
            # Its own limiter, as FastAPI does for generator tear-downs: an open transaction may
            # hold SQLite's write lock, which requests in every other thread are waiting for, so
            # the close must not queue behind them for a thread of the shared pool.
            await anyio.to_thread.run_sync(session.close, limiter=_closing_limiter(request))
        else:
            session.close()


def _closing_limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter for closing sessions, made on first use inside its event loop."""
    limiter = getattr(request.app.state, "closing_limiter", None)
    if limiter is None:
        limiter = request.app.state.closing_limiter = anyio.CapacityLimiter(4)
    return limiter


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def bearer_token(request: Request) -> str:
    header = headers_of(request.scope).get(b"authorization", b"").decode("latin-1")
    scheme, _, token = header.partition(" ")
    if not header:
        raise AuthenticationError("Send your API key as 'Authorization: Bearer kto_...'.")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("The Authorization header must be 'Bearer <API key>'.")
    return token.strip()


async def get_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    """The key's actor: from this process's auth cache without a thread hop or a query when it
    is there (``KEITO_AUTH_CACHE_SECONDS``), otherwise looked up in a worker thread."""
    cached = _cached_actor(request, settings)
    if cached is not None:
        return cached
    return await run_in_threadpool(_looked_up_actor, request, session, settings)


def actor_for(request: Request, session: Session, settings: Settings) -> Actor:
    """``get_actor`` for code already on a worker thread (the direct lane, api/direct.py)."""
    return _cached_actor(request, settings) or _looked_up_actor(request, session, settings)


def _credentials(request: Request) -> tuple[str, str | None]:
    """(API key, Keito-Account-Id): v2 requires the header, v1 takes the key's own workspace."""
    token = bearer_token(request)
    account_id = headers_of(request.scope).get(ACCOUNT_HEADER, b"").decode("latin-1") or None
    if account_id is None and dialect_for_path(request.scope["path"]) is Dialect.V2:
        raise ValidationError("Missing Keito-Account-Id header", field="Keito-Account-Id")
    return token, account_id


# The request's actor, once found, in its scope: every dependency of one request shares it.
# A key of our own rather than ``request.state``, whose first use on a request makes a State
# after a failed attribute lookup, and whose every read fails one before its ``__getattr__``.
_ACTOR = "keito.actor"


def _cached_actor(request: Request, settings: Settings) -> Actor | None:
    scope = request.scope
    actor: Actor | None = scope.get(_ACTOR)
    if actor is None and settings.auth_cache_seconds > 0:
        token, account_id = _credentials(request)
        actor = scope[_ACTOR] = api_keys.cached_actor(token, account_id=account_id)
    return actor


def _looked_up_actor(request: Request, session: Session, settings: Settings) -> Actor:
    token, account_id = _credentials(request)
    actor = api_keys.authenticate(session, token, account_id=account_id, cache_seconds=settings.auth_cache_seconds)
    request.scope[_ACTOR] = actor
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]
