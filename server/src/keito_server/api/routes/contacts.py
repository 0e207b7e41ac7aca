"""Contacts in both dialects: parse, call services.contacts, serialize."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from keito_server.api.common import id_name, iso, parse_timestamp_param
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.clients import ContactCreate, ContactUpdate
from keito_server.services import contacts as svc
from keito_server.services.contacts import ContactFilters, ContactView

v2 = APIRouter(prefix="/api/v2/contacts", tags=["Contacts"])
v1 = APIRouter(prefix="/v1/contacts", tags=["v1 Contacts"])


def serialize(view: ContactView) -> dict[str, Any]:
    c = view.contact
    return {
        "id": c.id,
        "client_id": c.client_id,
        "client": id_name(c.client_id, view.client_name),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "title": c.title,
        "email": c.email,
        "phone_office": c.phone_office,
        "phone_mobile": c.phone_mobile,
        "fax": c.fax,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
    }


class ListFilters:
    def __init__(self, client_id: str | None = None, updated_since: str | None = None) -> None:
        self.value = ContactFilters(
            client_id=client_id, updated_since=parse_timestamp_param(updated_since, "updated_since")
        )


Filters = Annotated[ListFilters, Depends()]


@v2.get("", operation_id="listContacts", summary="List contacts")
def list_v2(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    rows, total = svc.list_contacts(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "contacts", [serialize(c) for c in rows], total or 0))


@v2.post("", operation_id="createContact", summary="Create a contact (managers and administrators)", status_code=201)
def create_v2(body: ContactCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.create_contact(session, actor, body.model_dump(exclude_unset=True))), status_code=201)


@v2.get("/{id}", operation_id="getContact", summary="Get a contact")
def get_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.get_contact(session, actor, id)))


@v2.patch("/{id}", operation_id="updateContact", summary="Update a contact (managers and administrators)")
def update_v2(id: str, body: ContactUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.update_contact(session, actor, id, body.model_dump(exclude_unset=True))))


@v2.delete("/{id}", operation_id="deleteContact", summary="Delete a contact", status_code=204)
def delete_v2(id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.delete_contact(session, actor, id)
    return Response(status_code=204)


@v1.get("", operation_id="v1ListContacts", summary="List contacts (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]) -> JSON:
    rows, _ = svc.list_contacts(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize(c) for c in rows]))
