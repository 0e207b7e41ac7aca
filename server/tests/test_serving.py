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
import struct
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live import LiveServer, free_port

pytestmark = pytest.mark.multiprocess

CONNECTIONS = 20


@pytest.fixture
def two_workers() -> Iterator[LiveServer]:
    live = LiveServer(backend="sqlite", workers=2).start()
    yield live
    live.cleanup()


def _workers(parent: int) -> list[int]:
    """The live worker processes of ``parent`` (its spawned children; multiprocessing's resource
    tracker is a child too, and is left out)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" not in cmdline:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent and fields[0] != "Z":
            pids.append(int(entry.name))
    return sorted(pids)


def _wait_for_workers(parent: int, count: int, other_than: frozenset[int] = frozenset()) -> list[int]:
    """``count`` workers of ``parent``, none of ``other_than``, each serving: its app started and
    it claimed its slot in the worker table (until then its siblings take every connection)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = _workers(parent)
        if len(pids) == count and not other_than & set(pids) and _table_for(pids) is not None:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"expected {count} serving workers of {parent}, found {_workers(parent)}")


def _table_for(pids: list[int]) -> Path | None:
    """The worker table file that records exactly ``pids`` as serving."""
    for path in Path("/dev/shm").glob("keito-workers-*"):
        data = path.read_bytes()
        words = struct.unpack(f"{len(data) // 8}q", data)
        if {words[i] for i in range(0, len(words), 2) if words[i] and words[i + 1] < 2**62} == set(pids):
            return path
    return None


def _server_side_inodes(port: int) -> set[str]:
    """Socket inodes of the established connections whose local port is ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            cols = line.split()
            local_port = int(cols[1].rsplit(":", 1)[1], 16)
            if local_port == port and cols[3] == "01":  # 01: ESTABLISHED
                inodes.add(cols[9])
    return inodes


def _held_by(port: int, pids: list[int]) -> Counter[int]:
    """How many of ``port``'s established connections each of ``pids`` holds."""
    inodes = _server_side_inodes(port)
    held: Counter[int] = Counter({pid: 0 for pid in pids})
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held[pid] += 1
    return held


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
        held = _held_by(two_workers.port, pids)
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
        held = _held_by(two_workers.port, pids)
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
