"""keito expense log."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from keito.cli import _resolve
from keito.cli._runtime import EXIT_INPUT, CliError, emit, say, state, today
from keito.cli.time import AgentId, AgentType, Date, Metadata, SessionId, agent_fields

app = typer.Typer(help="Expenses, including LLM usage.", no_args_is_help=True)

LLM_USAGE = "cat_llm_usage"


@app.command()
def log(
    ctx: typer.Context,
    project: Annotated[str, typer.Option("--project", help="Project id, name or code.")],
    quantity: Annotated[
        float | None, typer.Option("--quantity", "--units", help="Units (for LLM Usage: thousands of tokens).")
    ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Total cost, e.g. 12.50.")] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="LLM model; with token counts the server prices it.")
    ] = None,
    input_tokens: Annotated[int | None, typer.Option("--input-tokens", help="Input tokens.")] = None,
    output_tokens: Annotated[int | None, typer.Option("--output-tokens", help="Output tokens.")] = None,
    category: Annotated[str, typer.Option("--category", help="Category id or name.")] = "LLM Usage",
    notes: Annotated[str | None, typer.Option("--notes", help="What it was for.")] = None,
    date: Date = None,
    source: Annotated[str | None, typer.Option("--source", help="web, cli, api or agent.")] = None,
    metadata: Metadata = None,
    session_id: SessionId = None,
    agent_id: AgentId = None,
    agent_type: AgentType = None,
) -> None:
    """Log an expense; by default an LLM Usage expense priced by the server from model and tokens."""
    st = state(ctx)
    c = st.client()
    p = _resolve.project(c, project)
    cat_id = _category(c, category)
    src, meta = agent_fields(source, metadata, session_id, agent_id, agent_type)
    for key, value in (("model", model), ("input_tokens", input_tokens), ("output_tokens", output_tokens)):
        if value is not None:
            meta[key] = value
    units: float | int | None = quantity
    if units is not None and float(units).is_integer():
        units = int(units)  # the API takes whole units
    if units is None and amount is None:
        tokens = (input_tokens or 0) + (output_tokens or 0)
        if not tokens:
            raise CliError(EXIT_INPUT, "Give --quantity, --amount, or --model with --input-tokens/--output-tokens.")
        units = -(-tokens // 1000)  # thousands of tokens, rounded up
    e = c.expenses.create(
        project_id=p.id,
        expense_category_id=cat_id,
        spent_date=date or today(),
        units=units,
        total_cost=amount,
        notes=notes,
        source=src,
        metadata=meta or None,
    )
    data = {
        "status": "logged",
        "expense_id": e.id,
        "project": p.name,
        "category": e.expense_category.name if e.expense_category else cat_id,
        "units": e.units,
        "total_cost": e.total_cost,
        "spent_date": e.spent_date,
        "source": e.source,
        "metadata": e.metadata,
    }
    emit(st, data, lambda: say(f"[green]Logged[/] {data['category']} expense {e.total_cost} on {p.name}"))


def _category(c: Any, value: str) -> str:
    if value == LLM_USAGE or value.lower() == "llm usage":
        return LLM_USAGE
    return str(_resolve.pick(value, c.expense_categories.list(), "expense category", "keito expense log --help").id)
