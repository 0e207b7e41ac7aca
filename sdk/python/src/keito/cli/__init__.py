"""The ``keito`` command: a thin shell over the SDK (commands parse and print, nothing else).

Startup budget: ``keito --help`` and ``keito time running --json`` must start fast, so nothing
heavy (httpx, pydantic, rich) is imported at module level anywhere under ``keito.cli``; each
command imports what it needs when it runs.
"""

from __future__ import annotations


def main() -> None:
    from keito.cli.app import run

    run()
