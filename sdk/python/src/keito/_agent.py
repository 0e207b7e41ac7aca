"""``track_agent_work``: one agent session as a running source=agent time entry, then an LLM
Usage expense with the same session_id (decisions §6, keito-docs §3.4).

Success: stop the timer (with the notes set inside the block) and log the tokens reported.
Failure (an exception in the block): delete the entry, log nothing, re-raise. A failed session
must not leave a running timer behind."""

from __future__ import annotations

import datetime as dt
import uuid
from types import TracebackType
from typing import TYPE_CHECKING, Any

from keito import _ops as ops
from keito._core import Op

if TYPE_CHECKING:
    from keito._async_client import AsyncKeito
    from keito._client import Keito
    from keito.types import Expense, TimeEntry


class _SessionState:
    def __init__(
        self,
        project_id: str,
        task_id: str,
        agent_id: str,
        model: str,
        agent_type: str | None,
        notes: str | None,
        session_id: str | None,
    ) -> None:
        self.project_id, self.task_id, self.agent_id, self.model = project_id, task_id, agent_id, model
        self.agent_type, self.notes = agent_type, notes
        self.session_id = session_id or str(uuid.uuid4())
        self.input_tokens = self.output_tokens = self.cache_read_tokens = self.cache_write_tokens = 0
        self.entry: TimeEntry | None = None
        self.expense: Expense | None = None

    def report_tokens(self, input: int = 0, output: int = 0, cache_read: int = 0, cache_write: int = 0) -> None:
        """Add token counts (they accumulate over calls)."""
        self.input_tokens += input
        self.output_tokens += output
        self.cache_read_tokens += cache_read
        self.cache_write_tokens += cache_write

    def set_notes(self, notes: str) -> None:
        self.notes = notes

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens

    def _start_op(self) -> Op:
        meta: dict[str, Any] = {"agent_id": self.agent_id, "session_id": self.session_id, "model": self.model}
        if self.agent_type:
            meta["agent_type"] = self.agent_type
        return ops.te_start_timer(
            {
                "project_id": self.project_id,
                "task_id": self.task_id,
                "spent_date": dt.date.today().isoformat(),
                "notes": self.notes,
                "source": "agent",
                "metadata": meta,
            }
        )

    def _expense_op(self) -> Op | None:
        if self.total_tokens == 0 or self.entry is None:
            return None  # nothing was spent; an expense of 0 tokens would only be noise
        return ops.llm_expense(
            project_id=self.project_id,
            spent_date=self.entry.spent_date or dt.date.today().isoformat(),
            model=self.model,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cache_read_tokens=self.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens,
            agent_id=self.agent_id,
            agent_type=self.agent_type,
            session_id=self.session_id,
        )


class AgentSession(_SessionState):
    """The sync context manager returned by ``Keito.track_agent_work``."""

    def __init__(self, client: Keito, *args: Any) -> None:
        super().__init__(*args)
        self._client = client

    def __enter__(self) -> AgentSession:
        self.entry = self._client._call(self._start_op())
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.entry is not None
        if exc_type is not None:
            self._client.time_entries.delete(self.entry.id)
            return
        self.entry = self._client.time_entries.stop(self.entry.id, notes=self.notes)
        op = self._expense_op()
        if op is not None:
            self.expense = self._client._call(op)


class AsyncAgentSession(_SessionState):
    """The async context manager returned by ``AsyncKeito.track_agent_work``."""

    def __init__(self, client: AsyncKeito, *args: Any) -> None:
        super().__init__(*args)
        self._client = client

    async def __aenter__(self) -> AsyncAgentSession:
        self.entry = await self._client._call(self._start_op())
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.entry is not None
        if exc_type is not None:
            await self._client.time_entries.delete(self.entry.id)
            return
        self.entry = await self._client.time_entries.stop(self.entry.id, notes=self.notes)
        op = self._expense_op()
        if op is not None:
            self.expense = await self._client._call(op)
