"""Run the CLI in-process (Typer's CliRunner) against the live server, with a temp config file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from keito.cli.app import app
from typer.testing import CliRunner

from tests.support.live import Workspace

AGENT_VARS = ("CLAUDE_SESSION_ID", "CODEX_SESSION_ID", "OPENCLAW_AGENT_ID", "CURSOR_AGENT", "KEITO_AGENT_ID")


class Run:
    def __init__(self, result: Any) -> None:
        self.code: int = result.exit_code
        self.out: str = result.stdout
        self.err: str = result.stderr
        self.exception = result.exception

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error(self) -> Any:
        return json.loads(self.err)


Invoke = Callable[..., Run]


@pytest.fixture
def cli_env(ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for var in AGENT_VARS + ("KEITO_OUTPUT", "KEITO_JSON", "KEITO_BASE_URL", "KEITO_WORKSPACE_ID"):
        monkeypatch.delenv(var, raising=False)
    return {
        "KEITO_API_URL": ws.server.url,
        "KEITO_API_KEY": ws.admin_key,
        "KEITO_ACCOUNT_ID": ws.account_id,
        "KEITO_CONFIG": str(tmp_path / "keito" / "config.toml"),
    }


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Invoke:
    def invoke(*args: str, env: dict[str, str | None] | None = None) -> Run:
        merged: dict[str, str | None] = {**cli_env, **(env or {})}
        result = CliRunner().invoke(app, list(args), env=merged)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result)

    return invoke
