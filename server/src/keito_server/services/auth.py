"""Web sign-in: sign up, log in (throttled in the database), password change, and the
session -> Actor lookup. Owns password rules; never sees HTTP or cookies.

Agents cannot log in: they have no Login row, only API keys. A Login may belong to several
workspaces (one User per workspace); the web app asks which one when there is a choice.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from keito_server.db.models import Account, Login, LoginAttempt, User
from keito_server.domain.errors import AuthenticationError, RateLimited, ValidationError
from keito_server.services import accounts
from keito_server.services.context import Actor
from keito_server.services.security import hash_password, verify_password

# At most this many failed log-ins per email within the window; then log-in waits.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything, but a megabyte password is an attack
# Verified against when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = hash_password("keito-dummy-password")


def check_new_password(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError("That password is too long.", field=field)


def fingerprint(login: Login) -> str:
    """A short digest of the password hash, kept in the session: changing the password ends
    every other session (their fingerprint no longer matches)."""
    return hashlib.sha256((login.password_hash or "").encode()).hexdigest()[:16]


def sign_up(
    session: Session,
    *,
    company: str,
    email: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    timezone: str = "UTC",
    currency: str = "USD",
) -> tuple[Account, User, Login]:
    """A new workspace and its administrator. An email that already has a login may create
    another workspace only with that login's password."""
    email = accounts.normalize_email(email)
    existing = session.scalar(select(Login).where(Login.email == email))
    if existing is not None:
        if not verify_password(existing.password_hash, password):
            raise ValidationError(
                "This email already has a Keito login. Enter its password to add a workspace, or log in.",
                field="email",
            )
    else:
        check_new_password(password)
    account, admin = accounts.create_workspace(
        session,
        name=company,
        admin_email=email,
        admin_password=password,
        first_name=(first_name or "").strip() or None,
        last_name=(last_name or "").strip() or None,
        timezone=timezone or "UTC",
        currency=currency or "USD",
    )
    login = session.scalar(select(Login).where(Login.email == email))
    assert login is not None
    session.commit()
    return account, admin, login


def log_in(session: Session, email: str, password: str, ip: str | None = None) -> Login:
    """The login for these credentials; failures are counted per email in the database, so
    the limit holds across server processes."""
    email = (email or "").strip().lower()
    since = datetime.now(UTC) - FAILURE_WINDOW
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == email, LoginAttempt.attempted_at >= since)
    )
    if (failures or 0) >= MAX_FAILURES:
        raise RateLimited(
            "Too many failed log-ins for this email. Wait 15 minutes, then try again.",
            retry_after=int(FAILURE_WINDOW.total_seconds()),
        )
    login = session.scalar(select(Login).where(Login.email == email)) if email else None
    ok = verify_password(login.password_hash if login else _DUMMY_HASH, password or "")
    if login is None or not ok or not _active_users(session, login.id):
        session.add(LoginAttempt(email=email[:254], ip=(ip or "")[:64] or None))
        session.commit()
        raise AuthenticationError("That email and password do not match an active Keito login.")
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    session.commit()
    return login


def _active_users(session: Session, login_id: str) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Account, Account.id == User.account_id)
            .where(User.login_id == login_id, User.is_active.is_(True), User.user_type == "human")
            .order_by(Account.name)
        )
    )


def workspaces(session: Session, login_id: str) -> list[tuple[Account, User]]:
    """Every workspace this login may open, by name."""
    rows = session.execute(
        select(Account, User)
        .join(User, User.account_id == Account.id)
        .where(User.login_id == login_id, User.is_active.is_(True), User.user_type == "human")
        .order_by(Account.name)
    ).all()
    return [(a, u) for a, u in rows]


def actor_for_login(
    session: Session, login_id: str, account_id: str | None, session_fingerprint: str
) -> Actor | list[tuple[Account, User]] | None:
    """The Actor for a web session. ``None``: the session is no longer valid (password changed,
    login removed, no workspace left). A list: several workspaces and none chosen."""
    login = session.get(Login, login_id)
    if login is None or fingerprint(login) != session_fingerprint:
        return None
    choices = workspaces(session, login_id)
    if not choices:
        return None
    for account, user in choices:
        if account.id == account_id:
            return Actor(account=account, user=user)
    if len(choices) == 1:
        return Actor(account=choices[0][0], user=choices[0][1])
    return choices


def default_account_id(session: Session, login_id: str) -> str | None:
    """The workspace to open right after log-in: the only one, or none (ask)."""
    choices = workspaces(session, login_id)
    return choices[0][0].id if len(choices) == 1 else None


def change_password(session: Session, actor: Actor, current: str, new: str, confirm: str | None = None) -> Login:
    login = session.get(Login, actor.user.login_id) if actor.user.login_id else None
    if login is None:
        raise ValidationError("This user has no login (agents use API keys).")
    if not verify_password(login.password_hash, current or ""):
        raise ValidationError("Your current password is not right.", field="current_password")
    check_new_password(new, field="new_password")
    if confirm is not None and confirm != new:
        raise ValidationError("The two new passwords differ.", field="confirm_password")
    login.password_hash = hash_password(new)
    session.commit()
    return login


def set_password(session: Session, login: Login, new: str) -> None:
    """Used by invite acceptance. The caller commits."""
    check_new_password(new)
    login.password_hash = hash_password(new)
