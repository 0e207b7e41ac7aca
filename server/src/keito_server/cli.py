"""``keito-server``: serve, migrate, init, create-user, create-api-key, demo.

Settings come from the environment (``KEITO_DATABASE_URL``, ``KEITO_DATA_DIR``, ``KEITO_HOST``,
``KEITO_PORT``). Every command that changes data runs migrations first, so a fresh data
directory just works.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy import select

from keito_server.settings import Settings

DEMO_ADMIN_EMAIL = "admin@demo.keito.local"
DEMO_WORKSPACE = "Keito Demo"


def _migrate(settings: Settings) -> None:
    from keito_server.db.migrate import upgrade

    upgrade(settings.database_url)


def _admin_actor(session: Any, account_id: str) -> Any:
    from keito_server.db.models import Account, User
    from keito_server.services.context import Actor

    account = session.get(Account, account_id)
    if account is None:
        raise SystemExit(f"error: no workspace with id {account_id}")
    admin = session.scalars(
        select(User).where(User.account_id == account_id, User.user_type == "human").order_by(User.created_at)
    ).first()
    if admin is None or not admin.is_admin:
        raise SystemExit(f"error: workspace {account_id} has no administrator")
    return Actor(account=account, user=admin)


def _print(result: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(lines))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    _migrate(settings)
    host = args.host or settings.host
    port = args.port or settings.port
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": args.log_level,
        "access_log": args.access_log,
        "proxy_headers": True,
        "http": "keito_server.http_protocol:OneWriteProtocol",  # a response in one write (ADR 0513)
    }
    if args.workers > 1:  # Keito's own supervisor: workers take even shares of the connections
        from keito_server.serving import Supervisor

        return Supervisor(uvicorn.Config("keito_server.asgi:app", workers=args.workers, **options), args.workers).run()
    uvicorn.run("keito_server.asgi:app", **options)
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _migrate(settings)
    print("database is up to date")
    return 0


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from keito_server.db.engine import Database
    from keito_server.services import accounts, api_keys
    from keito_server.services.security import generate_password

    _migrate(settings)
    password = args.password or generate_password()
    db = Database(settings.database_url)
    with db.transaction() as s:
        account, admin = accounts.create_workspace(
            s,
            name=args.name,
            admin_email=args.email,
            admin_password=password,
            timezone=args.timezone,
            currency=args.currency,
        )
        _, token = api_keys.issue_key(s, admin, name="keito-server init", created_by_id=admin.id)
        result = {
            "account_id": account.id,
            "user_id": admin.id,
            "email": admin.email,
            "password": password,
            "api_key": token,
        }
    db.dispose()
    _print(
        result,
        args.json,
        [
            f"Workspace:  {args.name} ({result['account_id']})",
            f"Admin:      {result['email']}",
            f"Password:   {password}",
            f"API key:    {token}   (shown once)",
        ],
    )
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from keito_server.db.engine import Database
    from keito_server.services import users
    from keito_server.services.security import generate_password

    _migrate(settings)
    db = Database(settings.database_url)
    password = None if args.type == "agent" else (args.password or generate_password())
    with db.session() as s:
        actor = _admin_actor(s, args.account)
        user = users.create_user(
            s,
            actor,
            {
                "first_name": args.name,
                "email": args.email,
                "user_type": args.type,
                "roles": args.role,
            },
            password=password,
        )
        result = {
            "user_id": user.id,
            "email": user.email,
            "user_type": user.user_type,
            "roles": user.roles,
            "password": password,
        }
    db.dispose()
    _print(result, args.json, [f"{k}: {v}" for k, v in result.items() if v is not None])
    return 0


def cmd_create_api_key(args: argparse.Namespace, settings: Settings) -> int:
    from keito_server.db.engine import Database
    from keito_server.db.models import User
    from keito_server.services import api_keys

    _migrate(settings)
    db = Database(settings.database_url)
    with db.session() as s:
        user = s.get(User, args.user) or s.scalar(select(User).where(User.email == args.user.lower()))
        if user is None:
            print(f"error: no user {args.user}", file=sys.stderr)
            return 4
        key, token = api_keys.issue_key(s, user, name=args.name, created_by_id=None)
        s.commit()
        result = {"api_key": token, "key_id": key.id, "user_id": user.id, "account_id": user.account_id}
    db.dispose()
    _print(result, args.json, [f"API key: {token}   (shown once)", f"Account: {result['account_id']}"])
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from keito_server.services.demo import ensure_demo

    _migrate(settings)
    result = ensure_demo(settings)
    host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host
    base = f"http://{host}:{args.port or settings.port}"
    result["url"] = base
    curl = (
        f'curl -X POST {base}/v1/time-entries -H "Authorization: Bearer {result["api_key"]}" '
        f'-H "Content-Type: application/json" -d \'{{"project_id": "{result["project_id"]}", '
        f'"task_id": "{result["task_id"]}", "spent_date": "{result["today"]}", "hours": 1.5, '
        f'"notes": "Implemented OAuth flow", "source": "agent", '
        f'"metadata": {{"agent_id": "review-bot-01"}}}}\''
    )
    result["curl"] = curl
    _print(
        result,
        args.json,
        [
            f"Keito demo workspace ready at {base}",
            f"  Account id (Keito-Account-Id): {result['account_id']}",
            f"  Web login:   {result['admin_email']} / {result['admin_password']}",
            f"  Admin key:   {result['admin_api_key']}",
            f"  Agent key:   {result['api_key']}   (review-bot-01)",
            f"  Project:     Acme Website (ACME) {result['project_id']}; task Development {result['task_id']}",
            "",
            "Try it:",
            f"  export KEITO_API_URL={base} KEITO_API_KEY={result['api_key']} KEITO_ACCOUNT_ID={result['account_id']}",
            f"  {curl}",
        ],
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="keito-server", description="Run and administer a Keito server.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="Run the HTTP server (migrates first).")
    s.add_argument("--host", help="Interface to bind (env KEITO_HOST, default 127.0.0.1).")
    s.add_argument("--port", type=int, help="Port (env KEITO_PORT, default 8000).")
    s.add_argument("--workers", type=int, default=1, help="Worker processes (default 1).")
    s.add_argument("--log-level", default="info", help="uvicorn log level (default info).")
    s.add_argument("--no-access-log", dest="access_log", action="store_false", help="Do not log each request.")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("migrate", help="Bring the database schema up to date.")
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser("init", help="Create a workspace and its administrator; print an API key.")
    s.add_argument("--name", required=True, help="Workspace (company) name.")
    s.add_argument("--email", required=True, help="Administrator's email.")
    s.add_argument("--password", help="Administrator's password (generated when omitted).")
    s.add_argument("--timezone", default="UTC", help="IANA timezone (default UTC).")
    s.add_argument("--currency", default="USD", help="ISO currency (default USD).")
    s.add_argument("--json", action="store_true", help="Print JSON.")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("create-user", help="Add a human or agent user to a workspace.")
    s.add_argument("--account", required=True, help="Workspace id (acc_...).")
    s.add_argument("--name", required=True, help="Name (for agents, e.g. review-bot-01).")
    s.add_argument("--email", help="Email (required for humans).")
    s.add_argument("--type", choices=["human", "agent"], default="human")
    s.add_argument(
        "--role",
        action="append",
        choices=["member", "manager", "administrator"],
        help="Role; repeat for several (default member).",
    )
    s.add_argument("--password", help="Password for a human (generated when omitted).")
    s.add_argument("--json", action="store_true", help="Print JSON.")
    s.set_defaults(func=cmd_create_user)

    s = sub.add_parser("create-api-key", help="Create an API key for a user (agents too).")
    s.add_argument("--user", required=True, help="User id (usr_...) or email.")
    s.add_argument("--name", default="API key", help="A name for the key.")
    s.add_argument("--json", action="store_true", help="Print JSON.")
    s.set_defaults(func=cmd_create_api_key)

    s = sub.add_parser("demo", help="Create (or reuse) the demo workspace and print how to use it.")
    s.add_argument("--port", type=int, help="Port the server will listen on, for the printed URL.")
    s.add_argument("--json", action="store_true", help="Print JSON.")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return int(args.func(args, settings))
    except Exception as exc:  # the admin sees one line, not a traceback
        from keito_server.domain.errors import KeitoError

        if isinstance(exc, KeitoError):
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
