"""keito clients list|create."""

from __future__ import annotations

from typing import Annotated

import typer

from keito.cli._runtime import emit, say, state, table

app = typer.Typer(help="The customers you bill.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, limit: Annotated[int, typer.Option(help="At most this many.")] = 200) -> None:
    """Active clients."""
    st = state(ctx)
    rows = []
    for c in st.client().clients.list(is_active=True, per_page=min(limit, 2000)):
        rows.append(c)
        if len(rows) >= limit:
            break
    emit(st, rows, lambda: table(["ID", "Name", "Currency"], [[c.id, c.name, c.currency] for c in rows]))


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Client name.")],
    currency: Annotated[str | None, typer.Option(help="ISO currency, e.g. GBP.")] = None,
    address: Annotated[str | None, typer.Option(help="Postal address.")] = None,
) -> None:
    """Create a client (managers and administrators)."""
    st = state(ctx)
    c = st.client().clients.create(name=name, currency=currency, address=address)
    emit(st, c, lambda: say(f"Created client {c.name} ({c.id})"))
