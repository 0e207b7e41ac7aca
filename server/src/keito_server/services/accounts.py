"""Workspaces: creation with their defaults (tasks, expense categories, LLM Usage), settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from keito_server.db.models import Account, ExpenseCategory, Login, Task, User
from keito_server.domain.durations import ROUNDING_CHOICES
from keito_server.domain.errors import NotFound, ValidationError
from keito_server.domain.ids import new_id
from keito_server.services.context import Actor
from keito_server.services.security import hash_password

DEFAULT_TASKS = ("Development", "Code Review", "Design", "Project Management")
# (name, unit name, unit price): the inventory's defaults; unit-based when a unit name is set.
DEFAULT_EXPENSE_CATEGORIES: tuple[tuple[str, str | None, Decimal | None], ...] = (
    ("Meals & Entertainment", None, None),
    ("Transportation", None, None),
    ("Lodging", None, None),
    ("Mileage", "mile", Decimal("0.67")),
    ("Software & Subscriptions", None, None),
    ("Office Supplies", None, None),
)
LLM_USAGE_NAME = "LLM Usage"
LLM_USAGE_UNIT = "1k tokens"
LLM_USAGE_BUILTIN = "llm_usage"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIMEZONES: set[str] | None = None


def valid_timezone(tz: str) -> bool:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = available_timezones() | {"UTC"}
    return tz in _TIMEZONES


def create_workspace(
    session: Session,
    *,
    name: str,
    admin_email: str,
    admin_password: str | None,
    first_name: str | None = None,
    last_name: str | None = None,
    timezone: str = "UTC",
    currency: str = "USD",
) -> tuple[Account, User]:
    """A new workspace with its administrator. The caller commits."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the workspace a name.", field="name")
    if not valid_timezone(timezone):
        raise ValidationError(f"'{timezone}' is not a known IANA timezone.", field="timezone")
    currency = (currency or "USD").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError("currency must be a 3-letter ISO code such as USD.", field="currency")
    email = normalize_email(admin_email)
    account = Account(id=new_id("account"), name=name, timezone=timezone, currency=currency)
    session.add(account)
    login = session.scalar(select(Login).where(Login.email == email))
    if login is None:
        login = Login(
            id=new_id("login"),
            email=email,
            password_hash=hash_password(admin_password) if admin_password else None,
        )
        session.add(login)
    admin = User(
        id=new_id("user"),
        account_id=account.id,
        login_id=login.id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        user_type="human",
        roles=["administrator", "manager", "member"],
        has_access_to_all_future_projects=True,
    )
    session.add(admin)
    for task_name in DEFAULT_TASKS:
        session.add(Task(id=new_id("task"), account_id=account.id, name=task_name, is_default=True))
    for cat_name, unit, price in DEFAULT_EXPENSE_CATEGORIES:
        session.add(
            ExpenseCategory(
                id=new_id("expense_category"),
                account_id=account.id,
                name=cat_name,
                unit_name=unit,
                unit_price=price,
            )
        )
    session.add(
        ExpenseCategory(
            id=new_id("expense_category"),
            account_id=account.id,
            name=LLM_USAGE_NAME,
            unit_name=LLM_USAGE_UNIT,
            unit_price=None,  # priced from the model until an administrator sets a price
            builtin=LLM_USAGE_BUILTIN,
        )
    )
    session.flush()
    return account, admin


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise ValidationError(f"'{email}' is not an email address.", field="email")
    return email


def get_account(session: Session, account_id: str) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("Account")
    return account


SETTINGS_FIELDS = {
    "name",
    "timezone",
    "currency",
    "week_start",
    "rounding_minutes",
    "lock_after_days",
    "allow_past_timer_starts",
    "require_notes",
    "feature_expenses",
    "feature_invoicing",
    "feature_approvals",
    "usd_exchange_rate",
    "weekly_capacity_seconds",
    "invoice_number_pattern",
    "next_invoice_number",
}


def update_settings(session: Session, actor: Actor, changes: dict[str, Any]) -> Account:
    actor.require_admin("change workspace settings")
    account = session.get(Account, actor.account_id)
    assert account is not None
    unknown = set(changes) - SETTINGS_FIELDS
    if unknown:
        raise ValidationError(f"Unknown setting: {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    if "timezone" in changes and not valid_timezone(str(changes["timezone"])):
        raise ValidationError(f"'{changes['timezone']}' is not a known IANA timezone.", field="timezone")
    if "rounding_minutes" in changes and changes["rounding_minutes"] not in ROUNDING_CHOICES:
        raise ValidationError("rounding_minutes must be one of 0, 5, 6, 10, 15, 30.", field="rounding_minutes")
    if "week_start" in changes and str(changes["week_start"]).lower() not in WEEKDAYS:
        raise ValidationError("week_start must be a weekday such as monday.", field="week_start")
    if "lock_after_days" in changes and int(changes["lock_after_days"]) < 0:
        raise ValidationError("lock_after_days must be 0 (off) or more.", field="lock_after_days")
    if "currency" in changes:
        cur = str(changes["currency"]).upper()
        if len(cur) != 3 or not cur.isalpha():
            raise ValidationError("currency must be a 3-letter ISO code such as USD.", field="currency")
        changes["currency"] = cur
    for key, value in changes.items():
        setattr(account, key, value.lower() if key == "week_start" else value)
    session.commit()
    return account
