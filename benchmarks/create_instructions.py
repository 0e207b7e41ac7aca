"""Machine instructions the server runs per API create, counted by valgrind's callgrind: a
figure that does not drift with the VM's speed, for changes too small for a timed run to show
(see docs/performance.md).

    .venv/bin/python benchmarks/create_instructions.py [--backend postgres] [--creates 300]
        [--base REV] [--python PATH] [--base-python PATH] [--keep]

One worker (one process, so every thread of it is counted) on a fresh database with the
api_throughput.py workload starts under ``valgrind --tool=callgrind`` with counting off. After a
warm-up (caches, prepared statements), counting is switched on for ``--creates`` sequential
``POST /api/v2/time_entries`` on one keep-alive connection, then off. Only the server process
is counted: the database's work is not in the figure, nor is any cost of concurrency (GIL
hand-offs between 32 connections' requests, context switches), which only timed runs show.
With ``--base REV`` (a temporary git worktree) or ``--base-python`` it counts two builds, A and
B (B is always the working tree on ``--python``), one after the other, and prints B / A.
With ``--keep`` the callgrind files stay, one per thread, for ``callgrind_annotate --inclusive=yes
--threshold=100 FILE`` (which C functions a create spends in: datetime formatting and failed
attribute lookups were found so, eleventh session), and each thread's share is printed.
Needs valgrind (``apt-get install -y valgrind``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_throughput as bench
from side_by_side import base_schema


def count(
    backend: str,
    creates: int,
    warmup: int,
    python: str,
    extra_env: dict[str, str],
    before_start: Callable[[str], None] | None,
    keep: bool = False,
) -> float:
    """Instructions per create of one build."""
    out = Path(tempfile.mkdtemp(prefix="keito-callgrind-")) / "callgrind.out"
    launcher = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    if keep:
        launcher.insert(2, "--separate-threads=yes")  # callgrind.out-01, -02, ...: one per thread
    live, env, url = bench.serve_workload(
        backend, 1, extra_env=extra_env, before_start=before_start, python=python, launcher=launcher
    )
    try:
        assert live.proc is not None
        pid = str(live.proc.pid)
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=120)
        body = env["KEITO_BENCH_BODY"].encode()
        headers = {
            "Authorization": f"Bearer {env['KEITO_BENCH_KEY']}",
            "Keito-Account-Id": env["KEITO_BENCH_ACCOUNT"],
            "Content-Type": "application/json",
        }

        def post(n: int) -> None:
            for _ in range(n):
                conn.request("POST", "/api/v2/time_entries", body, headers)
                answer = conn.getresponse()
                text = answer.read()
                if answer.status != 201:
                    raise RuntimeError(f"create answered {answer.status}: {text[:300]!r}")

        post(warmup)
        subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
        post(creates)
        subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)
        conn.close()
    finally:
        live.stop()  # callgrind writes its totals as the process exits
        bench.drop_database(url)
    per_file = {}
    for path in sorted(out.parent.glob(out.name + "*")):
        totals = [line for line in path.read_text().splitlines() if line.startswith("totals:")]
        if totals:
            per_file[path] = int(totals[0].split()[1])
    if keep:
        for path, n in per_file.items():
            if n:
                print(f"  {path}: {n / creates:,.0f} instructions per create", flush=True)
    else:
        shutil.rmtree(out.parent, ignore_errors=True)
    if not per_file:
        raise RuntimeError("callgrind wrote no totals")
    return sum(per_file.values()) / creates


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", default="postgres", choices=["postgres", "sqlite"])
    p.add_argument("--creates", type=int, default=300)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--python", default=sys.executable, help="the interpreter of B (default: this one)")
    p.add_argument("--base", default="", help="git revision to count as A (in a temporary worktree)")
    p.add_argument("--base-python", default="", help="the interpreter of A (default: --python)")
    p.add_argument("--keep", action="store_true", help="keep callgrind's files, one per thread, and print each")
    args = p.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is missing: apt-get install -y valgrind", file=sys.stderr)
        return 2

    builds: list[tuple[str, str, str, dict[str, str], Callable[[str], None] | None]] = []
    worktree = None
    if args.base or args.base_python:
        env: dict[str, str] = {}
        prepare: Callable[[str], None] | None = None
        if args.base:
            worktree = Path(tempfile.mkdtemp(prefix="keito-base-"))
            subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.base], check=True, cwd=bench.ROOT)
            env["PYTHONPATH"] = str(worktree / "server" / "src")  # ahead of the installed package
            prepare = base_schema(worktree)
        builds.append(("A", args.base or "the working tree", args.base_python or args.python, env, prepare))
    builds.append(("B" if builds else "", "the working tree", args.python, {}, None))
    results = {}
    try:
        for name, what, python, env, prepare in builds:
            per = count(args.backend, args.creates, args.warmup, python, env, prepare, args.keep)
            results[name] = per
            label = f"{name}: " if name else ""
            print(f"{label}{what} on {python}: {per / 1e6:.3f} M instructions per create ({args.backend})", flush=True)
    finally:
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], check=False, cwd=bench.ROOT)
    if len(results) == 2:
        print(f"B / A: {results['B'] / results['A']:.3f}")
    print(json.dumps({k or "count": round(v) for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
