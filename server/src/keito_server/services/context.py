"""Who is acting, and in which workspace. Built by api/ or web/ from credentials."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from keito_server.db.models import Account, User
from keito_server.domain.errors import PermissionDenied
from keito_server.domain.permissions import effective


@dataclass(frozen=True)
class TimeRules:
    """The workspace settings the time-entry rules read, copied from its Account."""

    timezone: str
    lock_after_days: int
    rounding_minutes: int
    require_notes: bool
    allow_past_timer_starts: bool


@dataclass(frozen=True)
class Actor:
    """``account`` and ``user`` are mapped objects. Reading one of their attributes runs
    SQLAlchemy's descriptor in Python, about 2,200 machine instructions (callgrind), and a
    time entry create read sixteen: 4.5 % of its instructions. So the ids and the workspace's
    time rules are read once per Actor (an API key's Actor lives in the auth cache, a page's
    for its request) and kept as plain values. Nothing writes an Actor's own objects: a service
    that changes the workspace loads its own copy (see services/api_keys.py)."""

    account: Account
    user: User
    api_key_id: str | None = None

    @cached_property
    def account_id(self) -> str:
        return self.account.id

    @cached_property
    def user_id(self) -> str:
        return self.user.id

    @cached_property
    def rules(self) -> TimeRules:
        a = self.account
        return TimeRules(a.timezone, a.lock_after_days, a.rounding_minutes, a.require_notes, a.allow_past_timer_starts)

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin

    @property
    def is_manager(self) -> bool:
        return self.user.is_manager

    def may(self, permission: str) -> bool:
        """A granular manager permission (domain.permissions): administrators hold them all,
        managers each one an administrator has not turned off, members none."""
        if self.is_admin:
            return True
        return self.is_manager and effective(self.user.manager_permissions)[permission]

    def require_manager(self, doing: str, permission: str | None = None) -> None:
        if not self.is_manager:
            raise PermissionDenied(f"Only managers and administrators can {doing}.")
        if permission is not None and not self.may(permission):
            raise PermissionDenied(f"An administrator has not given you permission to {doing}.")

    def require_admin(self, doing: str) -> None:
        if not self.is_admin:
            raise PermissionDenied(f"Only administrators can {doing}.")
