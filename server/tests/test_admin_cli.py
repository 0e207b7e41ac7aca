"""``keito-server`` admin commands against the same database a live server uses: every key
they print works over HTTP, ``demo`` is idempotent and its curl line (the quickstart's step 2)
works when pasted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from keito_server.settings import Settings
from sqlalchemy import func, select

from tests.support.live import LiveServer, free_port


@pytest.fixture
def live(server: LiveServer) -> Iterator[LiveServer]:
    """A fresh server of the session's backend, so demo and init start from an empty database."""
    fresh = LiveServer(backend=server.backend).start()
    yield fresh
    fresh.cleanup()


def cli(live: LiveServer, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "keito_server.cli", *args],
        env=live.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def cli_json(live: LiveServer, *args: str) -> dict[str, Any]:
    return json.loads(cli(live, *args, "--json").stdout)  # type: ignore[no-any-return]


def works(live: LiveServer, key: str, account_id: str) -> bool:
    v2 = httpx.get(
        f"{live.url}/api/v2/time_entries",
        headers={"Authorization": f"Bearer {key}", "Keito-Account-Id": account_id},
        timeout=30,
    )
    v1 = httpx.get(f"{live.url}/v1/time-entries", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    return v2.status_code == 200 and v1.status_code == 200


def test_init_prints_working_key(live: LiveServer) -> None:
    out = cli_json(live, "init", "--name", "Init Co", "--email", "Owner@Example.com", "--password", "s3cret-pass-word")
    assert out["account_id"].startswith("acc_")
    assert out["email"] == "owner@example.com"
    assert out["password"] == "s3cret-pass-word"
    assert out["api_key"].startswith("kto_")
    assert works(live, out["api_key"], out["account_id"])
    generated = cli_json(live, "init", "--name", "Second Co", "--email", "two@example.com")
    assert len(generated["password"]) >= 12
    assert generated["account_id"] != out["account_id"]
    assert works(live, generated["api_key"], generated["account_id"])
    assert not works(live, generated["api_key"], out["account_id"])  # keys stay in their workspace


def test_create_user_and_agent_keys(live: LiveServer) -> None:
    owner = cli_json(live, "init", "--name", "Users Co", "--email", "boss@example.com")
    acc = owner["account_id"]
    human = cli_json(live, "create-user", "--account", acc, "--name", "Hu Man", "--email", "hu@example.com")
    assert human["user_type"] == "human"
    assert human["password"]
    agent = cli_json(live, "create-user", "--account", acc, "--name", "build-bot", "--type", "agent")
    assert agent["user_type"] == "agent"
    assert agent["password"] is None
    agent_key = cli_json(live, "create-api-key", "--user", agent["user_id"], "--name", "CI")
    assert agent_key["account_id"] == acc
    assert works(live, agent_key["api_key"], acc)
    human_key = cli_json(live, "create-api-key", "--user", "hu@example.com")
    assert works(live, human_key["api_key"], acc)
    missing = cli(live, "create-api-key", "--user", "nobody@example.com", check=False)
    assert missing.returncode != 0
    assert "no user" in missing.stderr


def test_demo_is_idempotent_and_its_curl_works(live: LiveServer) -> None:
    first = cli_json(live, "demo", "--port", str(live.port))
    second = cli_json(live, "demo", "--port", str(live.port))
    for key in ("account_id", "project_id", "task_id", "client_id", "agent_user_id"):
        assert first[key] == second[key]
    assert works(live, second["api_key"], second["account_id"])
    assert works(live, second["admin_api_key"], second["account_id"])
    assert works(live, first["api_key"], first["account_id"])  # earlier keys are not revoked

    from keito_server.db.models import Client, Project, Task, User

    db = live.database()
    try:
        with db.session() as s:
            acc = first["account_id"]
            clients = s.scalars(select(Client.name).where(Client.account_id == acc)).all()
            assert clients.count("Acme Corp") == 1
            project = s.get(Project, first["project_id"])
            assert project is not None
            assert (project.name, project.code) == ("Acme Website", "ACME")
            assert s.scalar(select(func.count()).select_from(Project).where(Project.account_id == acc)) == 1
            tasks = {t.id: t.name for t in s.scalars(select(Task).where(Task.account_id == acc))}
            assert tasks[first["task_id"]] == "Development"
            assert tasks[first["review_task_id"]] == "Code Review"
            agent = s.get(User, first["agent_user_id"])
            assert agent is not None
            assert (agent.first_name, agent.user_type) == ("review-bot-01", "agent")
            agents = s.scalar(
                select(func.count()).select_from(User).where(User.account_id == acc, User.user_type == "agent")
            )
            assert agents == 1
    finally:
        db.dispose()

    # The printed curl line, pasted into a shell, creates the quickstart's entry.
    assert first["curl"].startswith(f"curl -X POST http://localhost:{live.port}/v1/time-entries")
    pasted = subprocess.run(
        ["bash", "-c", second["curl"] + " -s -w '\\n%{http_code}'"], capture_output=True, text=True, timeout=60
    )
    body, status = pasted.stdout.rsplit("\n", 1)
    assert status == "201", pasted.stdout + pasted.stderr
    entry = json.loads(body)
    assert entry["source"] == "agent"
    assert entry["project_id"] == first["project_id"]

    text = cli(live, "demo", "--port", str(live.port)).stdout
    assert first["account_id"] in text
    assert "curl -X POST" in text
    assert f"http://localhost:{live.port}" in text


def test_settings_from_environment(tmp_path: Any) -> None:
    env = {
        "KEITO_DATA_DIR": str(tmp_path / "data"),
        "KEITO_HOST": "0.0.0.0",
        "KEITO_PORT": "9123",
        "KEITO_SECRET_KEY": "k",
    }
    s = Settings.from_env(env)
    assert s.data_dir == (tmp_path / "data").resolve()
    assert s.database_url == f"sqlite:///{(tmp_path / 'data').resolve() / 'keito.db'}"
    assert (s.host, s.port) == ("0.0.0.0", 9123)
    pg = Settings.from_env({**env, "KEITO_DATABASE_URL": "postgres://u@db:5432/keito"})
    assert pg.database_url == "postgresql+psycopg://u@db:5432/keito"


def test_serve_listens_on_keito_host_and_port(tmp_path: Any) -> None:
    port = free_port()
    env = dict(os.environ, KEITO_DATA_DIR=str(tmp_path), KEITO_HOST="127.0.0.1", KEITO_PORT=str(port))
    env.pop("KEITO_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "keito_server.cli", "serve", "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
            except httpx.HTTPError:
                time.sleep(0.1)
        assert status == 200
        assert (tmp_path / "keito.db").exists()  # the SQLite file lives in KEITO_DATA_DIR
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_help_names_every_command() -> None:
    out = subprocess.run([sys.executable, "-m", "keito_server.cli", "--help"], capture_output=True, text=True).stdout
    for command in ("serve", "migrate", "init", "create-user", "create-api-key", "demo"):
        assert command in out
