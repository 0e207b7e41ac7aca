"""track_agent_work: success stops the timer and logs the LLM expense; failure discards the entry."""

from __future__ import annotations

import asyncio

import pytest
from keito import AsyncKeito, Keito

from tests.support.live import Workspace


def test_track_agent_work_success(ws: Workspace) -> None:
    _, key = ws.add_user("my-bot-01", user_type="agent")
    with Keito(api_key=key, account_id=ws.account_id, base_url=ws.server.url) as client:
        with client.track_agent_work(
            project_id=ws.project_id, task_id=ws.task_id, agent_id="my-bot-01", model="claude-opus-4-6"
        ) as session:
            assert session.entry is not None and session.entry.is_running
            assert session.entry.source == "agent"
            assert session.entry.metadata == {
                "agent_id": "my-bot-01",
                "session_id": session.session_id,
                "model": "claude-opus-4-6",
            }
            session.report_tokens(input=20000, output=10000)
            session.report_tokens(input=10000, output=5000, cache_read=1000)
            session.set_notes("Implemented OAuth flow")
        entry = client.time_entries.get(session.entry.id)
        assert not entry.is_running and entry.notes == "Implemented OAuth flow"
        expenses = client.expenses.list().to_list()
        assert len(expenses) == 1
        exp = expenses[0]
        assert exp.expense_category is not None and exp.expense_category.id == "cat_llm_usage"
        assert exp.metadata is not None and exp.metadata["session_id"] == session.session_id
        assert exp.metadata["input_tokens"] == 30000 and exp.metadata["output_tokens"] == 15000
        assert exp.metadata["cache_read_tokens"] == 1000 and exp.metadata["model"] == "claude-opus-4-6"
        assert exp.source == "agent" and exp.total_cost is not None and exp.total_cost > 0  # priced by the server
        assert exp.cost_breakdown is not None and exp.cost_breakdown["method"] == "model"


def test_track_agent_work_failure_discards(ws: Workspace) -> None:
    _, key = ws.add_user("my-bot-02", user_type="agent")
    with Keito(api_key=key, account_id=ws.account_id, base_url=ws.server.url) as client:
        with (
            pytest.raises(RuntimeError, match="agent crashed"),
            client.track_agent_work(
                project_id=ws.project_id, task_id=ws.task_id, agent_id="my-bot-02", model="gpt-4o", session_id="s-9"
            ) as session,
        ):
            session.report_tokens(input=100, output=100)
            raise RuntimeError("agent crashed")
        assert client.time_entries.list().to_list() == []
        assert client.expenses.list().to_list() == []


def test_track_agent_work_async(ws: Workspace) -> None:
    _, key = ws.add_user("async-bot", user_type="agent")

    async def scenario() -> None:
        async with AsyncKeito(api_key=key, account_id=ws.account_id, base_url=ws.server.url) as c:
            async with c.track_agent_work(
                project_id=ws.project_id,
                task_id=ws.task_id,
                agent_id="async-bot",
                model="claude-opus-4-6",
                agent_type="claude-code",
                session_id="sess-async",
            ) as session:
                session.report_tokens(input=1000, output=500)
            entries = [e async for e in c.time_entries.list(session_id="sess-async")]
            assert len(entries) == 1 and not entries[0].is_running
            assert entries[0].metadata and entries[0].metadata["agent_type"] == "claude-code"
            exps = [e async for e in c.expenses.list()]
            assert len(exps) == 1 and exps[0].metadata and exps[0].metadata["session_id"] == "sess-async"
            with pytest.raises(ValueError):
                async with c.track_agent_work(
                    project_id=ws.project_id, task_id=ws.task_id, agent_id="async-bot", model="m"
                ):
                    raise ValueError("boom")
            assert len([e async for e in c.time_entries.list()]) == 1

    asyncio.run(scenario())
