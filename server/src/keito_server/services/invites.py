"""Inviting humans: an administrator adds a person and gets a link to hand them; opening the
link and choosing a password activates the login. Only the token's SHA-256 is stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keito_server.db.models import Account, Invite, Login, User
from keito_server.domain.errors import NotFound, ValidationError
from keito_server.domain.ids import new_id
from keito_server.services import auth, users
from keito_server.services.common import audit
from keito_server.services.context import Actor
from keito_server.services.security import hash_token, verify_password

# An invite link works for this long.
INVITE_VALID_FOR = timedelta(days=14)


@dataclass(frozen=True)
class PendingInvite:
    invite: Invite
    user: User
    account: Account
    login: Login | None


def invite_person(session: Session, actor: Actor, data: dict[str, Any]) -> tuple[User, str]:
    """Add a human to the workspace and return (user, token). ``users.create_user`` checks
    that the actor is an administrator and that the email is new to the workspace."""
    data = {**data, "user_type": "human"}
    user = users.create_user(session, actor, data)
    token = secrets.token_urlsafe(32)
    session.add(Invite(id=new_id("invite"), account_id=actor.account_id, user_id=user.id, token_hash=hash_token(token)))
    audit(session, actor.account_id, actor.user_id, "user.invited", user.id)
    session.commit()
    return user, token


def find_invite(session: Session, token: str) -> PendingInvite:
    invite = session.scalar(select(Invite).where(Invite.token_hash == hash_token(token or "")))
    if invite is None or invite.accepted_at is not None:
        raise NotFound("Invitation")
    created = invite.created_at if invite.created_at.tzinfo else invite.created_at.replace(tzinfo=UTC)
    if datetime.now(UTC) - created > INVITE_VALID_FOR:
        raise NotFound("Invitation")
    user = session.get(User, invite.user_id)
    account = session.get(Account, invite.account_id)
    if user is None or account is None or not user.is_active:
        raise NotFound("Invitation")
    login = session.get(Login, user.login_id) if user.login_id else None
    return PendingInvite(invite=invite, user=user, account=account, login=login)


def accept_invite(session: Session, token: str, password: str, *, first_name: str | None = None) -> tuple[Login, User]:
    """A new login chooses its password; a person who already has a Keito login confirms it."""
    pending = find_invite(session, token)
    login = pending.login
    if login is None:
        raise NotFound("Invitation")
    if login.password_hash:
        if not verify_password(login.password_hash, password):
            raise ValidationError(
                "You already have a Keito login with this email: enter its password to join.", field="password"
            )
    else:
        auth.set_password(session, login, password)
    if first_name and not pending.user.first_name:
        pending.user.first_name = first_name.strip()
    pending.invite.accepted_at = datetime.now(UTC)
    audit(session, pending.account.id, pending.user.id, "user.invite_accepted", pending.user.id)
    session.commit()
    return login, pending.user


def pending_user_ids(session: Session, actor: Actor) -> set[str]:
    """Members whose invitation is not yet accepted (shown as Pending on the Team page)."""
    return set(
        session.scalars(
            select(Invite.user_id).where(Invite.account_id == actor.account_id, Invite.accepted_at.is_(None))
        )
    )
