"""keito time ...: JSON and human output, exit codes, agent detection, session-record upsert."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from keito import Keito

from tests.support.live import Workspace

from .conftest import Invoke


def test_start_running_stop(cli: Invoke, ws: Workspace) -> None:
    r = cli("time", "running")
    assert r.code == 0 and r.json == {"running": False}
    assert "No timer running." in cli("--output", "human", "time", "running").out
    r = cli("time", "start", "--project", "acme website", "--task", "development", "--notes", "n")
    assert r.code == 0, r.err
    started = r.json
    assert started["status"] == "started" and started["project"] == "Acme Website" and started["source"] == "cli"
    r = cli("time", "start", "--project", "acme", "--task", "dev")
    assert r.code == 3 and r.error["code"] == 3 and r.error["suggestion"] == "keito time stop"
    r = cli("time", "running")
    assert r.code == 0 and r.json[0]["running"] is True and r.json[0]["entry_id"] == started["entry_id"]
    human = cli("--output", "human", "time", "running")
    assert "Running: Acme Website / Development" in human.out
    r = cli("time", "stop", "--notes", "finished")
    assert r.code == 0 and r.json["status"] == "stopped" and r.json["entry_id"] == started["entry_id"]
    r = cli("time", "stop")
    assert r.code == 4 and "No running timer" in r.error["message"]
    r = cli("--output", "human", "time", "stop")
    assert r.code == 4 and "error: No running timer found." in r.err


def test_stop_discard_and_human_start(cli: Invoke, ws: Workspace, client: Keito) -> None:
    r = cli("--output", "human", "time", "start", "--project", ws.project_id, "--task", ws.task_id)
    assert r.code == 0 and "Started!" in r.out
    r = cli("time", "stop", "--discard")
    assert r.code == 0 and r.json["status"] == "discarded"
    assert client.time_entries.list().to_list() == []
    r = cli("--output", "human", "time", "start", "--project", "acme", "--task", "development")
    r = cli("--output", "human", "time", "stop")
    assert r.code == 0 and "Stopped!" in r.out


def test_log_flags_and_errors(cli: Invoke, ws: Workspace) -> None:
    r = cli(
        "time",
        "log",
        "--project",
        "acme",
        "--task",
        "development",
        "--duration",
        "1:30",
        "--metadata",
        '{"ticket": "T-1"}',
        "--session-id",
        "s-42",
        "--agent-type",
        "codex",
        "--date",
        "2026-11-02",
    )
    assert r.code == 0, r.err
    assert r.json["duration_hours"] == 1.5 and r.json["spent_date"] == "2026-11-02"
    assert r.json["metadata"] == {"ticket": "T-1", "session_id": "s-42", "agent_type": "codex"}
    r = cli("time", "log", "--project", "acme", "--task", "development", "--duration-seconds", "5400")
    assert r.code == 0 and r.json["duration_hours"] == 1.5 and r.json["source"] == "cli"
    r = cli(
        "time", "log", "--project", "acme", "--task", "development", "--started-time", "09:00", "--ended-time", "10:15"
    )
    assert r.code == 0 and r.json["duration_hours"] == 1.25
    r = cli("--output", "human", "time", "log", "--project", "acme", "--task", "development", "--hours", "2")
    assert r.code == 0 and "Logged 2h 00m" in r.out
    # invalid input: exit 2
    assert cli("time", "log", "--project", "acme", "--task", "development", "--duration", "1:75").code == 2
    assert cli("time", "log", "--project", "acme", "--task", "development", "--metadata", "[1]").code == 2
    r = cli("time", "log", "--project", "acme", "--task", "development", "--hours", "30")
    assert r.code == 2 and r.error["error_code"] == "validation_error"
    # unknown project / task: exit 4 with the names available
    r = cli("time", "log", "--project", "nope", "--task", "development", "--hours", "1")
    assert r.code == 4 and r.error["details"]["available"] == ["Acme Website"]
    r = cli("time", "log", "--project", "acme", "--task", "nope", "--hours", "1")
    assert r.code == 4 and "Development" in r.error["details"]["available"]
    r = cli("--output", "human", "time", "log", "--project", "nope", "--task", "x", "--hours", "1")
    assert r.code == 4 and "available: Acme Website" in r.err


@pytest.mark.parametrize(
    ("var", "value", "agent_type", "meta_key"),
    [
        ("CLAUDE_SESSION_ID", "claude-sess", "claude-code", "session_id"),
        ("CODEX_SESSION_ID", "codex-sess", "codex", "session_id"),
        ("OPENCLAW_AGENT_ID", "claw-1", "openclaw", "agent_id"),
        ("CURSOR_AGENT", "1", "cursor", None),
    ],
)
def test_agent_detection(cli: Invoke, var: str, value: str, agent_type: str, meta_key: str | None) -> None:
    r = cli("time", "log", "--project", "acme", "--task", "dev", "--hours", "1", env={var: value})
    assert r.code == 0, r.err
    assert r.json["source"] == "agent" and r.json["metadata"]["agent_type"] == agent_type
    if meta_key:
        assert r.json["metadata"][meta_key] == value
    # flags override what was detected
    r = cli(
        "time",
        "log",
        "--project",
        "acme",
        "--task",
        "dev",
        "--hours",
        "1",
        "--source",
        "api",
        "--agent-type",
        "custom",
        env={var: value},
    )
    assert r.json["source"] == "api" and r.json["metadata"]["agent_type"] == "custom"


def test_list(cli: Invoke, ws: Workspace) -> None:
    assert cli("time", "list").json == []
    assert "No results found." in cli("--output", "human", "time", "list").out
    for i in range(3):
        cli("time", "log", "--project", "acme", "--task", "dev", "--hours", "1", "--notes", f"entry {i}")
    r = cli("time", "list", "--today")
    assert r.code == 0 and len(r.json) == 3 and r.json[0]["project"]["name"] == "Acme Website"
    assert len(cli("time", "list", "--limit", "2").json) == 2
    human = cli("--output", "human", "time", "list", "--project", "acme")
    assert "Acme Website" in human.out and "1h 00m" in human.out
    assert max(len(line) for line in human.out.splitlines()) <= 80
    assert dt.date.today().isoformat() in human.out and "entry 0" in human.out  # short columns are never cut
    assert cli("time", "list", "--today", "--from", "2026-01-01").code == 2


def test_session_record_is_idempotent(cli: Invoke, client: Keito) -> None:
    args = ["time", "session-record", "--project", "acme", "--task", "dev", "--session-id", "sess-77"]
    r1 = cli(*args, "--duration-seconds", "1800", "--notes", "first")
    assert r1.code == 0 and r1.json["status"] == "created" and r1.json["source"] == "agent"
    r2 = cli(
        *args,
        "--duration-seconds",
        "3600",
        "--notes",
        "second",
        "--started-at",
        "2026-11-20T09:00:00Z",
        "--ended-at",
        "2026-11-20T10:00:00Z",
    )
    assert r2.code == 0 and r2.json["status"] == "updated" and r2.json["entry_id"] == r1.json["entry_id"]
    entries = client.time_entries.list(session_id="sess-77").to_list()
    assert len(entries) == 1 and entries[0].hours == 1 and entries[0].notes == "second"
    human = cli("--output", "human", *args, "--duration-seconds", "60")
    assert human.code == 0 and "Updated" in human.out


def test_running_fast_path(
    ws: Workspace, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``keito time running`` is answered without Typer; the same payload as the Typer command."""
    from keito.cli import _fast

    for k, v in cli_env.items():
        monkeypatch.setenv(k, v)
    assert _fast.parse(["time", "running", "--help"]) is None  # anything unusual goes to Typer
    assert _fast.parse(["time", "stop"]) is None
    st = _fast.parse(["--api-url", ws.server.url, "time", "running", "--json"])
    assert st is not None and st.json and st.api_url == ws.server.url
    assert _fast.try_fast(["time", "running", "--json"])
    assert json.loads(capsys.readouterr().out) == {"running": False}
    with Keito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
        entry = c.time_entries.start_timer(project_id=ws.project_id, task_id=ws.task_id)
    assert _fast.try_fast(["--json", "time", "running"])
    assert json.loads(capsys.readouterr().out)[0]["entry_id"] == entry.id
    monkeypatch.setenv("KEITO_API_KEY", "kto_wrong")
    with pytest.raises(SystemExit) as done:
        _fast.try_fast(["time", "running", "--json"])
    assert done.value.code == 1 and json.loads(capsys.readouterr().err)["code"] == 1
