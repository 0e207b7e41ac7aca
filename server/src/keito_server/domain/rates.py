"""Which hourly rates a time entry gets, resolved when it is written and stored on it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from keito_server.domain.errors import ValidationError

BILL_BY = ("Project", "Tasks", "People", "none")
BUDGET_BY = ("project", "project_cost", "task", "task_fees", "person", "none")


@dataclass(frozen=True)
class RateInputs:
    bill_by: str  # one of BILL_BY
    person_project_rate: Decimal | None  # the user's assignment on the project
    task_rate: Decimal | None  # the task's rate on this project, else its default rate
    project_rate: Decimal | None
    person_default_rate: Decimal | None


def billable_rate(r: RateInputs) -> Decimal | None:
    """Per-person project rate, then task rate, then project rate, then the person's default
    rate; the project's ``bill_by`` says where in that chain to start."""
    chains = {
        "People": (r.person_project_rate, r.task_rate, r.project_rate, r.person_default_rate),
        "Tasks": (r.task_rate, r.project_rate, r.person_default_rate),
        "Project": (r.project_rate, r.person_default_rate),
        "none": (),
    }
    for rate in chains.get(r.bill_by, ()):
        if rate is not None:
            return rate
    return None


def canonical_enum(value: str, allowed: tuple[str, ...], field: str) -> str:
    """Accept any case (``project``, ``PROJECT``) and answer as Harvest writes it."""
    for candidate in allowed:
        if candidate.lower() == str(value).strip().lower():
            return candidate
    raise ValidationError(f"{field} must be one of {', '.join(allowed)} (any case).", field=field)
