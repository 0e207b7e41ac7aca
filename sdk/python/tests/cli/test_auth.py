"""keito auth ...: config file (0600, XDG/KEITO_CONFIG), precedence, no prompt without a terminal."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from keito.cli import config

from tests.support.live import Workspace

from .conftest import Invoke

NO_ENV: dict[str, str | None] = {"KEITO_API_KEY": None, "KEITO_ACCOUNT_ID": None}


def test_login_status_whoami_logout(cli: Invoke, ws: Workspace, cli_env: dict[str, str]) -> None:
    path = Path(cli_env["KEITO_CONFIG"])
    r = cli("auth", "status", env=NO_ENV)
    assert r.code == 1 and r.json == {"authenticated": False}
    assert cli("--output", "human", "auth", "status", env=NO_ENV).out.strip() == "Not logged in."
    # no terminal: never a prompt, a clear error instead
    r = cli("auth", "login", env=NO_ENV)
    assert r.code == 2 and "--key" in r.error["message"]
    r = cli("auth", "login", "--key", ws.admin_key, "--account", ws.account_id, env=NO_ENV)
    assert r.code == 0 and r.json["status"] == "authenticated" and r.json["user"] == "Ada Admin"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert config.load(path)["api_key"] == ws.admin_key
    r = cli("auth", "status", env=NO_ENV)
    assert r.code == 0 and r.json["api_key_source"] == "config file" and r.json["api_key_valid"] is True
    human = cli("--output", "human", "auth", "login", "--key", ws.admin_key, "--account", ws.account_id, env=NO_ENV)
    assert human.code == 0 and "Logged in as Ada Admin" in human.out
    assert "Authenticated (config file)" in cli("--output", "human", "auth", "status", env=NO_ENV).out
    r = cli("auth", "whoami", env=NO_ENV)
    assert r.code == 0 and r.json["id"] == ws.admin_id
    assert "Ada Admin" in cli("--output", "human", "auth", "whoami", env=NO_ENV).out
    # precedence: the environment beats the file, a flag beats the environment
    r = cli("auth", "status", env={"KEITO_API_KEY": "kto_bad"})
    assert r.code == 1 and r.json["api_key_valid"] is False
    r = cli("--api-key", ws.admin_key, "auth", "status", env={"KEITO_API_KEY": "kto_bad"})
    assert r.code == 0 and r.json["api_key_source"] == "flag or environment variable"
    r = cli("auth", "logout", env=NO_ENV)
    assert r.code == 0 and r.json == {"status": "logged_out", "config_credentials_removed": True}
    assert "api_key" not in config.load(path)
    assert cli("--output", "human", "auth", "logout", env=NO_ENV).out.strip() == "Logged out."


def test_config_location_and_errors(cli: Invoke, tmp_path: Path, monkeypatch: object) -> None:
    env = dict(NO_ENV, KEITO_CONFIG=None, XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    os.environ.pop("KEITO_CONFIG", None)
    saved = dict(os.environ)
    try:
        os.environ.update({"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
        assert config.config_path() == tmp_path / "xdg" / "keito" / "config.toml"
    finally:
        os.environ.clear()
        os.environ.update(saved)
    bad = tmp_path / "bad.toml"
    bad.write_text("api_key = [unclosed")
    r = cli("time", "running", env=dict(env, KEITO_CONFIG=str(bad)))
    assert r.code == 8 and r.error["code"] == 8
    r = cli("time", "running", env=dict(env, KEITO_CONFIG=str(tmp_path / "none.toml")))
    assert r.code == 1 and "auth login" in r.error["suggestion"]


def test_wrong_key_and_network_errors(cli: Invoke) -> None:
    r = cli("time", "running", env={"KEITO_API_KEY": "kto_nope"})
    assert r.code == 1 and r.error["error_code"] == "authentication_error"
    r = cli("time", "running", env={"KEITO_API_URL": "http://127.0.0.1:9"})
    assert r.code == 7 and r.error["code"] == 7
