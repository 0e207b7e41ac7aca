"""CLI startup time: ``keito --help`` and ``keito time running --json`` (budget: 0.3 s each).

Starts a real keito-server (SQLite) with a fresh workspace, then runs each command as a user would
(a new process each time) and prints min / median / max wall time and the median CPU time (user +
sys, which a busy machine inflates far less than wall time) over N runs. With ``--strict`` it
exits 1 when a median wall time exceeds the budget.

    .venv/bin/python benchmarks/cli_startup.py [--runs 15] [--strict]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET = 0.3  # seconds, from the CLI's requirements


def measure(argv: list[str], env: dict[str, str], runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall seconds per run; ``cpu`` collects user+sys seconds of each child (steady under load)."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu is not None:
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a median is over budget")
    args = parser.parse_args()
    from tests.support.live import LiveServer, make_workspace

    keito = shutil.which("keito", path=str(Path(sys.executable).parent)) or "keito"
    server = LiveServer(backend="sqlite").start()
    try:
        ws = make_workspace(server)
        env = dict(os.environ, KEITO_API_URL=server.url, KEITO_API_KEY=ws.admin_key, KEITO_ACCOUNT_ID=ws.account_id)
        env["KEITO_CONFIG"] = str(server.data_dir / "cli-config.toml")
        measure([keito, "--help"], env, 2)  # warm the bytecode cache
        rows = []
        failed = False
        for argv in ([keito, "--help"], [keito, "time", "running", "--json"], [sys.executable, "-c", "pass"]):
            cpu: list[float] = []
            t = measure(argv, env, args.runs, cpu)
            med = statistics.median(t)
            label = " ".join(["keito", *argv[1:]]) if argv[0] == keito else "python -c pass (interpreter floor)"
            over = argv[0] == keito and med > BUDGET
            failed |= over
            wall = f"min {min(t):.3f}s  median {med:.3f}s  max {max(t):.3f}s"
            rows.append(f"{label:<34} {wall}  cpu {statistics.median(cpu):.3f}s" + ("  OVER BUDGET" if over else ""))
        print(f"CLI startup, {args.runs} runs each, budget {BUDGET}s (median wall time); cpu = median user+sys:")
        print("\n".join(rows))
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        return 1 if failed and args.strict else 0
    finally:
        server.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
