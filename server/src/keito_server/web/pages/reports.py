"""Reports: time by client, project, task and person; agents versus humans; LLM spend by
project, model and agent. Each report has a chart (server-rendered SVG bars, ADR 0900), a
table and a CSV download that reads the very same rows.

Every number comes from ``services.reports.summary`` (the API's reports use it too); this
module only picks the period, the report and the rendering. Members see their own work only
(the service decides that).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from keito_server.domain.errors import KeitoError, NotFound
from keito_server.domain.timers import local_today
from keito_server.services import clients, projects, reports
from keito_server.services.clients import ClientFilters
from keito_server.services.context import Actor
from keito_server.services.paging import Page
from keito_server.services.projects import ProjectFilters
from keito_server.web.deps import CurrentWebActor, SessionDep, render

router = APIRouter(prefix="/reports")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PRESETS: tuple[tuple[str, str], ...] = (
    ("this_week", "This week"),
    ("last_week", "Last week"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_quarter", "This quarter"),
    ("custom", "Custom"),
)
DEFAULT_PRESET = "this_month"
PRESET_KEYS = {key for key, _ in PRESETS}
SOURCES = ("web", "cli", "api", "agent")
# Labels for the agents-versus-humans report's keys (users.user_type).
WORKER_LABELS = {"agent": "Agents", "human": "Humans"}


def week_bounds(today: date, week_start: str) -> tuple[date, date]:
    """The week containing ``today`` when weeks start on ``week_start`` (a weekday name)."""
    first = WEEKDAYS.index(week_start.lower()) if week_start and week_start.lower() in WEEKDAYS else 0
    start = today - timedelta(days=(today.weekday() - first) % 7)
    return start, start + timedelta(days=6)


def month_bounds(any_day: date) -> tuple[date, date]:
    start = any_day.replace(day=1)
    nxt = (start + timedelta(days=32)).replace(day=1)
    return start, nxt - timedelta(days=1)


def preset_range(preset: str, today: date, week_start: str) -> tuple[date, date]:
    """The inclusive date range a preset names, for a workspace whose local date is ``today``."""
    if preset == "this_week":
        return week_bounds(today, week_start)
    if preset == "last_week":
        start, _ = week_bounds(today, week_start)
        return start - timedelta(days=7), start - timedelta(days=1)
    if preset == "last_month":
        return month_bounds(today.replace(day=1) - timedelta(days=1))
    if preset == "this_quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first_month, 1)
        _, end = month_bounds(date(today.year, first_month + 2, 1))
        return start, end
    return month_bounds(today)  # this_month, and the default


@dataclass(frozen=True)
class Column:
    key: str  # attribute of ReportRow
    label: str
    kind: str  # "hours" | "money" | "count"


@dataclass(frozen=True)
class ReportDef:
    slug: str
    title: str
    group_by: str  # reports.summary's group_by
    group_label: str  # header of the first column
    columns: tuple[Column, ...]
    chart: str  # the column the bar chart draws
    family: str  # "time" | "llm" | "expenses"; tabs are grouped by family


HOURS = Column("hours", "Hours", "hours")
BILLABLE_HOURS = Column("billable_hours", "Billable hours", "hours")
BILLABLE_AMOUNT = Column("billable_amount", "Billable amount", "money")
COST_AMOUNT = Column("cost_amount", "Cost", "money")
LLM_COST = Column("llm_cost", "LLM spend", "money")
EXPENSES = Column("expense_total", "All expenses", "money")
ENTRIES = Column("entries", "Entries", "count")
TIME_COLUMNS = (HOURS, BILLABLE_HOURS, BILLABLE_AMOUNT, COST_AMOUNT)
LLM_COLUMNS = (LLM_COST, HOURS, ENTRIES)
EXPENSE_COLUMNS = (EXPENSES, LLM_COST, ENTRIES)

REPORTS: tuple[ReportDef, ...] = (
    ReportDef("time-by-client", "Time by client", "client", "Client", TIME_COLUMNS, "hours", "time"),
    ReportDef("time-by-project", "Time by project", "project", "Project", TIME_COLUMNS, "hours", "time"),
    ReportDef("time-by-task", "Time by task", "task", "Task", TIME_COLUMNS, "hours", "time"),
    ReportDef("time-by-person", "Time by person", "user", "Person", TIME_COLUMNS, "hours", "time"),
    ReportDef(
        "agents-vs-humans",
        "Agents vs humans",
        "user_type",
        "Worker type",
        (HOURS, BILLABLE_HOURS, BILLABLE_AMOUNT, LLM_COST),
        "hours",
        "time",
    ),
    ReportDef("llm-by-project", "LLM spend by project", "project", "Project", LLM_COLUMNS, "llm_cost", "llm"),
    ReportDef("llm-by-model", "LLM spend by model", "model", "Model", LLM_COLUMNS, "llm_cost", "llm"),
    ReportDef("llm-by-agent", "LLM spend by agent", "agent", "Agent", LLM_COLUMNS, "llm_cost", "llm"),
    ReportDef(
        "expenses-by-category",
        "Expenses by category",
        "category",
        "Category",
        EXPENSE_COLUMNS,
        "expense_total",
        "expenses",
    ),
    ReportDef(
        "expenses-by-project", "Expenses by project", "project", "Project", EXPENSE_COLUMNS, "expense_total", "expenses"
    ),
)
REPORTS_BY_SLUG = {r.slug: r for r in REPORTS}
DEFAULT_REPORT = "time-by-project"


def exact(value: Any) -> str:
    """A number as exact decimal text, never in exponent form, with at least two places
    (``1.5`` -> ``1.50``, ``0.003456`` stays ``0.003456``). Used in CSV and on screen."""
    if value is None:
        return ""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(d.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def cell_text(value: Any, kind: str) -> str:
    if kind == "count":
        return str(int(value or 0))
    return exact(value if value is not None else Decimal(0))


def csv_text(report: ReportDef, rows: Sequence[Any], *, currency: str) -> str:
    """The report as CSV: a header row, one row per group, and a Total row. Amounts are
    exact decimals in ``currency`` (named in the header), hours are decimal hours."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = [report.group_label]
    for col in report.columns:
        header.append(f"{col.label} ({currency})" if col.kind == "money" else col.label)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.label] + [cell_text(getattr(row, c.key), c.kind) for c in report.columns])
    totals = column_totals(report, rows)
    writer.writerow(["Total"] + [cell_text(totals[c.key], c.kind) for c in report.columns])
    return out.getvalue()


