"""``AsyncKeito``: the asynchronous twin of ``Keito``, the same ``_core`` decisions around httpx.AsyncClient."""

from __future__ import annotations

import asyncio
import copy
from typing import TYPE_CHECKING, Any

import httpx

from keito import _core
from keito._async_resources import (
    ApiKeys,
    Approvals,
    Clients,
    Contacts,
    ExpenseCategories,
    Expenses,
    Invoices,
    Outcomes,
    Projects,
    Reports,
    Tasks,
    TimeEntries,
    Users,
)
from keito._errors import APIConnectionError, APITimeoutError
from keito._pagination import AsyncPager
from keito._types import RequestOptions

if TYPE_CHECKING:
    from keito._agent import AsyncAgentSession


class AsyncKeito:
    """Asynchronous Keito client; same arguments and environment fallbacks as ``Keito``."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        account_id: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        httpx_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._config = _core.Config.resolve(api_key, account_id, base_url, timeout, max_retries)
        self._owns_http = httpx_client is None
        self._http = httpx_client or httpx.AsyncClient(verify=_core.uses_tls(self._config.base_url))
        self._raw = False
        self._sleep = asyncio.sleep
        self._build_resources()

    def _build_resources(self) -> None:
        self.time_entries = TimeEntries(self)
        self.expenses = Expenses(self)
        self.expense_categories = ExpenseCategories(self)
        self.projects = Projects(self)
        self.clients = Clients(self)
        self.contacts = Contacts(self)
        self.tasks = Tasks(self)
        self.users = Users(self)
        self.approvals = Approvals(self)
        self.invoices = Invoices(self)
        self.reports = Reports(self)
        self.api_keys = ApiKeys(self)
        self.outcomes = Outcomes(self)

    @property
    def api_key(self) -> str | None:
        return self._config.api_key

    @property
    def account_id(self) -> str | None:
        return self._config.account_id

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def with_raw_response(self) -> AsyncKeito:
        raw = copy.copy(self)
        raw._raw = True
        raw._build_resources()
        return raw

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncKeito:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def track_agent_work(
        self,
        *,
        project_id: str,
        task_id: str,
        agent_id: str,
        model: str,
        agent_type: str | None = None,
        notes: str | None = None,
        session_id: str | None = None,
    ) -> AsyncAgentSession:
        """``async with client.track_agent_work(...) as session:`` (see ``Keito.track_agent_work``)."""
        from keito._agent import AsyncAgentSession

        return AsyncAgentSession(self, project_id, task_id, agent_id, model, agent_type, notes, session_id)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        request_options: RequestOptions | None = None,
    ) -> Any:
        """Any API call by path below /api/v2 (``"/users/me"``), with the same auth, retries and
        errors as the resources; returns the decoded JSON (no models)."""
        return await self._fetch(_core.Op(method.upper(), path, params, json), request_options)

    async def _send(self, op: _core.Op, options: RequestOptions | None) -> httpx.Response:
        prepared = _core.prepare(self._config, op, options)
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    prepared.method,
                    prepared.url,
                    headers=prepared.headers,
                    params=prepared.params,
                    json=prepared.json,
                    timeout=prepared.timeout,
                )
            except httpx.TimeoutException as exc:
                if not _core.should_retry(None, attempt, prepared.max_retries):
                    raise APITimeoutError() from exc
                await self._sleep(_core.retry_delay(attempt))
            except httpx.TransportError as exc:
                if not _core.should_retry(None, attempt, prepared.max_retries):
                    raise APIConnectionError(f"Could not reach {self._config.base_url}: {exc}") from exc
                await self._sleep(_core.retry_delay(attempt))
            else:
                if not _core.should_retry(response.status_code, attempt, prepared.max_retries):
                    return response
                await response.aclose()
                await self._sleep(_core.retry_delay(attempt, response.headers))
            attempt += 1

    async def _fetch(self, op: _core.Op, options: RequestOptions | None = None) -> Any:
        response = await self._send(op, options)
        body = _core.decode_body(response.content, response.headers.get("content-type"))
        _core.check(response.status_code, body, response.headers)
        return body

    async def _call(self, op: _core.Op, options: RequestOptions | None = None) -> Any:
        response = await self._send(op, options)
        body = _core.decode_body(response.content, response.headers.get("content-type"))
        _core.check(response.status_code, body, response.headers)
        parsed = _core.parse(op, body)
        if self._raw:
            return _core.RawResponse(response.status_code, dict(response.headers), parsed, body)
        return parsed

    def _pager(self, op: _core.Op, per_page: int | None, options: RequestOptions | None) -> AsyncPager[Any]:
        return AsyncPager(lambda page: self._fetch(page, options), op, per_page)
