"""keito reports summary."""

from __future__ import annotations

from typing import Annotated

import typer

from keito.cli._runtime import emit, state, table

app = typer.Typer(help="Hours and spend, grouped.", no_args_is_help=True)


@app.command()
def summary(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    group_by: Annotated[
        str, typer.Option("--group-by", help="client, project, task, user, source, user_type, model, agent or session.")
    ] = "project",
    source: Annotated[str | None, typer.Option("--source", help="Comma-separated sources, e.g. agent.")] = None,
) -> None:
    """Hours, billable amount and LLM spend per group over a period."""
    st = state(ctx)
    from keito.cli.time import _collect

    pager = st.client().reports.summary(from_date=from_, to_date=to, group_by=group_by, source=source, per_page=500)
    rows = _collect(st, pager, 0)
    emit(
        st,
        rows,
        lambda: table(
            ["Label", "Hours", "Billable", "Amount", "LLM cost", "Cur"],
            [[r.label, r.hours, r.billable_hours, r.billable_amount, r.llm_cost, r.currency] for r in rows],
        ),
    )
