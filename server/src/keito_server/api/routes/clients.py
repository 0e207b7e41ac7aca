"""Clients in both dialects: parse, call services.clients, serialize."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from keito_server.api.common import iso, parse_timestamp_param
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.clients import ClientCreate, ClientUpdate
from keito_server.db.models import Client
from keito_server.services import clients as svc
from keito_server.services.clients import ClientFilters

v2 = APIRouter(prefix="/api/v2/clients", tags=["Clients"])
v1 = APIRouter(prefix="/v1/clients", tags=["v1 Clients"])


def serialize(c: Client) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "address": c.address,
        "currency": c.currency,
        "is_active": c.is_active,
        "payment_terms": c.payment_terms,
        "payment_days": c.payment_days,
        "tax": c.tax,
        "tax2": c.tax2,
        "discount": c.discount,
        "statement_key": c.statement_key,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
    }


class ListFilters:
    def __init__(self, is_active: bool | None = None, updated_since: str | None = None) -> None:
        self.value = ClientFilters(
            is_active=is_active, updated_since=parse_timestamp_param(updated_since, "updated_since")
        )


Filters = Annotated[ListFilters, Depends()]


# ── v2 ─────────────────────────────────────────────────────────────────────────────────


@v2.get("", operation_id="listClients", summary="List clients")
def list_v2(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    rows, total = svc.list_clients(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "clients", [serialize(c) for c in rows], total or 0))


@v2.post("", operation_id="createClient", summary="Create a client (managers and administrators)", status_code=201)
def create_v2(body: ClientCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.create_client(session, actor, body.model_dump(exclude_unset=True))), status_code=201)


@v2.get("/{id}", operation_id="getClient", summary="Get a client")
def get_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.get_client(session, actor, id)))


@v2.patch("/{id}", operation_id="updateClient", summary="Update a client (managers and administrators)")
def update_v2(id: str, body: ClientUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.update_client(session, actor, id, body.model_dump(exclude_unset=True))))


@v2.delete(
    "/{id}",
    operation_id="deleteClient",
    summary="Delete a client with no projects or invoices (managers and administrators)",
    status_code=204,
)
def delete_v2(id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.delete_client(session, actor, id)
    return Response(status_code=204)


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


@v1.get("", operation_id="v1ListClients", summary="List clients (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]) -> JSON:
    rows, _ = svc.list_clients(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize(c) for c in rows]))


@v1.get("/{id}", operation_id="v1GetClient", summary="Get a client (v1)")
def get_v1(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.get_client(session, actor, id)))
