"""Clients (the customers being billed) and their contacts."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from keito_server.db.models import Client
from keito_server.domain.errors import ValidationError
from keito_server.domain.ids import new_id
from keito_server.services.common import audit
from keito_server.services.context import Actor


def create_client(session: Session, actor: Actor, data: dict[str, Any]) -> Client:
    actor.require_manager("create clients")
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError("name is required.", field="name")
    client = Client(
        id=new_id("client"),
        account_id=actor.account_id,
        name=name,
        address=data.get("address"),
        currency=(data.get("currency") or actor.account.currency).upper(),
        is_active=data.get("is_active", True),
        payment_terms=data.get("payment_terms") or "net_30",
        payment_days=data.get("payment_days"),
        tax=data.get("tax"),
        tax2=data.get("tax2"),
        discount=data.get("discount"),
        statement_key=secrets.token_hex(16),
    )
    session.add(client)
    audit(session, actor.account_id, actor.user_id, "client.created", client.id)
    session.commit()
    return client
