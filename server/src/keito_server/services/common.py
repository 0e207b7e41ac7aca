"""Helpers every feature uses: tenant-scoped fetch (another workspace's row is a 404), the
audit trail, and the "may this person log on this project" rule."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from keito_server.db.models import AuditEvent, Project, User, UserAssignment
from keito_server.domain.errors import PROJECT_NOT_ASSIGNED, NotFound, PermissionDenied
from keito_server.domain.ids import new_id

M = TypeVar("M")


def get_scoped(
    session: Session, model: type[M], obj_id: str | None, account_id: str, what: str, field: str | None = None
) -> M:
    """The row with this id in this workspace, or a 404 that does not say whether it exists elsewhere."""
    obj = session.get(model, obj_id) if obj_id else None
    if obj is None or getattr(obj, "account_id", None) != account_id:
        raise NotFound(what, field=field)
    return obj


def audit(
    session: Session,
    account_id: str,
    actor_id: str | None,
    action: str,
    subject_id: str,
    changes: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            id=new_id("audit"),
            account_id=account_id,
            actor_id=actor_id,
            action=action,
            subject_id=subject_id,
            changes=_jsonable(changes) if changes else None,
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def assignment_for(session: Session, project_id: str, user_id: str) -> UserAssignment | None:
    return session.scalar(
        select(UserAssignment).where(
            UserAssignment.project_id == project_id,
            UserAssignment.user_id == user_id,
            UserAssignment.is_active.is_(True),
        )
    )


def ensure_can_log(session: Session, user: User, project: Project) -> UserAssignment | None:
    """Administrators may log anywhere; everyone else needs an active assignment."""
    assignment = assignment_for(session, project.id, user.id)
    if assignment is None and not user.is_admin:
        raise PermissionDenied(
            f"{user.name} is not assigned to project '{project.name}'; ask an administrator to "
            "add them to the project team.",
            code=PROJECT_NOT_ASSIGNED,
            field="project_id",
        )
    return assignment
