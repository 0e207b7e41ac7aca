"""Every resource method other than time entries, sync and async, against the real server."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from keito import (
    AgentMetadata,
    AsyncKeito,
    ConflictError,
    Keito,
    NotFoundError,
    OutcomeTypes,
    PermissionDeniedError,
    UnprocessableEntityError,
)
from keito import types as t

from tests.support.live import Workspace, today


def test_clients_contacts_tasks(client: Keito, ws: Workspace) -> None:
    c = client.clients.create(name="Globex", currency="EUR")
    assert isinstance(c, t.Client) and c.currency == "EUR"
    assert client.clients.get(c.id).name == "Globex"
    assert client.clients.update(c.id, name="Globex Corp").name == "Globex Corp"
    assert {x.name for x in client.clients.list()} == {"Acme Corp", "Globex Corp"}
    contact = client.contacts.create(client_id=c.id, first_name="Hank", email="hank@globex.example")
    assert client.contacts.get(contact.id).first_name == "Hank"
    assert [x.id for x in client.contacts.list(client_id=c.id)] == [contact.id]
    task = client.tasks.create(name="Research")
    assert client.tasks.get(task.id).name == "Research"
    assert "Research" in {x.name for x in client.tasks.list()}
    other = client.clients.create(name="Initech")
    client.clients.delete(other.id)
    with pytest.raises(NotFoundError):
        client.clients.get(other.id)


def test_projects_and_assignments(client: Keito, ws: Workspace) -> None:
    p = client.projects.create(client_id=ws.client_id, name="Mobile App", code="MOB", bill_by="project")
    assert isinstance(p, t.Project) and p.code == "MOB"
    assert client.projects.get(p.id).name == "Mobile App"
    assert client.projects.update(p.id, notes="v2").id == p.id
    assert {x.id for x in client.projects.list(client_id=ws.client_id)} >= {p.id, ws.project_id}
    task = client.tasks.create(name="Triage")
    ta = client.projects.task_assignments.create(p.id, task_id=task.id)
    assert ta.task is not None and ta.task.id == task.id
    assert task.id in {x.task.id for x in client.projects.task_assignments.list(p.id) if x.task}
    agent_id, _ = ws.add_user("bot", user_type="agent", assign=False)
    ua = client.projects.user_assignments.create(p.id, user_id=agent_id)
    assert ua.user is not None and ua.user.id == agent_id
    assert agent_id in {x.user.id for x in client.projects.user_assignments.list(p.id) if x.user}
    client.projects.delete(p.id)
    with pytest.raises(NotFoundError):
        client.projects.get(p.id)


def test_users_and_api_keys(client: Keito, ws: Workspace) -> None:
    me = client.users.me()
    assert me.id == ws.admin_id and me.first_name == "Ada"
    bot = client.users.create(name="review-bot-01", user_type="agent")
    assert bot.user_type == "agent"
    assert client.users.get(bot.id).id == bot.id
    assert {u.id for u in client.users.list()} >= {me.id, bot.id}
    key = client.api_keys.create(name="bot key", user_id=bot.id)
    token = key.model_extra["key"] if key.model_extra else None
    assert token and token.startswith("kto_")
    with Keito(api_key=token, account_id=ws.account_id, base_url=ws.server.url) as as_bot:
        assert as_bot.users.me().id == bot.id
    assert key.id in {k.id for k in client.api_keys.list(user_id=bot.id)}
    client.api_keys.delete(key.id)


def test_manager_teammates(client: Keito, ws: Workspace) -> None:
    manager_id, manager_key = ws.add_user("Mona", roles=["manager", "member"])
    ann_id, _ = ws.add_user("Ann")
    assert list(client.users.teammates(manager_id)) == []
    chosen = client.users.set_teammates(manager_id, [ann_id])
    assert [u.id for u in chosen] == [ann_id] and isinstance(chosen[0], t.User)
    with Keito(api_key=manager_key, account_id=ws.account_id, base_url=ws.server.url) as manager:
        assert [u.first_name for u in manager.users.teammates(manager_id, per_page=1)] == ["Ann"]
        with pytest.raises(PermissionDeniedError) as denied:
            manager.users.set_teammates(manager_id, [])
        assert denied.value.code == "authorization_error"
    with pytest.raises(UnprocessableEntityError):
        client.users.set_teammates(ann_id, [])
    assert client.users.set_teammates(manager_id, []) == []

    async def main() -> None:
        async with AsyncKeito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
            assert [u.id for u in await c.users.set_teammates(manager_id, [ann_id])] == [ann_id]
            assert [u.id async for u in c.users.teammates(manager_id)] == [ann_id]

    asyncio.run(main())


def test_approvals(client: Keito, ws: Workspace) -> None:
    member_id, member_key = ws.add_user("Sam")
    with Keito(api_key=member_key, account_id=ws.account_id, base_url=ws.server.url) as member:
        member.time_entries.create(project_id=ws.project_id, task_id=ws.task_id, spent_date="2026-03-03", hours=2)
        first = member.approvals.submit(period_start="2026-03-02", period_end="2026-03-08")
        assert isinstance(first, t.Approval) and first.status == "submitted" and first.hours == Decimal(2)
        with pytest.raises(UnprocessableEntityError) as nothing:
            member.approvals.submit(period_start="2026-03-02", period_end="2026-03-08")
        assert nothing.value.code == "nothing_to_submit"
        with pytest.raises(PermissionDeniedError):
            member.approvals.approve(first.id)
    assert [a.id for a in client.approvals.list(status="submitted", user_id=member_id)] == [first.id]
    assert client.approvals.reject(first.id, reason="Notes, please").reason == "Notes, please"
    with pytest.raises(ConflictError):
        client.approvals.approve(first.id)
    with Keito(api_key=member_key, account_id=ws.account_id, base_url=ws.server.url) as member:
        second = member.approvals.submit(period_start="2026-03-02", period_end="2026-03-08")

    async def main() -> None:
        async with AsyncKeito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
            assert (await c.approvals.approve(second.id)).status == "approved"
            assert (await c.approvals.withdraw(second.id)).status == "submitted"
            assert second.id in {a.id async for a in c.approvals.list()}
            assert (await c.approvals.get(second.id)).user_id == member_id

    asyncio.run(main())


def test_expenses_and_categories(client: Keito, ws: Workspace) -> None:
    cats = {c.id: c for c in client.expense_categories.list()}
    assert "cat_llm_usage" in cats
    cat = client.expense_categories.create(name="Hosting")
    assert client.expense_categories.get(cat.id).name == "Hosting"
    assert client.expense_categories.update(cat.id, name="Cloud hosting").name == "Cloud hosting"
    e = client.expenses.create(
        project_id=ws.project_id, expense_category_id=cat.id, spent_date=today(), total_cost=12.5
    )
    assert e.total_cost == Decimal("12.5")
    assert client.expenses.get(e.id).id == e.id
    assert client.expenses.update(e.id, notes="servers").notes == "servers"
    assert [x.id for x in client.expenses.list(project_id=ws.project_id)] == [e.id]
    client.expenses.delete(e.id)
    with pytest.raises(NotFoundError):
        client.expenses.get(e.id)


def test_invoices_messages_payments(client: Keito, ws: Workspace) -> None:
    inv = client.invoices.create(
        client_id=ws.client_id, line_items=[{"description": "Build", "quantity": 2, "unit_price": 100}]
    )
    assert inv.amount == Decimal("200")
    assert client.invoices.get(inv.id).id == inv.id
    assert client.invoices.update(inv.id, subject="March").model_extra["subject"] == "March"  # type: ignore[index]
    assert [x.id for x in client.invoices.list()] == [inv.id]
    msg = client.invoices.messages.create(inv.id, recipients=[{"name": "Bill", "email": "bill@acme.example"}])
    assert isinstance(msg, t.InvoiceMessage)
    assert msg.id in {m.id for m in client.invoices.messages.list(inv.id)}
    pay = client.invoices.payments.create(inv.id, amount=50)
    assert pay.amount == Decimal("50")
    assert [p.id for p in client.invoices.payments.list(inv.id)] == [pay.id]
    draft = client.invoices.create(client_id=ws.client_id)
    client.invoices.delete(draft.id)
    with pytest.raises(NotFoundError):
        client.invoices.get(draft.id)


def test_reports_and_outcomes(client: Keito, ws: Workspace) -> None:
    client.time_entries.create(project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=2)
    out = client.outcomes.log(
        project_id=ws.project_id,
        task_id=ws.task_id,
        outcome_type=OutcomeTypes.TICKET_RESOLVED,
        description="Closed #42",
        unit_price=5,
        evidence={"ticket": "42"},
        metadata={"agent_id": "bot"},
    )
    assert out.hours == 0 and out.source == "agent" and out.notes == "Closed #42"
    assert out.metadata is not None and out.metadata["outcome_type"] == "ticket_resolved"
    assert out.metadata["outcome_quantity"] == 1 and out.metadata["outcome_success"] is True
    assert out.metadata["outcome_evidence"] == {"ticket": "42"} and out.metadata["agent_id"] == "bot"
    team = client.reports.team_time(from_date=today(), to_date=today()).to_list()
    assert [r.total_hours for r in team] == [Decimal("2")]
    rows = client.reports.summary(from_date=today(), to_date=today(), group_by="project").to_list()
    assert rows[0].label == "Acme Website" and rows[0].hours == Decimal("2")


def test_agent_metadata_build() -> None:
    meta = AgentMetadata.build(agent_id="a", model_name="m", tokens_in=3, run_id=None, confidence=0.9)
    assert meta == {"agent": {"id": "a"}, "model": {"name": "m", "tokens_in": 3}, "quality": {"confidence": 0.9}}


def test_every_resource_async(ws: Workspace) -> None:
    async def scenario() -> None:
        async with AsyncKeito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
            cl = await c.clients.create(name=f"Async {uuid.uuid4().hex[:4]}")
            assert (await c.clients.get(cl.id)).id == cl.id
            assert (await c.clients.update(cl.id, currency="GBP")).currency == "GBP"
            assert cl.id in {x.id async for x in c.clients.list()}
            con = await c.contacts.create(client_id=cl.id, first_name="Ann")
            assert (await c.contacts.get(con.id)).id == con.id
            assert [x.id async for x in c.contacts.list(client_id=cl.id)] == [con.id]
            task = await c.tasks.create(name="Async task")
            assert (await c.tasks.get(task.id)).id == task.id
            p = await c.projects.create(client_id=cl.id, name="Async project")
            assert (await c.projects.get(p.id)).id == p.id
            assert (await c.projects.update(p.id, code="ASY")).code == "ASY"
            await c.projects.task_assignments.create(p.id, task_id=task.id)
            assert task.id in {x.task.id async for x in c.projects.task_assignments.list(p.id) if x.task}
            bot = await c.users.create(name="async-bot", user_type="agent")
            await c.projects.user_assignments.create(p.id, user_id=bot.id)
            assert bot.id in {x.user.id async for x in c.projects.user_assignments.list(p.id) if x.user}
            assert (await c.users.me()).id == ws.admin_id
            assert (await c.users.get(bot.id)).user_type == "agent"
            assert bot.id in {u.id async for u in c.users.list()}
            key = await c.api_keys.create(name="k")
            assert key.id in {k.id async for k in c.api_keys.list()}
            await c.api_keys.delete(key.id)
            assert "cat_llm_usage" in {x.id async for x in c.expense_categories.list()}
            cat = await c.expense_categories.create(name="Async cat")
            assert (await c.expense_categories.get(cat.id)).id == cat.id
            assert (await c.expense_categories.update(cat.id, name="Async cat 2")).name == "Async cat 2"
            e = await c.expenses.create(project_id=p.id, expense_category_id=cat.id, spent_date=today(), total_cost=3)
            assert (await c.expenses.get(e.id)).id == e.id
            assert (await c.expenses.update(e.id, notes="n")).notes == "n"
            assert [x.id async for x in c.expenses.list(project_id=p.id)] == [e.id]
            await c.expenses.delete(e.id)
            inv = await c.invoices.create(client_id=cl.id, line_items=[{"description": "x", "unit_price": 10}])
            assert (await c.invoices.get(inv.id)).id == inv.id
            await c.invoices.update(inv.id, notes="thanks")
            assert inv.id in {x.id async for x in c.invoices.list()}
            m = await c.invoices.messages.create(inv.id, recipients=[{"name": "A", "email": "a@b.example"}])
            assert m.id in {x.id async for x in c.invoices.messages.list(inv.id)}
            pay = await c.invoices.payments.create(inv.id, amount=1)
            assert [x.id async for x in c.invoices.payments.list(inv.id)] == [pay.id]
            draft = await c.invoices.create(client_id=cl.id)
            await c.invoices.delete(draft.id)
            out = await c.outcomes.log(project_id=ws.project_id, task_id=ws.task_id, outcome_type="pr_merged")
            assert out.metadata and out.metadata["outcome_type"] == "pr_merged"
            await c.time_entries.create(project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=1)
            assert [r.total_hours async for r in c.reports.team_time(from_date=today(), to_date=today())] == [
                Decimal(1)
            ]
            rows = [r async for r in c.reports.summary(from_date=today(), to_date=today(), group_by="client")]
            assert rows and rows[0].hours == Decimal(1)
            await c.projects.delete(p.id)
            other = await c.clients.create(name="Gone")
            await c.clients.delete(other.id)
            with pytest.raises(NotFoundError):
                await c.clients.get(other.id)

    asyncio.run(scenario())
