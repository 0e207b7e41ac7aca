"""keito projects list|create|show|tasks."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from keito.cli import _resolve
from keito.cli._runtime import emit, say, state, table

app = typer.Typer(help="Projects and their tasks.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Option("--client", help="Only this client's projects (id).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 200,
) -> None:
    """Active projects."""
    st = state(ctx)
    rows = []
    for p in st.client().projects.list(is_active=True, client_id=client, per_page=min(limit, 2000)):
        rows.append(p)
        if len(rows) >= limit:
            break
    emit(
        st,
        rows,
        lambda: table(
            ["ID", "Code", "Name", "Client"], [[p.id, p.code, p.name, p.client.name if p.client else ""] for p in rows]
        ),
    )


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Project name.")],
    client: Annotated[str, typer.Option("--client", help="Client id.")],
    code: Annotated[str | None, typer.Option(help="Short code, e.g. ACME-WEB.")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes.")] = None,
    billable: Annotated[bool, typer.Option("--billable/--non-billable", help="Bill time on this project.")] = True,
    task: Annotated[list[str] | None, typer.Option("--task", help="Task id to offer (repeatable).")] = None,
) -> None:
    """Create a project (managers and administrators)."""
    st = state(ctx)
    p = st.client().projects.create(
        name=name,
        client_id=client,
        code=code,
        notes=notes,
        is_billable=billable,
        bill_by="Project" if billable else "none",
        task_ids=task or None,
    )
    emit(st, p, lambda: say(f"Created project {p.name} ({p.id})"))


@app.command()
def show(ctx: typer.Context, project: Annotated[str, typer.Argument(help="Project id, name or code.")]) -> None:
    """One project, found by id, name or code."""
    st = state(ctx)
    p = st.client().projects.get(_resolve.project(st.client(), project).id)
    emit(
        st, p, lambda: table(["Field", "Value"], [[k, v] for k, v in p.model_dump().items() if not isinstance(v, dict)])
    )


@app.command()
def tasks(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option("--project", help="Only the tasks offered on this project.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 200,
) -> None:
    """Active tasks (of the workspace, or of one project)."""
    st = state(ctx)
    c = st.client()
    found: list[Any]
    if project:
        pid = _resolve.project(c, project).id
        found = [a.task for a in c.projects.task_assignments.list(pid) if a.task is not None]
    else:
        found = list(c.tasks.list(is_active=True, per_page=200))
    rows = found[:limit]
    emit(st, rows, lambda: table(["ID", "Name"], [[t.id, t.name] for t in rows]))
