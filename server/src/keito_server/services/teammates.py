"""Whose time and expenses a person may see and manage (inventory §1.4, ADR 0902).

Members: their own. Administrators: everyone's. Managers: everyone's, unless an administrator
has restricted them to named teammates; then their own and their teammates' only. Every read
of entries, expenses, timesheets and reports asks this module, so the rule lives in one place.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from keito_server.db.models import ManagerTeammate, User
from keito_server.domain import permissions
from keito_server.domain.errors import NotFound, PermissionDenied, RuleViolation
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page

MAX_TEAMMATES = 2000


def _restricted_to(manager_id: str) -> Any:
    return select(ManagerTeammate.teammate_id).where(ManagerTeammate.manager_id == manager_id)


def scope(actor: Actor, user_column: InstrumentedAttribute[str]) -> ColumnElement[bool] | None:
    """The condition on ``user_column`` (a ``user_id`` column) that keeps a query to the rows the
    actor may see, or None when they may see the whole workspace. One statement, no extra query."""
    if actor.is_admin:
        return None
    if not actor.is_manager:
        return user_column == actor.user_id
    teammates = _restricted_to(actor.user_id)
    return or_(user_column == actor.user_id, ~exists(teammates), user_column.in_(teammates))


def visible_user_ids(session: Session, actor: Actor) -> set[str] | None:
    """The people whose work the actor may see, or None for everyone."""
    if actor.is_admin:
        return None
    if not actor.is_manager:
        return {actor.user_id}
    ids = set(session.scalars(_restricted_to(actor.user_id)))
    return (ids | {actor.user_id}) if ids else None


def can_see(session: Session, actor: Actor, user_id: str) -> bool:
    """Whether the actor may see this person's work: one boolean query for a manager (not the
    whole teammate list)."""
    if user_id == actor.user_id or actor.is_admin:
        return True
    if not actor.is_manager:
        return False
    teammates = _restricted_to(actor.user_id)
    return bool(
        session.scalar(select(or_(~exists(teammates), exists(teammates.where(ManagerTeammate.teammate_id == user_id)))))
    )


def target_user(session: Session, actor: Actor, user_id: str | None, doing: str) -> User:
    """The person a write is for: the actor, or (managers) someone they manage."""
    if not user_id or user_id == actor.user_id:
        return actor.user
    target = get_scoped(session, User, user_id, actor.account_id, "User", field="user_id")
    actor.require_manager(doing, permissions.EDIT_TEAM_TIME)
    if not can_see(session, actor, target.id):
        raise PermissionDenied(f"You manage only your teammates, and {target.name} is not one of them.")
    if not target.is_active:
        raise RuleViolation(f"{target.name} is archived; reactivate them first.", field="user_id")
    return target


def require_team_edit(actor: Actor, owner_id: str, doing: str) -> None:
    """Changing someone else's time or expenses needs the manager's "edit team time" permission
    (reading them does not). Call after the row was found visible."""
    if owner_id != actor.user_id:
        actor.require_manager(doing, permissions.EDIT_TEAM_TIME)


def list_teammates(session: Session, actor: Actor, manager_id: str, page: Page) -> tuple[list[User], int | None]:
    """A manager's teammates; empty means the manager is not restricted. Administrators may ask
    about anyone, a manager about themselves."""
    manager = get_scoped(session, User, manager_id, actor.account_id, "User")
    if manager.id != actor.user_id:
        actor.require_admin("see other managers' teammates")
    q = (
        select(User)
        .join(ManagerTeammate, ManagerTeammate.teammate_id == User.id)
        .where(ManagerTeammate.manager_id == manager.id, User.account_id == actor.account_id)
        .order_by(User.first_name, User.last_name, User.id)
    )
    return fetch_page(session, q, page)


def set_teammates(session: Session, actor: Actor, manager_id: str, teammate_ids: list[str]) -> User:
    """Replace a manager's teammates (administrators). An empty list lifts the restriction."""
    actor.require_admin("choose a manager's teammates")
    manager = get_scoped(session, User, manager_id, actor.account_id, "User")
    if not manager.is_manager or manager.is_admin:
        raise RuleViolation(
            f"{manager.name} is not a manager (administrators always see everyone); give them the manager role first.",
            field="teammate_ids",
        )
    if len(teammate_ids) > MAX_TEAMMATES:
        raise RuleViolation(f"A manager can have at most {MAX_TEAMMATES} teammates.", field="teammate_ids")
    wanted = {tid for tid in teammate_ids if tid != manager.id}
    found = set(session.scalars(select(User.id).where(User.id.in_(wanted), User.account_id == actor.account_id)))
    if wanted - found:
        raise NotFound(f"Teammate {sorted(wanted - found)[0]}", field="teammate_ids")
    session.execute(delete(ManagerTeammate).where(ManagerTeammate.manager_id == manager.id))
    session.add_all(
        ManagerTeammate(account_id=actor.account_id, manager_id=manager.id, teammate_id=tid) for tid in sorted(wanted)
    )
    audit(session, actor.account_id, actor.user_id, "user.teammates_set", manager.id, {"teammate_ids": sorted(wanted)})
    session.commit()
    return manager
