"""keito clients / projects / expense / reports, JSON and human mode."""

from __future__ import annotations

from keito import Keito

from tests.support.live import Workspace, today

from .conftest import Invoke


def test_clients(cli: Invoke) -> None:
    r = cli("clients", "create", "Globex", "--currency", "GBP")
    assert r.code == 0 and r.json["name"] == "Globex" and r.json["currency"] == "GBP"
    assert {c["name"] for c in cli("clients", "list").json} == {"Acme Corp", "Globex"}
    human = cli("--output", "human", "clients", "list")
    assert "Globex" in human.out and "GBP" in human.out
    assert "Created client Initech" in cli("--output", "human", "clients", "create", "Initech").out
    assert len(cli("clients", "list", "--limit", "1").json) == 1


def test_projects(cli: Invoke, ws: Workspace) -> None:
    r = cli("projects", "create", "Mobile App", "--client", ws.client_id, "--code", "MOB")
    assert r.code == 0 and r.json["code"] == "MOB"
    human = cli("--output", "human", "projects", "create", "Intranet", "--client", ws.client_id, "--non-billable")
    assert human.code == 0 and "Created project Intranet" in human.out
    assert {p["name"] for p in cli("projects", "list").json} == {"Acme Website", "Mobile App", "Intranet"}
    assert "Mobile App" in cli("--output", "human", "projects", "list").out
    r = cli("projects", "show", "mob")
    assert r.code == 0 and r.json["name"] == "Mobile App"
    assert "MOB" in cli("--output", "human", "projects", "show", "Mobile App").out
    r = cli("projects", "show", "zzz")
    assert r.code == 4 and set(r.error["details"]["available"]) == {"Acme Website", "Mobile App", "Intranet"}
    assert "Development" in {t["name"] for t in cli("projects", "tasks").json}
    assert "Development" in {t["name"] for t in cli("projects", "tasks", "--project", "acme").json}
    assert "Development" in cli("--output", "human", "projects", "tasks").out
    r = cli("projects", "create", "X", "--client", "cli_missing")
    assert r.code in (2, 4)


def test_expense_log(cli: Invoke, ws: Workspace, client: Keito) -> None:
    r = cli(
        "expense",
        "log",
        "--project",
        "acme",
        "--model",
        "claude-opus-4-6",
        "--input-tokens",
        "30000",
        "--output-tokens",
        "15000",
        "--session-id",
        "s-1",
    )
    assert r.code == 0, r.err
    assert r.json["category"] == "LLM Usage" and r.json["units"] == 45
    assert r.json["metadata"]["model"] == "claude-opus-4-6" and r.json["metadata"]["session_id"] == "s-1"
    assert float(r.json["total_cost"]) > 0
    cat = client.expense_categories.create(name="Hosting")
    r = cli("expense", "log", "--project", "acme", "--category", "hosting", "--amount", "12.50")
    assert r.code == 0 and r.json["category"] == "Hosting" and r.json["total_cost"] == "12.5"
    assert cat.id
    human = cli("--output", "human", "expense", "log", "--project", "acme", "--quantity", "2")
    assert human.code == 0 and "Logged LLM Usage expense" in human.out, human.err
    assert cli("expense", "log", "--project", "acme").code == 2
    assert cli("expense", "log", "--project", "acme", "--category", "nope", "--amount", "1").code == 4


def test_reports_summary(cli: Invoke) -> None:
    # The entry's date is given, so a run that crosses midnight still finds it in the report.
    cli("time", "log", "--project", "acme", "--task", "dev", "--hours", "2", "--date", today())
    r = cli("reports", "summary", "--from", today(), "--to", today())
    assert r.code == 0 and r.json[0]["label"] == "Acme Website" and float(r.json[0]["hours"]) == 2
    human = cli("--output", "human", "reports", "summary", "--from", today(), "--to", today(), "--group-by", "source")
    assert human.code == 0 and "cli" in human.out
    r = cli("reports", "summary", "--from", "2020-01-01", "--to", "2026-01-01")
    assert r.code == 2  # longer than 365 days
