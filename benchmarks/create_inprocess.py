"""CPU and wall time of one create with no HTTP: the v2 handler (``create_v2``) called in this
thread, on a warm auth cache, the way the direct lane calls it (see docs/performance.md).

    .venv/bin/python benchmarks/create_inprocess.py --backend postgres [--creates 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_throughput as bench

from tests.support.live import drop_pg_database


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", default="postgres", choices=["postgres", "sqlite"])
    p.add_argument("--creates", type=int, default=2000)
    args = p.parse_args()

    import json

    from keito_server.api.routes.time_entries import create_v2
    from keito_server.api.schemas.time_entries import TimeEntryCreate
    from keito_server.db.engine import Database
    from keito_server.services import api_keys

    url, data_dir = bench.fresh_database(args.backend)
    env, _ = bench.workload(args.backend, url, data_dir)
    body, key, account_id = json.loads(env["KEITO_BENCH_BODY"]), env["KEITO_BENCH_KEY"], env["KEITO_BENCH_ACCOUNT"]
    db = Database(url)

    def create() -> None:
        session = db.lane_session()  # as the direct lane opens it
        try:
            actor = api_keys.cached_actor(key, account_id=account_id) or api_keys.authenticate(
                session, key, account_id=account_id, cache_seconds=300
            )
            answer = create_v2(TimeEntryCreate.model_validate(body), session, actor)
            assert answer.status_code == 201, answer.body
        finally:
            session.close()

    try:
        for _ in range(200):  # warm-up: caches, prepared statements
            create()
        cpu, wall = time.thread_time(), time.perf_counter()
        for _ in range(args.creates):
            create()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    finally:
        db.dispose()
        if args.backend == "postgres":
            drop_pg_database(url)
    per = 1000 / args.creates
    print(f"{args.backend}: {cpu * per:.3f} ms CPU and {wall * per:.3f} ms wall per create ({args.creates} creates)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
