"""Property-based checks of every operation in our own /openapi.json, both dialects, against a
live server (SQLite and PostgreSQL), with a real API key and Keito-Account-Id.

Checks: no 5xx, every response matches its documented schema, and every status is documented.
Bounded: a few examples per operation and a per-example deadline (about a minute per backend on
2 cores). ``KEITO_SCHEMATHESIS_EXAMPLES`` raises the count for a deeper run.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.support.live import LiveServer, Workspace, make_workspace

MAX_EXAMPLES = int(os.environ.get("KEITO_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_ws(server: LiveServer) -> Workspace:
    return make_workspace(server, name="Fuzz Co")


def _run_operation(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=timedelta(seconds=15),  # generous: the server shares 2 cores with the test
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    run()


@pytest.mark.parametrize("dialect", ["v2", "v1"])
def test_api_conforms(server: LiveServer, fuzz_ws: Workspace, dialect: str) -> None:
    prefix = "/api/v2/" if dialect == "v2" else "/v1/"
    headers = {"Authorization": f"Bearer {fuzz_ws.admin_key}"}
    if dialect == "v2":
        headers["Keito-Account-Id"] = fuzz_ws.account_id
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(prefix):
            continue
        ran += 1
        try:
            _run_operation(operation, headers)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a FailureGroup; report all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert ran > 10
    assert not failures, f"{len(failures)} of {ran} operations failed:\n\n" + "\n\n".join(failures)
