"""Who is acting, and in which workspace. Built by api/ or web/ from credentials."""

from __future__ import annotations

from dataclasses import dataclass

from keito_server.db.models import Account, User
from keito_server.domain.errors import PermissionDenied


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

    def require_manager(self, doing: str) -> None:
        if not self.is_manager:
            raise PermissionDenied(f"Only managers and administrators can {doing}.")

    def require_admin(self, doing: str) -> None:
        if not self.is_admin:
            raise PermissionDenied(f"Only administrators can {doing}.")
