"""Generate docs/cli.md from the commands' own ``--help``, and ``help.txt`` (the root help that
``keito --help`` prints without importing Typer). A test fails when either drifts.

python -m keito.cli.docgen            # print
python -m keito.cli.docgen --write    # write docs/cli.md (repository checkout)
python -m keito.cli.docgen --check    # exit 1 when docs/cli.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

WIDTH = "88"  # columns the help is wrapped at, fixed so the output does not depend on the terminal
INTRO = """# keito CLI reference

Generated from `keito --help` by `python -m keito.cli.docgen --write`; do not edit by hand.
Install with `pip install keito`. Credentials come from flags, then environment variables, then
`~/.config/keito/config.toml` (or `$XDG_CONFIG_HOME/keito/config.toml`, or `$KEITO_CONFIG`),
written by `keito auth login` with mode 0600.

Output is JSON with `--json` (accepted anywhere on the line) or whenever stdout is not a
terminal; errors then go to stderr as
`{"error": true, "code": <exit code>, "error_code": "<server code>", "message": "...", "suggestion": "..."}`.

| exit code | meaning |
|---|---|
| 0 | success |
| 1 | authentication (missing or rejected key; HTTP 401/403) |
| 2 | invalid input (bad flag value, malformed duration or metadata; HTTP 400/422) |
| 3 | conflict (a timer is already running; HTTP 409) |
| 4 | not found (project, task, entry, no running timer; HTTP 404) |
| 5 | rate limited (HTTP 429) |
| 6 | server error (HTTP 5xx) |
| 7 | network error (connection refused, timeout) |
| 8 | configuration error (unreadable config file, no account id) |

When run by a coding agent (`CLAUDE_SESSION_ID`, `CODEX_SESSION_ID`, `OPENCLAW_AGENT_ID` or
`CURSOR_AGENT` set), `time start`, `time log` and `expense log` record `source=agent` with the
agent's `agent_type` and `session_id` in the metadata; flags override what is detected.
"""


def _paths(command: Any, prefix: list[str]) -> list[list[str]]:
    out = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        out.extend(_paths(sub, [*prefix, name]))
    return out


def render() -> str:
    import typer
    from typer.testing import CliRunner

    from keito.cli.app import app

    root = typer.main.get_command(app)
    runner = CliRunner()
    parts = [INTRO]
    for path in _paths(root, []):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": WIDTH, "TERM": "dumb"}, prog_name="keito")
        title = " ".join(["keito", *path])
        parts.append(f"\n## `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "".join(parts)


def root_help() -> str:
    """``keito --help`` as Typer prints it at WIDTH columns; cached in ``help.txt`` for the fast path."""
    from typer.testing import CliRunner

    from keito.cli.app import app

    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": WIDTH, "TERM": "dumb"}, prog_name="keito")
    return str(result.stdout)


HELP_CACHE = Path(__file__).with_name("help.txt")


def target() -> Path:
    return Path(__file__).resolve().parents[5] / "docs" / "cli.md"


def main(argv: list[str]) -> int:
    text = render()
    if "--write" in argv:
        target().write_text(text)
        HELP_CACHE.write_text(root_help())
    elif "--check" in argv:
        stale = not target().exists() or target().read_text() != text
        if stale or not HELP_CACHE.exists() or HELP_CACHE.read_text() != root_help():
            print("docs/cli.md or keito/cli/help.txt is stale: run python -m keito.cli.docgen --write", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
