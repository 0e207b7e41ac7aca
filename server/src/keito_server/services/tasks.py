"""Tasks: workspace-global kinds of work (any task can be used with any project).

List, create, get, update (archive with ``is_active: false``), delete (refused once time was
logged to the task).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keito_server.db.models import Task, TaskAssignment, TimeEntry
from keito_server.domain import permissions
from keito_server.domain.errors import Conflict, ValidationError
from keito_server.domain.ids import new_id
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page

EDITABLE = ("name", "billable_by_default", "default_hourly_rate", "is_default", "is_active", "parent_task_id")


@dataclass(frozen=True)
class TaskFilters:
    is_active: bool | None = None
    updated_since: datetime | None = None


def _duplicate(name: str) -> Conflict:
    return Conflict(f"A task named '{name}' already exists in this workspace.", code="already_exists", field="name")


def _clean(session: Session, actor: Actor, data: dict[str, Any], task: Task | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in EDITABLE:
        if key not in data:
            continue
        value = data[key]
        if key == "name":
            value = (value or "").strip()
            if not value:
                raise ValidationError("name is required: give the task a name.", field="name")
            clash = session.scalar(
                select(Task.id).where(
                    Task.account_id == actor.account_id,
                    func.lower(Task.name) == value.lower(),
                    Task.id != (task.id if task else ""),
                )
            )
            if clash:
                raise _duplicate(value)
        elif key == "parent_task_id" and value is not None:
            parent = get_scoped(session, Task, value, actor.account_id, "Parent task", field="parent_task_id")
            if task is not None and parent.id == task.id:
                raise ValidationError("A task cannot be its own parent.", field="parent_task_id")
        elif key in ("billable_by_default", "is_default", "is_active") and value is None:
            raise ValidationError(f"{key} must be true or false.", field=key)
        out[key] = value
    if task is None and "name" not in out:
        raise ValidationError("name is required: give the task a name.", field="name")
    return out


def _commit(session: Session, name: str) -> None:
    try:
        session.commit()
    except IntegrityError:  # two requests racing for the same name
        session.rollback()
        raise _duplicate(name) from None


def list_tasks(session: Session, actor: Actor, filters: TaskFilters, page: Page) -> tuple[list[Task], int | None]:
    q = select(Task).where(Task.account_id == actor.account_id)
    if filters.is_active is not None:
        q = q.where(Task.is_active.is_(filters.is_active))
    if filters.updated_since is not None:
        q = q.where(Task.updated_at >= filters.updated_since)
    return fetch_page(session, q.order_by(Task.name, Task.id), page)


def get_task(session: Session, actor: Actor, task_id: str) -> Task:
    return get_scoped(session, Task, task_id, actor.account_id, "Task")


def create_task(session: Session, actor: Actor, data: dict[str, Any]) -> Task:
    actor.require_manager("create tasks", permissions.MANAGE_CLIENTS_AND_TASKS)
    fields = _clean(session, actor, data, None)
    task = Task(id=new_id("task"), account_id=actor.account_id, billable_by_default=True, is_default=False)
    for key, value in fields.items():
        setattr(task, key, value)
    session.add(task)
    audit(session, actor.account_id, actor.user_id, "task.created", task.id)
    _commit(session, task.name)
    return task


def update_task(session: Session, actor: Actor, task_id: str, changes: dict[str, Any]) -> Task:
    actor.require_manager("edit tasks", permissions.MANAGE_CLIENTS_AND_TASKS)
    task = get_task(session, actor, task_id)
    fields = _clean(session, actor, changes, task)
    for key, value in fields.items():
        setattr(task, key, value)
    audit(session, actor.account_id, actor.user_id, "task.updated", task.id, fields)
    _commit(session, task.name)
    return task


def delete_task(session: Session, actor: Actor, task_id: str) -> None:
    """Refused once time was logged to the task (archive it instead); its project assignments go with it."""
    actor.require_manager("delete tasks", permissions.MANAGE_CLIENTS_AND_TASKS)
    task = get_task(session, actor, task_id)
    if session.scalar(select(TimeEntry.id).where(TimeEntry.task_id == task.id).limit(1)):
        raise Conflict(
            f"Time has been logged to task '{task.name}'; archive it (is_active: false) instead of deleting it.",
            code="task_has_time",
        )
    for assignment in session.scalars(select(TaskAssignment).where(TaskAssignment.task_id == task.id)):
        session.delete(assignment)
    for child in session.scalars(select(Task).where(Task.parent_task_id == task.id)):
        child.parent_task_id = None
    audit(session, actor.account_id, actor.user_id, "task.deleted", task.id, {"name": task.name})
    session.delete(task)
    session.commit()
