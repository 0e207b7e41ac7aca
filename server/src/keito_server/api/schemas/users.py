"""User and API-key request bodies."""

from __future__ import annotations

from pydantic import Field, StrictBool

from keito_server.api.schemas.common import Amount, Body, Id, Name


class UserCreate(Body):
    """Administrators add humans (first_name and email) and agents (a name is enough)."""

    user_type: str | None = Field(None, description="human (default) or agent")
    name: Name | None = Field(None, description="Full name; for an agent, its name such as review-bot-01.")
    first_name: Name | None = None
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    telephone: str | None = Field(None, max_length=50)
    timezone: str | None = Field(None, max_length=64)
    roles: list[str] | None = Field(None, description="member, manager, administrator")
    is_active: StrictBool | None = None
    is_contractor: StrictBool | None = None
    has_access_to_all_future_projects: StrictBool | None = None
    weekly_capacity: int | None = Field(None, description="Seconds per week (144000 = 40 hours).")
    default_hourly_rate: Amount | None = None
    cost_rate: Amount | None = None
    avatar_url: str | None = Field(None, max_length=500)
    manager_permissions: dict[str, StrictBool] | None = Field(
        None,
        description="Administrators: turn a manager's granular permissions off or on, e.g. "
        '{"create_projects": false}. Names: create_projects, manage_clients_and_tasks, draft_invoices, '
        "send_invoices, edit_team_time. Unnamed ones stay as they are; null turns them all on.",
    )


class UserUpdate(UserCreate):
    """PATCH: people may edit their own names, telephone, timezone and avatar; the rest is for
    administrators."""


class UserCreateV1(UserCreate):
    """v1 says ``billable_rate`` where v2 says ``default_hourly_rate``."""

    billable_rate: Amount | None = None


class UserUpdateV1(UserCreateV1):
    pass


class ApiKeyCreate(Body):
    name: Name = Field(description="What the key is for, such as 'CI pipeline' or 'review-bot-01'.")
    user_id: Id | None = Field(None, description="Administrators may create keys for other users (agents).")


class TeammatesUpdate(Body):
    """Administrators restrict a manager to these people; an empty list lifts the restriction."""

    teammate_ids: list[Id] = Field(..., max_length=2000, description="User ids of the manager's teammates.")
