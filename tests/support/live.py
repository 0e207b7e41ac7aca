"""Real servers and real databases for tests.

``LiveServer`` runs ``keito-server serve`` as a subprocess on a free port against a fresh
database: a SQLite file in a temporary data directory, or a fresh PostgreSQL database on
127.0.0.1:5432 (created for the run, dropped afterwards). ``Workspace`` builds realistic data
straight through the services layer on the same database (fast), then tests talk HTTP to the
server exactly as users do.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("KEITO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def today() -> str:
    """Today's date (ISO), read at the call: a module constant read at import goes stale when a
    run crosses midnight, and the server's own "today" has moved on."""
    return date.today().isoformat()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_fresh_window(window_seconds: int = 60, margin: float = 8.0) -> None:
    """Sleep past the next rate-limit window boundary when it is less than ``margin`` seconds away,
    so a test's burst of requests is counted in one window."""
    left = window_seconds - time.time() % window_seconds
    if left < margin:
        time.sleep(left + 0.05)


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=2):
            return True
    except Exception:
        return False


def create_pg_database() -> str:
    """A fresh database for one test session; returns its SQLAlchemy URL."""
    import psycopg

    name = f"keito_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class LiveServer:
    backend: str  # "sqlite" | "postgres"
    env_extra: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    database_url: str = ""
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="keito-test-")))
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    owns_database: bool = True
    python: str = sys.executable
    # Put before the interpreter on the command line (a profiler, say: valgrind runs the server
    # in its own process, so ``proc.pid`` is still the server's).
    launcher: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "KEITO_DATA_DIR": str(self.data_dir),
                "KEITO_DATABASE_URL": self.database_url,
                "KEITO_ENABLE_FAULT_INJECTION": "1",
                "KEITO_RATE_LIMIT_PER_MINUTE": "100000",
                "KEITO_AUTH_CACHE_SECONDS": "0",
            }
        )
        env.update(self.env_extra)
        return env

    def start(self) -> LiveServer:
        """Starts the server on ``port`` (a free one when 0). Another process can take a free port
        between our look and the server's bind (tests run in parallel): then the server exits and
        the health check may be answered by that other process, whose database is not ours. A
        server whose listening socket is not its own is stopped, and started again on another
        free port."""
        if not self.database_url:
            if self.backend == "postgres":
                self.database_url = create_pg_database()
            else:
                self.database_url = f"sqlite:///{self.data_dir / 'keito.db'}"
        chosen = self.port
        for _ in range(1 if chosen else 5):  # a port asked for is that port or nothing
            self.port = chosen or free_port()
            self._launch()
            assert self.proc is not None
            if _listens_on(self.proc.pid, self.port):
                return self
            self.stop()
        raise RuntimeError(f"keito-server could not keep a port of its own:\n{self.log_tail()}")

    def _launch(self) -> None:
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115  (the child process keeps it)
        self.proc = subprocess.Popen(
            [
                *self.launcher,
                self.python,
                "-m",
                "keito_server.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if "address already in use" in self.log_tail().lower():
                    return  # another process took the port first: start() tries another
                raise RuntimeError(f"keito-server exited early:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"keito-server did not start:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join((self.data_dir / "server.log").read_text().splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        if self.backend == "postgres" and self.owns_database and self.database_url:
            drop_pg_database(self.database_url)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def database(self) -> Any:
        from keito_server.db.engine import Database

        return Database(self.database_url, pool_size=2)


class Api:
    """A thin HTTP client speaking one dialect with one key (what an SDK would send)."""

    def __init__(self, server: LiveServer, key: str, account_id: str | None, dialect: str = "v2") -> None:
        headers = {"Authorization": f"Bearer {key}"}
        if dialect == "v2" and account_id:
            headers["Keito-Account-Id"] = account_id
        self.prefix = "/api/v2" if dialect == "v2" else "/v1"
        self.http = httpx.Client(base_url=server.url, headers=headers, timeout=30)

    def _path(self, path: str) -> str:
        return path if path.startswith(("/api/", "/v1/", "/openapi")) else f"{self.prefix}/{path.lstrip('/')}"

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(self._path(path), **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return self.http.post(self._path(path), json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return self.http.patch(self._path(path), json=json, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.delete(self._path(path), **kw)

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.http.request(method, self._path(path), **kw)


@dataclass
class Workspace:
    """A workspace with an administrator, a client, a project with the default tasks, ready to use."""

    server: LiveServer
    account_id: str
    admin_id: str
    admin_key: str
    client_id: str
    project_id: str
    task_id: str  # "Development"
    other_task_id: str  # "Code Review"

    def api(self, key: str | None = None, dialect: str = "v2") -> Api:
        return Api(self.server, key or self.admin_key, self.account_id, dialect)

    def add_user(
        self,
        name: str = "Member",
        *,
        user_type: str = "human",
        roles: list[str] | None = None,
        assign: bool = True,
        **fields: Any,
    ) -> tuple[str, str]:
        """(user_id, api_key) for a new person, assigned to the project unless ``assign`` is false."""
        from keito_server.services import api_keys, projects, users

        db = self.server.database()
        try:
            with db.session() as s:
                actor = _admin(s, self.account_id)
                email = (
                    fields.pop("email", None) or f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:6]}@example.com"
                )
                user = users.create_user(
                    s,
                    actor,
                    {
                        "first_name": name,
                        "email": email if user_type == "human" else None,
                        "user_type": user_type,
                        "roles": roles or ["member"],
                        **fields,
                    },
                    password="correct horse battery staple",
                )
                if assign:
                    projects.assign_user(s, actor, self.project_id, user.id)
                _, token = api_keys.issue_key(s, user, name="test", created_by_id=self.admin_id)
                s.commit()
                return user.id, token
        finally:
            db.dispose()

    def update_account(self, **settings: Any) -> None:
        from keito_server.db.models import Account

        db = self.server.database()
        try:
            with db.session() as s:
                account = s.get(Account, self.account_id)
                for k, v in settings.items():
                    setattr(account, k, v)
                s.commit()
        finally:
            db.dispose()

    def run(self, fn: Any) -> Any:
        """Run ``fn(session, admin_actor)`` against the server's database (for set-up only)."""
        db = self.server.database()
        try:
            with db.session() as s:
                return fn(s, _admin(s, self.account_id))
        finally:
            db.dispose()


def _admin(session: Any, account_id: str) -> Any:
    from keito_server.db.models import Account, User
    from keito_server.services.context import Actor
    from sqlalchemy import select

    account = session.get(Account, account_id)
    admin = session.scalars(select(User).where(User.account_id == account_id).order_by(User.created_at)).first()
    return Actor(account=account, user=admin)


def make_workspace(server: LiveServer, name: str = "Test Co", **account: Any) -> Workspace:
    from keito_server.db.models import Task
    from keito_server.services import accounts, api_keys, clients, projects
    from keito_server.services.context import Actor
    from sqlalchemy import select

    db = server.database()
    try:
        with db.session() as s:
            acc, admin = accounts.create_workspace(
                s,
                name=name,
                admin_email=f"admin.{uuid.uuid4().hex[:8]}@example.com",
                admin_password="correct horse battery staple",
                first_name="Ada",
                last_name="Admin",
            )
            for k, v in account.items():
                setattr(acc, k, v)
            _, token = api_keys.issue_key(s, admin, name="test admin", created_by_id=admin.id)
            s.commit()
            actor = Actor(account=acc, user=admin)
            client = clients.create_client(s, actor, {"name": "Acme Corp"})
            project = projects.create_project(
                s,
                actor,
                {
                    "client_id": client.id,
                    "name": "Acme Website",
                    "code": f"ACME-{uuid.uuid4().hex[:4]}",
                    "hourly_rate": 150,
                },
            )
            tasks = {t.name: t.id for t in s.scalars(select(Task).where(Task.account_id == acc.id))}
            return Workspace(
                server=server,
                account_id=acc.id,
                admin_id=admin.id,
                admin_key=token,
                client_id=client.id,
                project_id=project.id,
                task_id=tasks["Development"],
                other_task_id=tasks["Code Review"],
            )
    finally:
        db.dispose()


# ── which worker process holds which connection (Linux /proc) ─────────────────────────


def worker_pids(parent: int) -> list[int]:
    """The live worker processes of ``parent`` (its spawned children; multiprocessing's resource
    tracker is a child too, and is left out)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" not in cmdline:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent and fields[0] != "Z":
            pids.append(int(entry.name))
    return sorted(pids)


def _listens_on(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds a socket listening on ``port`` (Linux /proc)."""
    return bool(_socket_inodes(pid) & _port_inodes(port, state="0A"))  # 0A: LISTEN


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _port_inodes(port: int, *, state: str) -> set[str]:
    """Socket inodes whose local port is ``port``, in TCP state ``state`` (/proc/net/tcp's hex)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == state:
                inodes.add(cols[9])
    return inodes


def _server_side_inodes(port: int) -> set[str]:
    """Socket inodes of the established connections whose local port is ``port``."""
    return _port_inodes(port, state="01")  # 01: ESTABLISHED


def connections_by_worker(port: int, pids: list[int]) -> Counter[int]:
    """How many of ``port``'s established connections each of ``pids`` holds (Linux: the server
    side of each TCP connection in /proc/net/tcp, matched by socket inode to the processes' fds)."""
    inodes = _server_side_inodes(port)
    return Counter({pid: len(_socket_inodes(pid) & inodes) for pid in pids})
