"""What every command shares: global options, the SDK client, output (JSON or human) and the one
function that turns any failure into an exit code (keito-docs §4.4).

Exit codes: 0 ok, 1 authentication, 2 invalid input, 3 conflict, 4 not found, 5 rate limited,
6 server error, 7 network, 8 configuration. JSON errors go to stderr as
``{"error": true, "code": <exit code>, "error_code": <server code>, "message", "suggestion", "details"}``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import typer

    from keito import Keito

EXIT_OK, EXIT_AUTH, EXIT_INPUT, EXIT_CONFLICT, EXIT_NOT_FOUND = 0, 1, 2, 3, 4
EXIT_RATE_LIMITED, EXIT_SERVER, EXIT_NETWORK, EXIT_CONFIG = 5, 6, 7, 8

SUGGEST_AUTH = "Set KEITO_API_KEY and KEITO_ACCOUNT_ID, or run 'keito auth login'"


class CliError(Exception):
    """A failure the CLI itself detects (bad flag value, name that does not resolve...)."""

    def __init__(
        self,
        exit_code: int,
        message: str,
        suggestion: str | None = None,
        details: dict[str, Any] | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.exit_code, self.message, self.suggestion = exit_code, message, suggestion
        self.details, self.error_code = details, error_code


@dataclass
class State:
    output: str = "auto"  # auto | json | human
    api_key: str | None = None
    account_id: str | None = None
    api_url: str | None = None
    quiet: bool = False
    _client: Any = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        if self.output == "json":
            return True
        if self.output == "human":
            return False
        return not sys.stdout.isatty()

    @property
    def interactive(self) -> bool:
        return sys.stdin.isatty() and sys.stdout.isatty()

    def credentials(self) -> tuple[str | None, str | None, str | None, str]:
        """(api_key, account_id, api_url, where the key came from): flags > environment > file."""
        from keito.cli import config

        try:
            stored = config.load()
        except config.ConfigError as exc:
            raise CliError(EXIT_CONFIG, str(exc), "Fix or delete the file, then run 'keito auth login'") from exc
        source = "flag or environment variable" if self.api_key else "config file"
        api_key = self.api_key or stored.get("api_key")
        account_id = self.account_id or os.environ.get("KEITO_WORKSPACE_ID") or stored.get("account_id")
        api_url = self.api_url or os.environ.get("KEITO_BASE_URL") or stored.get("api_url")
        return api_key, account_id, api_url, source

    def required_credentials(self) -> tuple[str, str, str | None]:
        """(api_key, account_id, api_url), or the CLI error that says which is missing."""
        api_key, account_id, api_url, _ = self.credentials()
        if not api_key:
            raise CliError(EXIT_AUTH, "No API key configured.", SUGGEST_AUTH)
        if not account_id:
            raise CliError(EXIT_CONFIG, "No account id configured.", SUGGEST_AUTH)
        return api_key, account_id, api_url

    def client(self) -> Keito:
        if self._client is None:
            api_key, account_id, api_url = self.required_credentials()
            from keito import Keito

            self._client = Keito(api_key=api_key, account_id=account_id, base_url=api_url, timeout=30.0)
        return self._client  # type: ignore[no-any-return]


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


# ── output ──────────────────────────────────────────────────────────────────────────────
def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)  # Decimal, dates


def emit(st: State, data: Any, human: Any = None) -> None:
    """JSON on stdout in JSON mode; otherwise ``human()`` (a callable that prints) or the JSON."""
    if st.json or human is None:
        sys.stdout.write(json.dumps(data, indent=2, default=_default) + "\n")
    elif not st.quiet:
        human()


def console() -> Any:
    from rich.console import Console

    return Console()


def table(columns: list[str], rows: list[list[Any]], title: str | None = None) -> None:
    """A table that stays readable at 80 columns: short columns (dates, durations, ids, codes)
    keep their full width and the long text columns give way, cut with an ellipsis."""
    from rich.table import Table

    out = console()
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widest = [max([len(name)] + [len(r[i]) for r in cells]) for i, name in enumerate(columns)]
    short = [w <= SHORT_COLUMN for w in widest]  # short values are unreadable when cut
    room = out.width - (3 * len(columns) + 1) - sum(w for w, s in zip(widest, short, strict=True) if s)
    share = max(6, room // max(1, short.count(False)))  # what each long column may take
    t = Table(title=title, header_style="bold")
    for name, w, s in zip(columns, widest, short, strict=True):
        t.add_column(name, overflow="ellipsis", no_wrap=True, width=w if s else min(w, share))
    for row in cells:
        t.add_row(*row)
    out.print(t)


SHORT_COLUMN = 12  # characters: a date (10), a duration ("12h 30m"), a source, a currency


def say(message: str) -> None:
    console().print(message)


# ── errors: the one place that maps a failure to an exit code ──────────────────────────
def fail(exc: BaseException, st: State | None = None) -> NoReturn:
    import typer

    from keito.cli.config import ConfigError

    st = st or State()
    exit_code, message, suggestion, details, error_code = EXIT_SERVER, str(exc), None, None, None
    if isinstance(exc, CliError):
        exit_code, message, suggestion = exc.exit_code, exc.message, exc.suggestion
        details, error_code = exc.details, exc.error_code
    elif isinstance(exc, ConfigError):
        exit_code, suggestion = EXIT_CONFIG, "Run 'keito auth login' to configure"
    else:
        from keito import _errors as e

        if isinstance(exc, e.APIError):
            message, error_code = exc.message, exc.code
            exit_code, suggestion = _for_status(exc)
        elif isinstance(exc, e.APIConnectionError):
            exit_code, suggestion = EXIT_NETWORK, "Check KEITO_API_URL and that the server is running"
    if st.json:
        body: dict[str, Any] = {"error": True, "code": exit_code, "error_code": error_code, "message": message}
        body["suggestion"] = suggestion
        if details:
            body["details"] = details
        typer.echo(json.dumps(body), err=True)
    else:
        typer.secho(f"error: {message}", fg="red", err=True)
        if suggestion:
            typer.echo(f"hint: {suggestion}", err=True)
        if details and details.get("available"):
            typer.echo("available: " + ", ".join(details["available"]), err=True)
    raise typer.Exit(exit_code)


def _for_status(exc: Any) -> tuple[int, str | None]:
    status, code = exc.status, exc.code
    if status in (401, 403):
        return EXIT_AUTH, SUGGEST_AUTH if status == 401 else "Ask an administrator for access"
    if status == 404:
        return EXIT_NOT_FOUND, "keito projects list --json"
    if status == 409:
        return EXIT_CONFLICT, "keito time stop" if code == "timer_already_running" else None
    if status == 429:
        return EXIT_RATE_LIMITED, "Retry after a moment"
    if status in (400, 413, 422):
        # the official CLI sends 400 to 6; our server's 400s are all input errors (ADR 0601)
        return EXIT_INPUT, "Check the command's --help"
    return EXIT_SERVER, None


# ── small parsers shared by commands ────────────────────────────────────────────────────
def parse_duration(text: str) -> float:
    """``1.5`` or ``1:30`` -> hours; must be > 0."""
    try:
        if ":" in text:
            h, m = text.split(":", 1)
            if not (0 <= int(m) < 60):
                raise ValueError
            hours = int(h) + int(m) / 60
        else:
            hours = float(text)
    except ValueError:
        raise CliError(EXIT_INPUT, f"Invalid duration {text!r}: use hours (1.5) or H:MM (1:30).") from None
    if hours <= 0:
        raise CliError(EXIT_INPUT, "Duration must be greater than zero.")
    return round(hours, 4)


def parse_metadata(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CliError(EXIT_INPUT, f"--metadata is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise CliError(EXIT_INPUT, "--metadata must be a JSON object.")
    return value


MAX_METADATA_BYTES = 4096  # the server's limit (decisions §3); checked here for a clearer message


def check_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(meta).encode()) > MAX_METADATA_BYTES:
        raise CliError(EXIT_INPUT, "Metadata is larger than 4 KB.", error_code="metadata_too_large")
    return meta


def format_hours(hours: float | None) -> str:
    if hours is None:
        return ""
    minutes = round(float(hours) * 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"


def today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()
