"""The direct lane: the busiest API writes (creating time entries, in both dialects) answered by
the same handler functions as their FastAPI routes, from the outermost layer of the app and in
one hop to a worker thread (ADR 0505, ADR 0506).

``ApiMiddleware`` (api/middleware.py) is the app's outermost layer. After its own checks (body
limit, rate limit, idempotency) it hands a direct path to ``DirectLane`` instead of the FastAPI
stack. The lane reads the body as FastAPI does (``json``, then the handler's Pydantic model, with
the same ``loc`` in its errors and the same order: bad JSON, then the credentials, then the
fields), opens a session, finds the actor and calls the handler, all in one worker thread. An
error leaves through the app's own exception handlers (api/errors.py), looked up as Starlette
looks them up. The FastAPI route stays registered: it documents the operation in /openapi.json
and serves what the lane does not take (a multipart body).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from keito_server.api.deps import actor_for
from keito_server.api.headers import headers_of
from keito_server.api.lane_threads import LaneThreads
from keito_server.db.engine import Database
from keito_server.services.context import Actor
from keito_server.settings import Settings

Handler = Callable[[Any, Session, Actor], Response]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


@dataclass(frozen=True)
class Direct:
    """``POST <path>`` answered by ``handler(body, session, actor)``, ``body`` a ``model``."""

    handler: Handler
    model: type[BaseModel]


class DirectLane:
    """Serves the direct paths of ``app`` (``routes``: path -> ``Direct``) on ``threads``."""

    def __init__(
        self, app: FastAPI, routes: Mapping[str, Direct], threads: LaneThreads, db: Database, settings: Settings
    ) -> None:
        self.app = app
        self.routes = routes
        self.threads = threads
        self.db = db  # the app's (app.state.db, .settings), held here: State's reads are slow
        self.settings = settings

    def takes(self, scope: Scope) -> bool:
        """A POST to a direct path with a JSON body (or none): every body but multipart, which
        ApiMiddleware has already relabelled as JSON."""
        return scope["method"] == "POST" and scope["path"] in self.routes and _is_json(scope)

    async def serve(
        self, scope: Scope, body: bytes, receive: Receive, send: Send, headers: list[tuple[bytes, bytes]]
    ) -> None:
        """Answers the request whose ``body`` ApiMiddleware has read, with ``headers`` added to
        the response (its own: version, rate limit)."""
        request = self.request(scope, receive)
        answer = await self.threads.run(self.answer, request, body)
        response = await self.render(request, answer)
        response.raw_headers.extend(headers)
        await response(scope, receive, send)

    def request(self, scope: Scope, receive: Receive) -> Request:
        scope["app"] = self.app  # what Starlette sets, for request.app in handlers and errors
        return Request(scope, receive)

    def answer(self, request: Request, raw: bytes) -> Response | Exception:
        """In a worker thread: the handler's response, or the exception to render."""
        route = self.routes[request.scope["path"]]
        try:
            data = _parsed(raw)
            db = self.db
            session = db.lane_session()
            try:
                actor = actor_for(request, session, self.settings)
                return route.handler(_validated(route.model, data), session, actor)
            finally:
                db.end_lane_session(session)
        except Exception as exc:  # rendered on the event loop by the app's exception handlers
            return exc

    async def render(self, request: Request, answer: Response | Exception) -> Response:
        """The response for ``answer``: itself, or an exception rendered by the app's handler for
        it (looked up by the exception's classes, as Starlette does)."""
        if not isinstance(answer, Exception):
            return answer
        handlers = self.app.exception_handlers
        for cls in type(answer).__mro__:
            if cls in handlers:
                return await cast(ExceptionHandler, handlers[cls])(request, answer)
        raise answer  # api/errors.py registers Exception, so this is not reached


def _is_json(scope: Scope) -> bool:
    value = headers_of(scope).get(b"content-type")
    if value is None:
        return True
    ctype = value.split(b";", 1)[0].strip().lower()
    return ctype == b"application/json" or ctype.endswith(b"+json")


def _parsed(raw: bytes) -> Any:
    """The body's JSON, or FastAPI's error for it (a missing body is the model's error).

    orjson first (2 % of a create's instructions less, ``create_instructions.py``): it takes
    only strict JSON (RFC 8259) and reads it to the values ``json.loads``, FastAPI's reader,
    would, but for integers past 64 bits, which it makes floats. So a body with a run of 20
    digits, and whatever orjson refuses, goes to ``json.loads``: it reads what it accepts beyond
    strict JSON (NaN, lone surrogates) as FastAPI would, and raises FastAPI's error for the rest."""
    if not raw:
        return _MISSING
    if _TWENTY_DIGITS.search(raw) is None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(raw)
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


_MISSING = object()
_TWENTY_DIGITS = re.compile(rb"[0-9]{20}")  # 2**64 has 20 digits; orjson reads such integers as floats


def _validated(model: type[BaseModel], data: Any) -> BaseModel:
    """The body as FastAPI would read it for a required ``model`` parameter, or its error."""
    if data is _MISSING:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        return model.model_validate(data, from_attributes=True)
    except PydanticValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=data) from exc
