"""The ``keito`` command: a thin shell over the SDK (commands parse and print, nothing else).

Startup budget: ``keito --help`` and ``keito time running --json`` must start fast, so nothing
heavy (httpx, pydantic, rich) is imported at module level anywhere under ``keito.cli``; each
command imports what it needs when it runs.
"""

from __future__ import annotations


def main() -> None:
    import sys

    _skip_httpx_cli()
    from keito.cli._fast import try_fast

    if try_fast(sys.argv[1:]):
        return
    from keito.cli.app import run

    run()


def _skip_httpx_cli() -> None:
    """httpx imports its own command-line tool (click, rich, pygments: ~0.1 s) at import time when
    those packages are installed. This process is the keito CLI and never runs httpx's, so a stub
    stands in for it. Only the keito command does this; the SDK leaves httpx alone."""
    import sys
    import types

    if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
        stub = types.ModuleType("httpx._main")
        stub.main = lambda *a, **k: None  # type: ignore[attr-defined]
        sys.modules["httpx._main"] = stub
