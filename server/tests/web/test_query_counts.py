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