def column_totals(report: ReportDef, rows: Sequence[Any]) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for col in report.columns:
        values = [getattr(r, col.key) or 0 for r in rows]
        totals[col.key] = sum(values) if col.kind == "count" else sum((Decimal(v) for v in values), Decimal(0))
    return totals


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    share: Decimal  # 0..100, the bar's length relative to the largest
    part: Decimal  # 0..100, the highlighted part (billable share) of the bar, or 0
    kind: str  # "agent" | "human" | "" for colouring


def bars(report: ReportDef, rows: Sequence[Any], limit: int = 12) -> list[Bar]:
    """Bar lengths for the chart: the ``limit`` largest rows, scaled to the largest value.
    For hour charts the billable share of each bar is drawn darker."""
    ranked = sorted(rows, key=lambda r: getattr(r, report.chart) or 0, reverse=True)[:limit]
    top = max((Decimal(getattr(r, report.chart) or 0) for r in ranked), default=Decimal(0))
    result = []
    for r in ranked:
        value = Decimal(getattr(r, report.chart) or 0)
        share = (value * 100 / top).quantize(Decimal("0.1")) if top > 0 else Decimal(0)
        part = Decimal(0)
        if report.chart == "hours" and value > 0:
            part = (share * Decimal(r.billable_hours or 0) / value).quantize(Decimal("0.1"))
        kind = str(r.key) if report.group_by == "user_type" else ""
        result.append(Bar(label=r.label, value=value, share=share, part=part, kind=kind))
    return result


# ── the page ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Query:
    """The page's filters, parsed from the query string; ``error`` names a bad one."""

    report: ReportDef
    preset: str
    date_from: date
    date_to: date
    source: str
    project_id: str
    client_id: str
    error: str | None = None
    error_field: str | None = None

    def params(self, **override: str) -> dict[str, str]:
        out = {
            "preset": self.preset,
            "source": self.source,
            "project_id": self.project_id,
            "client_id": self.client_id,
        }
        if self.preset == "custom":
            out.update({"from": self.date_from.isoformat(), "to": self.date_to.isoformat()})
        out.update(override)
        return {k: v for k, v in out.items() if v}

    def url(self, slug: str | None = None, *, csv: bool = False, **override: str) -> str:
        path = f"/reports/{slug or self.report.slug}" + (".csv" if csv else "")
        query = urlencode(self.params(**override))
        return path + (f"?{query}" if query else "")


