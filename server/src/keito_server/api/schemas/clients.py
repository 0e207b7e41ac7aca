"""Client and contact request bodies (v2 ``ClientCreate``/``ContactCreate``; v1 reads only)."""

from __future__ import annotations

from pydantic import Field, StrictBool

from keito_server.api.schemas.common import Body, Id, Name, Number, Text


class ClientCreate(Body):
    name: Name
    address: Text | None = None
    currency: str | None = Field(None, description="3-letter ISO code. Defaults to the workspace currency.")
    payment_terms: str | None = Field(None, description="upon_receipt, net_15, net_30, net_45, net_60 or custom")
    payment_days: int | None = Field(None, ge=0, le=3650)
    tax: Number | None = Field(None, description="Percentage, 0 to 100.")
    tax2: Number | None = Field(None, description="Percentage, 0 to 100.")
    discount: Number | None = Field(None, description="Percentage, 0 to 100.")
    is_active: StrictBool | None = None


class ClientUpdate(ClientCreate):
    """PATCH: the same fields as create, each optional."""

    name: Name | None = None  # type: ignore[assignment]


class ContactCreate(Body):
    client_id: Id
    first_name: Name
    last_name: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone_office: str | None = Field(None, max_length=50)
    phone_mobile: str | None = Field(None, max_length=50)
    fax: str | None = Field(None, max_length=50)


class ContactUpdate(ContactCreate):
    client_id: Id | None = None  # type: ignore[assignment]
    first_name: Name | None = None  # type: ignore[assignment]
