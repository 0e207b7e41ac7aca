"""Generate ``keito/_async_resources.py`` from ``keito/resources.py``.

The async resources are the sync ones with ``async def``/``await`` on every method that calls the
API, ``AsyncKeito`` for ``Keito`` and ``AsyncPager`` for ``SyncPager``. Lists stay plain methods
returning an ``AsyncPager`` (so ``async for e in client.time_entries.list()`` works).

Usage: ``python sdk/python/scripts/unasync.py`` (writes), ``--check`` (exit 1 when stale).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "keito"
HEADER = '''"""Asynchronous resources. GENERATED from ``resources.py`` by ``scripts/unasync.py``: do not edit."""
'''


def convert(text: str) -> str:
    body = text.split('"""\n', 1)[1]  # drop the sync module docstring
    body = body.replace("from keito._client import Keito", "from keito._async_client import AsyncKeito")
    body = body.replace("from keito._pagination import SyncPager", "from keito._pagination import AsyncPager")
    body = body.replace("client: Keito", "client: AsyncKeito").replace("SyncPager[", "AsyncPager[")
    out: list[str] = []
    blocks = re.split(r"(?m)^(?=    def |class |def )", body)
    for block in blocks:
        if block.startswith("    def ") and "self._c._call(" in block:
            block = "    async def " + block[len("    def ") :]
            block = block.replace("self._c._call(", "await self._c._call(")
            block = block.replace("return await self._c._call(", "return await self._c._call(")
        out.append(block)
    return _format(HEADER + "".join(out))


def _format(source: str) -> str:
    """Run ruff format so the generated file passes the same format check as everything else."""
    ruff = Path(sys.executable).parent / "ruff"
    cmd = str(ruff) if ruff.exists() else shutil.which("ruff") or "ruff"
    target = SRC / "_async_resources.py"
    done = subprocess.run(
        [cmd, "format", "--stdin-filename", str(target), "-"], input=source, capture_output=True, text=True, check=True
    )
    return done.stdout


def main() -> int:
    target = SRC / "_async_resources.py"
    generated = convert((SRC / "resources.py").read_text())
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != generated:
            print(f"{target} is stale: run python sdk/python/scripts/unasync.py")
            return 1
        return 0
    target.write_text(generated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
