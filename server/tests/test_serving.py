"""``keito-server serve --workers N`` (ADR 0510): the workers take even shares of the
connections (from a fresh server too: each worker has built FastAPI's routing tables before it
takes any), a worker that dies is replaced, a worker that cannot start stops the server, and
SIGTERM stops everything and leaves nothing behind.

Which worker holds a connection is read from /proc: the server side of each TCP connection
(``/proc/net/tcp``) is matched by its socket inode to a worker's open files. The backend does
not matter here (accepting happens before any request reaches the app), so one SQLite server
is enough.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from keito_server.serving import WorkerTable

from tests.support.live import LiveServer, connections_by_worker, free_port, worker_pids

pytestmark = pytest.mark.multiprocess

CONNECTIONS = 20


@pytest.fixture
def two_workers() -> Iterator[LiveServer]:
    live = LiveServer(backend="sqlite", workers=2).start()
    yield live
    live.cleanup()


def _wait_for_workers(parent: int, count: int, other_than: frozenset[int] = frozenset()) -> list[int]:
    """``count`` workers of ``parent``, none of ``other_than``, each serving: its app started and
    it claimed its slot in the worker table (until then its siblings take every connection)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = worker_pids(parent)
        if len(pids) == count and not other_than & set(pids) and _table_for(pids) is not None:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"expected {count} serving workers of {parent}, found {worker_pids(parent)}")


def _table_for(pids: list[int]) -> Path | None:
    """The worker table file that records exactly ``pids`` as serving."""
    for path in Path("/dev/shm").glob("keito-workers-*"):
        table = WorkerTable.attach(str(path))
        try:
            if table.serving() == set(pids):
                return path
        finally:
            table.close()
    return None


def _open_at_once(port: int, n: int) -> list[socket.socket]:
    """``n`` connections opened in one burst (as a connection pool or a load generator opens
    them), each then served one request so that each is known to have been accepted."""
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    for s in socks:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: keito\r\n\r\n")
    for s in socks:
        s.settimeout(30)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b'"ok"}'):
            chunk = s.recv(4096)
            assert chunk, "the server closed a connection it should have kept open"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
    return socks


def _close(socks: list[socket.socket]) -> None:
    for s in socks:
        s.close()


def test_a_burst_of_connections_is_split_evenly_between_the_workers(two_workers: LiveServer) -> None:
    assert two_workers.proc is not None
    pids = _wait_for_workers(two_workers.proc.pid, 2)
    socks = _open_at_once(two_workers.port, CONNECTIONS)
    try:
        held = connections_by_worker(two_workers.port, pids)
        assert sum(held.values()) == CONNECTIONS
        assert max(held.values()) - min(held.values()) <= 2, held
    finally:
        _close(socks)


def test_a_worker_that_dies_is_replaced_and_the_new_one_takes_its_share(two_workers: LiveServer) -> None:
    assert two_workers.proc is not None
    parent = two_workers.proc.pid
    first, survivor = _wait_for_workers(parent, 2)
    os.kill(first, signal.SIGKILL)
    pids = _wait_for_workers(parent, 2, other_than=frozenset({first}))
    assert survivor in pids
    # The new worker answers once it has started; until then the survivor does.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        socks = _open_at_once(two_workers.port, CONNECTIONS)
        held = connections_by_worker(two_workers.port, pids)
        _close(socks)
        if min(held.values()) > 0:
            break
        time.sleep(0.5)  # the survivor publishes its closed connections ten times a second
    assert sum(held.values()) == CONNECTIONS
    assert max(held.values()) - min(held.values()) <= 2, held
    assert httpx.get(f"{two_workers.url}/healthz", timeout=10).status_code == 200


def test_sigterm_stops_every_worker_and_removes_the_shared_table(two_workers: LiveServer) -> None:
    assert two_workers.proc is not None
    proc = two_workers.proc
    pids = _wait_for_workers(proc.pid, 2)
    table = _table_for(pids)
    assert table is not None and table.exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert [pid for pid in pids if Path(f"/proc/{pid}").exists()] == []
    assert not table.exists()


def test_a_worker_whose_app_cannot_start_stops_the_server_with_startup_failure(tmp_path: Path) -> None:
    script = (
        "import sys, uvicorn\n"
        "from keito_server.serving import Supervisor\n"
        f"config = uvicorn.Config('no_such_module_here:app', host='127.0.0.1', port={free_port()}, workers=2)\n"
        "sys.exit(Supervisor(config, 2).run())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert "before its app started" in done.stderr


def test_a_test_server_never_takes_another_servers_answers_for_its_own(two_workers: LiveServer) -> None:
    """The harness's own guard (tests/support/live.py): a server started on a port another server
    already holds exits, while the health check is answered by the other one. Counting that as a
    start sent a whole test file's requests to another server and database (401 for every key,
    seen once in CI). Such a start is refused, not returned."""
    taken = LiveServer(backend="sqlite", port=two_workers.port)
    try:
        with pytest.raises(RuntimeError, match="could not keep a port of its own"):
            taken.start()
    finally:
        taken.cleanup()
    assert httpx.get(f"{two_workers.url}/healthz").status_code == 200  # the other one is untouched
