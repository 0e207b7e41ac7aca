"""Invoice, invoice message and payment request bodies (v2 contract plus Harvest's extras)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool

from keito_server.api.schemas.common import Amount, Body, Id, Number, SpentDate, Text, Timestamp, _no_nul

# Short strings, without NUL (PostgreSQL text cannot hold U+0000).
Str = Annotated[str, AfterValidator(_no_nul)]

PaymentTerm = Literal["upon_receipt", "net_15", "net_30", "net_45", "net_60", "custom"]
Short = Field(None, max_length=500)


class LineItemIn(Body):
    kind: Str | None = Field(None, max_length=50, description="Service (default) or Product.")
    description: Text | None = None
    quantity: Number | None = Field(None, description="Defaults to 1.")
    unit_price: Number | None = Field(None, description="Defaults to 0.")
    taxed: StrictBool = False
    taxed2: StrictBool = False
    project_id: Id | None = None


class InvoiceImport(Body):
    """Bill the uninvoiced billable time and expenses of the client's projects in a period."""

    from_: SpentDate = Field(alias="from")
    to: SpentDate
    group_by: Literal["project", "task", "person", "detailed"] = "project"
    time: StrictBool = True
    expenses: StrictBool = True
    project_ids: list[Id] | None = Field(None, max_length=500, description="Only these projects of the client.")
    include_unapproved: StrictBool | None = Field(
        None,
        description="Also bill unsubmitted and submitted work (default: only approved work, "
        "unless the workspace has approvals turned off). Rejected work is never billed.",
    )

    def as_dict(self) -> dict[str, object]:
        data = self.model_dump(exclude_unset=False)
        data["from"] = data.pop("from_")
        return data


class InvoiceCreate(Body):
    client_id: Id
    number: Str | None = Field(None, min_length=1, max_length=64, description="Defaults to the workspace's pattern.")
    subject: Str | None = Short
    issue_date: SpentDate | None = Field(None, description="Defaults to today.")
    due_date: SpentDate | None = None
    payment_term: PaymentTerm | None = Field(None, description="Defaults to the client's terms (net_30).")
    currency: Str | None = Field(None, min_length=3, max_length=3, description="Defaults to the client's currency.")
    purchase_order: Str | None = Field(None, max_length=100)
    tax: Amount | None = None
    tax2: Amount | None = None
    discount: Amount | None = None
    notes: Text | None = None
    period_start: SpentDate | None = None
    period_end: SpentDate | None = None
    line_items: list[LineItemIn] | None = Field(None, max_length=1000)
    import_: InvoiceImport | None = Field(None, alias="import")

    def as_dict(self) -> dict[str, object]:
        data = self.model_dump(exclude_unset=True, exclude={"import_", "line_items"})
        if self.line_items is not None:
            data["line_items"] = [li.model_dump() for li in self.line_items]
        if self.import_ is not None:
            data["import"] = self.import_.as_dict()
        return data


class InvoiceUpdate(Body):
    subject: Str | None = Short
    issue_date: SpentDate | None = None
    due_date: SpentDate | None = None
    payment_term: PaymentTerm | None = None
    purchase_order: Str | None = Field(None, max_length=100)
    tax: Amount | None = None
    tax2: Amount | None = None
    discount: Amount | None = None
    notes: Text | None = None
    period_start: SpentDate | None = None
    period_end: SpentDate | None = None
    line_items: list[LineItemIn] | None = Field(None, max_length=1000, description="Replaces every line item.")

    def as_dict(self) -> dict[str, object]:
        data = self.model_dump(exclude_unset=True, exclude={"line_items"})
        if self.line_items is not None:
            data["line_items"] = [li.model_dump() for li in self.line_items]
        return data


class Recipient(Body):
    name: Str = Field(max_length=200)
    email: Str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")


class InvoiceMessageCreate(Body):
    recipients: list[Recipient] | None = Field(
        None, max_length=50, description="Required for send, reminder and thank_you."
    )
    subject: Str | None = Short
    body: Text | None = None
    attach_pdf: StrictBool = True
    send_me_a_copy: StrictBool = False
    include_attachments: StrictBool = False
    event_type: Literal["send", "reminder", "thank_you", "close", "re-open", "draft"] = Field(
        "send", description="send, reminder, thank_you (recorded; no e-mail leaves the server), close, re-open, draft."
    )


class PaymentCreate(Body):
    amount: Amount
    paid_at: Timestamp | None = None
    paid_date: SpentDate | None = None
    notes: Text | None = None
    transaction_id: Str | None = Field(None, max_length=200)
