"""Both pagination styles over one service-level ``Page`` (offset + limit).

v2: ``page``/``per_page`` -> ``{<key>: [...], per_page, total_pages, total_entries, page, links}``
with link paths that keep the query string. v1: ``cursor``/``limit`` -> ``{data, next_cursor,
has_more}``; the cursor is an opaque token for an offset.
"""

from __future__ import annotations

import base64
import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request

from keito_server.domain.errors import ValidationError
from keito_server.services.paging import Page

V2_DEFAULT_PER_PAGE = 100
V2_MAX_PER_PAGE = 2000
V1_DEFAULT_LIMIT = 50
V1_MAX_LIMIT = 200
# Far beyond any real list, and small enough that offsets stay inside 64-bit integers.
MAX_PAGE = 1_000_000
MAX_OFFSET = 2_000_000_000


class V2Paging:
    def __init__(
        self,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
        per_page: Annotated[
            int, Query(ge=1, le=V2_MAX_PER_PAGE, description="Records per page, 1 to 2000.")
        ] = V2_DEFAULT_PER_PAGE,
    ) -> None:
        self.page = page
        self.per_page = per_page

    def request(self) -> Page:
        return Page(offset=(self.page - 1) * self.per_page, limit=self.per_page, with_total=True)

    def envelope(self, request: Request, key: str, items: list[Any], total: int) -> dict[str, Any]:
        total_pages = math.ceil(total / self.per_page) if total else 0
        last = max(total_pages, 1)

        def link(page: int) -> str:
            params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")]
            params += [("page", str(page)), ("per_page", str(self.per_page))]
            return f"{request.url.path}?{urlencode(params)}"

        return {
            key: items,
            "per_page": self.per_page,
            "total_pages": total_pages,
            "total_entries": total,
            "next_page": self.page + 1 if self.page < total_pages else None,
            "previous_page": self.page - 1 if self.page > 1 else None,
            "page": self.page,
            "links": {
                "first": link(1),
                "next": link(self.page + 1) if self.page < total_pages else None,
                "previous": link(self.page - 1) if self.page > 1 else None,
                "last": link(last),
            },
        }


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        offset = int(value)
        if kind != "o" or not 0 <= offset <= MAX_OFFSET:
            raise ValueError
        return offset
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(
            "cursor is not one this API gave out; pass next_cursor from the previous page.",
            field="cursor",
        ) from exc


class V1Paging:
    def __init__(
        self,
        cursor: Annotated[str | None, Query(description="next_cursor from the previous page.")] = None,
        limit: Annotated[
            int, Query(ge=1, le=V1_MAX_LIMIT, description="Records per page, 1 to 200.")
        ] = V1_DEFAULT_LIMIT,
    ) -> None:
        self.offset = _decode_cursor(cursor) if cursor else 0
        self.limit = limit

    def request(self) -> Page:
        # One extra row tells whether another page exists, without counting.
        return Page(offset=self.offset, limit=self.limit + 1, with_total=False)

    def envelope(self, items: list[Any]) -> dict[str, Any]:
        has_more = len(items) > self.limit
        items = items[: self.limit]
        return {
            "data": items,
            "next_cursor": _encode_cursor(self.offset + self.limit) if has_more else None,
            "has_more": has_more,
        }
