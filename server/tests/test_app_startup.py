"""What a server process does once its app has started: the app that ``keito-server serve``
runs (keito_server.asgi) freezes its startup heap, so the garbage collector's full collections
no longer walk it (twelfth session, docs/performance.md); an app made inside another program
leaves that program's heap alone. In process, on a real SQLite file."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from keito_server.app import create_app
from keito_server.db.engine import Database
from keito_server.db.migrate import upgrade
from keito_server.settings import Settings


def test_the_served_app_freezes_its_startup_heap_and_an_app_made_in_a_program_does_not(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keito.db'}"
    upgrade(url)
    settings = Settings.from_env({"KEITO_DATA_DIR": str(tmp_path), "KEITO_DATABASE_URL": url})
    db = Database(url)
    gc.unfreeze()
    try:
        with TestClient(create_app(settings, db=db)) as client:
            assert client.get("/healthz").status_code == 200
            assert gc.get_freeze_count() == 0
        with TestClient(create_app(settings, db=db, freeze_heap=True)) as client:
            assert client.get("/healthz").status_code == 200
            assert gc.get_freeze_count() > 10_000  # the modules, the app, its routes: everything so far
    finally:
        gc.unfreeze()  # give this test process its heap back
        db.dispose()


def test_the_app_keito_server_serve_runs_freezes_its_heap(tmp_path: Path) -> None:
    """keito_server.asgi, imported and started as a uvicorn worker would, in a process of its own."""
    url = f"sqlite:///{tmp_path / 'keito.db'}"
    upgrade(url)
    probe = (
        "import gc\n"
        "from fastapi.testclient import TestClient\n"
        "from keito_server.asgi import app\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/healthz').status_code == 200\n"
        "    print(gc.get_freeze_count())\n"
    )
    env = {**os.environ, "KEITO_DATA_DIR": str(tmp_path), "KEITO_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 10_000
