"""One module per feature; each exposes ``v1`` and ``v2`` routers over the same service calls."""

from fastapi import APIRouter

from keito_server.api.routes import (
    api_keys,
    approvals,
    clients,
    contacts,
    expense_categories,
    expenses,
    invoices,
    projects,
    reports,
    tasks,
    time_entries,
    users,
)

# Every API router, in the order they appear in /openapi.json. Add a feature's v2 and v1 here.
_FEATURES = (
    time_entries,
    expenses,
    expense_categories,
    projects,
    clients,
    contacts,
    tasks,
    users,
    approvals,
    invoices,
    reports,
)
ROUTERS: list[APIRouter] = [m.v2 for m in _FEATURES] + [m.v1 for m in _FEATURES]
ROUTERS += [api_keys.v2, api_keys.v1]

# Paths the direct lane (api/direct.py) serves before the FastAPI stack sees them.
DIRECT = {**time_entries.DIRECT}
