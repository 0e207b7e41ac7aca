"""api/lane_threads.py: the threads ApiMiddleware and the direct lane hand blocking work to
(ADR 0511). In process, with real threads and a real event loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from keito_server.api.lane_threads import LaneThreads


def test_a_call_runs_in_a_lane_thread_and_returns_its_result_or_raises_its_exception() -> None:
    threads = LaneThreads(2, name="test-lane")

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
    threads = LaneThreads(3)
    barrier = threading.Barrier(3, timeout=5)  # breaks (and the calls raise) unless all 3 run at once

    async def main() -> list[int]:
        return await asyncio.gather(*(threads.run(barrier.wait) for _ in range(3)))

    try:
        assert sorted(asyncio.run(main())) == [0, 1, 2]
    finally:
        threads.shutdown()


def test_a_cancelled_call_still_runs_to_its_end_and_the_threads_carry_on() -> None:
    threads = LaneThreads(1)
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


def test_shutdown_lets_queued_calls_finish_joins_the_threads_and_refuses_new_calls() -> None:
    threads = LaneThreads(1)
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
