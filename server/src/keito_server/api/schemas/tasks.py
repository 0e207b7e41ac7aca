"""Task request bodies (Harvest's task fields)."""

from __future__ import annotations

from pydantic import StrictBool

from keito_server.api.schemas.common import Amount, Body, Id, Name


class TaskCreate(Body):
    name: Name
    billable_by_default: StrictBool | None = None
    default_hourly_rate: Amount | None = None
    is_default: StrictBool | None = None
    is_active: StrictBool | None = None
    parent_task_id: Id | None = None


class TaskUpdate(TaskCreate):
    name: Name | None = None  # type: ignore[assignment]
