"""Gives the test workspace the ids the quickstart hard-codes (project prj_abc, task tsk_001), so
its snippets run unchanged: copies the demo project and task under those ids, with the task
assigned to the project and the agent assigned to it. Test set-up only; works on the SQLite file.

usage: quickstart_ids.py <sqlite file> <demo project id> <demo task id>
"""

import sqlite3
import sys
import uuid


def copy_row(db: sqlite3.Connection, table: str, where: dict, changes: dict) -> None:
    cond = " AND ".join(f"{k} = ?" for k in where)
    rows = db.execute(f"SELECT * FROM {table} WHERE {cond}", list(where.values())).fetchall()
    for row in rows:
        data = dict(row)
        data.update({k: (v() if callable(v) else v) for k, v in changes.items()})
        cols = ", ".join(data)
        marks = ", ".join("?" for _ in data)
        db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(data.values()))


def new_id() -> str:
    return "qs_" + uuid.uuid4().hex


def main(path: str, project_id: str, task_id: str) -> None:
    db = sqlite3.connect(path, timeout=30)
    db.row_factory = sqlite3.Row
    with db:
        copy_row(db, "projects", {"id": project_id}, {"id": "prj_abc", "code": "QUICKSTART", "name": "Quickstart"})
        copy_row(db, "tasks", {"id": task_id}, {"id": "tsk_001", "name": "Quickstart task"})
        copy_row(
            db,
            "task_assignments",
            {"project_id": project_id, "task_id": task_id},
            {"id": new_id, "project_id": "prj_abc", "task_id": "tsk_001"},
        )
        copy_row(db, "user_assignments", {"project_id": project_id}, {"id": new_id, "project_id": "prj_abc"})


if __name__ == "__main__":
    main(*sys.argv[1:4])
