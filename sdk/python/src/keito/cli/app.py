"""The command tree: ``keito <group> <command>``; each group lives in its own module."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from keito.cli import auth, clients, expense, projects, reports, time
from keito.cli._runtime import State, fail, state

HELP = """Keito: time and LLM-cost tracking for people and AI agents.

Output is JSON when --json is given or stdout is not a terminal.
Exit codes: 0 ok, 1 auth, 2 invalid input, 3 conflict, 4 not found, 5 rate limited,
6 server error, 7 network, 8 configuration.
"""


class KeitoGroup(TyperGroup):
    """Routes every failure of every command through ``fail`` (one exit-code mapping)."""

    # Global flags that scripts put anywhere on the line (``keito time running --json``): they are
    # moved in front of the subcommand, where the root callback reads them.
    ANYWHERE = ("--json", "--quiet", "-q")

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        moved = [a for a in args[:end] if a in self.ANYWHERE]
        rest = [a for a in args[:end] if a not in self.ANYWHERE] + args[end:]
        return super().parse_args(ctx, moved + rest)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:
            if type(exc).__module__.startswith(("typer", "click")):
                raise  # usage errors keep the framework's own message and exit code 2
            fail(exc, ctx.obj if isinstance(ctx.obj, State) else None)


app = typer.Typer(
    cls=KeitoGroup,
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from keito import __version__

        typer.echo(f"keito {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    json_: Annotated[
        bool, typer.Option("--json", envvar="KEITO_JSON", help="Print JSON (default when stdout is not a terminal).")
    ] = False,
    output: Annotated[
        str, typer.Option("--output", envvar="KEITO_OUTPUT", help="auto, json or human.", metavar="MODE")
    ] = "auto",
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar="KEITO_API_KEY", help="API key (kto_...).", show_default=False)
    ] = None,
    account_id: Annotated[
        str | None,
        typer.Option("--workspace", "--account-id", envvar="KEITO_ACCOUNT_ID", help="Account (workspace) id."),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option("--api-url", envvar="KEITO_API_URL", help="Server URL (default http://localhost:8000)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", envvar="KEITO_QUIET", help="Print only what scripts need.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    st = state(ctx)
    st.output = "json" if json_ else output.lower()
    st.api_key, st.account_id, st.api_url, st.quiet = api_key, account_id, api_url, quiet


app.add_typer(auth.app, name="auth")
app.add_typer(clients.app, name="clients")
app.add_typer(projects.app, name="projects")
app.add_typer(time.app, name="time")
app.add_typer(expense.app, name="expense")
app.add_typer(reports.app, name="reports")


def run() -> None:
    app(prog_name="keito")
