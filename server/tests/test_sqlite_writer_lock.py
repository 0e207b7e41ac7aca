"""db/engine.py's ``_WriterLock`` (ADR 0501): SQLite writers in two processes queue on one
flock, and a writer in the second process starts the moment the first lets go, not later and
not sooner. The lock file stays open between uses (ADR 0509)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from keito_server.db.engine import _WriterLock

CHILD = textwrap.dedent(
    """
    import sys, time
    from keito_server.db.engine import _WriterLock
    lock = _WriterLock(sys.argv[1])
    print("waiting", flush=True)
    assert lock.acquire(timeout=30)
    print(time.time(), flush=True)
    lock.release()
    """
)


def test_a_writer_in_another_process_waits_for_the_lock_and_gets_it_once_released(tmp_path: Path) -> None:
    db_path = str(tmp_path / "keito.db")
    lock = _WriterLock(db_path)
    for _ in range(2):  # the second round reuses the open lock file
        assert lock.acquire(timeout=5)
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
