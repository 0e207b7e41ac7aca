"""Clients (the customers being billed): list, create, get, update, archive, delete.

Inputs are plain dicts of the fields the caller actually sent (so PATCH can tell "absent"
from ``null``), already type-checked by the API schemas or the web forms. Every rule about a
client's fields lives here; api/ and web/ only translate.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keito_server.db.models import Client, Contact, Invoice, Project
from keito_server.domain import permissions
from keito_server.domain.errors import Conflict, ValidationError
from keito_server.domain.ids import new_id
from keito_server.domain.rates import canonical_enum
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page

PAYMENT_TERMS = ("upon_receipt", "net_15", "net_30", "net_45", "net_60", "custom")
DEFAULT_PAYMENT_TERMS = "net_30"
# Percentages (tax, tax2, discount) are between 0 and 100.
MAX_PERCENT = Decimal(100)
EDITABLE = ("name", "address", "currency", "payment_terms", "payment_days", "tax", "tax2", "discount", "is_active")


@dataclass(frozen=True)
class ClientFilters:
    is_active: bool | None = None
    updated_since: datetime | None = None


def check_currency(value: Any, field: str = "currency") -> str:
    """A 3-letter ISO 4217 code, answered in upper case."""
    text = str(value or "").strip().upper()
    if len(text) != 3 or not text.isalpha() or not text.isascii():
        raise ValidationError(f"{field} must be a 3-letter ISO code such as USD or EUR.", field=field)
    return text


def _clean(actor: Actor, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The validated fields to store; raises before anything is written."""
    out: dict[str, Any] = {}
    for key in EDITABLE:
        if key not in data:
            continue
        value = data[key]
        if key == "name":
            value = (value or "").strip()
            if not value:
                raise ValidationError("name is required: give the client a name.", field="name")
        elif key == "currency":
            value = check_currency(value) if value is not None else actor.account.currency
        elif key == "payment_terms":
            value = canonical_enum(value, PAYMENT_TERMS, "payment_terms") if value is not None else None
            value = value or DEFAULT_PAYMENT_TERMS
        elif key == "payment_days":
            if value is not None and value < 0:
                raise ValidationError("payment_days must be zero or more.", field="payment_days")
        elif key in ("tax", "tax2", "discount"):
            if value is not None and not (0 <= value <= MAX_PERCENT):
                raise ValidationError(f"{key} is a percentage between 0 and 100.", field=key)
        elif key == "is_active" and value is None:
            raise ValidationError("is_active must be true or false.", field="is_active")
        out[key] = value
    if creating and "name" not in out:
        raise ValidationError("name is required: give the client a name.", field="name")
    return out


# ── reads ──────────────────────────────────────────────────────────────────────────────


def list_clients(session: Session, actor: Actor, filters: ClientFilters, page: Page) -> tuple[list[Client], int | None]:
    q = select(Client).where(Client.account_id == actor.account_id)
    if filters.is_active is not None:
        q = q.where(Client.is_active.is_(filters.is_active))
    if filters.updated_since is not None:
        q = q.where(Client.updated_at >= filters.updated_since)
    return fetch_page(session, q.order_by(Client.name, Client.id), page)


def get_client(session: Session, actor: Actor, client_id: str) -> Client:
    return get_scoped(session, Client, client_id, actor.account_id, "Client")


# ── writes ─────────────────────────────────────────────────────────────────────────────


def create_client(session: Session, actor: Actor, data: dict[str, Any]) -> Client:
    actor.require_manager("create clients", permissions.MANAGE_CLIENTS_AND_TASKS)
    fields = _clean(actor, data, creating=True)
    client = Client(
        id=new_id("client"),
        account_id=actor.account_id,
        currency=actor.account.currency,
        payment_terms=DEFAULT_PAYMENT_TERMS,
        is_active=True,
        statement_key=secrets.token_hex(16),
    )
    for key, value in fields.items():
        setattr(client, key, value)
    session.add(client)
    audit(session, actor.account_id, actor.user_id, "client.created", client.id)
    session.commit()
    return client


def update_client(session: Session, actor: Actor, client_id: str, changes: dict[str, Any]) -> Client:
    actor.require_manager("edit clients", permissions.MANAGE_CLIENTS_AND_TASKS)
    client = get_client(session, actor, client_id)
    fields = _clean(actor, changes, creating=False)
    for key, value in fields.items():
        setattr(client, key, value)
    audit(session, actor.account_id, actor.user_id, "client.updated", client.id, fields)
    session.commit()
    return client


def delete_client(session: Session, actor: Actor, client_id: str) -> None:
    """Only a client with no projects and no invoices can be deleted; otherwise archive it."""
    actor.require_manager("delete clients", permissions.MANAGE_CLIENTS_AND_TASKS)
    client = get_client(session, actor, client_id)
    if session.scalar(select(Project.id).where(Project.client_id == client.id).limit(1)):
        raise Conflict(
            f"Client '{client.name}' has projects; delete or move them first, or archive the client "
            "(is_active: false).",
            code="client_has_projects",
        )
    if session.scalar(select(Invoice.id).where(Invoice.client_id == client.id).limit(1)):
        raise Conflict(
            f"Client '{client.name}' has invoices, which are kept for your records; archive the client "
            "(is_active: false) instead.",
            code="client_has_invoices",
        )
    for contact in session.scalars(select(Contact).where(Contact.client_id == client.id)):
        session.delete(contact)
    audit(session, actor.account_id, actor.user_id, "client.deleted", client.id, {"name": client.name})
    session.delete(client)
    session.commit()
