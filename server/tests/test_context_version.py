"""ADR 0515: a workspace's context version, raised by the database's own triggers on every
change to what a time entry's create reads (projects, tasks, user and task assignments), is the
one value the create's insert checks. Here on the real database of each backend: every kind of
change raises it, in that workspace only; and a create that finds its remembered context stale
keeps the fresh one, so only the first create after a change reads the context again."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Table, delete, insert, select, update

from tests.support.live import Workspace, _admin, today


def _version(session: Any, account_id: str) -> int:
    from keito_server.db.models import Account

    version: int = session.execute(select(Account.context_version).where(Account.id == account_id)).scalar_one()
    return version


def test_every_insert_update_and_delete_of_a_create_context_raises_its_workspaces_version_only(
    ws: Workspace, other_ws: Workspace
) -> None:
    from keito_server.db.models import Project, Task, TaskAssignment, UserAssignment

    ws.add_user("Meg")  # a user assignment to change
    raised: dict[str, list[bool]] = {}

    def change_each(session: Any, _actor: Any) -> None:
        # Children first: deleting a project or task takes its assignments with it (cascade).
        for model in (UserAssignment, TaskAssignment, Task, Project):
            table: Table = model.__table__
            row = session.execute(select(table).where(table.c.account_id == ws.account_id).limit(1)).mappings().one()
            steps = [
                update(table).where(table.c.id == row["id"]).values(updated_at=row["updated_at"]),
                delete(table).where(table.c.id == row["id"]),
                insert(table).values(**row),
            ]
            outcome = []
            for statement in steps:
                before, others = _version(session, ws.account_id), _version(session, other_ws.account_id)
                session.execute(statement)
                outcome.append(
                    _version(session, ws.account_id) > before and _version(session, other_ws.account_id) == others
                )
            raised[table.name] = outcome
        session.rollback()  # the workspace stays as it was

    ws.run(change_each)
    assert raised == {
        table: [True, True, True] for table in ("user_assignments", "task_assignments", "tasks", "projects")
    }


def test_a_change_that_commits_is_seen_by_every_later_reader(ws: Workspace) -> None:
    from keito_server.db.models import Project

    start: int = ws.run(lambda session, _a: _version(session, ws.account_id))
    ws.run(
        lambda session, _a: (
            session.execute(update(Project).where(Project.id == ws.project_id).values(hourly_rate=99)),
            session.commit(),
        )
    )
    assert ws.run(lambda session, _a: _version(session, ws.account_id)) > start


def test_a_create_that_finds_its_remembered_context_stale_remembers_the_fresh_one(ws: Workspace) -> None:
    """After a change, the first create's remembered context is refused by its insert and read
    again; the row it reads replaces the stale one, so the creates after it need no read.
    Before ADR 0515 the stale row stayed, and every later create tried it, was refused and read
    the context again."""
    from keito_server.db.models import Project
    from keito_server.services import time_entries

    body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": date.fromisoformat(today()), "hours": 1}
    db = ws.server.database()
    remembered: list[int] = []  # the remembered row's version after each create
    try:

        def create() -> None:
            with db.session() as session:
                actor = _admin(session, ws.account_id)
                time_entries.create_entry(session, actor, dict(body))
                key = (ws.account_id, ws.project_id, ws.task_id, actor.user_id)
                remembered.append(time_entries._REMEMBERED[key][-1])

        def rate(hourly_rate: int) -> int:
            with db.session() as session:
                values = {"bill_by": "Project", "hourly_rate": hourly_rate}
                session.execute(update(Project).where(Project.id == ws.project_id).values(**values))
                session.commit()
                return _version(session, ws.account_id)

        first = rate(150)
        create()
        create()
        second = rate(175)
        create()
        create()
    finally:
        db.dispose()
    assert second > first
    assert remembered == [first, first, second, second]
    rates = [e["billable_rate"] for e in ws.api().get("time_entries").json()["time_entries"]]
    assert sorted(rates) == [150, 150, 175, 175]
