"""Expense categories in both dialects (Harvest shape, plus ``is_builtin``): parse, call
services.expense_categories, serialize. LLM Usage is shown as ``cat_llm_usage``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from keito_server.api.common import iso, parse_timestamp_param
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.expenses import ExpenseCategoryCreate, ExpenseCategoryUpdate
from keito_server.services import expense_categories as svc
from keito_server.services.expense_categories import CategoryFilters, ExpenseCategory

v2 = APIRouter(prefix="/api/v2/expense_categories", tags=["Expense Categories"])
v1 = APIRouter(prefix="/v1/expense-categories", tags=["v1 Expense Categories"])


def serialize(category: ExpenseCategory) -> dict[str, Any]:
    return {
        "id": svc.public_id(category),
        "name": category.name,
        "unit_name": category.unit_name,
        "unit_price": category.unit_price,
        "is_active": category.is_active,
        "billable_by_default": category.billable_by_default,
        "is_builtin": category.builtin is not None,
        "created_at": iso(category.created_at),
        "updated_at": iso(category.updated_at),
    }


class ListFilters:
    def __init__(
        self,
        is_active: bool | None = None,
        updated_since: Annotated[str | None, Query(description="Only categories updated since (ISO-8601).")] = None,
    ) -> None:
        self.value = CategoryFilters(
            is_active=is_active, updated_since=parse_timestamp_param(updated_since, "updated_since")
        )


Filters = Annotated[ListFilters, Depends()]


# ── v2 ─────────────────────────────────────────────────────────────────────────────────


@v2.get("", operation_id="listExpenseCategories", summary="List expense categories")
def list_v2(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    rows, total = svc.list_categories(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "expense_categories", [serialize(c) for c in rows], total or 0))


@v2.post("", operation_id="createExpenseCategory", summary="Create an expense category", status_code=201)
def create_v2(body: ExpenseCategoryCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.create_category(session, actor, body.model_dump(exclude_unset=True))), status_code=201)


@v2.get("/{id}", operation_id="getExpenseCategory", summary="Get an expense category")
def get_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.get_category(session, actor, id)))


@v2.patch("/{id}", operation_id="updateExpenseCategory", summary="Update an expense category")
def update_v2(id: str, body: ExpenseCategoryUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.update_category(session, actor, id, body.model_dump(exclude_unset=True))))


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


@v1.get("", operation_id="v1ListExpenseCategories", summary="List expense categories (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]) -> JSON:
    rows, _ = svc.list_categories(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize(c) for c in rows]))


@v1.get("/{id}", operation_id="v1GetExpenseCategory", summary="Get an expense category (v1)")
def get_v1(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.get_category(session, actor, id)))
