"""People in a workspace: humans (with a login) and agents (API keys only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keito_server.db.models import Login, User
from keito_server.domain.errors import Conflict, PermissionDenied, RuleViolation, ValidationError
from keito_server.domain.ids import new_id
from keito_server.domain.permissions import check_permissions
from keito_server.services.accounts import normalize_email, valid_timezone
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page
from keito_server.services.security import hash_password

ROLES = ("member", "manager", "administrator")
USER_TYPES = ("human", "agent")
AGENT_EMAIL_DOMAIN = "agents.keito.local"


PROFILE_FIELDS = ("first_name", "last_name", "telephone", "timezone", "avatar_url")
# Fields only an administrator may set (on anyone, themselves included).
ADMIN_FIELDS = (
    "email",
    "roles",
    "is_active",
    "is_contractor",
    "has_access_to_all_future_projects",
    "weekly_capacity",
    "default_hourly_rate",
    "cost_rate",
    "manager_permissions",
)
_BOOLEANS = ("is_active", "is_contractor", "has_access_to_all_future_projects")
_SLUG = re.compile(r"[^a-z0-9._-]+")
# A week has 168 hours; weekly_capacity is in seconds.
MAX_WEEKLY_CAPACITY = 168 * 3600


@dataclass(frozen=True)
class UserFilters:
    is_active: bool | None = None
    user_type: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True)
class UserView:
    """A person as a given viewer may see them: rates are hidden from those not allowed to see
    them (cost rates: administrators; billable rates: managers and administrators; both: yourself)."""

    user: User
    show_billable_rate: bool
    show_cost_rate: bool


def view(actor: Actor, user: User) -> UserView:
    own = user.id == actor.user_id
    return UserView(user, own or actor.is_manager, own or actor.is_admin)


def _split_name(data: dict[str, Any], user_type: str) -> dict[str, Any]:
    """v1 and agents speak of ``name``; v2 of first and last name."""
    if data.get("first_name") or not data.get("name"):
        return data
    name = str(data["name"]).strip()
    data = {**data}
    if user_type == "agent" or " " not in name:
        data["first_name"] = name
    else:
        data["first_name"], data["last_name"] = name.split(" ", 1)
    return data


def _clean(data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in allowed:
        if key not in data:
            continue
        value = data[key]
        if key in ("first_name", "last_name", "telephone", "avatar_url") and isinstance(value, str):
            value = value.strip() or None
        if key == "first_name" and not value:
            raise ValidationError("first_name cannot be empty.", field="first_name")
        if key == "timezone" and value is not None and not valid_timezone(str(value)):
            raise ValidationError(
                f"timezone '{value}' is not a known IANA timezone such as Europe/London.", field="timezone"
            )
        if key == "email":
            value = normalize_email(str(value or ""))
        if key == "roles":
            value = _roles(value)
        if key == "manager_permissions" and value is not None:
            value = check_permissions(value)
        if key in _BOOLEANS and value is None:
            raise ValidationError(f"{key} must be true or false.", field=key)
        if key == "weekly_capacity" and (value is None or not 0 <= value <= MAX_WEEKLY_CAPACITY):
            raise ValidationError(
                "weekly_capacity is seconds per week, from 0 to 604800 (144000 = 40 hours).",
                field="weekly_capacity",
            )
        out[key] = value
    return out


def _email_taken(session: Session, actor: Actor, email: str, user_type: str, exclude: str = "") -> None:
    if session.scalar(
        select(User.id).where(User.account_id == actor.account_id, User.email == email, User.id != exclude)
    ):
        if user_type == "agent":
            raise Conflict(
                f"An agent user with the address {email} already exists; give the agent another name.",
                code="already_exists",
                field="first_name",
            )
        raise Conflict(f"{email} is already a member of this workspace.", code="already_exists", field="email")


def create_user(session: Session, actor: Actor, data: dict[str, Any], *, password: str | None = None) -> User:
    """Administrators add people. An agent needs only a name; it gets a placeholder email."""
    actor.require_admin("add people to the workspace")
    user_type = str(data.get("user_type") or "human").strip().lower()
    if user_type not in USER_TYPES:
        raise ValidationError("user_type must be human or agent.", field="user_type")
    data = _split_name(data, user_type)
    first = (data.get("first_name") or "").strip() or None
    if not first:
        if user_type == "agent":
            raise ValidationError("An agent user needs a name, such as review-bot-01.", field="name")
        raise ValidationError("first_name is required.", field="first_name")
    email = data.get("email")
    if not email:
        if user_type != "agent":
            raise ValidationError("email is required for a human user.", field="email")
        email = f"{_SLUG.sub('-', first.lower()).strip('-') or 'agent'}@{AGENT_EMAIL_DOMAIN}"
    fields = _clean(
        {k: v for k, v in {**data, "email": email, "first_name": first}.items() if v is not None or k == "roles"},
        PROFILE_FIELDS + ADMIN_FIELDS,
    )
    email = fields["email"]
    _email_taken(session, actor, email, user_type)
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
        user_type=user_type,
        roles=["member"],
        is_active=True,
        is_contractor=False,
        has_access_to_all_future_projects=False,
        weekly_capacity=actor.account.weekly_capacity_seconds,
    )
    for key, value in fields.items():
        setattr(user, key, value)
    session.add(user)
    audit(session, actor.account_id, actor.user_id, "user.created", user.id, {"user_type": user_type})
    try:
        session.commit()
    except IntegrityError:  # a concurrent request added the same address first
        session.rollback()
        raise Conflict(
            f"{email} is already a member of this workspace.", code="already_exists", field="email"
        ) from None
    return user


# ── reads ──────────────────────────────────────────────────────────────────────────────


def list_users(session: Session, actor: Actor, filters: UserFilters, page: Page) -> tuple[list[UserView], int | None]:
    q = select(User).where(User.account_id == actor.account_id)
    if filters.is_active is not None:
        q = q.where(User.is_active.is_(filters.is_active))
    if filters.user_type:
        user_type = filters.user_type.strip().lower()
        if user_type not in USER_TYPES:
            raise ValidationError("user_type must be human or agent.", field="user_type")
        q = q.where(User.user_type == user_type)
    if filters.updated_since is not None:
        q = q.where(User.updated_at >= filters.updated_since)
    # Harvest lists users newest first.
    rows, total = fetch_page(session, q.order_by(User.created_at.desc(), User.id.desc()), page)
    return [view(actor, u) for u in rows], total


def get_user(session: Session, actor: Actor, user_id: str) -> UserView:
    return view(actor, get_scoped(session, User, user_id, actor.account_id, "User"))


def me(actor: Actor) -> UserView:
    return view(actor, actor.user)


# ── updates ────────────────────────────────────────────────────────────────────────────


def update_user(session: Session, actor: Actor, user_id: str, changes: dict[str, Any]) -> UserView:
    """Administrators edit anyone; people edit their own name, telephone, timezone and avatar.
    Roles, rates, email and archiving are administrators' business."""
    user = get_scoped(session, User, user_id, actor.account_id, "User")
    if not actor.is_admin:
        if user.id != actor.user_id:
            raise PermissionDenied("Only administrators can edit other people's profiles.")
        forbidden = sorted(k for k in changes if k in ADMIN_FIELDS)
        if forbidden:
            raise PermissionDenied(
                f"Only administrators can change {', '.join(forbidden)}; you may edit your own "
                "first_name, last_name, telephone, timezone and avatar_url.",
                code="authorization_error",
            )
    new_type = changes.get("user_type")
    if new_type is not None and str(new_type).strip().lower() != user.user_type:
        raise RuleViolation("user_type cannot change: create a new user of the other type instead.", field="user_type")
    changes = _split_name(changes, user.user_type)
    fields = _clean(changes, PROFILE_FIELDS + ADMIN_FIELDS)
    if "email" in fields and fields["email"] != user.email:
        if user.user_type == "human":
            raise RuleViolation(
                "A person's email is their sign-in; they change it in their own account settings.", field="email"
            )
        _email_taken(session, actor, fields["email"], user.user_type, exclude=user.id)
    if fields.get("manager_permissions"):  # given names change, the rest stay; null turns all on
        fields["manager_permissions"] = {**(user.manager_permissions or {}), **fields["manager_permissions"]}
    demoted = "roles" in fields and "administrator" not in fields["roles"]
    archived = fields.get("is_active") is False
    if user.is_admin and user.is_active and (demoted or archived):
        _keep_an_administrator(session, actor, user)
    for key, value in fields.items():
        setattr(user, key, value)
    audit(session, actor.account_id, actor.user_id, "user.updated", user.id, fields)
    session.commit()
    return view(actor, user)


def _keep_an_administrator(session: Session, actor: Actor, user: User) -> None:
    others = [
        u
        for u in session.scalars(
            select(User).where(User.account_id == actor.account_id, User.is_active.is_(True), User.id != user.id)
        )
        if u.is_admin
    ]
    if not others:
        raise RuleViolation(
            "A workspace needs at least one active administrator; make someone else an administrator first.",
            field="roles",
        )


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
