"""Contacts: the people at a client who receive invoices. List, create, get, update, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keito_server.db.models import Client, Contact
from keito_server.domain import permissions
from keito_server.domain.errors import ValidationError
from keito_server.domain.ids import new_id
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page

EDITABLE = ("client_id", "first_name", "last_name", "title", "email", "phone_office", "phone_mobile", "fax")


@dataclass(frozen=True)
class ContactFilters:
    client_id: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True)
class ContactView:
    contact: Contact
    client_name: str


def _clean(session: Session, actor: Actor, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in EDITABLE:
        if key not in data:
            continue
        value = data[key]
        if key == "client_id":
            if not value:
                raise ValidationError("client_id cannot be empty: every contact belongs to a client.", field=key)
            value = get_scoped(session, Client, value, actor.account_id, "Client", field="client_id").id
        elif key == "first_name":
            value = (value or "").strip()
            if not value:
                raise ValidationError("first_name is required.", field="first_name")
        elif key == "email" and value is not None:
            value = value.strip() or None
            if value is not None and ("@" not in value or value.startswith("@") or value.endswith("@") or " " in value):
                raise ValidationError(f"email '{value}' is not an email address.", field="email")
        out[key] = value
    if creating:
        for required in ("client_id", "first_name"):
            if required not in out:
                raise ValidationError(f"{required} is required.", field=required)
    return out


def _views(session: Session, contacts: list[Contact]) -> list[ContactView]:
    if not contacts:
        return []
    names = {
        row.id: row.name
        for row in session.execute(select(Client.id, Client.name).where(Client.id.in_({c.client_id for c in contacts})))
    }
    return [ContactView(c, names.get(c.client_id, "")) for c in contacts]


def list_contacts(
    session: Session, actor: Actor, filters: ContactFilters, page: Page
) -> tuple[list[ContactView], int | None]:
    q = select(Contact).where(Contact.account_id == actor.account_id)
    if filters.client_id:
        q = q.where(Contact.client_id == filters.client_id)
    if filters.updated_since is not None:
        q = q.where(Contact.updated_at >= filters.updated_since)
    rows, total = fetch_page(session, q.order_by(Contact.first_name, Contact.last_name, Contact.id), page)
    return _views(session, rows), total


def get_contact(session: Session, actor: Actor, contact_id: str) -> ContactView:
    contact = get_scoped(session, Contact, contact_id, actor.account_id, "Contact")
    return _views(session, [contact])[0]


def create_contact(session: Session, actor: Actor, data: dict[str, Any]) -> ContactView:
    actor.require_manager("create contacts", permissions.MANAGE_CLIENTS_AND_TASKS)
    fields = _clean(session, actor, data, creating=True)
    contact = Contact(id=new_id("contact"), account_id=actor.account_id, **fields)
    session.add(contact)
    audit(session, actor.account_id, actor.user_id, "contact.created", contact.id)
    session.commit()
    return _views(session, [contact])[0]


def update_contact(session: Session, actor: Actor, contact_id: str, changes: dict[str, Any]) -> ContactView:
    actor.require_manager("edit contacts", permissions.MANAGE_CLIENTS_AND_TASKS)
    contact = get_scoped(session, Contact, contact_id, actor.account_id, "Contact")
    fields = _clean(session, actor, changes, creating=False)
    for key, value in fields.items():
        setattr(contact, key, value)
    audit(session, actor.account_id, actor.user_id, "contact.updated", contact.id, fields)
    session.commit()
    return _views(session, [contact])[0]


def delete_contact(session: Session, actor: Actor, contact_id: str) -> None:
    actor.require_manager("delete contacts", permissions.MANAGE_CLIENTS_AND_TASKS)
    contact = get_scoped(session, Contact, contact_id, actor.account_id, "Contact")
    audit(session, actor.account_id, actor.user_id, "contact.deleted", contact.id)
    session.delete(contact)
    session.commit()
