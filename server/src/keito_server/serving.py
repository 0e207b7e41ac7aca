"""``keito-server serve --workers N``: N worker processes on one listening socket, each taking
its share of the connections (ADR 0510).

uvicorn's own supervisor hands the socket to every worker, and each worker's event loop accepts
every connection that is waiting when it wakes. A client that opens its connections in a burst
(a connection pool, a load generator, a proxy after a restart) lands most of them on one worker:
32 connections have been seen to split 27 to 5. The busy worker's requests then wait several
times longer than the other's, and a keep-alive connection stays where it landed.

Here every worker publishes how many connections it holds in a small table of shared memory
(``WorkerTable``), and accepts a waiting connection only while it holds no more than the least
loaded of its live siblings. A connection that is still waiting ``DEFER_SECONDS`` later is taken
anyway, so a stalled or dead sibling never leaves a client waiting. With one worker all of this
is skipped and uvicorn serves as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import mmap
import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from pathlib import Path
from types import FrameType
from typing import Any, cast

import uvicorn
from uvicorn.config import Config

logger = logging.getLogger("uvicorn.error")

STARTUP_FAILURE = 3  # uvicorn's exit code for a worker whose app did not start

DEFER_SECONDS = 0.02
"""How long a worker above its share leaves waiting connections to its less loaded siblings
before it takes one itself (a sibling may be stalled)."""

LOOK_AGAIN_SECONDS = 0.001
"""While it leaves them, a worker looks again this often (the listening socket stays readable
until a connection is taken, so it stops watching it meanwhile)."""

QUIET_SECONDS = 0.1
"""A worker that has not looked for this long starts a new wait (the last one ended when a
sibling took the connections)."""

ACCEPT_PAUSE_SECONDS = 1.0
"""How long a worker stops accepting after ``accept`` failed for want of resources (EMFILE)."""

_SLOT = 2  # int64 words per worker: pid (0 = free), open connections
_RELEASED = 2**62  # the count of a worker that has stopped accepting


class WorkerTable:
    """The workers' connection counts, in a file every worker maps: one slot per worker, each
    written only by the worker that claimed it. Readers may see a count a moment old; the rule
    that uses it tolerates that."""

    def __init__(self, path: str, size: int) -> None:
        self.path = path
        self.size = size
        self._file = open(path, "r+b")  # noqa: SIM115  (mapped for the life of the worker)
        self._map = mmap.mmap(self._file.fileno(), size * _SLOT * 8)
        self._words = memoryview(self._map).cast("q")
        self.slot = -1

    @classmethod
    def create(cls, size: int) -> WorkerTable:
        """A new zeroed table for ``size`` workers (in the supervisor)."""
        shm = Path("/dev/shm")
        fd, path = tempfile.mkstemp(prefix="keito-workers-", dir=shm if shm.is_dir() else None)
        os.ftruncate(fd, size * _SLOT * 8)
        os.close(fd)
        return cls(path, size)

    @classmethod
    def attach(cls, path: str) -> WorkerTable:
        """An existing table, sized from its file (to read it from outside the server)."""
        return cls(path, os.path.getsize(path) // (_SLOT * 8))

    def claim(self) -> int:
        """This process's slot: a free one, or one whose process has gone (a restarted worker
        takes its predecessor's)."""
        fcntl.flock(self._file, fcntl.LOCK_EX)
        try:
            for i in range(self.size):
                pid = self._words[i * _SLOT]
                if pid == 0 or not _alive(pid):
                    self._words[i * _SLOT + 1] = 0
                    self._words[i * _SLOT] = os.getpid()
                    self.slot = i
                    return i
        finally:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        raise RuntimeError(f"no free worker slot in {self.path}")

    def publish(self, connections: int) -> None:
        self._words[self.slot * _SLOT + 1] = connections

    def least_of_others(self) -> int | None:
        """The fewest connections a live sibling holds, or None with no live sibling."""
        least: int | None = None
        for i in range(self.size):
            if i == self.slot:
                continue
            pid = self._words[i * _SLOT]
            if pid == 0 or not _alive(pid):
                continue
            count = self._words[i * _SLOT + 1]
            least = count if least is None else min(least, count)
        return least

    def counts(self) -> dict[int, int]:
        """pid -> connections of every claimed slot (the supervisor reads which workers started)."""
        return {self._words[i * _SLOT]: self._words[i * _SLOT + 1] for i in range(self.size) if self._words[i * _SLOT]}

    def serving(self) -> set[int]:
        """The pids of the workers that claimed a slot and have not released it."""
        return {pid for pid, count in self.counts().items() if count < _RELEASED}

    def release(self) -> None:
        """This worker stops accepting: siblings must not leave connections to it. The pid stays,
        so the supervisor can tell a worker that served from one that never started."""
        if self.slot >= 0:
            self._words[self.slot * _SLOT + 1] = _RELEASED
            self.slot = -1

    def close(self) -> None:
        self._words.release()
        self._map.close()
        self._file.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or someone else's process has the pid now
        return False
    return True


