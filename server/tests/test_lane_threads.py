"""api/lane_threads.py: the threads ApiMiddleware and the direct lane hand blocking work to
(ADR 0511). In process, with real threads and a real event loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from keito_server.api.lane_threads import LaneThreads
from keito_server.app import group_size
from keito_server.db import grouped
from keito_server.settings import Settings

GROUPS = [1, 4]  # one call at a time (SQLite), and groups of queued calls (PostgreSQL, ADR 0521)


@pytest.mark.parametrize("group", GROUPS)
def test_a_call_runs_in_a_lane_thread_and_returns_its_result_or_raises_its_exception(group: int) -> None:
    threads = LaneThreads(2, name="test-lane", group=group)

    def where(x: int) -> tuple[str, int]:
        return threading.current_thread().name, x * 2

    def fails() -> None:
        raise KeyError("missing")

    async def main() -> None:
        name, doubled = await threads.run(where, 21)
        assert name.startswith("test-lane_") and name != threading.current_thread().name
        assert doubled == 42
        with pytest.raises(KeyError, match="missing"):
            await threads.run(fails)
        with pytest.raises(RuntimeError, match="StopIteration"):  # a future cannot carry it as is
            await threads.run(next, iter(()))

    try:
        asyncio.run(main())
    finally:
        threads.shutdown()


def test_calls_run_side_by_side_up_to_the_number_of_threads() -> None:
    """One call at a time per thread (group 1): a grouped thread runs its calls in turn."""
    threads = LaneThreads(3)
    barrier = threading.Barrier(3, timeout=5)  # breaks (and the calls raise) unless all 3 run at once

    async def main() -> list[int]:
        return await asyncio.gather(*(threads.run(barrier.wait) for _ in range(3)))

    try:
        assert sorted(asyncio.run(main())) == [0, 1, 2]
    finally:
        threads.shutdown()


@pytest.mark.parametrize("group", GROUPS)
def test_a_cancelled_call_still_runs_to_its_end_and_the_threads_carry_on(group: int) -> None:
    threads = LaneThreads(1, group=group)
    started, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def slow() -> str:
        started.set()
        release.wait(5)
        finished.append("slow")
        return "dropped"

    loop_errors: list[dict[str, object]] = []

    async def main() -> str:
        # Settling a cancelled call's future would fail in a loop callback, reported only here.
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: loop_errors.append(context))
        task = asyncio.create_task(threads.run(slow))
        while not started.is_set():
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        return await threads.run(str, "next")  # queued behind the cancelled call, on the one thread

    try:
        assert asyncio.run(main()) == "next"
        assert finished == ["slow"]
        assert loop_errors == []
    finally:
        threads.shutdown()


@pytest.mark.parametrize("group", GROUPS)
def test_shutdown_lets_queued_calls_finish_joins_the_threads_and_refuses_new_calls(group: int) -> None:
    threads = LaneThreads(1, group=group)
    done: list[int] = []

    def work(i: int) -> None:
        time.sleep(0.01)
        done.append(i)

    async def queue_three() -> None:
        loop = asyncio.get_running_loop()
        # Three calls queued; the loop is left before they end, so shutdown must wait for them.
        tasks = [loop.create_task(threads.run(work, i)) for i in range(3)]
        await asyncio.sleep(0)
        assert not any(t.done() for t in tasks)

    asyncio.run(queue_three())
    running = [t for t in threading.enumerate() if t.name.startswith("keito-api_")]
    threads.shutdown()
    assert done == [0, 1, 2]
    assert running and not any(t.is_alive() for t in running)

    async def after() -> None:
        await threads.run(work, 4)

    with pytest.raises(RuntimeError, match="shut down"):
        asyncio.run(after())


def test_a_thread_takes_the_calls_waiting_behind_its_next_one_as_a_group() -> None:
    """With ``group`` 3, the calls queued while the one thread was busy run as one group of
    three and then one of two (db/grouped.py gives each call of a group its slot), each with
    its own result or exception, in the order they were queued."""
    threads = LaneThreads(1, group=3)
    started, release = threading.Event(), threading.Event()
    ran: list[tuple[int, int]] = []

    def first() -> str:
        started.set()
        release.wait(5)
        return "first"

    def call(i: int) -> int:
        ran.append((i, grouped.slot()))
        if i == 3:
            raise ValueError("three")
        return i * 10

    async def main() -> list[object]:
        head = asyncio.create_task(threads.run(first))
        while not started.is_set():
            await asyncio.sleep(0.001)
        queued = [asyncio.create_task(threads.run(call, i)) for i in range(5)]
        await asyncio.sleep(0.01)  # all five are on the queue before the thread is free
        release.set()
        results = await asyncio.gather(head, *queued, return_exceptions=True)
        return list(results)

    try:
        results = asyncio.run(main())
    finally:
        threads.shutdown()
    assert results[:4] == ["first", 0, 10, 20]
    assert isinstance(results[4], ValueError) and results[5] == 40
    assert ran == [(0, 0), (1, 1), (2, 2), (3, 0), (4, 1)]


def test_the_server_takes_its_group_size_from_the_environment_and_groups_on_postgresql_only() -> None:
    def size(url: str, **env: str) -> int:
        return group_size(Settings.from_env({"KEITO_DATABASE_URL": url, "KEITO_SECRET_KEY": "x", **env}))

    postgres = "postgresql://localhost/keito"
    assert size(postgres) == 8
    assert size(postgres, KEITO_GROUP_WRITES="4") == 4
    assert size(postgres, KEITO_GROUP_WRITES="1") == 1
    assert size("sqlite:///tmp/keito.db", KEITO_GROUP_WRITES="8") == 1  # SQLite writes one at a time anyway
