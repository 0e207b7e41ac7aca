"""Expense categories: list, get, create, update (decisions §4, inventory §1.13).

The built-in LLM Usage category is a row like any other (``builtin = 'llm_usage'``, its own
id); callers may name it by the alias ``cat_llm_usage`` in every workspace, and the API shows
it under that alias. The alias never leaks into the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keito_server.db.models import ExpenseCategory as ExpenseCategory  # re-exported for api/
from keito_server.domain.errors import NotFound, RuleViolation, ValidationError
from keito_server.domain.ids import new_id
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page

LLM_USAGE_ALIAS = "cat_llm_usage"
LLM_USAGE_BUILTIN = "llm_usage"


@dataclass(frozen=True)
class CategoryFilters:
    is_active: bool | None = None
    updated_since: datetime | None = None


def public_id(category: ExpenseCategory) -> str:
    """The id the API shows: the alias for LLM Usage, the row's id otherwise."""
    return LLM_USAGE_ALIAS if category.builtin == LLM_USAGE_BUILTIN else category.id


def is_llm_usage(category: ExpenseCategory) -> bool:
    return category.builtin == LLM_USAGE_BUILTIN


def resolve(session: Session, account_id: str, category_id: str | None, field: str | None = None) -> ExpenseCategory:
    """The category named by ``category_id`` (or the alias) in this workspace, else a 404."""
    if category_id == LLM_USAGE_ALIAS:
        found = session.scalar(
            select(ExpenseCategory).where(
                ExpenseCategory.account_id == account_id, ExpenseCategory.builtin == LLM_USAGE_BUILTIN
            )
        )
        if found is None:
            raise NotFound("Expense category", field=field)
        return found
    return get_scoped(session, ExpenseCategory, category_id, account_id, "Expense category", field=field)


def list_categories(
    session: Session, actor: Actor, filters: CategoryFilters, page: Page
) -> tuple[list[ExpenseCategory], int | None]:
    q = select(ExpenseCategory).where(ExpenseCategory.account_id == actor.account_id)
    if filters.is_active is not None:
        q = q.where(ExpenseCategory.is_active.is_(filters.is_active))
    if filters.updated_since is not None:
        q = q.where(ExpenseCategory.updated_at >= filters.updated_since)
    return fetch_page(session, q.order_by(ExpenseCategory.name, ExpenseCategory.id), page)


def get_category(session: Session, actor: Actor, category_id: str) -> ExpenseCategory:
    return resolve(session, actor.account_id, category_id)


def create_category(session: Session, actor: Actor, data: dict[str, Any]) -> ExpenseCategory:
    actor.require_manager("manage expense categories")
    name = _name(data.get("name"))
    _unique(session, actor.account_id, name, None)
    unit_name, unit_price = data.get("unit_name"), data.get("unit_price")
    _check_unit(unit_name, unit_price)
    category = ExpenseCategory(
        id=new_id("expense_category"),
        account_id=actor.account_id,
        name=name,
        unit_name=unit_name or None,
        unit_price=unit_price,
        is_active=True if data.get("is_active") is None else bool(data["is_active"]),
        billable_by_default=True if data.get("billable_by_default") is None else bool(data["billable_by_default"]),
    )
    session.add(category)
    audit(session, actor.account_id, actor.user_id, "expense_category.created", category.id, data)
    session.commit()
    return category


def update_category(session: Session, actor: Actor, category_id: str, changes: dict[str, Any]) -> ExpenseCategory:
    """Changes apply to new expenses only: existing expenses keep the total they were given."""
    category = resolve(session, actor.account_id, category_id)
    actor.require_manager("manage expense categories")
    if "name" in changes:
        name = _name(changes["name"])
        if category.builtin and name != category.name:
            raise RuleViolation("The built-in LLM Usage category cannot be renamed.", field="name")
        _unique(session, actor.account_id, name, category.id)
        category.name = name
    if "unit_name" in changes:
        if category.builtin and changes["unit_name"] != category.unit_name:
            raise RuleViolation("LLM Usage is always counted in units of 1k tokens.", field="unit_name")
        category.unit_name = changes["unit_name"] or None
    if "unit_price" in changes:
        category.unit_price = changes["unit_price"]
    _check_unit(category.unit_name, category.unit_price)
    for key in ("is_active", "billable_by_default"):
        if key in changes:
            if changes[key] is None:
                raise ValidationError(f"{key} must be true or false.", field=key)
            setattr(category, key, bool(changes[key]))
    audit(session, actor.account_id, actor.user_id, "expense_category.updated", category.id, changes)
    session.commit()
    return category


def _name(value: Any) -> str:
    name = (value or "").strip() if isinstance(value, str) else ""
    if not name:
        raise ValidationError("Give the category a name.", field="name")
    return name


def _unique(session: Session, account_id: str, name: str, except_id: str | None) -> None:
    clash = session.scalar(
        select(ExpenseCategory.id).where(ExpenseCategory.account_id == account_id, ExpenseCategory.name == name)
    )
    if clash is not None and clash != except_id:
        raise RuleViolation(f"There is already an expense category named '{name}'.", field="name")


def _check_unit(unit_name: str | None, unit_price: Decimal | None) -> None:
    if unit_price is not None and not unit_name:
        raise ValidationError(
            "unit_price needs a unit_name (for example 'mile'); a standard category has neither.",
            field="unit_name",
        )
