"""The quickstart (shared/seed/quickstart.txt) works against this project: the Python snippet runs
unchanged (the base URL comes from KEITO_API_URL) and the CLI lines run as a user types them."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import LiveServer, Workspace, make_workspace

DATA = Path(__file__).parent / "data"
SEED_CANDIDATES = [Path("/work/shared/seed/quickstart.txt"), Path(__file__).parents[4] / "shared/seed/quickstart.txt"]


@pytest.fixture
def quickstart_ws(server: LiveServer) -> Iterator[Workspace]:
    """A server of its own whose workspace has the quickstart's ids prj_abc and tsk_001, and an agent user."""
    live = LiveServer(backend=server.backend).start()
    try:
        ws = make_workspace(live)

        def fixed_ids(session: Any, actor: Any) -> None:
            from keito_server.services import projects, tasks

            real = projects.new_id
            try:
                tasks.new_id = lambda kind: "tsk_001"  # type: ignore[assignment]
                task = tasks.create_task(session, actor, {"name": "OAuth"})
                projects.new_id = lambda kind: "prj_abc" if kind == "project" else real(kind)  # type: ignore[assignment]
                projects.create_project(
                    session, actor, {"client_id": ws.client_id, "name": "ABC", "task_ids": [task.id]}
                )
            finally:
                tasks.new_id = projects.new_id = real  # type: ignore[assignment]
            session.commit()

        ws.run(fixed_ids)
        yield ws
    finally:
        live.cleanup()


def test_python_snippet_matches_the_seed() -> None:
    snippet = (DATA / "quickstart_python.txt").read_text()
    for seed in SEED_CANDIDATES:
        if seed.exists():
            text = seed.read_text().replace("\r\n", "\n")
            step2, step3 = snippet.split("client.expenses.create(")
            assert step2 in text and "client.expenses.create(" + step3 in text  # steps 2 and 3, verbatim
            return
    pytest.skip("shared/seed/quickstart.txt is not beside this checkout")


def test_python_snippet_runs_unchanged(quickstart_ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    ws = quickstart_ws
    from keito_server.services import projects

    agent_id, key = ws.add_user("my-bot-01", user_type="agent")
    ws.run(lambda s, actor: (projects.assign_user(s, actor, "prj_abc", agent_id), s.commit()))
    env = {"KEITO_API_KEY": key, "KEITO_ACCOUNT_ID": ws.account_id, "KEITO_API_URL": ws.server.url}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        namespace: dict[str, Any] = {}
        exec(compile((DATA / "quickstart_python.txt").read_text(), "quickstart", "exec"), namespace)
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    entry = namespace["entry"]
    assert capsys.readouterr().out.strip() == f"Created entry: {entry.id}"
    client = namespace["client"]
    assert entry.metadata["session_id"] == "550e8400-e29b-41d4-a716-446655440000" and entry.source == "agent"
    expenses = client.expenses.list().to_list()
    assert len(expenses) == 1 and expenses[0].metadata["session_id"] == entry.metadata["session_id"]
    assert expenses[0].units == 45 and expenses[0].total_cost > 0


def test_cli_lines_run(ws: Workspace, tmp_path: Path) -> None:
    env = dict(os.environ)
    for var in ("CLAUDE_SESSION_ID", "CODEX_SESSION_ID", "OPENCLAW_AGENT_ID", "CURSOR_AGENT", "KEITO_AGENT_ID"):
        env.pop(var, None)
    env.update(
        KEITO_API_URL=ws.server.url,
        KEITO_API_KEY=ws.admin_key,
        KEITO_ACCOUNT_ID=ws.account_id,
        KEITO_CONFIG=str(tmp_path / "config.toml"),
    )
    keito = [sys.executable, "-m", "keito.cli"]
    outputs = []
    for line in (DATA / "quickstart_cli.txt").read_text().splitlines():
        argv = shlex.split(line)
        assert argv[0] == "keito"
        done = subprocess.run(keito + argv[1:], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    import json

    logged, expense = (json.loads(o) for o in outputs)
    assert logged["status"] == "logged" and logged["duration_hours"] == 1.5 and logged["source"] == "agent"
    assert logged["metadata"] == {"agent_id": "my-bot-01"} and logged["project"] == "Acme Website"
    assert expense["category"] == "LLM Usage" and expense["units"] == 45
