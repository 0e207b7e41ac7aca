"""Project, task-assignment and user-assignment request bodies (Harvest's fields).

``bill_by`` and ``budget_by`` are plain strings here: the service accepts any case and
answers in Harvest's spelling (decisions §1).
"""

from __future__ import annotations

from pydantic import Field, StrictBool

from keito_server.api.schemas.common import Amount, Body, Id, Name, Number, SpentDate, Text


class ProjectCreate(Body):
    client_id: Id
    name: Name
    code: str | None = Field(None, max_length=50, description="Unique in the workspace, e.g. ACME-WEB.")
    is_active: StrictBool | None = None
    is_billable: StrictBool | None = None
    is_fixed_fee: StrictBool | None = None
    bill_by: str | None = Field(None, description="Project, Tasks, People or none (any case).")
    hourly_rate: Amount | None = None
    fee: Amount | None = None
    budget_by: str | None = Field(
        None, description="project, project_cost, task, task_fees, person or none (any case)."
    )
    budget: Amount | None = None
    budget_is_monthly: StrictBool | None = None
    notify_when_over_budget: StrictBool | None = None
    over_budget_notification_percentage: Number | None = None
    show_budget_to_all: StrictBool | None = None
    cost_budget: Amount | None = None
    cost_budget_include_expenses: StrictBool | None = None
    starts_on: SpentDate | None = None
    ends_on: SpentDate | None = None
    notes: Text | None = None
    task_ids: list[Id] | None = Field(None, description="Tasks to offer; the workspace's default tasks if absent.")


class ProjectUpdate(ProjectCreate):
    client_id: Id | None = None  # type: ignore[assignment]
    name: Name | None = None  # type: ignore[assignment]


class TaskAssignmentCreate(Body):
    task_id: Id
    is_active: StrictBool | None = None
    billable: StrictBool | None = None
    hourly_rate: Amount | None = None
    budget: Amount | None = None


class TaskAssignmentUpdate(Body):
    is_active: StrictBool | None = None
    billable: StrictBool | None = None
    hourly_rate: Amount | None = None
    budget: Amount | None = None


class UserAssignmentCreate(Body):
    user_id: Id
    is_active: StrictBool | None = None
    is_project_manager: StrictBool | None = None
    use_default_rates: StrictBool | None = None
    hourly_rate: Amount | None = Field(None, description="Per-person billable rate on this project.")
    budget: Amount | None = None


class UserAssignmentUpdate(Body):
    is_active: StrictBool | None = None
    is_project_manager: StrictBool | None = None
    use_default_rates: StrictBool | None = None
    hourly_rate: Amount | None = None
    budget: Amount | None = None
