"""Offset pages for list queries; the API turns them into either dialect's envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    offset: int = 0
    limit: int = 100
    with_total: bool = True


def fetch_page(session: Session, query: Select[Any], page: Page) -> tuple[list[Any], int | None]:
    """Rows of ``query`` for ``page`` and, when asked, the total across all pages."""
    total = None
    if page.with_total:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        if total <= page.offset:
            return [], total
    rows = list(session.scalars(query.offset(page.offset).limit(page.limit)))
    return rows, total
