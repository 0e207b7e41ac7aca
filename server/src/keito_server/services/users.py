"""People in a workspace: humans (with a login) and agents (API keys only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keito_server.db.models import Login, User
from keito_server.domain.errors import Conflict, ValidationError
from keito_server.domain.ids import new_id
from keito_server.services.accounts import normalize_email
from keito_server.services.common import audit
from keito_server.services.context import Actor
from keito_server.services.security import hash_password

ROLES = ("member", "manager", "administrator")
USER_TYPES = ("human", "agent")
AGENT_EMAIL_DOMAIN = "agents.keito.local"


def create_user(session: Session, actor: Actor, data: dict[str, Any], *, password: str | None = None) -> User:
    """Administrators add people. An agent needs only a name; it gets a placeholder email."""
    actor.require_admin("add people to the workspace")
    user_type = (data.get("user_type") or "human").lower()
    if user_type not in USER_TYPES:
        raise ValidationError("user_type must be human or agent.", field="user_type")
    first = (data.get("first_name") or data.get("name") or "").strip() or None
    if user_type == "agent" and not first:
        raise ValidationError("An agent user needs a name (first_name), such as review-bot-01.", field="first_name")
    email = data.get("email") or (f"{first}@{AGENT_EMAIL_DOMAIN}" if user_type == "agent" else None)
    if not email:
        raise ValidationError("email is required for a human user.", field="email")
    email = normalize_email(str(email).replace(" ", "-") if user_type == "agent" else email)
    if session.scalar(select(User.id).where(User.account_id == actor.account_id, User.email == email)):
        raise Conflict(f"{email} is already a member of this workspace.", code="already_exists", field="email")
    roles = _roles(data.get("roles"))
    login_id = None
    if user_type == "human":
        login = session.scalar(select(Login).where(Login.email == email))
        if login is None:
            login = Login(id=new_id("login"), email=email, password_hash=hash_password(password) if password else None)
            session.add(login)
            session.flush()
        login_id = login.id
    user = User(
        id=new_id("user"),
        account_id=actor.account_id,
        login_id=login_id,
        email=email,
        first_name=first,
        last_name=data.get("last_name"),
        user_type=user_type,
        roles=roles,
    )
    for key in (
        "telephone",
        "timezone",
        "is_contractor",
        "has_access_to_all_future_projects",
        "weekly_capacity",
        "default_hourly_rate",
        "cost_rate",
        "avatar_url",
        "is_active",
    ):
        if data.get(key) is not None:
            setattr(user, key, data[key])
    session.add(user)
    audit(session, actor.account_id, actor.user_id, "user.created", user.id, {"user_type": user_type})
    session.commit()
    return user


def _roles(value: Any) -> list[str]:
    if value is None:
        return ["member"]
    if isinstance(value, str):
        value = [value]
    roles = [str(r).lower() for r in value]
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise ValidationError(f"roles must be from {', '.join(ROLES)}.", field="roles")
    if "administrator" in roles and "manager" not in roles:
        roles.append("manager")
    if "member" not in roles:
        roles.append("member")
    return sorted(set(roles), key=ROLES.index, reverse=True)
