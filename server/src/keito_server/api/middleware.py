"""Pure-ASGI middleware for the API paths (pages are untouched), the app's outermost layer
(``app.KeitoApp``), so that API requests pay for no layer they do not use:

- version header: ``X-Keito-API-Version`` on every API response;
- body limit: a body over 1 MB is a 413 before any parsing;
- rate limit per API key, with ``X-RateLimit-Limit/Remaining/Reset`` and ``Retry-After``;
- idempotency: a POST with ``Idempotency-Key`` (or ``X-Idempotency-Key``) is answered once
  and replayed for 24 hours; the same key with another body is a 422;
- fault injection (tests only, ``KEITO_ENABLE_FAULT_INJECTION``): a request can ask for canned
  429/503 answers, so SDK retry logic is tested against real HTTP;
- the direct lane (api/direct.py): the busiest writes go straight to their handler; everything
  else goes on to the FastAPI stack.

Its own blocking work (rate-limit claims, idempotency records, the direct lane) runs on its own
small thread pool, which costs less per hop than the shared one FastAPI uses.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keito_server.api.dialects import Dialect, dialect_for_path, error_body
from keito_server.api.direct import DirectLane
from keito_server.api.headers import headers_of
from keito_server.api.lane_threads import LaneThreads
from keito_server.api.responses import dumps
from keito_server.db.engine import Database
from keito_server.domain.errors import IDEMPOTENCY_IN_PROGRESS, IDEMPOTENCY_KEY_REUSED
from keito_server.services import idempotency
from keito_server.services.rate_limits import RateLimiter
from keito_server.settings import MAX_BODY_BYTES

log = logging.getLogger("keito_server")
T = TypeVar("T")

IDEMPOTENCY_HEADERS = (b"idempotency-key", b"x-idempotency-key")
MAX_IDEMPOTENCY_KEY = 255


# Receipt uploads (``POST .../expenses/{id}/receipt``) may carry a 10 MB file plus the
# multipart envelope; the receipts service checks the file's own size exactly.
RECEIPT_BODY_BYTES = 10 * 1024 * 1024 + 64 * 1024


def _body_limit(scope: Scope) -> int:
    path = scope["path"].rstrip("/")
    if scope["method"] == "POST" and path.endswith("/receipt") and "/expenses/" in path:
        return RECEIPT_BODY_BYTES
    return MAX_BODY_BYTES


def _version_header(dialect: Dialect) -> tuple[bytes, bytes]:
    return (b"x-keito-api-version", b"2" if dialect is Dialect.V2 else b"1")


async def _send_error(
    send: Send,
    dialect: Dialect,
    status: int,
    code: str,
    message: str,
    headers: list[tuple[bytes, bytes]] | None = None,
    field: str | None = None,
) -> None:
    body = dumps(error_body(dialect, status, code, message, field))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            + (headers or []),
        }
    )
    await send({"type": "http.response.body", "body": body})


class ApiMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        db: Database,
        limiter: RateLimiter,
        fault_injection: bool,
        threads: LaneThreads,
        lane: DirectLane | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.limiter = limiter
        self.fault_injection = fault_injection
        self.threads = threads
        self.lane = lane
        self._faults: dict[str, int] = {}
        self._faults_lock = threading.Lock()

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.threads.run(fn, *args)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        dialect = dialect_for_path(scope["path"])
        if dialect is Dialect.WEB:
            await self._limit_body_only(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self._api(scope, receive, tracked, dialect)
        except Exception:
            # Errors of the app itself were answered by its ServerErrorMiddleware; these are this
            # layer's own (a database failure while counting or recording), answered here alike.
            if started:
                raise
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            message = "Something went wrong on our side; it was logged."
            await _send_error(send, dialect, 500, "internal_error", message, [_version_header(dialect)])

    async def _api(self, scope: Scope, receive: Receive, send: Send, dialect: Dialect) -> None:
        extra: list[tuple[bytes, bytes]] = [_version_header(dialect)]

        limit = _body_limit(scope)
        length = headers_of(scope).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _send_error(
                send,
                dialect,
                413,
                "payload_too_large",
                f"The request body is over {limit} bytes; send less.",
                extra,
            )
            return

        if self.fault_injection and await self._inject_fault(scope, send, dialect, extra):
            return

        auth = headers_of(scope).get(b"authorization")
        owner = hashlib.sha256(auth.split(b" ", 1)[-1].strip()).hexdigest() if auth else None
        if owner and self.limiter.enabled:
            try:
                # From this process's claim when it has one (no thread hop), else from the store.
                verdict = self.limiter.local_hit(owner)
                if verdict is None:
                    verdict = await self._run(self.limiter.hit, owner)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                # As in api/errors.py: the pool is renewed, so the client's retry will work.
                await _send_error(
                    send,
                    dialect,
                    503,
                    "service_unavailable",
                    "The database connection was lost; retry the request.",
                    extra + [(b"retry-after", b"1")],
                )
                return
            extra += [
                (b"x-ratelimit-limit", str(verdict.limit).encode()),
                (b"x-ratelimit-remaining", str(verdict.remaining).encode()),
                (b"x-ratelimit-reset", str(verdict.reset).encode()),
            ]
            if not verdict.allowed:
                await _send_error(
                    send,
                    dialect,
                    429,
                    "rate_limited",
                    f"Too many requests: the limit is {verdict.limit} a minute per API key; "
                    f"retry after {verdict.retry_after} seconds.",
                    extra + [(b"retry-after", str(verdict.retry_after).encode())],
                )
                return

        body = await self._read_body(receive, limit)
        if body is None:
            await _send_error(
                send,
                dialect,
                413,
                "payload_too_large",
                f"The request body is over {limit} bytes; send less.",
                extra,
            )
            return
        scope = _as_json(scope, body)  # once, for the lane's choice and for the app

        key = None
        if scope["method"] == "POST" and owner:
            for name in IDEMPOTENCY_HEADERS:
                raw = headers_of(scope).get(name)
                if raw:
                    key = raw.decode("latin-1").strip()
                    break
        if key is not None:
            if len(key) > MAX_IDEMPOTENCY_KEY:
                await _send_error(
                    send,
                    dialect,
                    400,
                    "validation_error",
                    f"Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters.",
                    extra,
                )
                return
            await self._idempotent(scope, receive, body, send, dialect, extra, owner or "", key)
            return
        await self._dispatch(scope, body, receive, send, extra)

    async def _dispatch(
        self, scope: Scope, body: bytes, receive: Receive, send: Send, extra: list[tuple[bytes, bytes]]
    ) -> None:
        """On to the direct lane when it takes the request, else to the FastAPI stack, with
        ``extra`` headers added to the response."""
        if self.lane is not None and self.lane.takes(scope):
            await self.lane.serve(scope, body, receive, send, extra)
        else:
            await self.app(scope, _replay_body(body, receive), _with_headers(send, extra))

    async def _limit_body_only(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = headers_of(scope).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES * 11:  # receipts: 10 MB
            await _send_error(send, Dialect.V2, 413, "payload_too_large", "The upload is too large.")
            return
        await self.app(scope, receive, send)

    async def _read_body(self, receive: Receive, limit: int = MAX_BODY_BYTES) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    async def _idempotent(
        self,
        scope: Scope,
        receive: Receive,
        body: bytes,
        send: Send,
        dialect: Dialect,
        extra: list[tuple[bytes, bytes]],
        owner: str,
        key: str,
    ) -> None:
        digest = hashlib.sha256(scope["method"].encode() + b" " + scope["path"].encode() + b"\n" + body).hexdigest()
        request: Request | None = None
        if self.lane is not None and self.lane.takes(scope):
            # The direct lane claims, answers and stores in one worker-thread call.
            request = self.lane.request(scope, _replay_body(body, receive))
            claim, answer = await self._run(self._claim_and_answer, request, body, owner, key, digest)
        else:
            claim, answer = await self._run(idempotency.claim, self.db, owner, key, digest), None
        if claim.outcome == "mismatch":
            await _send_error(
                send,
                dialect,
                422,
                IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was already used with a different request; use a new key for a new request.",
                extra,
            )
            return
        if claim.outcome == "in_progress":
            await _send_error(
                send,
                dialect,
                409,
                IDEMPOTENCY_IN_PROGRESS,
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                extra + [(b"retry-after", b"1")],
            )
            return
        if claim.outcome == "replay":
            payload = (claim.body or "").encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"idempotent-replayed", b"true"),
            ]
            await send({"type": "http.response.start", "status": claim.status_code or 200, "headers": headers + extra})
            await send({"type": "http.response.body", "body": payload})
            return

        assert claim.record_id is not None
        if answer is not None:
            assert self.lane is not None and request is not None
            response = await self.lane.render(request, answer)
            if isinstance(answer, Exception):  # rendered just now: not stored yet
                await self._run(self._store, claim.record_id, response.status_code, response.body)
            response.raw_headers.extend(extra)
            await response(scope, receive, send)
            return

        # The answer is held back until it is stored: a client that retries the moment it reads
        # the first answer must get the replay, not "still in progress".
        captured: dict[str, Any] = {"status": 500, "body": []}
        held: list[Message] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            held.append(message)

        try:
            await self._dispatch(scope, body, receive, capture, extra)
        except BaseException:
            await self._run(idempotency.release, self.db, claim.record_id)
            raise
        await self._run(self._store, claim.record_id, captured["status"], b"".join(captured["body"]))
        for message in held:
            await send(message)

    def _claim_and_answer(
        self, request: Request, body: bytes, owner: str, key: str, digest: str
    ) -> tuple[idempotency.Claim, Response | Exception | None]:
        """In a worker thread, for the direct lane: claim the key and, when it is new, answer the
        request and store the answer (an exception is stored once it is rendered)."""
        assert self.lane is not None
        # PostgreSQL: on this lane thread's held connection, where the claims and answers of the
        # requests served with this one are written together (ADR 0521).
        conn = self.db.lane_connection()
        claim = idempotency.claim(self.db, owner, key, digest, conn)
        if claim.outcome != "proceed":
            return claim, None
        assert claim.record_id is not None
        try:
            answer = self.lane.answer(request, body)
        except BaseException:
            idempotency.release(self.db, claim.record_id)
            raise
        if isinstance(answer, Response):
            self._store(claim.record_id, answer.status_code, answer.body, conn)
        return claim, answer

    def _store(self, record_id: int, status: int, body: bytes | memoryview, conn: Connection | None = None) -> None:
        """Keep an answer for replays; a 5xx is forgotten instead, so a retry runs again."""
        if status >= 500:
            idempotency.release(self.db, record_id)
        else:
            idempotency.complete(self.db, record_id, status, bytes(body).decode("utf-8", "replace"), conn)

    async def _inject_fault(self, scope: Scope, send: Send, dialect: Dialect, extra: list[tuple[bytes, bytes]]) -> bool:
        """``Keito-Test-Fault: <status>;count=<n>;key=<k>[;retry_after=<s>]``: answer ``status``
        to the first n requests carrying key k."""
        raw = headers_of(scope).get(b"keito-test-fault")
        if not raw:
            return False
        parts = raw.decode().split(";")
        opts = dict(p.strip().split("=", 1) for p in parts[1:] if "=" in p)
        status = int(parts[0])
        fault_key = opts.get("key", "default")
        with self._faults_lock:
            seen = self._faults.get(fault_key, 0)
            self._faults[fault_key] = seen + 1
        if seen >= int(opts.get("count", "1")):
            return False
        headers = extra + [(b"retry-after", opts.get("retry_after", "0").encode())]
        code = "rate_limited" if status == 429 else "service_unavailable" if status == 503 else "injected_fault"
        await _send_error(send, dialect, status, code, f"Injected fault {seen + 1} for tests.", headers)
        return True


def _as_json(scope: Scope, body: bytes) -> Scope:
    """The API speaks JSON only: a body sent as form data (curl -d) is read as JSON."""
    ctype = headers_of(scope).get(b"content-type") or b""
    if not body or ctype.startswith((b"application/json", b"multipart/")) or b"+json" in ctype:
        return scope
    headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
    return {**scope, "headers": headers + [(b"content-type", b"application/json")]}


def _replay_body(body: bytes, receive: Receive) -> Receive:
    """The body we already read, then the real channel (so disconnects still arrive)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message)
            message["headers"] = list(message.get("headers", [])) + extra
        await send(message)

    return wrapped