class Acceptor:
    """Accepts connections on one listening socket for one worker, by the rule of this module,
    and serves each with ``protocol_factory``. Stands where uvicorn keeps its asyncio servers
    (``close`` and ``wait_closed``)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        protocol_factory: Callable[[], asyncio.Protocol],
        table: WorkerTable,
        held: Callable[[], int],
        ssl: Any = None,
        backlog: int = 2048,
    ) -> None:
        self.loop = loop
        self.sock = sock
        self.protocol_factory = protocol_factory
        self.table = table
        self.held = held  # the worker's connections, open and opening
        self.ssl = ssl
        self.opening = 0  # accepted, not yet handed to a protocol
        self.closed = False
        self._paused = False  # not reading the socket until a timer fires
        self._deferring_since: float | None = None  # leaving waiting connections to siblings since
        self._last_deferral = 0.0
        sock.setblocking(False)
        sock.listen(backlog)
        loop.add_reader(sock.fileno(), self._readable)

    def _readable(self) -> None:
        now = self.loop.time()
        least = self.table.least_of_others()
        if least is not None and self.held() > least:
            if self._deferring_since is None or now - self._last_deferral > QUIET_SECONDS:
                self._deferring_since = now  # a new wait (the last one ended in a quiet spell)
            self._last_deferral = now
            if now - self._deferring_since < DEFER_SECONDS:
                self._pause(LOOK_AGAIN_SECONDS)  # a less loaded sibling should take it meanwhile
                return
        self._deferring_since = None
        self._accept()

    def _pause(self, seconds: float) -> None:
        self.loop.remove_reader(self.sock.fileno())
        self._paused = True
        self.loop.call_later(seconds, self._resume)

    def _resume(self) -> None:
        self._paused = False
        if not self.closed:
            self.loop.add_reader(self.sock.fileno(), self._readable)

    def _accept(self) -> None:
        """Accepts one waiting connection, if one still waits (a sibling may have taken it)."""
        try:
            conn, _addr = self.sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        except OSError as exc:  # EMFILE, ENFILE, ENOBUFS, ENOMEM: pause, as asyncio does
            logger.error("accept failed (%s); not accepting for %.0f s", exc, ACCEPT_PAUSE_SECONDS)
            self._pause(ACCEPT_PAUSE_SECONDS)
            return
        conn.setblocking(False)
        if conn.family in (socket.AF_INET, socket.AF_INET6):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.opening += 1
        self.table.publish(self.held())
        self.loop.create_task(self._serve(conn))

    async def _serve(self, conn: socket.socket) -> None:
        try:
            await self.loop.connect_accepted_socket(self.protocol_factory, conn, ssl=self.ssl)
        except Exception as exc:  # the client went away during the TLS handshake, say
            logger.debug("connection dropped before it was served: %s", exc)
            conn.close()
        finally:
            self.opening -= 1

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if not self._paused:
                self.loop.remove_reader(self.sock.fileno())
            self.sock.close()

    async def wait_closed(self) -> None:
        return None


class BalancedServer(uvicorn.Server):
    """uvicorn's server with ``Acceptor`` in place of asyncio's accept loop (one worker of
    several; ``table_path`` is the supervisor's ``WorkerTable``)."""

    def __init__(self, config: Config, table_path: str, workers: int) -> None:
        super().__init__(config)
        self.table_path = table_path
        self.workers = workers
        self.table: WorkerTable | None = None
        self.acceptors: list[Acceptor] = []

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if not sockets:
            await super().startup(sockets)
            return
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            sys.exit(STARTUP_FAILURE)
        config = self.config
        loop = asyncio.get_running_loop()

        def create_protocol() -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state, _loop=loop
            )

        self.table = WorkerTable(self.table_path, self.workers)
        self.table.claim()
        self.acceptors = [
            Acceptor(loop, sock, create_protocol, self.table, self._held, config.ssl, config.backlog)
            for sock in sockets
        ]
        self.servers = cast(Any, self.acceptors)  # uvicorn only calls close() and wait_closed()
        self.started = True

    def _held(self) -> int:
        return len(self.server_state.connections) + sum(a.opening for a in self.acceptors)

    async def on_tick(self, counter: int) -> bool:
        if self.table is not None:  # closed connections leave the count here, ten times a second
            self.table.publish(self._held())
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.table is not None:
            self.table.release()
        await super().shutdown(sockets)


def _worker(config: Config, sockets: list[socket.socket], table_path: str, workers: int) -> None:
    """A worker process's body (spawned)."""
    config.configure_logging()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the workers as well as the supervisor
        BalancedServer(config, table_path, workers).run(sockets)


@dataclass
class Supervisor:
    """Starts ``workers`` processes on one bound socket, replaces any that dies, and stops them
    all on SIGINT or SIGTERM."""

    config: Config
    workers: int

    def run(self) -> int:
        """Serves until a signal; returns the exit status: STARTUP_FAILURE if a worker exited
        before its app started (another would only fail the same way), else 0. A worker that
        exits after it started serving is replaced."""
        multiprocessing.allow_connection_pickling()  # the socket goes to each worker
        sock = self.config.bind_socket()
        table = WorkerTable.create(self.workers)
        context = multiprocessing.get_context("spawn")
        stop = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, on_signal)

        def start() -> SpawnProcess:
            proc = context.Process(target=_worker, args=(self.config, [sock], table.path, self.workers))
            proc.start()
            return proc

        status = 0
        procs = [start() for _ in range(self.workers)]
        logger.info("Started %d worker processes [%s]", self.workers, ", ".join(str(p.pid) for p in procs))
        try:
            while not stop.wait(0.5):
                for i, proc in enumerate(procs):
                    if proc.is_alive():
                        continue
                    if proc.pid not in table.counts():  # it never claimed a slot: its app did not start
                        logger.error(
                            "worker %s exited with %s before its app started; stopping", proc.pid, proc.exitcode
                        )
                        status = STARTUP_FAILURE
                        stop.set()
                        break
                    logger.warning("worker %s exited with %s; starting another", proc.pid, proc.exitcode)
                    procs[i] = start()
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
            for proc in procs:
                proc.join(timeout=self.config.timeout_graceful_shutdown or 30)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
            sock.close()
            table.close()
            os.unlink(table.path)
        return status
