"""Who is acting, and in which workspace. Built by api/ or web/ from credentials."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
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
class Person:
    """What logging time reads of the person it is for, copied from their User."""

    id: str
    name: str
    is_admin: bool
    default_hourly_rate: Decimal | None
    cost_rate: Decimal | None

    @classmethod
    def of(cls, user: User) -> Person:
        return cls(user.id, user.name, user.is_admin, user.default_hourly_rate, user.cost_rate)


@dataclass(frozen=True)
class Actor:
    """``account`` and ``user`` are mapped objects. Reading one of their attributes runs
    SQLAlchemy's descriptor in Python, about 2,400 machine instructions (callgrind), and a
    time entry create read sixteen: 4.5 % of its instructions. So the ids, the workspace's time
    rules and what logging time reads of the person are read once per Actor (an API key's
    Actor lives in the auth cache, a page's for its request) and kept as plain values, read
    when first asked for. An API key's Actor is dropped from the auth cache when a commit in its
    process changes a workspace or a person (services/api_keys.py), so a change is seen as soon
    as the Account and User themselves were; a page's Actor lives for one request, and no request
    logs time after it has changed its own workspace's rules or its own person."""

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
    def person(self) -> Person:
        return Person.of(self.user)

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
