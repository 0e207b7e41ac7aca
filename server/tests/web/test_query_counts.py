"""No N+1 in the Day and Week views: the number of SQL statements a page runs does not grow
with the number of entries (counted with a SQLAlchemy event listener, in-process, SQLite)."""

from __future__ import annotations

from datetime import date

from server.tests.web.inprocess import build, week_of


def test_day_and_week_views_run_a_fixed_number_of_queries() -> None:
    app = build()
    day = date(2026, 3, 11)  # a Wednesday
    week = week_of(day)
    paths = (f"/time/day/{day}", f"/time/week/{day}", f"/time/day/{day}?source=agent", f"/time/day/{day}/live")

    app.seed([day], 6)  # at least two per source: a single entry takes a shortcut with fewer queries
    small = {}
    for path in paths:
        r, n = app.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        small[path] = n

    app.seed(week[:5], 12)  # 60 more entries over more projects, tasks and sources
    for path in paths:
        r, n = app.get(path)
        assert r.status_code == 200
        assert n == small[path], f"{path}: {small[path]} statements with 6 entries, {n} with 66"
    day_page, _ = app.get(f"/time/day/{day}")
    assert day_page.text.count('class="entry') >= 14  # the entries really are on the page
    assert small[f"/time/day/{day}"] <= 25  # and the fixed number is small


def test_the_approvals_page_runs_a_fixed_number_of_queries() -> None:
    from datetime import timedelta

    from keito_server.services import approvals

    app = build()

    def submit_weeks(first_monday: date, weeks: int) -> None:
        mondays = [first_monday + timedelta(days=7 * i) for i in range(weeks)]
        app.seed(mondays, 2)
        with app.db.session() as s:
            for monday in mondays:
                approvals.submit(s, app.actor(s), {"period_start": monday, "period_end": monday + timedelta(days=6)})

    submit_weeks(date(2026, 1, 5), 2)
    r, small = app.get("/approvals?status=all")
    assert r.status_code == 200 and r.text.count('data-testid="approval-') == 2
    submit_weeks(date(2026, 2, 2), 10)
    r, n = app.get("/approvals?status=all")
    assert r.text.count('data-testid="approval-') == 12
    assert n == small, f"{small} statements with 2 submissions, {n} with 12"
