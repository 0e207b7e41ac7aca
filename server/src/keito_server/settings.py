"""Settings read from the environment (``KEITO_*``), built once in ``create_app`` and passed down.

Nothing here opens a connection: settings are plain data.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 8000
DEFAULT_HOST = "127.0.0.1"
# Requests per minute per API key; 0 disables the limiter.
DEFAULT_RATE_LIMIT_PER_MINUTE = 1200
# Largest request body accepted, in bytes (decisions: a body over 1 MB is refused).
MAX_BODY_BYTES = 1_000_000
DEFAULT_THREADS = 16
# Requests an API thread takes at once when several wait, on PostgreSQL: their time entry
# creates share one insert (ADR 0521). 1 takes them one by one. 8 did better than 4 and as well
# as 16 (docs/performance.md, twelfth session).
DEFAULT_GROUP_WRITES = 8


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    secret_key: str = field(default="", repr=False)
    redis_url: str | None = None
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE
    # Test-only: lets a request ask for canned 429/503 answers (see api/faults.py).
    enable_fault_injection: bool = False
    # Seconds an API key lookup may be served from the per-process cache.
    auth_cache_seconds: float = 5.0
    secure_cookies: bool = False
    # Threads per server process for blocking work (database calls). Fewer threads than
    # connections queue the excess on the event loop instead of contending for the GIL;
    # see docs/performance.md for the measurements behind the default.
    threads: int = DEFAULT_THREADS
    group_writes: int = DEFAULT_GROUP_WRITES

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = dict(os.environ if env is None else env)
        data_dir = Path(e.get("KEITO_DATA_DIR") or Path.cwd() / ".keito-data").resolve()
        url = e.get("KEITO_DATABASE_URL") or f"sqlite:///{data_dir / 'keito.db'}"
        return cls(
            data_dir=data_dir,
            database_url=normalize_database_url(url),
            host=e.get("KEITO_HOST") or DEFAULT_HOST,
            port=int(e.get("KEITO_PORT") or DEFAULT_PORT),
            secret_key=e.get("KEITO_SECRET_KEY") or _secret_from_data_dir(data_dir),
            redis_url=e.get("KEITO_REDIS_URL") or None,
            rate_limit_per_minute=int(e.get("KEITO_RATE_LIMIT_PER_MINUTE") or DEFAULT_RATE_LIMIT_PER_MINUTE),
            enable_fault_injection=_bool(e.get("KEITO_ENABLE_FAULT_INJECTION")),
            auth_cache_seconds=float(e.get("KEITO_AUTH_CACHE_SECONDS") or 5.0),
            secure_cookies=_bool(e.get("KEITO_SECURE_COOKIES")),
            threads=int(e.get("KEITO_THREADS") or DEFAULT_THREADS),
            group_writes=max(1, int(e.get("KEITO_GROUP_WRITES") or DEFAULT_GROUP_WRITES)),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalize_database_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and pick psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_from_data_dir(data_dir: Path) -> str:
    """A signing secret kept in the data directory, so every worker of one install shares it."""
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:
            with open(path, "x") as fh:  # first writer wins; others read its key
                fh.write(key)
            path.chmod(0o600)
        except FileExistsError:
            return path.read_text().strip()
        return key
