"""An in-process app (``create_app`` on a temporary SQLite file, or any database URL) with a
logged-in web client and a SQL statement counter: for the query-count test and the
benchmark of the Day and Week views (benchmarks/web_views.py)."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select

PASSWORD = "correct horse battery staple"


@dataclass
class StatementCounter:
    count: int = 0
    statements: list[str] = field(default_factory=list)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.strip().upper() in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
            return
        self.count += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


@dataclass
class InProcessApp:
    client: TestClient
    db: Any
    counter: StatementCounter
    account_id: str
    admin_id: str
    project_ids: list[str]
    task_ids: list[str]
    timer: ServerTimer

    def actor(self, session: Any) -> Any:
        from keito_server.db.models import Account, User
        from keito_server.services.context import Actor

        return Actor(account=session.get(Account, self.account_id), user=session.get(User, self.admin_id))

    def seed(self, days: list[date], per_day: int, *, agent_every: int = 3) -> None:
        """``per_day`` entries on each day, spread over every project and task, some by agents."""
        from keito_server.services import time_entries

        with self.db.session() as s:
            actor = self.actor(s)
            n = 0
            for day in days:
                for _ in range(per_day):
                    source = "agent" if n % agent_every == 0 else ("cli" if n % agent_every == 1 else "web")
                    time_entries.create_entry(
                        s,
                        actor,
                        {
                            "project_id": self.project_ids[n % len(self.project_ids)],
                            "task_id": self.task_ids[n % len(self.task_ids)],
                            "spent_date": day,
                            "hours": Decimal("0.25"),
                            "notes": f"Entry {n} <b>escaped</b>",
                            "source": source,
                            "metadata": {"agent_id": "bench-bot", "session_id": f"s-{n % 7}"}
                            if source == "agent"
                            else None,
                        },
                    )
                    n += 1

    def get(self, path: str) -> tuple[Any, int]:
        """(response, SQL statements it ran)."""
        self.counter.reset()
        r = self.client.get(path)
        return r, self.counter.count


class ServerTimer:
    """Pure-ASGI wrapper recording each request's time inside the app (seconds), from the
    first byte in to the last byte out: the server's time, without the test client's."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0
        self.last_cpu = 0.0  # CPU seconds of this process meanwhile (immune to other load)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        import time

        start, cpu = time.perf_counter(), time.process_time()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = time.perf_counter() - start
                self.last_cpu = time.process_time() - cpu

        await self.app(scope, receive, timed_send)


def build(database_url: str | None = None, *, projects: int = 4, secure_cookies: bool = False) -> InProcessApp:
    from keito_server.app import create_app
    from keito_server.db.engine import Database
    from keito_server.db.migrate import upgrade
    from keito_server.db.models import Task
    from keito_server.services import accounts, clients
    from keito_server.services import projects as project_service
    from keito_server.services.context import Actor
    from keito_server.settings import Settings

    data_dir = Path(tempfile.mkdtemp(prefix="keito-web-"))
    url = database_url or f"sqlite:///{data_dir / 'keito.db'}"
    env = {"KEITO_DATA_DIR": str(data_dir), "KEITO_DATABASE_URL": url, "KEITO_SECRET_KEY": "k" * 48}
    if secure_cookies:
        env["KEITO_SECURE_COOKIES"] = "1"
    settings = Settings.from_env(env)
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    with db.session() as s:
        account, admin = accounts.create_workspace(
            s, name="Bench Co", admin_email="bench@example.com", admin_password=PASSWORD, first_name="Ben"
        )
        s.commit()
        actor = Actor(account=account, user=admin)
        client = clients.create_client(s, actor, {"name": "Globex"})
        project_ids = [
            project_service.create_project(s, actor, {"client_id": client.id, "name": f"Project {i}"}).id
            for i in range(projects)
        ]
        task_ids = list(s.scalars(select(Task.id).where(Task.account_id == account.id, Task.is_default.is_(True))))
        account_id, admin_id = account.id, admin.id
    counter = StatementCounter()
    for engine in {db.write_engine, db.read_engine}:
        event.listen(engine, "before_cursor_execute", counter)
    timer = ServerTimer(create_app(settings, db=db))
    http = TestClient(timer, base_url="https://testserver" if secure_cookies else "http://testserver")
    page = http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = http.post("/login", data={"email": "bench@example.com", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 200, r.text[:300]
    return InProcessApp(http, db, counter, account_id, admin_id, project_ids, task_ids, timer)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]
