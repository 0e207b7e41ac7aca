"""Time entry request bodies for both dialects."""

from __future__ import annotations

from pydantic import Field, StrictBool

from keito_server.api.schemas.common import Body, ClockTime, Hours, Id, Metadata, SpentDate, Text


class TimeEntryCreate(Body):
    project_id: Id
    task_id: Id
    spent_date: SpentDate
    user_id: Id | None = Field(None, description="Managers can create entries for other users.")
    hours: Hours | None = None
    notes: Text | None = None
    billable: StrictBool | None = None
    is_running: StrictBool | None = None
    replace_running: StrictBool | None = Field(
        None, description="With is_running, stop any current running timer first instead of a 409."
    )
    started_time: ClockTime | None = None
    ended_time: ClockTime | None = None
    source: str | None = Field(None, description="web, cli, api, agent, calendar or desktop")
    metadata: Metadata = None


class TimeEntryCreateV1(Body):
    """v1: ``is_billable`` instead of ``billable``; ``task_id`` optional; ``hours`` required
    unless the entry is a running timer."""

    project_id: Id
    task_id: Id | None = None
    spent_date: SpentDate
    user_id: Id | None = None
    hours: Hours | None = None
    notes: Text | None = None
    is_billable: StrictBool | None = None
    is_running: StrictBool | None = None
    replace_running: StrictBool | None = None
    started_time: ClockTime | None = None
    ended_time: ClockTime | None = None
    source: str | None = None
    metadata: Metadata = None


class TimeEntryUpdate(Body):
    project_id: Id | None = None
    task_id: Id | None = None
    spent_date: SpentDate | None = None
    hours: Hours | None = None
    notes: Text | None = None
    billable: StrictBool | None = None
    started_time: ClockTime | None = None
    ended_time: ClockTime | None = None
    metadata: Metadata = Field(None, description="Merged into existing metadata. Set to null to clear.")
    is_running: StrictBool | None = Field(None, description="false stops a running timer (as the CLI sends).")
    source: str | None = Field(None, description="Immutable: only the current value is accepted.")


class TimeEntryUpdateV1(TimeEntryUpdate):
    is_billable: StrictBool | None = None


class TimeEntryStop(Body):
    notes: Text | None = None


class TimeEntryRestart(Body):
    replace_running: StrictBool | None = None
