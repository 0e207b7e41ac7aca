"""Where the CPU of an API create goes: the server under wrk (as in api_throughput.py), with the
CPU time (user and system) of the server's processes, PostgreSQL's and the rest of the machine
per create, and optionally a py-spy profile of one worker (see docs/performance.md).

    .venv/bin/python benchmarks/create_cpu_split.py --backend postgres [--seconds 10]
        [--workers 2] [--threads 16] [--py-spy out.txt] [--gil]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_throughput as bench


def _ticks_by_process() -> dict[tuple[int, str], tuple[int, int]]:
    """(pid, name) -> (user, system) CPU ticks so far, of every process."""
    pids = (int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit())
    return {(pid, name): (user, system) for pid in pids for name, user, system in [bench.process_ticks(pid)] if name}


def _busy_ticks() -> int:
    """The whole machine's CPU ticks spent on anything but idling, waiting for I/O or (in a VM)
    running other guests."""
    user, nice, system, _idle, _iowait, irq, softirq = (
        int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    )
    return user + nice + system + irq + softirq


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", default="postgres", choices=["postgres", "sqlite"])
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="KEITO_THREADS (default: the server's)")
    p.add_argument("--py-spy", default="", help="write a py-spy raw profile of one worker here")
    p.add_argument("--gil", action="store_true", help="py-spy: sample only the thread holding the GIL")
    args = p.parse_args()

    extra = {"KEITO_THREADS": str(args.threads)} if args.threads else {}
    live, env, url = bench.serve_workload(args.backend, args.workers, extra_env=extra)
    try:
        assert live.proc is not None
        bench.run_wrk(live.url, env, bench.WARMUP_SECONDS, bench.WRK_THREADS)
        server_pids = set(bench.descendants(live.proc.pid))
        spy = None
        if args.py_spy:
            cmd = [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "-r",
                "200",
                "-d",
                str(args.seconds),
                "-f",
                "raw",
                "-o",
                args.py_spy,
            ]
            cmd += ["--gil"] if args.gil else []
            spy = subprocess.Popen([*cmd, "-p", str(max(server_pids))], stdout=subprocess.DEVNULL)
        before, busy_before, started = _ticks_by_process(), _busy_ticks(), time.time()
        result = bench.run_wrk(live.url, env, args.seconds, bench.WRK_THREADS)
        after, busy, elapsed = _ticks_by_process(), _busy_ticks() - busy_before, time.time() - started
        if spy is not None:
            spy.wait()
    finally:
        live.stop()
        bench.drop_database(url)
    groups: dict[str, int] = {}
    system: dict[str, int] = {}
    for key, (user_ticks, system_ticks) in after.items():
        pid, name = key
        group = "server" if pid in server_pids else "postgres" if name.startswith("postgres") else "other"
        was_user, was_system = before.get(key, (0, 0))
        groups[group] = groups.get(group, 0) + user_ticks - was_user + system_ticks - was_system
        system[group] = system.get(group, 0) + system_ticks - was_system
    hz, created = os.sysconf("SC_CLK_TCK"), result["created_per_s"] * args.seconds
    print(
        f"{args.backend}: {result['created_per_s']:.0f} creates/s, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, errors {result['errors']}"
    )
    groups["kernel"] = busy - sum(groups.values())  # interrupts, softirqs (loopback TCP), ...
    for group, ticks in sorted(groups.items(), key=lambda kv: -kv[1]):
        split = ""
        if group in system:
            user, sys_ = (ticks - system[group]) / hz * 1000 / created, system[group] / hz * 1000 / created
            split = f"  (user {user:.3f}, system {sys_:.3f})"
        per_create = ticks / hz * 1000 / created
        print(f"  {group:9s} {ticks / hz / elapsed:5.2f} cores  {per_create:5.2f} ms CPU per create{split}")
    print(f"  {'machine':9s} {busy / hz / elapsed:5.2f} cores  {busy / hz * 1000 / created:5.2f} ms CPU per create")
    return 0


if __name__ == "__main__":
    sys.exit(main())
