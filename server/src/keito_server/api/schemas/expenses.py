"""Expense and expense category request bodies for both dialects."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt

from keito_server.api.schemas.common import Amount, Body, Id, Metadata, Name, SpentDate, Text

Units = Annotated[StrictInt, Field(ge=1, le=1_000_000_000, description="Integer, 1 or more.")]
UnitName = Annotated[str, Field(min_length=1, max_length=50)]


class ExpenseCreate(Body):
    project_id: Id
    expense_category_id: Id = Field(description="A category id, or cat_llm_usage for LLM Usage.")
    spent_date: SpentDate
    user_id: Id | None = Field(None, description="Managers can log expenses for other people.")
    total_cost: Amount | None = Field(None, description="Either total_cost or units required.")
    units: Units | None = Field(None, description="Either total_cost or units required.")
    notes: Text | None = None
    billable: StrictBool | None = None
    source: str | None = Field(None, description="web, cli, api or agent")
    metadata: Metadata = None


class ExpenseCreateV1(Body):
    """v1: ``is_billable`` instead of ``billable``; ``unit_price`` accepted (units × unit_price)."""

    project_id: Id
    expense_category_id: Id
    spent_date: SpentDate
    user_id: Id | None = None
    total_cost: Amount | None = None
    units: Units | None = None
    unit_price: Amount | None = None
    notes: Text | None = None
    is_billable: StrictBool | None = None
    source: str | None = None
    metadata: Metadata = None


class ExpenseUpdate(Body):
    project_id: Id | None = None
    expense_category_id: Id | None = None
    spent_date: SpentDate | None = None
    total_cost: Amount | None = Field(None, description="null returns the total to the pricing rules.")
    units: Units | None = None
    notes: Text | None = None
    billable: StrictBool | None = None
    metadata: Metadata = Field(None, description="Merged into existing metadata. Set to null to clear.")
    source: str | None = Field(None, description="Immutable: only the current value is accepted.")


class ExpenseUpdateV1(ExpenseUpdate):
    unit_price: Amount | None = None
    is_billable: StrictBool | None = None


class ExpenseCategoryCreate(Body):
    name: Name
    unit_name: UnitName | None = Field(None, description="Set for a unit-based category, e.g. 'mile'.")
    unit_price: Amount | None = Field(None, description="Price per unit; needs unit_name.")
    is_active: StrictBool | None = None
    billable_by_default: StrictBool | None = None


class ExpenseCategoryUpdate(Body):
    name: Name | None = None
    unit_name: UnitName | None = None
    unit_price: Amount | None = None
    is_active: StrictBool | None = None
    billable_by_default: StrictBool | None = None
