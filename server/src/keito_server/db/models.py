"""The tables. Every row of workspace data carries ``account_id``; every unique key includes it.

Money columns are ``Money`` (exact, integer micro-units); durations are whole seconds;
timestamps are UTC. Rows are plain data: rules live in domain/ and services/.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from keito_server.db.types import JSONType, Money, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


ID = String(32)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# ── Workspaces and people ──────────────────────────────────────────────────────────────


class Account(Timestamps, Base):
    """A workspace (company). Its id is the ``Keito-Account-Id``."""

    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    week_start: Mapped[str] = mapped_column(String(10), default="monday")
    rounding_minutes: Mapped[int] = mapped_column(Integer, default=0)
    lock_after_days: Mapped[int] = mapped_column(Integer, default=0)  # 0 disables
    allow_past_timer_starts: Mapped[bool] = mapped_column(Boolean, default=False)
    require_notes: Mapped[bool] = mapped_column(Boolean, default=False)
    feature_expenses: Mapped[bool] = mapped_column(Boolean, default=True)
    feature_invoicing: Mapped[bool] = mapped_column(Boolean, default=True)
    feature_approvals: Mapped[bool] = mapped_column(Boolean, default=True)
    # Units of the workspace currency per 1 USD, for LLM prices (which are in USD). Null: USD.
    usd_exchange_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    weekly_capacity_seconds: Mapped[int] = mapped_column(Integer, default=144000)
    invoice_number_pattern: Mapped[str] = mapped_column(String(64), default="INV-{YYYY}-{####}")
    next_invoice_number: Mapped[int] = mapped_column(Integer, default=1)
    # Raised by the database's own triggers on every insert, update and delete of the workspace's
    # projects, tasks, user and task assignments (migration 0002); never written by the app. A
    # time entry's insert checks it to know its context is still current (ADR 0515).
    context_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Login(Timestamps, Base):
    """A person's sign-in identity. One login may be a member of several workspaces."""

    __tablename__ = "logins"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)


class User(Timestamps, Base):
    """A member of one workspace: a human (with a login) or an agent (API keys only)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("account_id", "email", name="uq_users_account_email"),
        UniqueConstraint("account_id", "login_id", name="uq_users_account_login"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    login_id: Mapped[str | None] = mapped_column(ForeignKey("logins.id"), nullable=True)
    email: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    telephone: Mapped[str | None] = mapped_column(String(50), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)  # null: workspace's
    user_type: Mapped[str] = mapped_column(String(10), default="human")  # human | agent
    # Comma-free list of roles: member, manager, administrator.
    roles: Mapped[list[str]] = mapped_column(JSONType, default=lambda: ["member"])
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_contractor: Mapped[bool] = mapped_column(Boolean, default=False)
    has_access_to_all_future_projects: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly_capacity: Mapped[int] = mapped_column(Integer, default=144000)  # seconds per week
    default_hourly_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    cost_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    avatar_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Granular manager permissions turned off or on by an administrator (domain.permissions);
    # null or a missing name means on.
    manager_permissions: Mapped[dict[str, bool] | None] = mapped_column(JSONType, nullable=True)

    @property
    def name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or self.email

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @property
    def is_admin(self) -> bool:
        return self.has_role("administrator")

    @property
    def is_manager(self) -> bool:
        return self.has_role("manager") or self.is_admin


class ApiKey(Base):
    """A ``kto_`` key. Only its SHA-256 is stored; the key itself is shown once."""

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to recognise a key
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[str | None] = mapped_column(ID, nullable=True)


class Invite(Base):
    """An invitation link for a human to join a workspace."""

    __tablename__ = "invites"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ManagerTeammate(Base):
    """A person a manager is restricted to (inventory §1.4, ADR 0902). A manager with no rows
    here sees and manages the whole workspace; with rows, only these people and themselves."""

    __tablename__ = "manager_teammates"
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    manager_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    teammate_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# ── Clients, projects, tasks ───────────────────────────────────────────────────────────


class Client(Timestamps, Base):
    __tablename__ = "clients"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    payment_terms: Mapped[str] = mapped_column(String(20), default="net_30")
    payment_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tax: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    tax2: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    discount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    statement_key: Mapped[str] = mapped_column(String(40))


class Contact(Timestamps, Base):
    __tablename__ = "contacts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    title: Mapped[str | None] = mapped_column(String(100), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone_office: Mapped[str | None] = mapped_column(String(50), nullable=True)
    phone_mobile: Mapped[str | None] = mapped_column(String(50), nullable=True)
    fax: Mapped[str | None] = mapped_column(String(50), nullable=True)


class Task(Timestamps, Base):
    """Tasks are workspace-global: any task can be used with any project."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_tasks_account_name"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    billable_by_default: Mapped[bool] = mapped_column(Boolean, default=True)
    default_hourly_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    parent_task_id: Mapped[str | None] = mapped_column(ID, nullable=True)


