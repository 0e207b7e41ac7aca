"""The I/O-free heart shared by ``Keito`` and ``AsyncKeito``: configuration, request building,
retry decisions, response parsing and error mapping. Nothing here touches the network or sleeps,
so the sync and async clients stay thin loops around these functions.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from keito._errors import APIError, make_api_error
from keito._types import RequestOptions

VERSION = "0.1.0"
DEFAULT_BASE_URL = "http://localhost:8000"  # where keito-server listens by default
DEFAULT_TIMEOUT = 60.0  # seconds per request attempt
DEFAULT_MAX_RETRIES = 2
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
INITIAL_BACKOFF = 0.5  # seconds before the first retry when the server gives no Retry-After
MAX_BACKOFF = 8.0  # seconds; also the cap on a Retry-After we are willing to honour
JITTER = 0.25  # up to 25% added to the backoff so a fleet of agents does not retry in lockstep
API_PREFIX = "/api/v2"


@dataclass(frozen=True)
class Config:
    api_key: str | None
    account_id: str | None
    base_url: str
    timeout: float
    max_retries: int

    @classmethod
    def resolve(
        cls,
        api_key: str | None,
        account_id: str | None,
        base_url: str | None,
        timeout: float | None,
        max_retries: int | None,
    ) -> Config:
        """Arguments win over the environment (KEITO_API_KEY, KEITO_ACCOUNT_ID, KEITO_API_URL or
        KEITO_BASE_URL), which wins over the default base URL."""
        env = os.environ
        url = base_url or env.get("KEITO_API_URL") or env.get("KEITO_BASE_URL") or DEFAULT_BASE_URL
        return cls(
            api_key=api_key or env.get("KEITO_API_KEY"),
            account_id=account_id or env.get("KEITO_ACCOUNT_ID") or env.get("KEITO_WORKSPACE_ID"),
            base_url=url.rstrip("/"),
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries,
        )


def uses_tls(base_url: str) -> bool:
    """Whether the HTTP client needs certificate verification set up. Loading the CA bundle costs
    ~0.1 s of CPU (a third of the CLI's startup budget) and is useless for a plain-http base URL:
    every request goes to ``base_url`` and redirects are not followed, so no TLS handshake happens."""
    return not base_url.lower().startswith("http://")


@dataclass(frozen=True)
class Op:
    """One API operation, described without doing it."""

    method: str
    path: str  # below /api/v2, e.g. "/time_entries/te_1/stop"
    params: dict[str, Any] | None = None
    json: Any = None
    model: Any = None  # name (or class) of the keito.types model for the answer; None: the decoded JSON
    list_key: str | None = None  # for lists: the envelope key holding the items


@dataclass
class Prepared:
    method: str
    url: str
    headers: dict[str, str]
    params: dict[str, Any] | None
    json: Any
    timeout: float
    max_retries: int
    extra: dict[str, Any] = field(default_factory=dict)


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return value if isinstance(value, str | int | float) else str(value)


def prepare(config: Config, op: Op, options: RequestOptions | None = None) -> Prepared:
    """Headers, URL and the idempotency key: one key per call, so every retry of a POST repeats it."""
    options = options or {}
    headers = {
        "Accept": "application/json",
        "User-Agent": f"keito-python/{VERSION}",
    }
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    if config.account_id:
        headers["Keito-Account-Id"] = config.account_id
    if op.method == "POST":
        import uuid  # here, not at the top: `keito time running` (GETs only) starts faster without it

        headers["Idempotency-Key"] = options.get("idempotency_key") or f"keito-py-{uuid.uuid4()}"
    headers.update(options.get("headers") or {})
    params = {k: _query_value(v) for k, v in (op.params or {}).items()} or None
    return Prepared(
        method=op.method,
        url=f"{config.base_url}{API_PREFIX}{op.path}",
        headers=headers,
        params=params,
        json=op.json,
        timeout=options.get("timeout", config.timeout),
        max_retries=options.get("max_retries", config.max_retries),
    )


def should_retry(status: int | None, attempt: int, max_retries: int) -> bool:
    """``status`` None means no answer at all (connection error or timeout). ``attempt`` counts
    from 0. Every method is retried: GET/PATCH/DELETE are idempotent and a POST always carries
    an Idempotency-Key, so the server answers its retry from the first attempt's record."""
    if attempt >= max_retries:
        return False
    return status is None or status in RETRY_STATUSES


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    raw = lowered.get("retry-after-ms")
    if raw:
        try:
            return float(raw) / 1000
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        try:
            from datetime import UTC, datetime

            when: datetime = parsedate_to_datetime(raw)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def retry_delay(attempt: int, headers: Mapping[str, str] | None = None) -> float:
    """Seconds to wait before retry number ``attempt + 1``: the server's Retry-After when it gives
    a sane one, else exponential backoff (0.5 s, 1 s, 2 s, ... capped at 8 s) plus jitter."""
    hinted = retry_after_seconds(headers or {})
    if hinted is not None and 0 <= hinted <= MAX_BACKOFF * 8:
        return hinted
    base: float = min(INITIAL_BACKOFF * 2.0**attempt, MAX_BACKOFF)
    return base * (1 + random.uniform(0, JITTER))


def decode_body(content: bytes, content_type: str | None) -> Any:
    if not content:
        return None
    if content_type and "json" in content_type:
        import json

        try:
            return json.loads(content)
        except ValueError:
            pass
    return content.decode("utf-8", "replace")


def check(status: int, body: Any, headers: Mapping[str, str]) -> None:
    """Raise the typed error for an error status."""
    if status >= 400:
        raise make_api_error(status, body, headers)


def model_class(name: Any) -> Any:
    """Models are named by string in ops so that importing the client does not import pydantic
    (the CLI's fast commands never build a model)."""
    if not isinstance(name, str):
        return name
    from keito import types

    return getattr(types, name)


def parse(op: Op, body: Any) -> Any:
    """The answer as a model (or the decoded JSON when the op names no model)."""
    if op.model is None or body is None:
        return body
    model = model_class(op.model)
    if op.list_key is not None:
        return [model.model_validate(item) for item in body.get(op.list_key, [])]
    return model.model_validate(body)


@dataclass(frozen=True)
class RawResponse:
    """What ``client.with_raw_response.<resource>.<method>(...)`` returns."""

    status_code: int
    headers: dict[str, str]
    parsed: Any
    body: Any

    @property
    def data(self) -> Any:  # the shipped SDK's name for ``parsed``
        return self.parsed


def page_op(op: Op, page: int, per_page: int | None) -> Op:
    params = dict(op.params or {})
    params["page"] = page
    if per_page is not None:
        params["per_page"] = per_page
    return Op(op.method, op.path, params, op.json, op.model, op.list_key)


def has_next(body: Any, page: int) -> bool:
    if not isinstance(body, dict):
        return False
    total_pages = body.get("total_pages")
    if isinstance(total_pages, int):
        return page < total_pages
    links = body.get("links") or {}
    return bool(links.get("next"))


__all__ = ["APIError", "Config", "Op", "RawResponse", "prepare", "retry_delay", "should_retry"]
