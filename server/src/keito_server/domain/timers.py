"""Timer and locking rules for time entries, in the workspace's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from keito_server.domain.durations import format_hhmm, parse_hhmm
from keito_server.domain.errors import RuleViolation

# A start this close to "now" counts as now (clock skew between client and server).
CLOCK_SKEW = timedelta(seconds=60)
PAST_TIMER_NOT_ALLOWED = "past_timer_start_not_allowed"
TIMER_START_IN_FUTURE = "timer_start_in_future"


def local_now(tz: str, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz))


def local_today(tz: str, now: datetime | None = None) -> date:
    return local_now(tz, now).date()


def clock_of(moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    return format_hhmm(local.hour * 60 + local.minute)


def timer_start(
    spent_date: date, started_time: str | None, tz: str, *, allow_past: bool, now: datetime | None = None
) -> datetime:
    """When a new running timer starts (UTC). Now, unless ``started_time`` says otherwise;
    a past start needs the workspace's permission; a future start is never allowed."""
    now = now or datetime.now(UTC)
    if started_time is None:
        if spent_date > local_today(tz, now):
            raise RuleViolation(
                "A running timer cannot be dated in the future; use today's date.",
                code=TIMER_START_IN_FUTURE,
                field="spent_date",
            )
        return now
    minutes = parse_hhmm(started_time)
    start = datetime.combine(spent_date, time(minutes // 60, minutes % 60), ZoneInfo(tz)).astimezone(UTC)
    if start > now + CLOCK_SKEW:
        raise RuleViolation(
            f"A timer cannot start in the future ({started_time} on {spent_date}).",
            code=TIMER_START_IN_FUTURE,
            field="started_time",
        )
    if start < now - CLOCK_SKEW and not allow_past:
        raise RuleViolation(
            "This workspace does not allow timers that start in the past; an administrator can "
            "enable 'past timer starts', or log the time as a completed entry.",
            code=PAST_TIMER_NOT_ALLOWED,
            field="started_time",
        )
    return start


def elapsed_seconds(started_at: datetime, now: datetime | None = None) -> int:
    return max(0, int(((now or datetime.now(UTC)) - started_at).total_seconds()))


def locked_by_age(spent_date: date, lock_after_days: int, tz: str, now: datetime | None = None) -> bool:
    if lock_after_days <= 0:
        return False
    return (local_today(tz, now) - spent_date).days > lock_after_days


def entry_lock_reason(
    *, approval_status: str, is_billed: bool, spent_date: date, lock_after_days: int, tz: str
) -> str | None:
    if is_billed:
        return "it has been invoiced"
    if approval_status == "approved":
        return "it has been approved (an administrator can withdraw the approval to edit it)"
    if locked_by_age(spent_date, lock_after_days, tz):
        return f"its date is more than {lock_after_days} days ago"
    return None


__all__ = ["clock_of", "elapsed_seconds", "entry_lock_reason", "local_today", "parse_hhmm", "timer_start"]