class Project(Timestamps, Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("account_id", "code", name="uq_projects_account_code"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(50), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_billable: Mapped[bool] = mapped_column(Boolean, default=True)
    is_fixed_fee: Mapped[bool] = mapped_column(Boolean, default=False)
    # Harvest spelling: Project | Tasks | People | none
    bill_by: Mapped[str] = mapped_column(String(10), default="Project")
    hourly_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    fee: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    # Harvest spelling: project | project_cost | task | task_fees | person | none
    budget_by: Mapped[str] = mapped_column(String(20), default="none")
    budget: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    budget_is_monthly: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_when_over_budget: Mapped[bool] = mapped_column(Boolean, default=False)
    over_budget_notification_percentage: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    show_budget_to_all: Mapped[bool] = mapped_column(Boolean, default=False)
    cost_budget: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    cost_budget_include_expenses: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class TaskAssignment(Timestamps, Base):
    """A task offered on a project, with optional per-project billable flag and rate."""

    __tablename__ = "task_assignments"
    __table_args__ = (UniqueConstraint("project_id", "task_id", name="uq_task_assignments_project_task"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    hourly_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    budget: Mapped[Decimal | None] = mapped_column(Money, nullable=True)


class UserAssignment(Timestamps, Base):
    """Who may log on a project, with a per-person rate (administrators may log anywhere)."""

    __tablename__ = "user_assignments"
    __table_args__ = (UniqueConstraint("project_id", "user_id", name="uq_user_assignments_project_user"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_project_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    use_default_rates: Mapped[bool] = mapped_column(Boolean, default=True)
    hourly_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    budget: Mapped[Decimal | None] = mapped_column(Money, nullable=True)


# ── Time and money ─────────────────────────────────────────────────────────────────────


class TimeEntry(Timestamps, Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        # One running timer per user, enforced by the database so it holds across processes.
        Index(
            "uq_time_entries_one_running_timer",
            "user_id",
            unique=True,
            sqlite_where=text("is_running"),
            postgresql_where=text("is_running"),
        ),
        Index("ix_time_entries_account_date", "account_id", "spent_date"),
        Index("ix_time_entries_account_user_date", "account_id", "user_id", "spent_date"),
        Index("ix_time_entries_account_session", "account_id", "session_id"),
        Index("ix_time_entries_account_project", "account_id", "project_id"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"))
    spent_date: Mapped[date] = mapped_column(Date)
    # Exact duration of a stopped entry, in seconds (a running timer adds time since start).
    duration_seconds: Mapped[int] = mapped_column(Integer, default=0)
    is_running: Mapped[bool] = mapped_column(Boolean, default=False)
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_time: Mapped[str | None] = mapped_column(String(5), nullable=True)  # HH:MM, workspace tz
    ended_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    is_billed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_id: Mapped[str | None] = mapped_column(ID, nullable=True, index=True)
    approval_status: Mapped[str] = mapped_column(String(12), default="unsubmitted")
    approval_id: Mapped[str | None] = mapped_column(ID, nullable=True, index=True)
    # Rates per hour in the project's currency, resolved when the entry is written.
    billable_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    cost_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    source: Mapped[str] = mapped_column(String(10), default="api")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONType, nullable=True)
    # Copies of metadata.session_id / metadata.agent_id, indexed for the list filters.
    session_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    agent_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Who created the entry: the person themselves, or whoever logged it for them. With
    # created_at and source it is the record of the entry's creation, which writes no audit row
    # (ADR 0519); later changes are audited. No foreign key, as with audit_events.actor_id (a
    # key would cost a referential check per create). None on rows written before 0003.
    created_by_id: Mapped[str | None] = mapped_column(ID, nullable=True)


class ExpenseCategory(Timestamps, Base):
    __tablename__ = "expense_categories"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_expense_categories_account_name"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_name: Mapped[str | None] = mapped_column(String(50), nullable=True)  # set: unit-based
    unit_price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    billable_by_default: Mapped[bool] = mapped_column(Boolean, default=True)
    # "llm_usage" for the built-in LLM Usage category (answers to the id cat_llm_usage).
    builtin: Mapped[str | None] = mapped_column(String(20), nullable=True)


class Expense(Timestamps, Base):
    __tablename__ = "expenses"
    __table_args__ = (
        Index("ix_expenses_account_date", "account_id", "spent_date"),
        Index("ix_expenses_account_session", "account_id", "session_id"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    expense_category_id: Mapped[str] = mapped_column(ForeignKey("expense_categories.id"))
    spent_date: Mapped[date] = mapped_column(Date)
    units: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unit_price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    total_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    # manual | unit | model | unpriced
    pricing_method: Mapped[str] = mapped_column(String(10), default="manual")
    cost_breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    is_billed: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_id: Mapped[str | None] = mapped_column(ID, nullable=True, index=True)
    approval_status: Mapped[str] = mapped_column(String(12), default="unsubmitted")
    approval_id: Mapped[str | None] = mapped_column(ID, nullable=True, index=True)
    receipt_file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    receipt_content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    receipt_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    source: Mapped[str] = mapped_column(String(10), default="api")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONType, nullable=True)
    session_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    agent_id: Mapped[str | None] = mapped_column(String(200), nullable=True)


# ── Approvals and invoices ─────────────────────────────────────────────────────────────


class Approval(Timestamps, Base):
    """A submitted period of one person's time and expenses."""

    __tablename__ = "approvals"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Invoice(Timestamps, Base):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("account_id", "number", name="uq_invoices_account_number"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    number: Mapped[str] = mapped_column(String(64))
    purchase_order: Mapped[str | None] = mapped_column(String(100), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(500), nullable=True)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    due_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    tax: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    tax_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    tax2: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    tax2_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    discount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    discount_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    payment_term: Mapped[str] = mapped_column(String(20), default="net_30")
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class InvoiceLineItem(Base):
    __tablename__ = "invoice_line_items"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(50), default="Service")
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    quantity: Mapped[Decimal] = mapped_column(Money, default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    taxed: Mapped[bool] = mapped_column(Boolean, default=False)
    taxed2: Mapped[bool] = mapped_column(Boolean, default=False)
    project_id: Mapped[str | None] = mapped_column(ID, nullable=True)


class InvoiceMessage(Timestamps, Base):
    __tablename__ = "invoice_messages"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    sent_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_by_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    sent_from: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_from_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    recipients: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    subject: Mapped[str | None] = mapped_column(String(500), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    attach_pdf: Mapped[bool] = mapped_column(Boolean, default=True)
    send_me_a_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    thank_you: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder: Mapped[bool] = mapped_column(Boolean, default=False)
    event_type: Mapped[str | None] = mapped_column(String(20), nullable=True)


class InvoicePayment(Timestamps, Base):
    __tablename__ = "invoice_payments"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_date: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    transaction_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_by_id: Mapped[str | None] = mapped_column(ID, nullable=True)


# ── Cross-cutting records (shared by every server process) ─────────────────────────────


class IdempotencyRecord(Base):
    """The first answer to a POST with an Idempotency-Key, replayed for 24 hours."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("owner", "key", name="uq_idempotency_records_owner_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # SHA-256 of the credential that sent the request: keys are per API key.
    owner: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)  # null: in progress
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RateLimitCounter(Base):
    """Requests per API key per fixed window; one row per (key, window)."""

    __tablename__ = "rate_limit_counters"
    owner: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the key
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds
    count: Mapped[int] = mapped_column(Integer, default=0)


class LoginAttempt(Base):
    """Failed web logins, for throttling across processes."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Who changed what: one row per write to workspace data."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_account_subject", "account_id", "subject_id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    actor_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    action: Mapped[str] = mapped_column(String(50))  # e.g. time_entry.updated
    subject_id: Mapped[str] = mapped_column(ID)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
