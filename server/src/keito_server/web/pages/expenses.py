"""Expenses: the list with filters (dates, project, client, category, billable, source), the
new/edit form (standard amount, or quantity × unit price shown live, plus a receipt), and the
detail page with the receipt and, for LLM Usage, how the cost was reached.

Every write goes through services/expenses.py (``default_source="web"``), the functions the
API calls. Receipts are stored and checked by the service (PNG, JPEG, GIF or PDF, 10 MB); a
new expense whose receipt is refused is not kept, so nothing is half-written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from keito_server.domain.errors import KeitoError, ValidationError
from keito_server.domain.timers import local_today
from keito_server.services import clients, expense_categories, expenses, projects
from keito_server.services.clients import ClientFilters
from keito_server.services.context import Actor
from keito_server.services.expense_categories import CategoryFilters
from keito_server.services.expenses import MAX_RECEIPT_BYTES, ExpenseFilters
from keito_server.services.paging import Page
from keito_server.services.projects import ProjectFilters
from keito_server.settings import Settings
from keito_server.web.deps import CurrentWebActor, SessionDep, redirect, render
from keito_server.web.pages.manage import ALL, INVALID, checked, day, decimal, errors_of, text

router = APIRouter(prefix="/expenses")

# One screen of the list; the filters narrow it (the total says how many matched).
LIST_LIMIT = 200
SOURCES = ("web", "cli", "api", "agent")
RECEIPT_ACCEPT = ".png,.jpg,.jpeg,.gif,.pdf,image/png,image/jpeg,image/gif,application/pdf"


def _receipts_dir(request: Request) -> Path:
    settings: Settings = request.app.state.settings
    return settings.data_dir / "receipts"


def _parse_filters(actor: Actor, params: dict[str, str]) -> tuple[ExpenseFilters, dict[str, str], dict[str, str]]:
    """The list's filters from the query string; a bad value is reported next to its field."""
    errors: dict[str, str] = {}
    values = {k: (params.get(k) or "").strip() for k in ("from", "to", "project_id", "client_id", "category_id")}
    values["billable"] = params.get("billable") or ""
    source = (params.get("source") or "").strip().lower()
    values["source"] = source if source in SOURCES else ""
    dates: dict[str, date | None] = {}
    for key, label in (("from", "From"), ("to", "To")):
        try:
            dates[key] = day(values[key], key, label)
        except ValidationError as exc:
            errors[key] = exc.message
            dates[key] = None
    billable = {"yes": True, "no": False}.get(values["billable"])
    filters = ExpenseFilters(
        date_from=dates["from"],
        date_to=dates["to"],
        project_id=values["project_id"] or None,
        client_id=values["client_id"] or None,
        expense_category_id=values["category_id"] or None,
        source=values["source"] or None,
        billable=billable,
    )
    return filters, values, errors


def _choices(session: Any, actor: Actor, *, active_only: bool) -> dict[str, Any]:
    pview, _ = projects.list_projects(session, actor, ProjectFilters(is_active=True if active_only else None), ALL)
    cats, _ = expense_categories.list_categories(
        session, actor, CategoryFilters(is_active=True if active_only else None), ALL
    )
    client_rows: list[Any] = []
    if actor.is_manager and not active_only:
        client_rows, _ = clients.list_clients(session, actor, ClientFilters(), ALL)
    return {
        "project_options": [(v.project.id, f"{v.client_name} · {v.project.name}") for v in pview],
        "categories": sorted(cats, key=lambda c: (c.builtin is not None, c.name.lower())),
        "category_options": [(expense_categories.public_id(c), c.name) for c in cats],
        "client_options": [(c.id, c.name) for c in client_rows],
    }


