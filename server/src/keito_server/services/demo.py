"""The demo workspace: client Acme Corp, project Acme Website (ACME), tasks Development and
Code Review, and an agent user review-bot-01 with its own key. Re-running reuses it and
prints fresh keys (keys are stored hashed, so old ones cannot be shown again)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from keito_server.db.engine import Database
from keito_server.db.models import Account, Client, Login, Project, Task, User
from keito_server.services import accounts, api_keys, clients, projects, users
from keito_server.services.context import Actor
from keito_server.services.security import generate_password, hash_password
from keito_server.settings import Settings

ADMIN_EMAIL = "admin@demo.keito.local"
WORKSPACE = "Keito Demo"
AGENT_NAME = "review-bot-01"


def ensure_demo(settings: Settings) -> dict[str, Any]:
    db = Database(settings.database_url)
    password = generate_password()
    try:
        with db.session() as s:
            admin = s.scalar(
                select(User)
                .join(Account, Account.id == User.account_id)
                .where(User.email == ADMIN_EMAIL, Account.name == WORKSPACE)
            )
            if admin is None:
                account, admin = accounts.create_workspace(
                    s,
                    name=WORKSPACE,
                    admin_email=ADMIN_EMAIL,
                    admin_password=password,
                    first_name="Demo",
                    last_name="Admin",
                )
                s.commit()
            else:
                found = s.get(Account, admin.account_id)
                login = s.get(Login, admin.login_id)
                assert found is not None and login is not None
                account = found
                login.password_hash = hash_password(password)
                s.commit()
            actor = Actor(account=account, user=admin)
            client = s.scalar(select(Client).where(Client.account_id == account.id, Client.name == "Acme Corp"))
            if client is None:
                client = clients.create_client(s, actor, {"name": "Acme Corp"})
            project = s.scalar(select(Project).where(Project.account_id == account.id, Project.code == "ACME"))
            if project is None:
                task_ids = list(
                    s.scalars(
                        select(Task.id).where(
                            Task.account_id == account.id, Task.name.in_(["Development", "Code Review"])
                        )
                    )
                )
                project = projects.create_project(
                    s,
                    actor,
                    {
                        "client_id": client.id,
                        "name": "Acme Website",
                        "code": "ACME",
                        "bill_by": "Project",
                        "hourly_rate": 150,
                        "task_ids": task_ids,
                    },
                )
            agent = s.scalar(select(User).where(User.account_id == account.id, User.first_name == AGENT_NAME))
            if agent is None:
                agent = users.create_user(
                    s,
                    actor,
                    {
                        "first_name": AGENT_NAME,
                        "user_type": "agent",
                        "default_hourly_rate": 75,
                        "cost_rate": 5,
                    },
                )
                projects.assign_user(s, actor, project.id, agent.id)
            development = s.scalar(select(Task).where(Task.account_id == account.id, Task.name == "Development"))
            review = s.scalar(select(Task).where(Task.account_id == account.id, Task.name == "Code Review"))
            assert development is not None and review is not None
            _, agent_token = api_keys.issue_key(s, agent, name="demo agent key", created_by_id=admin.id)
            _, admin_token = api_keys.issue_key(s, admin, name="demo admin key", created_by_id=admin.id)
            s.commit()
            return {
                "account_id": account.id,
                "admin_email": ADMIN_EMAIL,
                "admin_password": password,
                "admin_api_key": admin_token,
                "api_key": agent_token,
                "agent_user_id": agent.id,
                "client_id": client.id,
                "project_id": project.id,
                "task_id": development.id,
                "review_task_id": review.id,
                "today": date.today().isoformat(),
            }
    finally:
        db.dispose()
