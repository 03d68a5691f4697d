"""Dates and times as the case-file format defines them.

Datetimes are parsed to timezone-aware values: a value without an offset is local time in
England and Wales. Durations are computed in UTC (real elapsed time across clock changes);
calendar dates and working days are taken in Europe/London.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

#: The years a date or datetime of a case may fall in: wide enough for any record of a child's
#: case, narrow enough that no time plus any duration the criteria count runs off the calendar.
YEAR_MIN, YEAR_MAX = 1900, 2100

# [0-9], not \d: \d also matches other scripts' digits (٢٠١٩, full-width １２), which int() reads.
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EXTRA_TIME_PART = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}:[0-9]{2}.*")
_OFFSET_SECONDS = re.compile(r".*[T ][0-9:.]+([+-][0-9]{2}:?[0-9]{2}:[0-9]{2})")
_SHORT_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([0-9]{1,2}):([0-9]{1,2})\b.*")


def _foreign_digit(text: str) -> str | None:
    return next((ch for ch in text if ch.isdigit() and not ch.isascii()), None)


def _foreign_digit_message(text: str, ch: str) -> str:
    return (f"{text!r} has a digit other than 0-9 ({ch!r}, {unicodedata.name(ch, 'a digit of another script')}); "
            "write dates and times with the digits 0-9")


def year_problem(year: int) -> str | None:
    """Why a date in `year` cannot be in a case, or None."""
    if YEAR_MIN <= year <= YEAR_MAX:
        return None
    return f"year {year} is outside the years a case may have ({YEAR_MIN} to {YEAR_MAX})"


def _datetime_mistake(text: str) -> str:
    """What is wrong with a text that is not a datetime of the format, as precisely as can be said."""
    stripped = text.strip()
    ch = _foreign_digit(stripped)
    if ch is not None:
        return _foreign_digit_message(text, ch)
    if _DATE.fullmatch(stripped):
        return f"{text!r} is a date without a time; a datetime such as {stripped}T09:00 is expected"
    if _EXTRA_TIME_PART.fullmatch(stripped):
        return f"{text!r} has a time with more parts than hours, minutes and seconds; write HH:MM or HH:MM:SS"
    offset = _OFFSET_SECONDS.fullmatch(stripped)
    if offset is not None:
        return (f"{text!r} has seconds in its offset {offset[1]}, where hours and minutes are expected; "
                "write the offset as +HH:MM, such as +01:00")
    short = _SHORT_TIME.fullmatch(stripped)
    if short is not None and (len(short[1]) == 1 or len(short[2]) == 1):
        return f"{text!r} has a one-digit hour or minute; write two digits, such as 09:05"
    return f"{text!r} is not a datetime; expected YYYY-MM-DDTHH:MM[:SS][offset]"


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
        raise ValueError(_datetime_mistake(text))
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    out_of_range = year_problem(int(year))
    if out_of_range is not None:
        raise ValueError(f"{text!r}: {out_of_range}")
    micro = int((fraction or "0").ljust(6, "0"))
    tz: tzinfo
    try:
        if offset is None:
            tz = LONDON
        elif offset == "Z":
            tz = UTC
        else:
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                raise ValueError(f"offset {offset} is out of range")
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro,
                          tzinfo=tz, fold=0)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real datetime: {exc}") from None
    # Kept in UTC: Python subtracts two datetimes sharing one tzinfo as wall-clock times, which
    # would lose or gain an hour across a clock change.
    return moment.astimezone(UTC)


def parse_date(text: str) -> date:
    """Parse an ISO 8601 calendar date (YYYY-MM-DD) in the years YEAR_MIN to YEAR_MAX."""
    if isinstance(text, date) and not isinstance(text, datetime):
        out_of_range = year_problem(text.year)
        if out_of_range is not None:
            raise ValueError(f"{text.isoformat()}: {out_of_range}")
        return text
    if not isinstance(text, str) or _DATE.fullmatch(text.strip()) is None:
        if isinstance(text, str):
            ch = _foreign_digit(text)
            if ch is not None:
                raise ValueError(_foreign_digit_message(text, ch))
            if _DATETIME.fullmatch(text.strip()):
                raise ValueError(f"{text!r} is a datetime; a date (YYYY-MM-DD) is expected here, without a time")
        raise ValueError(f"{text!r} is not a date; expected YYYY-MM-DD")
    out_of_range = year_problem(int(text.strip()[:4]))
    if out_of_range is not None:
        raise ValueError(f"{text!r}: {out_of_range}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date: {exc}") from None


def local_date(moment: datetime) -> date:
    """The calendar date of a moment in England and Wales."""
    return moment.astimezone(LONDON).date()


def start_of_local_day(day: date) -> datetime:
    """00:00 local time in England and Wales on `day` (where 'still open' intervals end)."""
    return datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(UTC)


#: Years whose bank holidays are asked of `holidays` together: a call costs 0.4 ms besides its years'
#: dates (0.2 ms a year), so working days over decades (the columnar query's table) take a third of
#: the time; a year's holidays are the same whichever years are asked with it (tests/test_bank_holiday_years.py).
_HOLIDAY_YEARS = 8


@cache
def _bank_holiday_block(first: int) -> dict[int, frozenset[date]]:
    """The bank holidays of England and Wales in the years `first` to `first + _HOLIDAY_YEARS - 1`, by year."""
    import holidays  # here, not at the top: 45 ms that a run which never counts working days does not pay

    years = range(first, first + _HOLIDAY_YEARS)
    found: dict[int, set[date]] = {year: set() for year in years}
    for day in holidays.country_holidays("GB", subdiv="ENG", years=years).keys():
        if day.year in found:
            found[day.year].add(day)
    return {year: frozenset(days) for year, days in found.items()}


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in `year`."""
    first = year - year % _HOLIDAY_YEARS
    if not YEAR_MIN - _HOLIDAY_YEARS <= first <= YEAR_MAX:  # far from a case's years: that year alone
        import holidays

        return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())
    return _bank_holiday_block(first)[year]


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


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
