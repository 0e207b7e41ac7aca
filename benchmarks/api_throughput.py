"""API create throughput against the database's own insert rate (see docs/performance.md).

For each backend: a fresh database, migrated, with one workspace and one agent key; then
1. ``keito-server serve`` under wrk: 32 connections POSTing /api/v2/time_entries for
   ``--duration`` seconds (after a warm-up), with the rate limiter, idempotency machinery and
   auth cache configured as in production (the limit is raised so the benchmark is not throttled,
   but every request still counts against it);
2. a plain insert of the same row (new ids) straight into ``time_entries`` from 32 clients
   (4 processes x 8 threads, one transaction per row, raw driver: psycopg / sqlite3);
3. on PostgreSQL, the same insert from 32 pgbench clients (C, prepared statements): the
   database's own rate, which the Python clients of step 2 cannot reach on 2 cores;
and prints creates/s, p50/p99 latency, the ratios API/raw, the server's peak RSS and, on
PostgreSQL, how many creates an insert statement carried on average (ADR 0521). With
``--rounds N`` the two measurements alternate N times on one server and the medians are printed
too: on a machine whose speed drifts, each ratio then compares measurements moments apart.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.live import (  # noqa: E402
    LiveServer,
    connections_by_worker,
    create_pg_database,
    drop_pg_database,
    make_workspace,
    postgres_available,
    worker_pids,
)

CONNECTIONS = 32
RAW_PROCESSES = 4
RAW_THREADS = CONNECTIONS // RAW_PROCESSES
WARMUP_SECONDS = 3
WRK_THREADS = 2
RSS_LIMIT_MB = 200
TARGET_RATIO = {"postgres": 0.25, "sqlite": 0.10}
TARGET_P99_MS = {"postgres": 50.0}
# Issue 2 names its reference machine: PostgreSQL at about 13,000 single-row inserts a second,
# so about 3,300 API creates a second for the quarter. A VM whose database commits more slowly
# meets the ratio with fewer creates, so the report says whether that rate is reached too.
REFERENCE_CREATES_PER_S = {"postgres": 3300}


# ── the API under wrk ─────────────────────────────────────────────────────────────────


def descendants(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            for child in children:
                out += descendants(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def _peak_rss_mb(pid: int) -> dict[int, float]:
    """VmHWM (peak resident set) of the server and each of its worker processes, in MB."""
    peaks = {}
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[p] = int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
    return peaks


def process_ticks(pid: int) -> tuple[str, int, int]:
    """(name, user and system CPU time so far in clock ticks) of one process; ("", 0, 0) once
    gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "", 0, 0
    name, rest = stat.split("(", 1)[1].rsplit(")", 1)
    fields = rest.split()
    return name, int(fields[11]), int(fields[12])  # utime, stime


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server and its workers so far, in seconds."""
    return sum(sum(process_ticks(p)[1:]) for p in descendants(pid)) / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, env: dict[str, str], seconds: int, threads: int) -> dict[str, Any]:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(ROOT / "benchmarks" / "api_throughput.lua"),
        f"{url}/api/v2/time_entries",
    ]
    run_env = {**os.environ, **env, "KEITO_BENCH_RUN": str(time.time_ns())}
    out = subprocess.run(cmd, env=run_env, capture_output=True, text=True, check=True).stdout
    m = re.search(r"KEITO created=(\d+) other=(\d+) p50_us=(\d+) p90_us=(\d+) p99_us=(\d+)", out)
    if not m:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    created, other, p50, p90, p99 = (int(x) for x in m.groups())
    return {
        "created_per_s": created / seconds,
        "errors": other,
        "p50_ms": p50 / 1000,
        "p90_ms": p90 / 1000,
        "p99_ms": p99 / 1000,
        "wrk": out,
    }


def workload(
    backend: str, url: str, data_dir: Path, idempotency: bool = False
) -> tuple[dict[str, str], dict[str, str]]:
    """A workspace with one agent key on the database at ``url``; returns (wrk's environment,
    the server's extra environment)."""
    probe = LiveServer(backend=backend, database_url=url, data_dir=data_dir, owns_database=False)
    ws = make_workspace(probe, name="Bench Co")
    _, key = ws.add_user("bench-bot-01", user_type="agent")
    body = {
        "project_id": ws.project_id,
        "task_id": ws.task_id,
        "spent_date": date.today().isoformat(),
        "hours": 1.5,
        "notes": "Implemented OAuth flow",
        "source": "agent",
        "metadata": {"agent_id": "bench-bot-01", "session_id": "550e8400-e29b-41d4-a716-446655440000"},
    }
    env = {"KEITO_BENCH_BODY": json.dumps(body), "KEITO_BENCH_KEY": key, "KEITO_BENCH_ACCOUNT": ws.account_id}
    if idempotency:
        env["KEITO_BENCH_IDEMPOTENCY"] = "1"
    server_env = {
        "KEITO_ENABLE_FAULT_INJECTION": "",
        # Every request is still counted; the limit is only raised above what one key sends here.
        "KEITO_RATE_LIMIT_PER_MINUTE": "100000000",
        "KEITO_AUTH_CACHE_SECONDS": "5",
    }
    return env, server_env


def measure_api(live: LiveServer, env: dict[str, str], seconds: int) -> dict[str, Any]:
    """One wrk run against a started server, with the server's CPU time per create and, from
    the middle of the run, how many of wrk's connections each worker holds (ADR 0510)."""
    assert live.proc is not None
    cpu_before = cpu_seconds(live.proc.pid)
    split: list[int] = []

    def look() -> None:
        assert live.proc is not None
        split.extend(sorted(connections_by_worker(live.port, worker_pids(live.proc.pid)).values()))

    halfway = threading.Timer(seconds / 2, look)
    halfway.start()
    result = run_wrk(live.url, env, seconds, WRK_THREADS)
    halfway.join()
    result["connections"] = split
    created = result["created_per_s"] * seconds
    # Server CPU per create: independent of what else runs on the machine.
    result["cpu_ms_per_create"] = (cpu_seconds(live.proc.pid) - cpu_before) * 1000 / created if created else 0.0
    return result


# ── the same rows straight into the database ──────────────────────────────────────────


def _template_row(backend: str, url: str) -> tuple[list[str], list[Any]]:
    if backend == "postgres":
        import psycopg

        with psycopg.connect(_pg_dsn(url)) as conn:
            cur = conn.execute("SELECT * FROM time_entries LIMIT 1")
            row = cur.fetchone()
            names = [d.name for d in cur.description or []]
    else:
        with sqlite3.connect(url.split("///", 1)[1]) as lite:
            lcur = lite.execute("SELECT * FROM time_entries LIMIT 1")
            row = lcur.fetchone()
            names = [d[0] for d in lcur.description]
    assert row is not None, "the API run wrote no rows"
    return names, list(row)


def _pg_now(url: str) -> Any:
    import psycopg

    with psycopg.connect(_pg_dsn(url)) as conn:
        found = conn.execute("SELECT now()").fetchone()
        assert found is not None
        return found[0]


def rows_per_insert(url: str, since: Any) -> float:
    """Time entries created since ``since`` per transaction that wrote them: how many creates
    an insert statement carried on average (ADR 0521 groups them; 1.0 is one each)."""
    import psycopg

    with psycopg.connect(_pg_dsn(url)) as conn:
        found = conn.execute(
            "SELECT count(*), count(DISTINCT xmin::text) FROM time_entries WHERE created_at >= %s", (since,)
        ).fetchone()
    assert found is not None
    rows, transactions = found
    return rows / transactions if transactions else 0.0


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _raw_worker(args: tuple[str, str, list[str], list[Any], float, str]) -> int:
    backend, url, names, row, deadline, prefix = args  # prefix: unique to this process and round
    counts = [0] * RAW_THREADS
    cols = ", ".join(names)
    id_at = names.index("id")

    def pg(thread_no: int) -> None:
        import psycopg
        from psycopg.types.json import Jsonb

        values = [Jsonb(v) if isinstance(v, dict | list) else v for v in row]
        sql = f"INSERT INTO time_entries ({cols}) VALUES ({', '.join(['%s'] * len(names))})"
        with psycopg.connect(_pg_dsn(url), autocommit=True) as conn:
            n = 0
            while time.time() < deadline:
                values[id_at] = f"{prefix}x{thread_no}x{n}"
                conn.execute(sql, values, prepare=True)
                n += 1
            counts[thread_no] = n

    def lite(thread_no: int) -> None:
        conn = sqlite3.connect(url.split("///", 1)[1], timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        values = list(row)
        sql = f"INSERT INTO time_entries ({cols}) VALUES ({', '.join(['?'] * len(names))})"
        n = 0
        while time.time() < deadline:
            values[id_at] = f"{prefix}x{thread_no}x{n}"
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, values)
            conn.execute("COMMIT")
            n += 1
        counts[thread_no] = n
        conn.close()

    target = pg if backend == "postgres" else lite
    failures: list[BaseException] = []

    def run(thread_no: int) -> None:
        try:
            target(thread_no)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RAW_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]  # a raw client that failed would make the rate, and the ratio, wrong
    return sum(counts)