def parse_query(actor: Actor, slug: str, params: dict[str, str]) -> Query:
    report = REPORTS_BY_SLUG.get(slug)
    if report is None:
        raise NotFound("Report")
    today = local_today(actor.account.timezone)
    preset = params.get("preset") or ""
    raw_from, raw_to = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if preset not in PRESET_KEYS:
        preset = "custom" if raw_from or raw_to else DEFAULT_PRESET
    source = (params.get("source") or "").strip().lower()
    if source not in SOURCES:
        source = ""
    error = error_field = None
    if preset == "custom":
        default_from, default_to = preset_range(DEFAULT_PRESET, today, actor.account.week_start)
        try:
            date_from = reports.parse_report_date(raw_from, "from") if raw_from else default_from
            date_to = reports.parse_report_date(raw_to, "to") if raw_to else default_to
            reports.check_range(date_from, date_to)
        except KeitoError as exc:
            error, error_field = exc.message, exc.field
            date_from, date_to = default_from, default_to
    else:
        date_from, date_to = preset_range(preset, today, actor.account.week_start)
    return Query(
        report=report,
        preset=preset,
        date_from=date_from,
        date_to=date_to,
        source=source,
        project_id=(params.get("project_id") or "").strip(),
        client_id=(params.get("client_id") or "").strip(),
        error=error,
        error_field=error_field,
    )


def run(session: Any, actor: Actor, q: Query) -> list[Any]:
    rows = reports.summary(
        session,
        actor,
        date_from=q.date_from,
        date_to=q.date_to,
        group_by=q.report.group_by,
        source=q.source or None,
        project_id=q.project_id or None,
        client_id=q.client_id or None,
    )
    if q.report.group_by == "user_type":
        rows = [_relabel(r, WORKER_LABELS.get(str(r.key), r.label)) for r in rows]
    if q.report.family == "llm":
        # An LLM report lists only groups that spent something on LLMs.
        rows = [r for r in rows if r.llm_cost or (q.report.group_by == "model" and r.key)]
        rows.sort(key=lambda r: (-r.llm_cost, r.label))
    elif q.report.family == "expenses":
        rows = [r for r in rows if r.expense_total]
        rows.sort(key=lambda r: (-r.expense_total, r.label))
    return rows


def _relabel(row: Any, label: str) -> Any:
    from dataclasses import replace

    return replace(row, label=label)


def _filter_choices(session: Any, actor: Actor) -> dict[str, Any]:
    everything = Page(offset=0, limit=1000, with_total=False)
    project_rows, _ = projects.list_projects(session, actor, ProjectFilters(is_active=None), everything)
    client_rows: list[Any] = []
    if actor.is_manager:
        client_rows, _ = clients.list_clients(session, actor, ClientFilters(), everything)
    return {
        "project_options": [(v.project.id, f"{v.client_name} · {v.project.name}") for v in project_rows],
        "client_options": [(c.id, c.name) for c in client_rows],
    }


@router.get("")
def reports_home(request: Request, session: SessionDep, actor: CurrentWebActor) -> Response:
    return report_page(request, session, actor, DEFAULT_REPORT)


@router.get("/{slug}.csv")
def report_csv(request: Request, session: SessionDep, actor: CurrentWebActor, slug: str) -> Response:
    q = parse_query(actor, slug, dict(request.query_params))
    if q.error:
        return Response(q.error + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    rows = run(session, actor, q)
    filename = f"keito-{q.report.slug}-{q.date_from.isoformat()}-to-{q.date_to.isoformat()}.csv"
    return Response(
        csv_text(q.report, rows, currency=actor.account.currency),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/{slug}")
def report_page(request: Request, session: SessionDep, actor: CurrentWebActor, slug: str) -> Response:
    q = parse_query(actor, slug, dict(request.query_params))
    rows = [] if q.error else run(session, actor, q)
    overview = None
    if not q.error:
        # The headline numbers over the same period and filters, whatever the grouping.
        overview = column_totals(
            ReportDef("all", "", "source", "", (HOURS, BILLABLE_HOURS, BILLABLE_AMOUNT, LLM_COST), "hours", "time"),
            reports.summary(
                session,
                actor,
                date_from=q.date_from,
                date_to=q.date_to,
                group_by="source",
                source=q.source or None,
                project_id=q.project_id or None,
                client_id=q.client_id or None,
            ),
        )
    ctx: dict[str, Any] = {
        "q": q,
        "reports": REPORTS,
        "presets": PRESETS,
        "rows": rows,
        "totals": column_totals(q.report, rows),
        "overview": overview,
        "bars": bars(q.report, rows),
        "currency": actor.account.currency,
        "exact": exact,
        "cell_text": cell_text,
        "status": 400 if q.error else 200,
    }
    ctx.update(_filter_choices(session, actor))
    return render(request, "reports/report.html", ctx, status=400 if q.error else 200)
