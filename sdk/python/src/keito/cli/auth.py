"""keito auth login|logout|status|whoami."""

from __future__ import annotations

from typing import Annotated

import typer

from keito.cli import config
from keito.cli._runtime import EXIT_AUTH, EXIT_INPUT, CliError, emit, say, state

app = typer.Typer(help="Log in, log out, and check credentials.", no_args_is_help=True)


@app.command()
def login(
    ctx: typer.Context,
    api_key: Annotated[str | None, typer.Option("--key", help="API key (kto_...); prompted on a terminal.")] = None,
    account_id: Annotated[str | None, typer.Option("--account", help="Account id; prompted on a terminal.")] = None,
) -> None:
    """Check a key against the server and save it to the config file (mode 0600)."""
    st = state(ctx)
    api_key = api_key or st.api_key
    account_id = account_id or st.account_id
    if not api_key or not account_id:
        if not st.interactive:
            raise CliError(EXIT_INPUT, "No terminal to prompt on: pass --key and --account (or set the env vars).")
        api_key = api_key or typer.prompt("API key", hide_input=True)
        account_id = account_id or typer.prompt("Account id")
    st.api_key, st.account_id = api_key, account_id
    me = st.client().users.me()
    stored = config.load()
    stored.update({"api_key": api_key, "account_id": account_id})
    if st.api_url:
        stored["api_url"] = st.api_url
    path = config.save(stored)
    name = " ".join(p for p in (me.first_name, me.last_name) if p)
    data = {"status": "authenticated", "user": name, "user_id": me.id, "account_id": account_id, "config": str(path)}
    emit(st, data, lambda: say(f"[green]Logged in[/] as {name} ({account_id}); saved to {path}"))


@app.command()
def logout(ctx: typer.Context) -> None:
    """Remove the saved key and account id (environment variables are left alone)."""
    st = state(ctx)
    stored = config.load()
    removed = any(stored.pop(k, None) is not None for k in ("api_key", "account_id", "workspace_id"))
    config.save(stored)
    emit(st, {"status": "logged_out", "config_credentials_removed": removed}, lambda: say("Logged out."))


@app.command()
def status(ctx: typer.Context) -> None:
    """Whether credentials are configured and valid (exit 1 when not)."""
    st = state(ctx)
    api_key, account_id, _, source = st.credentials()
    if not api_key:
        emit(st, {"authenticated": False}, lambda: say("Not logged in."))
        raise typer.Exit(EXIT_AUTH)
    from keito import APIError

    try:
        st.client().users.me()
        valid = True
    except APIError as exc:
        if exc.status not in (401, 403):
            raise
        valid = False
    data = {"authenticated": valid, "api_key_source": source, "account_id": account_id, "api_key_valid": valid}
    emit(st, data, lambda: say(f"{'Authenticated' if valid else 'Key rejected'} ({source}), account {account_id}"))
    if not valid:
        raise typer.Exit(EXIT_AUTH)


@app.command()
def whoami(ctx: typer.Context) -> None:
    """The user behind the key."""
    st = state(ctx)
    me = st.client().users.me()
    emit(st, me, lambda: say(f"{me.first_name or ''} {me.last_name or ''} <{me.email or me.id}> ({me.user_type})"))
