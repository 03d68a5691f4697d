"""Dates and times as the case-file format defines them.

Datetimes are parsed to timezone-aware values: a value without an offset is local time in
England and Wales. Durations are computed in UTC (real elapsed time across clock changes);
calendar dates and working days are taken in Europe/London.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 datetime of the case-file format; raise ValueError saying what is expected.

    Naive values are Europe/London local time; the result is in UTC. `fold=0` reads an ambiguous time (clocks going
    back) as its first occurrence and a skipped time (clocks going forward) with the offset in
    force before the change, as PEP 495 defines and the case-file format requires.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a datetime string such as 2019-03-04T16:20, got {type(text).__name__}")
    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        if _DATE.fullmatch(text.strip()):
            raise ValueError(f"{text!r} is a date without a time; a datetime such as {text.strip()}T09:00 is expected")
        raise ValueError(f"{text!r} is not a datetime; expected YYYY-MM-DDTHH:MM[:SS][offset]")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(6, "0"))
    try:
        if offset is None:
            tz = LONDON
        elif offset == "Z":
            tz = timezone.utc
        else:
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                raise ValueError(f"offset {offset} is out of range")
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz, fold=0)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real datetime: {exc}") from None
    # Kept in UTC: Python subtracts two datetimes sharing one tzinfo as wall-clock times, which
    # would lose or gain an hour across a clock change.
    return moment.astimezone(timezone.utc)


def parse_date(text: str) -> date:
    """Parse an ISO 8601 calendar date (YYYY-MM-DD)."""
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    if not isinstance(text, str) or _DATE.fullmatch(text.strip()) is None:
        raise ValueError(f"{text!r} is not a date; expected YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date: {exc}") from None


def local_date(moment: datetime) -> date:
    """The calendar date of a moment in England and Wales."""
    return moment.astimezone(LONDON).date()


def start_of_local_day(day: date) -> datetime:
    """00:00 local time in England and Wales on `day` (where 'still open' intervals end)."""
    return datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(timezone.utc)


@lru_cache(maxsize=None)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """Step forward `count` working days from `day`, not counting `day` itself; 0 gives `day`."""
    if count < 0:
        raise ValueError("working days to add must not be negative")
    current = day
    for _ in range(count):
        current += timedelta(days=1)
        while not is_working_day(current):
            current += timedelta(days=1)
    return current
