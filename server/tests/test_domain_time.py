"""Pure rules for durations, clock times, rounding, timers and rates (no server needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from keito_server.domain.durations import (
    ROUNDING_CHOICES,
    format_hhmm,
    hours_to_seconds,
    parse_duration,
    parse_hhmm,
    round_seconds,
    seconds_to_hours,
    span_seconds,
)
from keito_server.domain.errors import RuleViolation, ValidationError
from keito_server.domain.metadata import check_metadata, merge_metadata
from keito_server.domain.rates import RateInputs, billable_rate, canonical_enum
from keito_server.domain.timers import entry_lock_reason, timer_start
from keito_server.domain.timestamps import date_text, datetime_text

clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))


@given(st.integers(0, 86_400), st.sampled_from(ROUNDING_CHOICES))
def test_rounding_lands_on_a_step_and_moves_at_most_half_a_step(seconds: int, minutes: int) -> None:
    rounded = round_seconds(seconds, minutes)
    if minutes == 0:
        assert rounded == seconds
    else:
        step = minutes * 60
        assert rounded % step == 0
        assert abs(rounded - seconds) <= step // 2


@given(clock, clock)
def test_span_is_less_than_a_day_and_crosses_midnight(start: str, end: str) -> None:
    span = span_seconds(start, end)
    assert 0 <= span < 86_400
    assert (parse_hhmm(start) * 60 + span) % 86_400 == parse_hhmm(end) * 60


@given(st.integers(0, 86_400))
def test_seconds_survive_the_trip_through_hours(seconds: int) -> None:
    assert hours_to_seconds(seconds_to_hours(seconds)) == seconds


def test_clock_parsing() -> None:
    assert parse_hhmm("9:05") == 545 and format_hhmm(545) == "09:05"
    for bad in ("24:00", "12:60", "noon", ""):
        with pytest.raises(ValueError):
            parse_hhmm(bad)


@pytest.mark.parametrize(("text", "hours"), [("1.5", "1.5"), ("1:30", "1.5"), ("0:45", "0.75"), (" 2 ", "2")])
def test_durations_people_type(text: str, hours: str) -> None:
    assert parse_duration(text) == Decimal(hours)


@pytest.mark.parametrize("bad", ["1:75", "abc", "1:3", "NaN"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def test_timer_start_rules() -> None:
    day = date(2026, 3, 6)
    assert timer_start(day, None, "UTC", allow_past=False, now=NOW) == NOW
    assert timer_start(day, "11:59", "UTC", allow_past=False, now=NOW) == NOW - timedelta(minutes=1)
    assert timer_start(day, "10:00", "UTC", allow_past=True, now=NOW) == NOW - timedelta(hours=2)
    with pytest.raises(RuleViolation) as past:
        timer_start(day, "10:00", "UTC", allow_past=False, now=NOW)
    assert past.value.code == "past_timer_start_not_allowed"
    with pytest.raises(RuleViolation) as future:
        timer_start(day, "14:00", "UTC", allow_past=True, now=NOW)
    assert future.value.code == "timer_start_in_future"
    # 07:00 in New York on that day is 12:00 UTC.
    assert timer_start(day, "07:00", "America/New_York", allow_past=False, now=NOW) == NOW


def test_lock_reasons() -> None:
    kw = {"spent_date": date.today(), "lock_after_days": 0, "tz": "UTC"}
    assert entry_lock_reason(approval_status="unsubmitted", is_billed=False, **kw) is None
    assert entry_lock_reason(approval_status="approved", is_billed=False, **kw) is not None
    assert entry_lock_reason(approval_status="unsubmitted", is_billed=True, **kw) is not None
    old = {"spent_date": date.today() - timedelta(days=8), "lock_after_days": 7, "tz": "UTC"}
    assert entry_lock_reason(approval_status="unsubmitted", is_billed=False, **old) is not None


rate = st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2))


@given(st.sampled_from(["People", "Tasks", "Project", "none"]), rate, rate, rate, rate)
def test_billable_rate_follows_the_chain(
    bill_by: str, person: Decimal | None, task: Decimal | None, project: Decimal | None, default: Decimal | None
) -> None:
    chain = {
        "People": [person, task, project, default],
        "Tasks": [task, project, default],
        "Project": [project, default],
        "none": [],
    }[bill_by]
    expected = next((r for r in chain if r is not None), None)
    assert billable_rate(RateInputs(bill_by, person, task, project, default)) == expected


def test_enums_accept_any_case() -> None:
    assert canonical_enum("PROJECT", ("Project", "Tasks"), "bill_by") == "Project"
    with pytest.raises(ValidationError):
        canonical_enum("hourly", ("Project", "Tasks"), "bill_by")


def test_metadata_limits_and_merge() -> None:
    assert check_metadata({"a": 1}) == {"a": 1}
    with pytest.raises(ValidationError) as big:
        check_metadata({"a": "é" * 2100})  # 4200 bytes in UTF-8
    assert big.value.code == "metadata_too_large"
    with pytest.raises(ValidationError):
        check_metadata([1])
    assert merge_metadata({"a": 1, "b": 2}, {"b": 3, "c": None}) == {"a": 1, "b": 3, "c": None}
    assert merge_metadata({"a": 1}, None) is None


@given(st.datetimes(timezones=st.timezones()), st.dates())
def test_timestamp_texts_are_isoformat(moment: datetime, day: date) -> None:
    assert datetime_text(moment) == moment.isoformat()
    assert datetime_text(moment) == moment.isoformat()  # the remembered text
    assert date_text(day) == day.isoformat()
    assert date_text(day) == day.isoformat()


def test_the_same_instant_in_another_zone_keeps_its_own_text() -> None:
    utc = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=1)))
    assert utc == paris  # equal datetimes: the memo goes by identity, not equality
    assert datetime_text(utc) == "2026-12-03T12:00:00+00:00"
    assert datetime_text(paris) == "2026-12-03T13:00:00+01:00"
    assert datetime_text(utc) == "2026-12-03T12:00:00+00:00"
