"""Response models: frozen pydantic models that keep every field the server sends (``extra="allow"``),
so a newer server never breaks an older SDK. ``metadata`` stays a plain dict."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class KeitoModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class IdName(KeitoModel):
    id: str | None = None
    name: str | None = None


class Source(StrEnum):
    WEB = "web"
    CLI = "cli"
    API = "api"
    AGENT = "agent"
    CALENDAR = "calendar"
    DESKTOP = "desktop"


class TimeEntry(KeitoModel):
    id: str
    spent_date: str | None = None
    hours: float | None = None
    notes: str | None = None
    is_running: bool = False
    billable: bool | None = None
    source: str | None = None
    metadata: dict[str, Any] | None = None
    user_id: str | None = None
    project_id: str | None = None
    task_id: str | None = None
    client_id: str | None = None
    user: IdName | None = None
    project: IdName | None = None
    task: IdName | None = None
    timer_started_at: str | None = None
    started_time: str | None = None
    ended_time: str | None = None
    is_locked: bool | None = None
    billable_rate: Decimal | None = None
    cost_rate: Decimal | None = None


class Expense(KeitoModel):
    id: str
    spent_date: str | None = None
    total_cost: Decimal | None = None
    units: float | None = None
    notes: str | None = None
    billable: bool | None = None
    source: str | None = None
    metadata: dict[str, Any] | None = None
    project: IdName | None = None
    expense_category: IdName | None = None
    cost_breakdown: dict[str, Any] | None = None


class ExpenseCategory(KeitoModel):
    id: str
    name: str | None = None
    unit_name: str | None = None
    unit_price: Decimal | None = None
    is_active: bool | None = None


class Project(KeitoModel):
    id: str
    name: str | None = None
    code: str | None = None
    is_active: bool | None = None
    is_billable: bool | None = None
    bill_by: str | None = None
    budget_by: str | None = None
    client: IdName | None = None


class Client(KeitoModel):
    id: str
    name: str | None = None
    is_active: bool | None = None
    currency: str | None = None
    address: str | None = None


class Contact(KeitoModel):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    client: IdName | None = None


class Task(KeitoModel):
    id: str
    name: str | None = None
    is_active: bool | None = None
    billable_by_default: bool | None = None


class User(KeitoModel):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    user_type: str | None = None
    roles: list[str] | None = None
    is_active: bool | None = None


class UserAssignment(KeitoModel):
    id: str
    user: IdName | None = None
    project: IdName | None = None


class TaskAssignment(KeitoModel):
    id: str
    task: IdName | None = None
    project: IdName | None = None


class Invoice(KeitoModel):
    id: str
    number: str | None = None
    state: str | None = None
    amount: Decimal | None = None
    due_amount: Decimal | None = None
    currency: str | None = None
    client: IdName | None = None
    line_items: list[dict[str, Any]] | None = None


class InvoiceMessage(KeitoModel):
    id: str
    subject: str | None = None
    body: str | None = None
    recipients: list[dict[str, Any]] | None = None


class InvoicePayment(KeitoModel):
    id: str
    amount: Decimal | None = None
    paid_date: str | None = None


class TeamTimeResult(KeitoModel):
    user_id: str | None = None
    user_name: str | None = None
    total_hours: Decimal | None = None
    billable_hours: Decimal | None = None


class SummaryRow(KeitoModel):
    key: str | None = None
    label: str | None = None
    hours: Decimal | None = None
    billable_hours: Decimal | None = None
    billable_amount: Decimal | None = None
    cost_amount: Decimal | None = None
    llm_cost: Decimal | None = None
    expense_total: Decimal | None = None
    entries: int | None = None
    currency: str | None = None


class Approval(KeitoModel):
    """A submitted period of one person's time and expenses."""

    id: str
    user: IdName | None = None
    user_id: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    status: str | None = None
    reason: str | None = None
    hours: Decimal | None = None
    billable_hours: Decimal | None = None
    expense_total: Decimal | None = None


class OutcomeTypes(StrEnum):
    """Common outcome types for ``client.outcomes.log``; any other string is accepted too."""

    TICKET_RESOLVED = "ticket_resolved"
    LEAD_QUALIFIED = "lead_qualified"
    CODE_REVIEW_COMPLETED = "code_review_completed"
    PR_MERGED = "pr_merged"
    DEPLOYMENT_COMPLETED = "deployment_completed"
    TEST_SUITE_PASSED = "test_suite_passed"
    DOCUMENT_GENERATED = "document_generated"
    DATA_PIPELINE_RUN = "data_pipeline_run"
    ALERT_TRIAGED = "alert_triaged"
    CUSTOMER_REPLY_SENT = "customer_reply_sent"


__all__ = [
    "Approval",
    "Client",
    "Contact",
    "Expense",
    "ExpenseCategory",
    "IdName",
    "Invoice",
    "InvoiceMessage",
    "InvoicePayment",
    "KeitoModel",
    "OutcomeTypes",
    "Project",
    "Source",
    "SummaryRow",
    "Task",
    "TaskAssignment",
    "TeamTimeResult",
    "TimeEntry",
    "User",
    "UserAssignment",
]
