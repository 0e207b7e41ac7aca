"""Shared fixtures: a real ``keito-server`` process per database backend, and fresh workspaces.

Backends: SQLite always; PostgreSQL when one answers on 127.0.0.1:5432 (database ``test``).
Under ``CI=true`` PostgreSQL is required: its absence fails the run instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.live import LiveServer, Workspace, make_workspace, postgres_available

IN_CI = os.environ.get("CI", "").lower() == "true"
_PG = postgres_available()


def backends() -> list[object]:
    wanted = os.environ.get("KEITO_TEST_BACKENDS", "sqlite,postgres").split(",")
    params: list[object] = []
    if "sqlite" in wanted:
        params.append("sqlite")
    if "postgres" in wanted:
        if _PG or IN_CI:
            params.append("postgres")
        else:
            params.append(
                pytest.param(
                    "postgres",
                    marks=pytest.mark.skip(
                        reason="no PostgreSQL on 127.0.0.1:5432 (set one up, or run with CI=true to require it)"
                    ),
                )
            )
    return params


@pytest.fixture(scope="session", params=backends())
def server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    if request.param == "postgres" and not _PG:
        pytest.fail("CI=true requires PostgreSQL on 127.0.0.1:5432, and none answered")
    live = LiveServer(backend=request.param).start()
    yield live
    live.cleanup()


@pytest.fixture
def ws(server: LiveServer) -> Workspace:
    """A fresh workspace (admin, client Acme Corp, project Acme Website, default tasks)."""
    return make_workspace(server)


@pytest.fixture
def other_ws(server: LiveServer) -> Workspace:
    """A second, unrelated workspace on the same server (for tenant isolation)."""
    return make_workspace(server, name="Other Co")
