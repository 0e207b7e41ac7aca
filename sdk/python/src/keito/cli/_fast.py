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


# Proxy settings httpx would honour; with one set, the SDK client makes the request.
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")


def api_get(st: State, path: str, params: dict[str, str] | None = None) -> Any:
    """A GET for the fast path. Importing httpx and building its client costs ~0.15 s on a slow
    2-core machine, half the startup budget, so a plain-http GET without a proxy is sent once with
    the standard library's http.client (same URL, headers and decoding as the SDK: keito._core).
    Anything else (https, a proxy, an error answer, a lost connection) goes to the SDK client,
    which retries and raises the typed errors as every other command does."""
    import os

    from keito import _core

    api_key, account_id, api_url = st.required_credentials()
    config = _core.Config.resolve(api_key, account_id, api_url, None, None)
    if not _core.uses_tls(config.base_url) and not any(os.environ.get(v) for v in PROXY_VARIABLES):
        answer = _plain_get(_core.prepare(config, _core.Op("GET", path, params)))
        if answer is not None:
            return answer
    return st.client().request("GET", path, params=params)


def _plain_get(prepared: Any) -> Any:
    """One attempt; the decoded JSON of a 200 answer, else None."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    from keito import _core

    url = urlsplit(prepared.url)
    target = url.path + ("?" + urlencode(prepared.params) if prepared.params else "")
    conn = http.client.HTTPConnection(url.hostname or "localhost", url.port or 80, timeout=prepared.timeout)
    try:
        conn.request("GET", target, headers=prepared.headers)
        response = conn.getresponse()
        content = response.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()
    if response.status != 200:
        return None
    return _core.decode_body(content, response.getheader("content-type"))


def running_payload(st: State) -> list[dict[str, Any]]:
    """Running timers of the key's user, with elapsed time; plain dicts straight from the API."""
    me = api_get(st, "/users/me")
    body = api_get(st, "/time_entries", {"is_running": "true", "user_id": me["id"]})
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
