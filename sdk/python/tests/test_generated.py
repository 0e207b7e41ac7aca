"""Docs and code that are generated must not drift: docs/cli.md from --help, async resources from sync."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from keito.cli import docgen

SDK = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    assert docgen.target().read_text() == docgen.render(), "run: python -m keito.cli.docgen --write"


def test_cached_root_help_is_current() -> None:
    assert docgen.HELP_CACHE.read_text() == docgen.root_help(), "run: python -m keito.cli.docgen --write"


def test_async_resources_are_generated_from_sync() -> None:
    done = subprocess.run([sys.executable, str(SDK / "scripts" / "unasync.py"), "--check"], capture_output=True)
    assert done.returncode == 0, done.stdout.decode()


def test_every_command_is_documented() -> None:
    text = docgen.target().read_text()
    for command in (
        "keito auth login",
        "keito auth logout",
        "keito auth status",
        "keito auth whoami",
        "keito clients list",
        "keito clients create",
        "keito projects list",
        "keito projects create",
        "keito projects show",
        "keito projects tasks",
        "keito time start",
        "keito time stop",
        "keito time log",
        "keito time list",
        "keito time running",
        "keito time session-record",
        "keito expense log",
        "keito reports summary",
    ):
        assert f"## `{command}`" in text
    for var in ("KEITO_API_KEY", "KEITO_ACCOUNT_ID", "KEITO_API_URL", "KEITO_OUTPUT", "KEITO_JSON", "KEITO_QUIET"):
        assert f"env var: {var}" in text or "env var:\n" in text
