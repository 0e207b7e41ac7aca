"""Projects, their task assignments and their team (user assignments with per-person rates)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keito_server.db.models import Client, Project, Task, TaskAssignment, User, UserAssignment
from keito_server.domain.errors import ValidationError
from keito_server.domain.ids import new_id
from keito_server.domain.rates import BILL_BY, BUDGET_BY, canonical_enum
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor


def create_project(session: Session, actor: Actor, data: dict[str, Any]) -> Project:
    """A project for a client. Default tasks are assigned unless ``task_ids`` names them;
    users with access to all future projects join its team."""
    actor.require_manager("create projects")
    client = get_scoped(session, Client, data.get("client_id"), actor.account_id, "Client", field="client_id")
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError("name is required.", field="name")
    fields = {k: v for k, v in data.items() if k not in ("client_id", "task_ids", "name")}
    if "bill_by" in fields:
        fields["bill_by"] = canonical_enum(fields["bill_by"], BILL_BY, "bill_by")
    if "budget_by" in fields:
        fields["budget_by"] = canonical_enum(fields["budget_by"], BUDGET_BY, "budget_by")
    project = Project(id=new_id("project"), account_id=actor.account_id, client_id=client.id, name=name)
    for key, value in fields.items():
        if hasattr(Project, key):
            setattr(project, key, value)
    session.add(project)
    session.flush()
    task_ids = data.get("task_ids")
    q = select(Task).where(Task.account_id == actor.account_id, Task.is_active.is_(True))
    tasks = session.scalars(q.where(Task.id.in_(task_ids)) if task_ids else q.where(Task.is_default.is_(True)))
    for task in tasks:
        session.add(
            TaskAssignment(
                id=new_id("task_assignment"),
                account_id=actor.account_id,
                project_id=project.id,
                task_id=task.id,
                billable=task.billable_by_default,
            )
        )
    for user in session.scalars(
        select(User).where(
            User.account_id == actor.account_id,
            User.has_access_to_all_future_projects.is_(True),
            User.is_active.is_(True),
        )
    ):
        session.add(
            UserAssignment(
                id=new_id("user_assignment"), account_id=actor.account_id, project_id=project.id, user_id=user.id
            )
        )
    audit(session, actor.account_id, actor.user_id, "project.created", project.id)
    session.commit()
    return project


def assign_user(session: Session, actor: Actor, project_id: str, user_id: str, **fields: Any) -> UserAssignment:
    actor.require_manager("change a project's team")
    project = get_scoped(session, Project, project_id, actor.account_id, "Project")
    user = get_scoped(session, User, user_id, actor.account_id, "User", field="user_id")
    existing = session.scalar(
        select(UserAssignment).where(UserAssignment.project_id == project.id, UserAssignment.user_id == user.id)
    )
    assignment = existing or UserAssignment(
        id=new_id("user_assignment"), account_id=actor.account_id, project_id=project.id, user_id=user.id
    )
    for key, value in fields.items():
        setattr(assignment, key, value)
    assignment.is_active = fields.get("is_active", True)
    session.add(assignment)
    audit(session, actor.account_id, actor.user_id, "project.user_assigned", project.id, {"user_id": user.id})
    session.commit()
    return assignment
