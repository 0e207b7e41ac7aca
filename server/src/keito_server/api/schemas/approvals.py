"""Approval request bodies."""

from __future__ import annotations

from pydantic import Field

from keito_server.api.schemas.common import Body, Id, SpentDate, Text


class ApprovalSubmit(Body):
    """Submit every unsubmitted (or rejected) stopped time entry and expense of the period."""

    period_start: SpentDate = Field(..., description="First day of the period (YYYY-MM-DD).")
    period_end: SpentDate = Field(..., description="Last day of the period (YYYY-MM-DD), inclusive.")
    user_id: Id | None = Field(None, description="Managers may submit for a person they manage; default: you.")


class ApprovalReject(Body):
    reason: Text = Field(..., min_length=1, max_length=2000, description="What the person should fix.")
