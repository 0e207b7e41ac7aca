"""Reports in both dialects: parse, call services.reports, serialize (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.domain.errors import ValidationError
from keito_server.services import reports as svc
from keito_server.services.reports import ReportRow, TeamRow

v2 = APIRouter(prefix="/api/v2/reports", tags=["Reports"])
v1 = APIRouter(prefix="/v1/reports", tags=["v1 Reports"])

CSV_FIELDS = (
    "key",
    "label",
    "hours",
    "billable_hours",
    "billable_amount",
    "cost_amount",
    "llm_cost",
    "expense_total",
    "entries",
    "currency",
)


class Period:
    """``from`` and ``to`` (required, YYYYMMDD or YYYY-MM-DD, at most 365 days apart)."""

    def __init__(
        self,
        from_: Annotated[str | None, Query(alias="from", description="Start date, YYYYMMDD or YYYY-MM-DD.")] = None,
        to: Annotated[str | None, Query(description="End date, YYYYMMDD or YYYY-MM-DD.")] = None,
    ) -> None:
        self.date_from = svc.parse_report_date(from_, "from")
        self.date_to = svc.parse_report_date(to, "to")
        svc.check_range(self.date_from, self.date_to)


class SummaryQuery:
    def __init__(
        self,
        period: Annotated[Period, Depends()],
        group_by: Annotated[
            str,
            Query(
                description="client, project, task, user, source, user_type, model, agent, session, "
                "or category (expenses only)"
            ),
        ] = "project",
        source: Annotated[str | None, Query(description="Comma-separated sources, e.g. agent,cli.")] = None,
        project_id: str | None = None,
        client_id: str | None = None,
        user_id: str | None = None,
        format: Annotated[str, Query(description="json (default) or csv")] = "json",
    ) -> None:
        if format not in ("json", "csv"):
            raise ValidationError("format must be json or csv.", field="format")
        self.period = period
        self.format = format
        self.args: dict[str, Any] = {
            "date_from": period.date_from,
            "date_to": period.date_to,
            "group_by": group_by,
            "source": source,
            "project_id": project_id,
            "client_id": client_id,
            "user_id": user_id,
        }


PeriodDep = Annotated[Period, Depends()]
SummaryDep = Annotated[SummaryQuery, Depends()]


def serialize_team(row: TeamRow) -> dict[str, Any]:
    u = row.user
    return {
        "user_id": u.id,
        "user_name": u.name,
        "user_type": u.user_type,
        "is_contractor": u.is_contractor,
        "weekly_capacity": u.weekly_capacity,
        "avatar_url": u.avatar_url,
        "total_hours": row.total_hours,
        "billable_hours": row.billable_hours,
        "currency": row.currency,
        "billable_amount": row.billable_amount,
    }


def serialize_row(row: ReportRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CSV_FIELDS}


def _csv(rows: list[ReportRow], q: SummaryQuery) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for r in rows:
        # Decimals written as exact fixed-point text, never through float.
        writer.writerow(["" if r.key is None else r.key, r.label, *(_fixed(getattr(r, f)) for f in CSV_FIELDS[2:])])
    name = f"keito-{q.args['group_by']}-{q.period.date_from.isoformat()}-to-{q.period.date_to.isoformat()}.csv"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _fixed(value: Any) -> str:
    return format(value, "f") if not isinstance(value, (int, str)) else str(value)


def _summary(session: SessionDep, actor: CurrentActor, q: SummaryQuery) -> list[ReportRow]:
    actor.require_manager("see reports")
    return svc.summary(session, actor, **q.args)


# ── v2 ─────────────────────────────────────────────────────────────────────────────────


@v2.get("/time/team", operation_id="getTeamTimeReport", summary="Team time report")
def team_v2(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    period: PeriodDep,
    paging: Annotated[V2Paging, Depends()],
) -> JSON:
    rows = svc.team_time(session, actor, date_from=period.date_from, date_to=period.date_to)
    start = (paging.page - 1) * paging.per_page
    page = rows[start : start + paging.per_page]
    return JSON(paging.envelope(request, "results", [serialize_team(r) for r in page], len(rows)))


@v2.get(
    "/summary",
    operation_id="getSummaryReport",
    summary="Hours, billable amounts, cost and LLM spend grouped by client, project, agent, model, session...",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def summary_v2(
    request: Request, session: SessionDep, actor: CurrentActor, q: SummaryDep, paging: Annotated[V2Paging, Depends()]
) -> Response:
    rows = _summary(session, actor, q)
    if q.format == "csv":
        return _csv(rows, q)
    start = (paging.page - 1) * paging.per_page
    page = rows[start : start + paging.per_page]
    return JSON(paging.envelope(request, "results", [serialize_row(r) for r in page], len(rows)))


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


@v1.get("/time/team", operation_id="v1GetTeamTimeReport", summary="Team time report (v1)")
def team_v1(
    session: SessionDep, actor: CurrentActor, period: PeriodDep, paging: Annotated[V1Paging, Depends()]
) -> JSON:
    rows = svc.team_time(session, actor, date_from=period.date_from, date_to=period.date_to)
    return JSON(paging.envelope([serialize_team(r) for r in rows[paging.offset : paging.offset + paging.limit + 1]]))


@v1.get(
    "/summary",
    operation_id="v1GetSummaryReport",
    summary="Summary report (v1)",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def summary_v1(
    session: SessionDep, actor: CurrentActor, q: SummaryDep, paging: Annotated[V1Paging, Depends()]
) -> Response:
    rows = _summary(session, actor, q)
    if q.format == "csv":
        return _csv(rows, q)
    return JSON(paging.envelope([serialize_row(r) for r in rows[paging.offset : paging.offset + paging.limit + 1]]))
