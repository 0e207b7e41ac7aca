"""The threads that ApiMiddleware and the direct lane hand their blocking work to (ADR 0511).

``loop.run_in_executor`` on a ``ThreadPoolExecutor`` did the same job with two futures per call:
a ``concurrent.futures.Future`` (with its own condition variable) chained to an asyncio future
through callbacks in both directions. Under load that machinery was about an eighth of the
samples in which a worker held the GIL (``py-spy record --gil``, docs/performance.md). Here a
call is one job on a ``SimpleQueue`` and one asyncio future, settled on the event loop by
``call_soon_threadsafe`` when the job ends.

With ``group`` above 1 (PostgreSQL), a thread that takes a job also takes the jobs already
waiting behind it, up to ``group`` in all, and runs them as a group (db/grouped.py, ADR 0521):
the creates among them write their rows with one statement, and their results reach the event
loop in one call.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from keito_server.db.grouped import Outcome, run_grouped

T = TypeVar("T")

_Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


class LaneThreads:
    """``size`` threads, started on first use, that run ``await threads.run(fn, *args)`` calls
    in the order they arrive. A call whose awaiting task was cancelled (the client went away)
    still runs to its end in its thread; only its result is dropped."""

    def __init__(self, size: int, name: str = "keito-api", group: int = 1) -> None:
        self.size = size
        self.name = name
        self.group = group  # jobs a thread takes at once, at most
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._stopped = False

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in one of the threads; its result, or the exception it raised."""
        if not self._threads:
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, args, loop, future))
        return await future

    def _start(self) -> None:
        with self._start_lock:
            if self._stopped:
                raise RuntimeError("the lane's threads were shut down")
            if self._threads:
                return
            for i in range(self.size):
                thread = threading.Thread(target=self._work, name=f"{self.name}_{i}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        if self.group > 1:
            self._work_in_groups()
            return
        while (job := self._jobs.get()) is not None:
            fn, args, loop, future = job
            try:
                result, error = fn(*args), None
            except BaseException as exc:
                result, error = None, exc
            # RuntimeError: the loop has closed, so no one is waiting for this any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, result, error)

    def _work_in_groups(self) -> None:
        stopping = False
        while not stopping and (job := self._jobs.get()) is not None:
            jobs = [job]
            while len(jobs) < self.group:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:  # shutdown: this group is the thread's last
                    stopping = True
                    break
                jobs.append(more)
            try:
                outcomes = run_grouped([(fn, args) for fn, args, _, _ in jobs])
            except BaseException as exc:  # not reached: each call's own errors are its outcome
                outcomes = [(None, exc)] * len(jobs)  # but a waiting request must never hang
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Outcome]]] = {}
            for (_, _, loop, future), outcome in zip(jobs, outcomes, strict=True):
                by_loop.setdefault(loop, []).append((future, outcome))
            for loop, settled in by_loop.items():
                with contextlib.suppress(RuntimeError):  # as in _work
                    loop.call_soon_threadsafe(_settle_all, settled)

    def shutdown(self) -> None:
        """Lets every queued call finish, then stops and joins the threads."""
        with self._start_lock:
            self._stopped = True
            threads, self._threads = self._threads, []
        for _ in threads:
            self._jobs.put(None)
        for thread in threads:
            thread.join()


def _settle_all(settled: list[tuple[asyncio.Future[Any], Outcome]]) -> None:
    for future, (result, error) in settled:
        _settle(future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    elif isinstance(error, StopIteration):  # a future cannot carry StopIteration itself
        future.set_exception(RuntimeError(repr(error)))
    else:
        future.set_exception(error)