def _run_tag() -> str:
    """8 hex digits told apart from one raw-insert run to the next, for the rows' ids (which
    stay within the 32-character id column)."""
    return f"{time.time_ns() // 10**6 % 16**8:08x}"


def bench_pgbench(url: str, seconds: int) -> float | None:
    """Rows/s of the same insert from ``CONNECTIONS`` pgbench clients (2 threads, prepared
    statements, one transaction per row); None without pgbench on the PATH."""
    import shutil
    import tempfile

    import psycopg
    from psycopg.types.json import Jsonb

    pgbench = shutil.which("pgbench")
    if pgbench is None:
        return None
    names, row = _template_row("postgres", url)
    marker = "pgbench-id-goes-here"
    values = [
        marker if n == "id" else Jsonb(v) if isinstance(v, dict | list) else v for n, v in zip(names, row, strict=True)
    ]
    with psycopg.connect(_pg_dsn(url)) as conn:
        sql = psycopg.ClientCursor(conn).mogrify(
            f"INSERT INTO time_entries ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})", values
        )
    run = _run_tag()
    script = (
        "\\set n random(1, 999999999999)\n"
        + sql.replace(f"'{marker}'", f"'te_b{run}c' || :client_id || 'x' || :n")
        + ";\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
        f.write(script)
        f.flush()
        dsn = psycopg.conninfo.conninfo_to_dict(_pg_dsn(url))
        out = subprocess.run(
            [
                pgbench,
                "-n",
                "-M",
                "prepared",
                "-c",
                str(CONNECTIONS),
                "-j",
                str(WRK_THREADS),
                "-T",
                str(seconds),
                "-h",
                str(dsn.get("host", "127.0.0.1")),
                "-p",
                str(dsn.get("port", 5432)),
                "-U",
                str(dsn.get("user", "postgres")),
                "-f",
                f.name,
                str(dsn["dbname"]),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    found = re.search(r"tps = ([0-9.]+)", out)
    assert found, out
    if "number of failed transactions: 0" not in out:
        raise RuntimeError(f"pgbench had failed inserts, so its rate would be wrong:\n{out}")
    return float(found.group(1))


def bench_raw(backend: str, url: str, seconds: int) -> float:
    names, row = _template_row(backend, url)
    start = time.time() + 1.0  # let every process connect first
    deadline = start + seconds
    with mp.get_context("fork").Pool(RAW_PROCESSES) as pool:
        run = _run_tag()
        jobs = [(backend, url, names, row, deadline, f"te_r{run}p{i}") for i in range(RAW_PROCESSES)]
        total = sum(pool.map(_raw_worker, jobs))
    return total / (time.time() - start if time.time() < deadline else seconds)


# ── driver ────────────────────────────────────────────────────────────────────────────


def fresh_database(backend: str) -> tuple[str, Path]:
    """(SQLAlchemy URL, data directory) of a new, migrated database: a SQLite file in a new
    directory, or a new PostgreSQL database (drop it with ``drop_pg_database``)."""
    import tempfile

    from keito_server.db.migrate import upgrade

    data_dir = Path(tempfile.mkdtemp(prefix="keito-bench-"))
    url = f"sqlite:///{data_dir / 'keito.db'}" if backend == "sqlite" else create_pg_database()
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    upgrade(url)
    return url, data_dir


def serve_workload(
    backend: str,
    workers: int,
    idempotency: bool = False,
    extra_env: dict[str, str] | None = None,
    before_start: Callable[[str], None] | None = None,
    python: str = sys.executable,
    launcher: Sequence[str] = (),
) -> tuple[LiveServer, dict[str, str], str]:
    """A fresh database with the workload and a started server on it: (the server, wrk's
    environment, the database URL). Stop the server, then ``drop_database`` the URL.
    ``before_start(url)`` runs between the workload's set-up and the server's start; the server
    runs on ``python``, after ``launcher`` on its command line."""
    url, data_dir = fresh_database(backend)
    try:
        env, server_env = workload(backend, url, data_dir, idempotency)
        if before_start is not None:
            before_start(url)
        live = LiveServer(
            backend=backend,
            database_url=url,
            data_dir=data_dir,
            owns_database=False,
            workers=workers,
            env_extra={**server_env, **(extra_env or {})},
            python=python,
            launcher=list(launcher),
        )
        return live.start(), env, url
    except BaseException:
        drop_database(url)
        raise


def drop_database(url: str) -> None:
    """Drop a database ``fresh_database`` made on PostgreSQL (a SQLite file stays for reading)."""
    if url.startswith("postgresql"):
        drop_pg_database(url)


def bench(backend: str, seconds: int, workers: int, idempotency: bool = False, rounds: int = 1) -> list[dict[str, Any]]:
    """``rounds`` pairs of (API under wrk, raw insert), one after the other on one server, so
    each ratio compares two measurements taken moments apart."""
    live, env, url = serve_workload(backend, workers, idempotency)
    results = []
    try:
        run_wrk(live.url, env, WARMUP_SECONDS, WRK_THREADS)
        for _ in range(rounds):
            since = _pg_now(url) if backend == "postgres" else None
            api = measure_api(live, env, seconds)
            if since is not None:
                api["rows_per_insert"] = rows_per_insert(url, since)
            api["raw_per_s"] = bench_raw(backend, url, seconds)  # the server sits idle meanwhile
            api["ratio"] = api["created_per_s"] / api["raw_per_s"] if api["raw_per_s"] else 0.0
            pgbench = bench_pgbench(url, seconds) if backend == "postgres" else None
            if pgbench:
                api["pgbench_per_s"] = pgbench
                api["ratio_pgbench"] = api["created_per_s"] / pgbench
            results.append(api)
        assert live.proc is not None
        rss = _peak_rss_mb(live.proc.pid)
    finally:
        live.stop()
        drop_database(url)
    for r in results:
        r["rss_mb"] = rss
    return results


def _report(backend: str, r: dict[str, Any], label: str) -> str:
    peak = max(r["rss_mb"].values())
    # The verdict is against the database's own rate: pgbench's where it ran (PostgreSQL), else
    # the Python clients' (SQLite, where no C client is at hand; their rate is the lower one).
    verdict = r.get("ratio_pgbench", r["ratio"])
    ratio_ok = verdict >= TARGET_RATIO[backend]
    pgbench_rate = f"(pgbench {r['pgbench_per_s']:.0f})  " if "pgbench_per_s" in r else ""
    if backend == "postgres" and not pgbench_rate:
        pgbench_rate = "(no pgbench on PATH: apt-get install postgresql-client)  "
    pgbench_ratio = f" (to pgbench {r['ratio_pgbench']:.2f})" if "ratio_pgbench" in r else ""
    p99_ok = r["p99_ms"] < TARGET_P99_MS.get(backend, float("inf"))
    return (
        f"{backend:9s} {label:7s} API {r['created_per_s']:6.0f} creates/s  p50 {r['p50_ms']:6.1f} ms  "
        f"p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}  | raw insert {r['raw_per_s']:6.0f} rows/s  "
        f"{pgbench_rate}"
        f"| server CPU {r['cpu_ms_per_create']:.1f} ms/create  "
        f"{'| rows per insert ' + format(r['rows_per_insert'], '.1f') + '  ' if 'rows_per_insert' in r else ''}"
        f"{'| connections ' + '/'.join(map(str, r['connections'])) + '  ' if r.get('connections') else ''}"
        f"| ratio {r['ratio']:.2f}{pgbench_ratio} "
        f"(target {TARGET_RATIO[backend]:.2f}: {'met' if ratio_ok else 'NOT met'}"
        f"{'' if backend != 'postgres' else ', p99 ' + ('met' if p99_ok else 'NOT met')})  "
        f"{_reference(backend, r['created_per_s'])}"
        f"| peak RSS per process {', '.join(f'{v:.0f}' for v in r['rss_mb'].values())} MB "
        f"({'ok' if peak < RSS_LIMIT_MB else 'OVER'} {RSS_LIMIT_MB} MB)"
    )


def _reference(backend: str, created_per_s: float) -> str:
    reference = REFERENCE_CREATES_PER_S.get(backend)
    if reference is None:
        return ""
    reached = "reached" if created_per_s >= reference else "NOT reached"
    return f"| issue's reference {reference} creates/s: {reached}  "


def _median(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the rounds (errors: the total)."""
    keys: tuple[str, ...] = ("created_per_s", "p50_ms", "p90_ms", "p99_ms", "raw_per_s", "ratio", "cpu_ms_per_create")
    keys += tuple(k for k in ("pgbench_per_s", "ratio_pgbench", "rows_per_insert") if all(k in r for r in results))
    out: dict[str, Any] = {k: statistics.median(r[k] for r in results) for k in keys}
    out["errors"] = sum(r["errors"] for r in results)
    out["rss_mb"] = results[0]["rss_mb"]
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    p.add_argument("--workers", type=int, default=0, help="server workers (default: the number of CPUs)")
    p.add_argument(
        "--idempotency-keys",
        action="store_true",
        help="send a fresh Idempotency-Key with every POST, as the SDKs do (default: none)",
    )
    p.add_argument("--json", action="store_true", help="also print the results as JSON")
    p.add_argument("--verbose", action="store_true", help="also print wrk's own report")
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure API and raw insert this many times, alternately, and also print the medians",
    )
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    workers = args.workers or os.cpu_count() or 1
    print(
        f"workers={workers}, {args.duration} s per measurement"
        f"{', Idempotency-Key on every POST' if args.idempotency_keys else ''}"
    )
    results: dict[str, Any] = {}
    for backend in args.backends.split(","):
        if backend == "postgres" and not postgres_available():
            print("postgres: skipped (no PostgreSQL on 127.0.0.1:5432)")
            continue
        rounds = bench(backend, args.duration, workers, args.idempotency_keys, args.rounds)
        for i, r in enumerate(rounds, 1):
            print(_report(backend, r, f"{i}/{len(rounds)}" if len(rounds) > 1 else "run"))
        results[backend] = _median(rounds) if len(rounds) > 1 else rounds[0]
        if len(rounds) > 1:
            print(_report(backend, results[backend], "median"))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.verbose:
        for k, v in results.items():
            print(f"--- wrk, {k}\n{v.get('wrk', '(medians: no single wrk report)')}")
    if args.json:
        print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "wrk"} for k, v in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
