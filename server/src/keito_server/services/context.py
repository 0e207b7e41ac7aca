"""Who is acting, and in which workspace. Built by api/ or web/ from credentials."""

from __future__ import annotations

from dataclasses import dataclass

from keito_server.db.models import Account, User
from keito_server.domain.errors import PermissionDenied
from keito_server.domain.permissions import effective


@dataclass(frozen=True)
class Actor:
    account: Account
    user: User
    api_key_id: str | None = None

    @property
    def account_id(self) -> str:
        return self.account.id

    @property
    def user_id(self) -> str:
        return self.user.id

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
