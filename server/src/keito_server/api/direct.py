"""Direct routes: the busiest API writes (creating time entries, in both dialects) served by the
same handler functions as their FastAPI routes, without FastAPI's per-request dependency and
body machinery (ADR 0505).

A direct route parses and validates the body exactly as FastAPI does (``json`` then the handler's
Pydantic model, errors raised as ``RequestValidationError`` with the same ``loc``), opens the
session with ``deps.get_session``, finds the actor with ``deps.get_actor`` and calls the handler
in one thread hop. Errors leave through the app's exception handlers (api/errors.py) like any
other route's. The FastAPI route stays registered: it documents the operation in
/openapi.json and serves what a direct route does not take (a multipart body).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from keito_server.api.deps import get_actor, get_session
from keito_server.services.context import Actor

Handler = Callable[[Any, Session, Actor], Response]
_session_scope = asynccontextmanager(get_session)


class DirectRoute(Route):
    """``POST path`` answered by ``handler(body, session, actor)`` with ``body`` an instance of
    ``model``."""

    def __init__(self, path: str, handler: Handler, model: type[BaseModel]) -> None:
        self.handler = handler
        self.model = model
        super().__init__(path, self._endpoint, methods=["POST"], include_in_schema=False)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.FULL and not _is_json(scope):
            return Match.NONE, {}  # the FastAPI route takes it
        return match, child

    async def _endpoint(self, request: Request) -> Response:
        body = _validated(self.model, await request.body())
        async with _session_scope(request) as session:
            actor = await get_actor(request, session, request.app.state.settings)
            return await run_in_threadpool(self.handler, body, session, actor)


def _is_json(scope: Scope) -> bool:
    """A JSON body, or none: what ApiMiddleware leaves for every body but multipart."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            ctype: bytes = value.split(b";", 1)[0].strip().lower()
            return ctype == b"application/json" or ctype.endswith(b"+json")
    return True


def _validated(model: type[BaseModel], raw: bytes) -> BaseModel:
    """The body as FastAPI would read it for a required ``model`` parameter, or its error."""
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", exc.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": exc.msg},
                }
            ],
            body=exc.doc,
        ) from exc
    try:
        return model.model_validate(data, from_attributes=True)
    except PydanticValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=data) from exc
