"""Helpers every feature uses: tenant-scoped fetch (another workspace's row is a 404), the
audit trail, and the "may this person log on this project" rule."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from keito_server.db.models import AuditEvent, Project, User, UserAssignment, utcnow
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
    """Record a write, in the caller's transaction: one INSERT, run now (no unit of work).
    It does not flush the caller's pending changes: their errors (a unique key taken, a second
    running timer) belong to the caller's commit, where the caller handles them. Safe because
    an audit row refers to nothing that could still be pending (its workspace is committed)."""
    # On the session's connection: Core, no autoflush.
    session.connection().execute(_INSERT_AUDIT, _audit_row(account_id, actor_id, action, subject_id, changes))


def _audit_row(
    account_id: str, actor_id: str | None, action: str, subject_id: str, changes: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "id": new_id("audit"),
        "account_id": account_id,
        "actor_id": actor_id,
        "action": action,
        "subject_id": subject_id,
        "changes": _jsonable(changes) if changes else None,
        "created_at": utcnow(),
    }


_INSERT_AUDIT = insert(cast(Table, AuditEvent.__table__))


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
        raise not_assigned(user.name, project.name)
    return assignment


def not_assigned(name: str, project_name: str) -> PermissionDenied:
    return PermissionDenied(
        f"{name} is not assigned to project '{project_name}'; ask an administrator to add them to the project team.",
        code=PROJECT_NOT_ASSIGNED,
        field="project_id",
    )
