"""Expenses in both dialects, with receipts: parse, call services.expenses, serialize."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from keito_server.api.common import DateRangeDep, id_name, iso
from keito_server.api.deps import CurrentActor, SessionDep, SettingsDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.expenses import ExpenseCreate, ExpenseCreateV1, ExpenseUpdate, ExpenseUpdateV1
from keito_server.services import expenses as svc
from keito_server.services.expenses import ExpenseFilters, ExpenseView

v2 = APIRouter(prefix="/api/v2/expenses", tags=["Expenses"])
v1 = APIRouter(prefix="/v1/expenses", tags=["v1 Expenses"])

V2_PREFIX = "/api/v2/expenses"
V1_PREFIX = "/v1/expenses"


def receipts_dir(settings: SettingsDep) -> Path:
    return settings.data_dir / "receipts"


ReceiptsDir = Annotated[Path, Depends(receipts_dir)]


def serialize_v2(view: ExpenseView, request: Request, prefix: str = V2_PREFIX) -> dict[str, Any]:
    e = view.expense
    receipt_url = None
    if e.receipt_path:
        receipt_url = f"{str(request.base_url).rstrip('/')}{prefix}/{e.id}/receipt"
    return {
        "id": e.id,
        "user_id": e.user_id,
        "project_id": e.project_id,
        "expense_category_id": view.category_id,
        "client_id": view.client_id,
        "user": id_name(e.user_id, view.user_name),
        "project": id_name(e.project_id, view.project_name),
        "expense_category": id_name(view.category_id, view.category_name),
        "spent_date": e.spent_date.isoformat(),
        "total_cost": e.total_cost,
        "units": e.units,
        "unit_price": e.unit_price,
        "notes": e.notes,
        "billable": e.billable,
        "receipt_file_name": e.receipt_file_name,
        "receipt_content_type": e.receipt_content_type,
        "receipt_url": receipt_url,
        "is_locked": view.is_locked,
        "is_billed": e.is_billed,
        "invoice_id": e.invoice_id,
        "approval_status": e.approval_status,
        "is_unpriced": view.is_unpriced,
        "cost_breakdown": view.cost_breakdown,
        "source": e.source,
        "metadata": e.metadata_,
        "created_at": iso(e.created_at),
        "updated_at": iso(e.updated_at),
    }


def serialize_v1(view: ExpenseView, request: Request) -> dict[str, Any]:
    body = serialize_v2(view, request, V1_PREFIX)
    body["is_billable"] = body.pop("billable")
    return body


class ListFilters:
    def __init__(
        self,
        dates: DateRangeDep,
        user_id: str | None = None,
        client_id: str | None = None,
        project_id: str | None = None,
        expense_category_id: Annotated[str | None, Query(description="A category id or cat_llm_usage.")] = None,
        is_billed: bool | None = None,
        billable: bool | None = None,
        source: Annotated[str | None, Query(description="Comma-separated, e.g. agent,cli.")] = None,
        session_id: Annotated[str | None, Query(description="metadata.session_id equals.")] = None,
        agent_id: Annotated[str | None, Query(description="metadata.agent_id equals.")] = None,
        approval_status: str | None = None,
        is_unpriced: Annotated[bool | None, Query(description="Only expenses that still need a price.")] = None,
    ) -> None:
        self.value = ExpenseFilters(
            user_id=user_id,
            client_id=client_id,
            project_id=project_id,
            expense_category_id=expense_category_id,
            is_billed=is_billed,
            date_from=dates.date_from,
            date_to=dates.date_to,
            updated_since=dates.updated_since,
            source=source,
            session_id=session_id,
            agent_id=agent_id,
            approval_status=approval_status,
            is_unpriced=is_unpriced,
            billable=billable,
        )


Filters = Annotated[ListFilters, Depends()]
ReceiptUpload = Annotated[UploadFile, File(description="PNG, JPEG, GIF or PDF, at most 10 MB.")]


def _read_upload(upload: UploadFile) -> bytes:
    # One byte past the limit is enough for the service to say the file is too large.
    return upload.file.read(svc.MAX_RECEIPT_BYTES + 1)


def _file(found: svc.ReceiptFile) -> FileResponse:
    return FileResponse(
        found.path,
        media_type=found.content_type,
        filename=found.file_name,
        content_disposition_type="inline",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


# ── v2 ─────────────────────────────────────────────────────────────────────────────────


@v2.get("", operation_id="listExpenses", summary="List expenses")
def list_v2(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    views, total = svc.list_expenses(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "expenses", [serialize_v2(v, request) for v in views], total or 0))


@v2.post("", operation_id="createExpense", summary="Create an expense", status_code=201)
def create_v2(request: Request, body: ExpenseCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    view = svc.create_expense(session, actor, body.model_dump(exclude_unset=True))
    return JSON(serialize_v2(view, request), status_code=201)


@v2.get("/{id}", operation_id="getExpense", summary="Get an expense")
def get_v2(id: str, request: Request, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.get_expense(session, actor, id), request))


@v2.patch("/{id}", operation_id="updateExpense", summary="Update an expense")
def update_v2(id: str, request: Request, body: ExpenseUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    view = svc.update_expense(session, actor, id, body.model_dump(exclude_unset=True))
    return JSON(serialize_v2(view, request))


@v2.delete("/{id}", operation_id="deleteExpense", summary="Delete an expense", status_code=204)
def delete_v2(id: str, session: SessionDep, actor: CurrentActor, folder: ReceiptsDir) -> Response:
    svc.delete_expense(session, actor, id, folder)
    return Response(status_code=204)


@v2.post("/{id}/receipt", operation_id="uploadExpenseReceipt", summary="Attach or replace an expense's receipt")
def upload_receipt_v2(
    id: str, request: Request, receipt: ReceiptUpload, session: SessionDep, actor: CurrentActor, folder: ReceiptsDir
) -> JSON:
    view = svc.attach_receipt(session, actor, id, receipt.filename, _read_upload(receipt), folder)
    return JSON(serialize_v2(view, request))


@v2.get("/{id}/receipt", operation_id="getExpenseReceipt", summary="Download an expense's receipt")
def get_receipt_v2(id: str, session: SessionDep, actor: CurrentActor, folder: ReceiptsDir) -> FileResponse:
    return _file(svc.receipt_file(session, actor, id, folder))


@v2.delete("/{id}/receipt", operation_id="deleteExpenseReceipt", summary="Remove an expense's receipt", status_code=204)
def delete_receipt_v2(id: str, session: SessionDep, actor: CurrentActor, folder: ReceiptsDir) -> Response:
    svc.remove_receipt(session, actor, id, folder)
    return Response(status_code=204)


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


def _v1_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "is_billable" in data:
        data["billable"] = data.pop("is_billable")
    return data


@v1.get("", operation_id="v1ListExpenses", summary="List expenses (v1)")
def list_v1(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]
) -> JSON:
    views, _ = svc.list_expenses(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize_v1(v, request) for v in views]))


@v1.post("", operation_id="v1CreateExpense", summary="Create an expense (v1)", status_code=201)
def create_v1(request: Request, body: ExpenseCreateV1, session: SessionDep, actor: CurrentActor) -> JSON:
    view = svc.create_expense(session, actor, _v1_fields(body.model_dump(exclude_unset=True)))
    return JSON(serialize_v1(view, request), status_code=201)


@v1.get("/{id}", operation_id="v1GetExpense", summary="Get an expense (v1)")
def get_v1(id: str, request: Request, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v1(svc.get_expense(session, actor, id), request))


@v1.patch("/{id}", operation_id="v1UpdateExpense", summary="Update an expense (v1)")
def update_v1(id: str, request: Request, body: ExpenseUpdateV1, session: SessionDep, actor: CurrentActor) -> JSON:
    view = svc.update_expense(session, actor, id, _v1_fields(body.model_dump(exclude_unset=True)))
    return JSON(serialize_v1(view, request))


@v1.delete("/{id}", operation_id="v1DeleteExpense", summary="Delete an expense (v1)", status_code=204)
def delete_v1(id: str, session: SessionDep, actor: CurrentActor, folder: ReceiptsDir) -> Response:
    svc.delete_expense(session, actor, id, folder)
    return Response(status_code=204)


@v1.post("/{id}/receipt", operation_id="v1UploadExpenseReceipt", summary="Attach or replace a receipt (v1)")
def upload_receipt_v1(
    id: str, request: Request, receipt: ReceiptUpload, session: SessionDep, actor: CurrentActor, folder: ReceiptsDir
) -> JSON:
    view = svc.attach_receipt(session, actor, id, receipt.filename, _read_upload(receipt), folder)
    return JSON(serialize_v1(view, request))


@v1.get("/{id}/receipt", operation_id="v1GetExpenseReceipt", summary="Download a receipt (v1)")
def get_receipt_v1(id: str, session: SessionDep, actor: CurrentActor, folder: ReceiptsDir) -> FileResponse:
    return _file(svc.receipt_file(session, actor, id, folder))


@v1.delete("/{id}/receipt", operation_id="v1DeleteExpenseReceipt", summary="Remove a receipt (v1)", status_code=204)
def delete_receipt_v1(id: str, session: SessionDep, actor: CurrentActor, folder: ReceiptsDir) -> Response:
    svc.remove_receipt(session, actor, id, folder)
    return Response(status_code=204)
