"""Fast paths, answered without importing Typer, Rich or pydantic so they start well under the
0.3 s budget: ``keito --help`` (a copy of Typer's own output, kept current by docgen and a test)
and ``keito time running`` (what agent hooks and shell prompts call most). The Typer command
``keito time running`` calls the same ``running_payload``; only argument parsing differs.
Anything this parser does not fully understand (``--help`` on a subcommand, unknown flags)
falls back to Typer.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from keito.cli._runtime import State, emit, format_hours, say

# root options that take a value, and the State field each fills
VALUE_OPTIONS = {
    "--api-key": "api_key",
    "--workspace": "account_id",
    "--account-id": "account_id",
    "--api-url": "api_url",
    "--output": "output",
}


def running_payload(st: State) -> list[dict[str, Any]]:
    """Running timers of the key's user, with elapsed time; plain dicts straight from the API."""
    client = st.client()
    me = client.request("GET", "/users/me")
    body = client.request("GET", "/time_entries", params={"is_running": "true", "user_id": me["id"]})
    now = dt.datetime.now(dt.UTC)
    out = []
    for e in body.get("time_entries", []):
        started_at = e.get("timer_started_at")
        started = dt.datetime.fromisoformat(started_at.replace("Z", "+00:00")) if started_at else now
        elapsed = max(0.0, (now - started).total_seconds() / 3600) + float(e.get("hours") or 0)
        out.append(
            {
                "running": True,
                "entry_id": e["id"],
                "project": (e.get("project") or {}).get("name"),
                "task": (e.get("task") or {}).get("name"),
                "spent_date": e.get("spent_date"),
                "billable": e.get("billable"),
                "source": e.get("source"),
                "started_at": started_at,
                "elapsed_hours": round(elapsed, 4),
                "elapsed": format_hours(elapsed),
                "metadata": e.get("metadata"),
            }
        )
    return out


def show_running(st: State) -> None:
    out = running_payload(st)
    lines = "\n".join(f"Running: {d['project']} / {d['task']} for {d['elapsed']}" for d in out)
    emit(st, out if out else {"running": False}, lambda: say(lines or "No timer running."))


def parse(argv: list[str]) -> State | None:
    """A State when argv is exactly ``[root options] time running [--json|-q]``, else None."""
    import os

    st = State()
    st.api_key = os.environ.get("KEITO_API_KEY")
    st.account_id = os.environ.get("KEITO_ACCOUNT_ID")
    st.api_url = os.environ.get("KEITO_API_URL")
    st.output = os.environ.get("KEITO_OUTPUT", "auto").lower()
    if os.environ.get("KEITO_JSON", "").lower() in ("1", "true", "yes"):
        st.output = "json"
    words: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in VALUE_OPTIONS:
            if not eq:
                if i + 1 >= len(argv):
                    return None
                value = argv[i + 1]
                i += 1
            setattr(st, VALUE_OPTIONS[name], value)
        elif arg == "--json":
            st.output = "json"
        elif arg in ("-q", "--quiet"):
            st.quiet = True
        elif arg.startswith("-"):
            return None
        else:
            words.append(arg)
        i += 1
    return st if words == ["time", "running"] else None


def try_help(argv: list[str]) -> bool:
    """``keito`` and ``keito --help``: the root help, generated from Typer by docgen (help.txt)."""
    if argv not in ([], ["--help"]):
        return False
    from pathlib import Path

    cached = Path(__file__).with_name("help.txt")
    if not cached.exists():
        return False
    sys.stdout.write(cached.read_text())
    return True


def try_fast(argv: list[str]) -> bool:
    if try_help(argv):
        return True
    st = parse(argv)
    if st is None:
        return False
    try:
        show_running(st)
    except Exception as exc:
        import typer

        from keito.cli._runtime import fail

        try:
            fail(exc, st)
        except typer.Exit as done:
            sys.exit(done.exit_code)
    return True
