"""db/engine.py's ``_WriterLock`` (ADR 0501): SQLite writers in two processes queue on one
flock, and a writer in the second process starts the moment the first lets go, not later and
not sooner. The lock file stays open between uses (ADR 0509). Threads of one process queue on
its pipe one at a time; a nested acquire is refused at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from keito_server.db.engine import _WriterLock

CHILD = textwrap.dedent(
    """
    import sys, time
    from keito_server.db.engine import _WriterLock
    lock = _WriterLock(sys.argv[1])
    print("waiting", flush=True)
    assert lock.acquire()
    print(time.time(), flush=True)
    lock.release()
    """
)


def test_a_writer_in_another_process_waits_for_the_lock_and_gets_it_once_released(tmp_path: Path) -> None:
    db_path = str(tmp_path / "keito.db")
    lock = _WriterLock(db_path)
    for _ in range(2):  # the second round reuses the open lock file
        assert lock.acquire()
        child = subprocess.Popen([sys.executable, "-c", CHILD, db_path], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "waiting"
        time.sleep(0.5)  # the child is now blocked on the flock
        released = time.time()
        lock.release()
        acquired = float(child.stdout.readline())
        assert child.wait(timeout=30) == 0
        assert released <= acquired < released + 5
    assert Path(f"{db_path}-writer.lock").exists()


def test_threads_of_one_process_take_the_lock_one_at_a_time() -> None:
    lock = _WriterLock(":memory:")  # no lock file: the pipe alone keeps the threads apart
    inside: list[int] = []
    overlaps: list[int] = []
    done: list[int] = []

    def writer(n: int) -> None:
        for _ in range(20):
            assert lock.acquire()
            try:
                inside.append(n)
                if len(inside) > 1:
                    overlaps.append(n)
                time.sleep(0.0005)  # lets the GIL go while holding the lock
                inside.remove(n)
            finally:
                lock.release()
        done.append(n)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(done) == list(range(8))
    assert overlaps == []


def test_a_thread_that_holds_the_lock_is_refused_at_once_and_an_unheld_release_is_an_error(tmp_path: Path) -> None:
    lock = _WriterLock(str(tmp_path / "keito.db"))
    assert lock.acquire()
    started = time.monotonic()
    assert lock.acquire() is False  # nested in one thread: SQLite's busy handling takes over
    assert time.monotonic() - started < 1
    lock.release()
    with pytest.raises(RuntimeError, match="not held"):
        lock.release()  # a second token would let two writers in
    other = threading.Thread(target=lambda: (lock.acquire(), lock.release()))
    other.start()
    other.join(timeout=10)
    assert not other.is_alive()  # the lock is free again, exactly once
