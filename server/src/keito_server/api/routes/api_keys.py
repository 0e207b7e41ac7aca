"""API keys in both dialects over services.api_keys: list, create (the key is in the answer
once, never again), revoke."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from keito_server.api.common import iso
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.responses import JSON
from keito_server.api.schemas.users import ApiKeyCreate
from keito_server.db.models import ApiKey
from keito_server.services import api_keys as svc

v2 = APIRouter(prefix="/api/v2/api_keys", tags=["API Keys"])
v1 = APIRouter(prefix="/v1/api-keys", tags=["v1 API Keys"])


def serialize(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "user_id": key.user_id,
        "created_by_id": key.created_by_id,
        "is_active": key.revoked_at is None,
        "created_at": iso(key.created_at),
        "last_used_at": iso(key.last_used_at),
        "revoked_at": iso(key.revoked_at),
    }


def _list(session: SessionDep, actor: CurrentActor, user_id: str | None) -> list[dict[str, Any]]:
    if user_id and user_id != actor.user_id:
        actor.require_admin("see other users' API keys")
    return [serialize(k) for k in svc.list_keys(session, actor, user_id=user_id or None)]


def _create(body: ApiKeyCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    key, token = svc.create_key(session, actor, user_id=body.user_id or actor.user_id, name=body.name)
    return JSON({**serialize(key), "key": token}, status_code=201)


@v2.get("", operation_id="listApiKeys", summary="List API keys (yours; administrators: all, or ?user_id=)")
def list_v2(session: SessionDep, actor: CurrentActor, user_id: str | None = None) -> JSON:
    keys = _list(session, actor, user_id)
    return JSON({"api_keys": keys, "total_entries": len(keys)})


@v2.post("", operation_id="createApiKey", summary="Create an API key (shown once)", status_code=201)
def create_v2(body: ApiKeyCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return _create(body, session, actor)


@v2.delete("/{id}", operation_id="revokeApiKey", summary="Revoke an API key", status_code=204)
def revoke_v2(id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.revoke_key(session, actor, id)
    return Response(status_code=204)


@v1.get("", operation_id="v1ListApiKeys", summary="List API keys (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, user_id: str | None = None) -> JSON:
    return JSON({"data": _list(session, actor, user_id), "next_cursor": None, "has_more": False})


@v1.post("", operation_id="v1CreateApiKey", summary="Create an API key (v1, shown once)", status_code=201)
def create_v1(body: ApiKeyCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return _create(body, session, actor)


@v1.delete("/{id}", operation_id="v1RevokeApiKey", summary="Revoke an API key (v1)", status_code=204)
def revoke_v1(id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.revoke_key(session, actor, id)
    return Response(status_code=204)
