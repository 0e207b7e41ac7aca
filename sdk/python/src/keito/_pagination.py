"""Lazy iterators over every page of a list: ``for x in pager`` / ``async for x in pager``.

Nothing is fetched until iteration starts; each page is fetched when the previous one is used
up. After the first page ``total_entries`` and ``total_pages`` are known."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

from keito._core import Op, has_next, page_op, parse

T = TypeVar("T")


class _PageInfo:
    total_entries: int | None = None
    total_pages: int | None = None
    per_page: int | None = None

    def _note(self, body: Any) -> None:
        if isinstance(body, dict):
            self.total_entries = body.get("total_entries", self.total_entries)
            self.total_pages = body.get("total_pages", self.total_pages)
            self.per_page = body.get("per_page", self.per_page)


class SyncPager(_PageInfo, Generic[T]):
    def __init__(self, fetch: Callable[[Op], Any], op: Op, per_page: int | None) -> None:
        self._fetch, self._op, self._per_page = fetch, op, per_page

    def pages(self) -> Iterator[list[T]]:
        page = 1
        while True:
            op = page_op(self._op, page, self._per_page)
            body = self._fetch(op)
            self._note(body)
            items: list[T] = parse(op, body)
            yield items
            if not items or not has_next(body, page):
                return
            page += 1

    def __iter__(self) -> Iterator[T]:
        for items in self.pages():
            yield from items

    def to_list(self) -> list[T]:
        return list(self)

    def first(self) -> T | None:
        return next(iter(self), None)


class AsyncPager(_PageInfo, Generic[T]):
    def __init__(self, fetch: Callable[[Op], Awaitable[Any]], op: Op, per_page: int | None) -> None:
        self._fetch, self._op, self._per_page = fetch, op, per_page

    async def pages(self) -> AsyncIterator[list[T]]:
        page = 1
        while True:
            op = page_op(self._op, page, self._per_page)
            body = await self._fetch(op)
            self._note(body)
            items: list[T] = parse(op, body)
            yield items
            if not items or not has_next(body, page):
                return
            page += 1

    async def __aiter__(self) -> AsyncIterator[T]:
        async for items in self.pages():
            for item in items:
                yield item

    async def to_list(self) -> list[T]:
        return [item async for item in self]

    async def first(self) -> T | None:
        async for item in self:
            return item
        return None