# ── list ───────────────────────────────────────────────────────────────────────────────


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@router.get("")
def expense_list(request: Request, session: SessionDep, actor: CurrentWebActor) -> Response:
    filters, values, errors = _parse_filters(actor, dict(request.query_params))
    page = _page_number(request.query_params.get("page"))
    try:
        sums = expenses.totals(session, actor, filters)
        page = min(page, max(1, -(-sums.count // LIST_LIMIT)))
        items, _ = expenses.list_expenses(
            session, actor, filters, Page(offset=(page - 1) * LIST_LIMIT, limit=LIST_LIMIT, with_total=False)
        )
    except KeitoError as exc:
        items, sums = [], expenses.ExpenseTotals(0, Decimal(0), Decimal(0), 0)
        errors.update(errors_of(exc, "category_id"))
    base_query = {k: v for k, v in values.items() if v and k != "source"}
    here = dict(base_query, **({"source": values["source"]} if values["source"] else {}))
    first = (page - 1) * LIST_LIMIT + 1
    ctx = {
        "items": items,
        "total": sums.count,
        "shown_from": first,
        "shown_to": first + len(items) - 1,
        "prev_url": f"/expenses?{urlencode({**here, 'page': page - 1})}" if page > 1 else None,
        "next_url": f"/expenses?{urlencode({**here, 'page': page + 1})}" if page * LIST_LIMIT < sums.count else None,
        "amount": sums.amount,
        "billable_amount": sums.billable_amount,
        "unpriced": sums.unpriced,
        "values": values,
        "errors": errors,
        "filtered": any(values.values()),
        "base_query": base_query,
        "currency": actor.account.currency,
        **_choices(session, actor, active_only=False),
    }
    return render(request, "expenses/list.html", ctx, status=INVALID if errors else 200)


# ── new / edit ─────────────────────────────────────────────────────────────────────────


def _expense_data(form: Any, categories: dict[str, Any]) -> dict[str, Any]:
    """The service's input from the form: an amount for a standard category, a whole-number
    quantity for a unit-based one."""
    category = categories.get(str(form.get("expense_category_id") or ""))
    if category is None:
        raise ValidationError("Choose a category.", field="expense_category_id")
    spent = day(form.get("spent_date"), "spent_date", "Date")
    if spent is None:
        raise ValidationError("Give the date of the expense.", field="spent_date")
    if not form.get("project_id"):
        raise ValidationError("Choose a project.", field="project_id")
    data: dict[str, Any] = {
        "project_id": form.get("project_id"),
        "expense_category_id": form.get("expense_category_id"),
        "spent_date": spent,
        "notes": text(form.get("notes")),
        "billable": checked(form.get("billable")),
    }
    if category.unit_name:
        raw = str(form.get("units") or "").strip()
        if not raw:
            raise ValidationError(f"Enter the quantity in {category.unit_name}s.", field="units")
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError("Quantity must be a whole number, 1 or more.", field="units")
        data["units"] = int(raw)
        if category.unit_price is None:
            # No unit price (LLM Usage by default): an amount typed here prices it.
            amount = decimal(form.get("total_cost"), "total_cost", "Amount")
            if amount is not None:
                data["total_cost"] = amount
    else:
        amount = decimal(form.get("total_cost"), "total_cost", "Amount")
        if amount is None:
            raise ValidationError("Enter the amount.", field="total_cost")
        data["total_cost"] = amount
    return data


def _form_page(
    request: Request,
    session: Any,
    actor: Actor,
    form: dict[str, Any],
    errors: dict[str, str],
    view: Any = None,
) -> Response:
    ctx = {
        "form": form,
        "errors": errors,
        "v": view,
        "currency": actor.account.currency,
        "max_mb": MAX_RECEIPT_BYTES // (1024 * 1024),
        "accept": RECEIPT_ACCEPT,
        **_choices(session, actor, active_only=True),
    }
    return render(request, "expenses/form.html", ctx, status=INVALID if errors else 200)


def _categories_by_id(session: Any, actor: Actor) -> dict[str, Any]:
    cats, _ = expense_categories.list_categories(session, actor, CategoryFilters(), ALL)
    out = {c.id: c for c in cats}
    out.update({expense_categories.public_id(c): c for c in cats})
    return out


async def _upload(form: Any) -> tuple[str | None, bytes | None]:
    file = form.get("receipt")
    if not isinstance(file, UploadFile) or not file.filename:
        return None, None
    content = await file.read(MAX_RECEIPT_BYTES + 1)
    return file.filename, content


def _strings(form: Any) -> dict[str, Any]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


@router.get("/new")
def expense_new(request: Request, session: SessionDep, actor: CurrentWebActor, project_id: str = "") -> Response:
    form = {"spent_date": local_today(actor.account.timezone).isoformat(), "billable": "1", "project_id": project_id}
    return _form_page(request, session, actor, form, {})


@router.post("/new")
async def expense_create(request: Request, session: SessionDep, actor: CurrentWebActor) -> Response:
    raw = await request.form()
    form = _strings(raw)
    try:
        data = _expense_data(form, _categories_by_id(session, actor))
        file_name, content = await _upload(raw)
        view = expenses.create_expense(session, actor, data, default_source="web")
    except KeitoError as exc:
        session.rollback()
        return _form_page(request, session, actor, form, errors_of(exc, "total_cost"))
    if content is not None:
        try:
            expenses.attach_receipt(session, actor, view.expense.id, file_name, content, _receipts_dir(request))
        except KeitoError as exc:
            session.rollback()
            # The receipt was refused: do not keep an expense the person did not mean to save.
            expenses.delete_expense(session, actor, view.expense.id, _receipts_dir(request))
            return _form_page(request, session, actor, form, {"receipt": exc.message})
    return redirect(f"/expenses/{view.expense.id}", request, flash="Expense saved.")


@router.get("/{expense_id}")
def expense_detail(request: Request, session: SessionDep, actor: CurrentWebActor, expense_id: str) -> Response:
    view = expenses.get_expense(session, actor, expense_id)
    category = _categories_by_id(session, actor).get(view.expense.expense_category_id)
    ctx = {
        "v": view,
        "e": view.expense,
        "b": view.cost_breakdown,
        "category": category,
        "metadata": view.expense.metadata_ or {},
        "currency": actor.account.currency,
        "accept": RECEIPT_ACCEPT,
        "max_mb": MAX_RECEIPT_BYTES // (1024 * 1024),
        "errors": {},
    }
    return render(request, "expenses/detail.html", ctx)


@router.get("/{expense_id}/edit")
def expense_edit(request: Request, session: SessionDep, actor: CurrentWebActor, expense_id: str) -> Response:
    view = expenses.get_expense(session, actor, expense_id)
    e = view.expense
    if view.is_locked:
        return redirect(f"/expenses/{expense_id}", request, error="This expense is locked and cannot be edited.")
    form = {
        "project_id": e.project_id,
        "expense_category_id": view.category_id,
        "spent_date": e.spent_date.isoformat(),
        "notes": e.notes,
        "billable": "1" if e.billable else "",
        "units": e.units,
        # Only an amount someone typed comes back; a computed or unpriced total is not pinned.
        "total_cost": e.total_cost if e.pricing_method == "manual" else None,
    }
    return _form_page(request, session, actor, form, {}, view)


@router.post("/{expense_id}/edit")
async def expense_update(request: Request, session: SessionDep, actor: CurrentWebActor, expense_id: str) -> Response:
    view = expenses.get_expense(session, actor, expense_id)
    raw = await request.form()
    form = _strings(raw)
    try:
        data = _expense_data(form, _categories_by_id(session, actor))
        if "units" in data:
            data.setdefault("total_cost", None)  # a quantity: the category prices it unless an amount is given
        elif view.expense.units is not None:
            data["units"] = None
        expenses.update_expense(session, actor, expense_id, data)
    except KeitoError as exc:
        session.rollback()
        return _form_page(request, session, actor, form, errors_of(exc, "total_cost"), view)
    file_name, content = await _upload(raw)
    if content is not None:
        try:
            expenses.attach_receipt(session, actor, expense_id, file_name, content, _receipts_dir(request))
        except KeitoError as exc:
            session.rollback()
            return redirect(
                f"/expenses/{expense_id}", request, error=f"Expense updated, but the receipt was refused: {exc.message}"
            )
    return redirect(f"/expenses/{expense_id}", request, flash="Expense updated.")


@router.post("/{expense_id}/delete")
def expense_delete(request: Request, session: SessionDep, actor: CurrentWebActor, expense_id: str) -> Response:
    try:
        expenses.delete_expense(session, actor, expense_id, _receipts_dir(request))
    except KeitoError as exc:
        session.rollback()
        return redirect(f"/expenses/{expense_id}", request, error=exc.message)
    return redirect("/expenses", request, flash="Expense deleted.")


# ── receipts ───────────────────────────────────────────────────────────────────────────


@router.get("/{expense_id}/receipt")
def receipt_download(request: Request, session: SessionDep, actor: CurrentWebActor, expense_id: str) -> Response:
    """The receipt, only for those who may see the expense (the service decides)."""
    found = expenses.receipt_file(session, actor, expense_id, _receipts_dir(request))
    return FileResponse(
        found.path,
        media_type=found.content_type,
        filename=found.file_name,
        content_disposition_type="inline",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.post("/{expense_id}/receipt")
async def receipt_upload(request: Request, session: SessionDep, actor: CurrentWebActor, expense_id: str) -> Response:
    file_name, content = await _upload(await request.form())
    try:
        if content is None:
            raise ValidationError("Choose a file to upload.", field="receipt")
        expenses.attach_receipt(session, actor, expense_id, file_name, content, _receipts_dir(request))
    except KeitoError as exc:
        session.rollback()
        return redirect(f"/expenses/{expense_id}", request, error=exc.message)
    return redirect(f"/expenses/{expense_id}", request, flash="Receipt attached.")


@router.post("/{expense_id}/receipt/remove")
def receipt_remove(request: Request, session: SessionDep, actor: CurrentWebActor, expense_id: str) -> Response:
    try:
        expenses.remove_receipt(session, actor, expense_id, _receipts_dir(request))
    except KeitoError as exc:
        session.rollback()
        return redirect(f"/expenses/{expense_id}", request, error=exc.message)
    return redirect(f"/expenses/{expense_id}", request, flash="Receipt removed.")
