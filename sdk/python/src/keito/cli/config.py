"""The credentials file: ``$KEITO_CONFIG``, else ``$XDG_CONFIG_HOME/keito/config.toml``, else
``~/.config/keito/config.toml``. Written with mode 0600 in a 0700 directory; it holds an API key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

KEYS = ("api_key", "account_id", "api_url")


class ConfigError(Exception):
    """The file exists but cannot be read (exit code 8)."""


def config_path() -> Path:
    if os.environ.get("KEITO_CONFIG"):
        return Path(os.environ["KEITO_CONFIG"]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "keito" / "config.toml"


def load(path: Path | None = None) -> dict[str, Any]:
    path = path or config_path()
    if not path.exists():
        return {}
    import tomllib

    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from exc
    if "account_id" not in data and "workspace_id" in data:  # the official CLI's older name
        data["account_id"] = data["workspace_id"]
    return data


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def save(values: dict[str, Any], path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = [f"{k} = {_quote(str(v))}" for k, v in values.items() if v is not None]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)  # also when the file already existed with looser bits
    return path
