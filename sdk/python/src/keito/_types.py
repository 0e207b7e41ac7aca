"""Small shared types: the NOT_GIVEN sentinel and per-call request options."""

from __future__ import annotations

from typing import Any, Final, TypedDict


class NotGiven:
    """Marks an argument the caller did not pass, as opposed to ``None`` (which clears a field)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


class RequestOptions(TypedDict, total=False):
    """Per-call overrides: ``timeout`` (seconds), ``max_retries``, extra ``headers``, and the
    ``idempotency_key`` a POST sends (by default a fresh one per call, reused by its retries)."""

    timeout: float
    max_retries: int
    headers: dict[str, str]
    idempotency_key: str


def strip_not_given(values: dict[str, Any]) -> dict[str, Any]:
    """Drop NOT_GIVEN values; keep ``None`` (an explicit clear)."""
    return {k: v for k, v in values.items() if not isinstance(v, NotGiven)}


def drop_none(values: dict[str, Any]) -> dict[str, Any]:
    """Query parameters: an absent filter and a None filter mean the same thing."""
    return {k: v for k, v in values.items() if v is not None and not isinstance(v, NotGiven)}
