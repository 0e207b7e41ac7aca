"""Granular manager permissions (inventory §1.4, ADR 0903).

A manager holds every one of these unless an administrator turns it off; administrators always
hold them all, members none. Viewing is not toggled here (who a manager sees is
``services.teammates``); these are the things a manager may *do*.
"""

from __future__ import annotations

from typing import Any

from keito_server.domain.errors import ValidationError

CREATE_PROJECTS = "create_projects"
MANAGE_CLIENTS_AND_TASKS = "manage_clients_and_tasks"
DRAFT_INVOICES = "draft_invoices"
SEND_INVOICES = "send_invoices"
EDIT_TEAM_TIME = "edit_team_time"
WITHDRAW_APPROVALS = "withdraw_approvals"

MANAGER_PERMISSIONS: dict[str, str] = {
    CREATE_PROJECTS: "Create projects",
    MANAGE_CLIENTS_AND_TASKS: "Create and edit clients, contacts and tasks",
    DRAFT_INVOICES: "Draft and edit invoices",
    SEND_INVOICES: "Send invoices and record payments",
    EDIT_TEAM_TIME: "Edit team time and expenses",
    WITHDRAW_APPROVALS: "Withdraw approvals",
}


def effective(stored: dict[str, bool] | None) -> dict[str, bool]:
    """Every permission with its value: what is stored, and on for the rest."""
    stored = stored or {}
    return {key: bool(stored.get(key, True)) for key in MANAGER_PERMISSIONS}


def check_permissions(value: Any) -> dict[str, bool]:
    """A PATCH of permissions: an object of known names to booleans."""
    if not isinstance(value, dict):
        raise ValidationError(
            'manager_permissions must be an object such as {"create_projects": false}.', field="manager_permissions"
        )
    unknown = sorted(set(value) - set(MANAGER_PERMISSIONS))
    if unknown:
        raise ValidationError(
            f"Unknown manager permission {unknown[0]!r}; known: {', '.join(MANAGER_PERMISSIONS)}.",
            field="manager_permissions",
        )
    if not all(isinstance(v, bool) for v in value.values()):
        raise ValidationError("Each manager permission must be true or false.", field="manager_permissions")
    return dict(value)
