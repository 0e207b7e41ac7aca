"""Two builds of the server side by side: each on its own fresh database, each under its own wrk
(the api_throughput.py workload), at the same moment, for several rounds. Prints creates/s, p99
and server CPU per create for both, round by round.

On a VM whose speed drifts by 15 % from one minute to the next, two runs one after the other
cannot show a 5-10 % change; two servers loaded at the same moment share whatever the machine
is doing, so their difference is the builds' (see docs/performance.md). Both servers and both
wrks share the cores, so the absolute figures are lower than api_throughput.py's.

    .venv/bin/python benchmarks/side_by_side.py --base HEAD~1 [--backend postgres]
        [--rounds 4] [--seconds 10] [--env-a KEY=VALUE,...] [--env-b KEY=VALUE,...]

``--base REV`` runs git revision REV (checked out in a temporary worktree) as A and the working
tree as B; without it both are the working tree, told apart only by ``--env-a``/``--env-b``
(for example ``--env-a KEITO_THREADS=8``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_throughput as bench

from tests.support.live import LiveServer


def _env(pairs: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in pairs.split(",") if p)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="", help="git revision to run as A (default: the working tree)")
    p.add_argument("--backend", default="postgres", choices=["postgres", "sqlite"])
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--env-a", default="", help="extra server environment for A: KEY=VALUE,...")
    p.add_argument("--env-b", default="", help="extra server environment for B: KEY=VALUE,...")
    args = p.parse_args()

    extras = [_env(args.env_a), _env(args.env_b)]
    worktree = None
    if args.base:
        worktree = Path(tempfile.mkdtemp(prefix="keito-base-"))
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.base], check=True, cwd=bench.ROOT)
        extras[0]["PYTHONPATH"] = str(worktree / "server" / "src")  # ahead of the installed package
    servers: list[tuple[LiveServer, dict[str, str], str]] = []
    try:
        for extra, prepare in zip(extras, [base_schema(worktree) if worktree else None, None], strict=True):
            servers.append(bench.serve_workload(args.backend, args.workers, extra_env=extra, before_start=prepare))
        for live, env, _ in servers:
            bench.run_wrk(live.url, env, bench.WARMUP_SECONDS, 1)
        a_is = args.base or "the working tree"
        print(f"{args.backend}, {args.workers} workers each, {args.seconds} s a round; A is {a_is}, B the working tree")
        for _ in range(args.rounds):
            print(" | ".join(_round(servers, args.seconds)), flush=True)
    finally:
        for live, _, url in servers:
            live.stop()
            bench.drop_database(url)
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], check=False, cwd=bench.ROOT)
    return 0


def base_schema(worktree: Path) -> Callable[[str], None]:
    """For A's database (set up by the working tree's code): downgrade it to the base's latest
    migration when the working tree has migrations the base does not know, so that A's own
    ``migrate`` at start finds a revision it has."""

    def downgrade(url: str) -> None:
        from alembic import command
        from alembic.script import ScriptDirectory
        from keito_server.db.migrate import alembic_config

        base = ScriptDirectory(str(worktree / "server" / "src" / "keito_server" / "db" / "migrations"))
        head = base.get_current_head()
        if head is not None and head != ScriptDirectory.from_config(alembic_config(url)).get_current_head():
            command.downgrade(alembic_config(url), head)

    return downgrade


def _round(servers: list[tuple[LiveServer, dict[str, str], str]], seconds: int) -> list[str]:
    results: list[dict[str, Any]] = [{}, {}]
    cpu_before = [bench.cpu_seconds(live.proc.pid) for live, _, _ in servers if live.proc]

    def load(i: int) -> None:
        live, env, _ = servers[i]
        results[i] = bench.run_wrk(live.url, env, seconds, 1)

    threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = []
    for i, name in enumerate("AB"):
        live = servers[i][0]
        assert live.proc is not None and results[i], "a wrk run failed"
        created = results[i]["created_per_s"] * seconds
        cpu_ms = (bench.cpu_seconds(live.proc.pid) - cpu_before[i]) * 1000 / created if created else 0.0
        out.append(
            f"{name}: {results[i]['created_per_s']:5.0f} creates/s  p99 {results[i]['p99_ms']:5.0f} ms  "
            f"server CPU {cpu_ms:.3f} ms/create  errors {results[i]['errors']}"
        )
    return out


if __name__ == "__main__":
    sys.exit(main())
