"""Page registration: every feature's page module lives here and exposes ``router``.

To add pages, create ``web/pages/<feature>.py`` with ``router = APIRouter()`` and make sure its
name is in ``PAGE_MODULES`` (the Manage, Projects, Expenses and Reports modules are listed
already, so creating the file is enough). Or append a router to ``EXTRA_ROUTERS``.
Every router registered here gets CSRF protection on unsafe methods (``csrf_protect``), so a
page cannot forget it. See docs/development/web.md.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter, Depends, FastAPI

from keito_server.web.csrf import csrf_protect

# Order matters only for overlapping paths (none today).
PAGE_MODULES: list[str] = [
    "auth",
    "time",
    "team",
    "settings",
    # Built by the second web engineer; registered when the module exists.
    "manage",
    "clients",
    "projects",
    "tasks",
    "expense_categories",
    "expenses",
    "reports",
    "approvals",
    "invoices",
]
# Routers built elsewhere that are not a module of this package.
EXTRA_ROUTERS: list[APIRouter] = []


def page_routers() -> list[APIRouter]:
    routers: list[APIRouter] = []
    for name in PAGE_MODULES:
        full = f"{__name__}.{name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name == full:
                continue  # not built yet
            raise
        routers.append(module.router)
    return routers + EXTRA_ROUTERS


def register(app: FastAPI) -> None:
    for router in page_routers():
        app.include_router(router, include_in_schema=False, dependencies=[Depends(csrf_protect)])
