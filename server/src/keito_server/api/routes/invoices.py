"""Invoices, invoice messages and payments in both dialects: parse, call services.invoices, serialize."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from keito_server.api.common import DateRangeDep, id_name, iso
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.invoices import InvoiceCreate, InvoiceMessageCreate, InvoiceUpdate, PaymentCreate
from keito_server.services import invoices as svc
from keito_server.services.invoices import InvoiceFilters, InvoiceView

v2 = APIRouter(prefix="/api/v2/invoices", tags=["Invoices"])
v1 = APIRouter(prefix="/v1/invoices", tags=["v1 Invoices"])


def serialize_invoice(view: InvoiceView) -> dict[str, Any]:
    i = view.invoice
    creator = view.creator
    return {
        "id": i.id,
        "client_id": i.client_id,
        "created_by_id": i.created_by_id,
        "client": id_name(i.client_id, view.client_name),
        "creator": {
            "id": i.created_by_id,
            "name": creator.name if creator else None,
            "email": creator.email if creator else "",
        },
        "number": i.number,
        "purchase_order": i.purchase_order,
        "subject": i.subject,
        "state": i.state,
        "amount": i.amount,
        "due_amount": i.due_amount,
        "tax": i.tax,
        "tax_amount": i.tax_amount,
        "tax2": i.tax2,
        "tax2_amount": i.tax2_amount,
        "discount": i.discount,
        "discount_amount": i.discount_amount,
        "currency": i.currency,
        "issue_date": i.issue_date.isoformat(),
        "due_date": i.due_date.isoformat(),
        "payment_term": i.payment_term,
        "notes": i.notes,
        "period_start": i.period_start.isoformat() if i.period_start else None,
        "period_end": i.period_end.isoformat() if i.period_end else None,
        "sent_at": iso(i.sent_at),
        "paid_at": iso(i.paid_at),
        "closed_at": iso(i.closed_at),
        "created_at": iso(i.created_at),
        "updated_at": iso(i.updated_at),
        "line_items": [
            {
                "id": li.id,
                "kind": li.kind,
                "description": li.description,
                "quantity": li.quantity,
                "unit_price": li.unit_price,
                "amount": li.amount,
                "taxed": li.taxed,
                "taxed2": li.taxed2,
                "project_id": li.project_id,
            }
            for li in view.line_items
        ],
    }


def serialize_message(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "invoice_id": m.invoice_id,
        "sent_by": m.sent_by,
        "sent_by_email": m.sent_by_email,
        "sent_from": m.sent_from,
        "sent_from_email": m.sent_from_email,
        "recipients": m.recipients or [],
        "subject": m.subject,
        "body": m.body,
        "attach_pdf": m.attach_pdf,
        "send_me_a_copy": m.send_me_a_copy,
        "thank_you": m.thank_you,
        "reminder": m.reminder,
        "event_type": m.event_type,
        "created_at": iso(m.created_at),
        "updated_at": iso(m.updated_at),
    }


def serialize_payment(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "invoice_id": p.invoice_id,
        "amount": p.amount,
        "paid_date": p.paid_date.isoformat(),
        "paid_at": f"{p.paid_date.isoformat()}T00:00:00Z",
        "notes": p.notes,
        "transaction_id": p.transaction_id,
        "recorded_by_id": p.recorded_by_id,
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
    }


class ListFilters:
    def __init__(
        self,
        dates: DateRangeDep,
        client_id: str | None = None,
        state: Annotated[str | None, Query(description="draft, open, paid or closed")] = None,
    ) -> None:
        self.value = InvoiceFilters(
            client_id=client_id,
            state=state,
            date_from=dates.date_from,
            date_to=dates.date_to,
            updated_since=dates.updated_since,
        )


Filters = Annotated[ListFilters, Depends()]
V2Page = Annotated[V2Paging, Depends()]
V1Page = Annotated[V1Paging, Depends()]


# ── v2 ─────────────────────────────────────────────────────────────────────────────────


@v2.get("", operation_id="listInvoices", summary="List invoices")
def list_v2(request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: V2Page) -> JSON:
    views, total = svc.list_invoices(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "invoices", [serialize_invoice(v) for v in views], total or 0))


@v2.post("", operation_id="createInvoice", summary="Create an invoice", status_code=201)
def create_v2(body: InvoiceCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_invoice(svc.create_invoice(session, actor, body.as_dict())), status_code=201)


@v2.get("/{id}", operation_id="getInvoice", summary="Get an invoice")
def get_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_invoice(svc.get_invoice(session, actor, id)))


@v2.patch("/{id}", operation_id="updateInvoice", summary="Update a draft invoice")
def update_v2(id: str, body: InvoiceUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_invoice(svc.update_invoice(session, actor, id, body.as_dict())))


@v2.delete("/{id}", operation_id="deleteInvoice", summary="Delete a draft invoice (administrators)")
def delete_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON({"id": svc.delete_invoice(session, actor, id), "deleted": True})


@v2.get("/{id}/messages", operation_id="listInvoiceMessages", summary="List invoice messages")
def list_messages_v2(request: Request, id: str, session: SessionDep, actor: CurrentActor, paging: V2Page) -> JSON:
    rows, total = svc.list_messages(session, actor, id, paging.request())
    return JSON(paging.envelope(request, "invoice_messages", [serialize_message(m) for m in rows], total))


@v2.post(
    "/{id}/messages",
    operation_id="sendInvoice",
    summary="Send an invoice, or mark it closed / re-open / draft",
    status_code=201,
)
def send_v2(id: str, body: InvoiceMessageCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    message = svc.create_message(session, actor, id, body.model_dump(exclude_unset=True, exclude_none=True))
    return JSON(serialize_message(message), status_code=201)


@v2.get("/{id}/payments", operation_id="listInvoicePayments", summary="List payments of an invoice")
def list_payments_v2(request: Request, id: str, session: SessionDep, actor: CurrentActor, paging: V2Page) -> JSON:
    rows, total = svc.list_payments(session, actor, id, paging.request())
    return JSON(paging.envelope(request, "invoice_payments", [serialize_payment(p) for p in rows], total))


@v2.post("/{id}/payments", operation_id="createInvoicePayment", summary="Record a payment", status_code=201)
def create_payment_v2(id: str, body: PaymentCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    payment = svc.create_payment(session, actor, id, body.model_dump(exclude_unset=True))
    return JSON(serialize_payment(payment), status_code=201)


@v2.delete(
    "/{id}/payments/{payment_id}", operation_id="deleteInvoicePayment", summary="Delete a payment", status_code=200
)
def delete_payment_v2(id: str, payment_id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    svc.delete_payment(session, actor, id, payment_id)
    return JSON({"id": payment_id, "deleted": True})


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


@v1.get("", operation_id="v1ListInvoices", summary="List invoices (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: V1Page) -> JSON:
    views, _ = svc.list_invoices(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize_invoice(v) for v in views]))


@v1.post("", operation_id="v1CreateInvoice", summary="Create an invoice (v1)", status_code=201)
def create_v1(body: InvoiceCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_invoice(svc.create_invoice(session, actor, body.as_dict())), status_code=201)


@v1.get("/{id}", operation_id="v1GetInvoice", summary="Get an invoice (v1)")
def get_v1(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_invoice(svc.get_invoice(session, actor, id)))


@v1.patch("/{id}", operation_id="v1UpdateInvoice", summary="Update a draft invoice (v1)")
def update_v1(id: str, body: InvoiceUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_invoice(svc.update_invoice(session, actor, id, body.as_dict())))


@v1.delete("/{id}", operation_id="v1DeleteInvoice", summary="Delete a draft invoice (v1)")
def delete_v1(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON({"id": svc.delete_invoice(session, actor, id), "deleted": True})


@v1.get("/{id}/messages", operation_id="v1ListInvoiceMessages", summary="List invoice messages (v1)")
def list_messages_v1(id: str, session: SessionDep, actor: CurrentActor, paging: V1Page) -> JSON:
    rows, _ = svc.list_messages(session, actor, id, paging.request())
    return JSON(paging.envelope([serialize_message(m) for m in rows]))


@v1.post("/{id}/messages", operation_id="v1SendInvoice", summary="Send an invoice (v1)", status_code=201)
def send_v1(id: str, body: InvoiceMessageCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    message = svc.create_message(session, actor, id, body.model_dump(exclude_unset=True, exclude_none=True))
    return JSON(serialize_message(message), status_code=201)


@v1.get("/{id}/payments", operation_id="v1ListInvoicePayments", summary="List payments (v1)")
def list_payments_v1(id: str, session: SessionDep, actor: CurrentActor, paging: V1Page) -> JSON:
    rows, _ = svc.list_payments(session, actor, id, paging.request())
    return JSON(paging.envelope([serialize_payment(p) for p in rows]))


@v1.post("/{id}/payments", operation_id="v1CreateInvoicePayment", summary="Record a payment (v1)", status_code=201)
def create_payment_v1(id: str, body: PaymentCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(
        serialize_payment(svc.create_payment(session, actor, id, body.model_dump(exclude_unset=True))), status_code=201
    )


@v1.delete("/{id}/payments/{payment_id}", operation_id="v1DeleteInvoicePayment", summary="Delete a payment (v1)")
def delete_payment_v1(id: str, payment_id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    svc.delete_payment(session, actor, id, payment_id)
    return JSON({"id": payment_id, "deleted": True})
