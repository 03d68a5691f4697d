"""The functions that criteria expressions may call, and the values they work on.

Every function here is documented in docs/criteria-language.md (a test checks it). They are
total: a null time gives null (or false for a `within_*` test), a null list counts as a list
with no entries and null values in a list are skipped, instead of raising; and an
argument read from a section the export did not capture (`UNKNOWN`) makes the result `UNKNOWN`,
so that Kleene logic can decide the criterion or report it as unable to assess.

Evaluation is bounded (docs/criteria-language.md, "Limits"): every entry a comprehension, a list
function or `in` goes through, and every working day stepped, is a step charged to a budget that
the scorer refills for each criterion of each case; lists, numbers and working days
have size limits. Going over one raises LimitExceeded, which the scorer turns into the `error`
state naming the limit.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from thematic.core.timeutil import LONDON, local_date, start_of_local_day
from thematic.core.timeutil import add_working_days as _step_working_days

#: Steps (entries gone through, working days stepped) allowed for one criterion on one case.
MAX_STEPS = 1_000_000
#: Entries a list may have to be gone through or built.
MAX_ITEMS = 100_000
#: Largest magnitude of a number that arithmetic may give (exact as a float below 2**53).
MAX_MAGNITUDE = 10**15
#: Working days add_working_days and within_working_days may step.
MAX_WORKING_DAYS = 10_000


class LimitExceeded(Exception):
    """Evaluation went over one of the limits above; the message names it."""


class _Budget:
    """Steps left. One per process: scoring runs in parallel in processes, not threads (a
    threading.local made each charge several times slower); two threads scoring at once would
    share it. Outside a scorer (a direct call in a test or a tool) it is effectively unlimited."""

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps = 10**18


_budget = _Budget()


def reset_budget(steps: int | None = None) -> None:
    """Refill the steps budget: MAX_STEPS (or `steps`) for the next evaluation."""
    _budget.steps = MAX_STEPS if steps is None else steps


def charge(steps: int) -> None:
    """Spend `steps` of the budget; LimitExceeded once it is overdrawn."""
    budget = _budget
    budget.steps -= steps
    if budget.steps < 0:
        raise LimitExceeded(f"more than {MAX_STEPS:,} steps (entries gone through) for one criterion on one case")


def charge_items(items: Any) -> None:
    """Charge one step per entry of a list (or tuple) about to be gone through; refuse one over MAX_ITEMS."""
    if type(items) is list or type(items) is tuple:  # written out: this runs for every list of every case
        size = len(items)
        budget = _budget
        budget.steps -= size
        if budget.steps < 0 or size > MAX_ITEMS:
            _over(size)


def _over(size: int) -> None:
    """Raise the LimitExceeded a charge of `size` entries has run into."""
    if size > MAX_ITEMS:
        raise LimitExceeded(f"a list of {size:,} entries is over the limit of {MAX_ITEMS:,} entries")
    charge(0)


def check_number(value: Any) -> Any:
    """`value` if within MAX_MAGNITUDE either way (or null: division by 0); LimitExceeded otherwise (NaN included)."""
    if value is not None and not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
        raise LimitExceeded(f"arithmetic gave a number beyond the limit of {MAX_MAGNITUDE:,} either way")
    return value


def _working_days(count: Any) -> int:
    """`count` as a number of working days to step, charged to the budget; refused over MAX_WORKING_DAYS."""
    days = int(count)
    if days > MAX_WORKING_DAYS:
        raise LimitExceeded(f"{days:,} working days is over the limit of {MAX_WORKING_DAYS:,}")
    charge(max(days, 0))
    return days


# Working days are stepped one day at a time; a caseload asks the same (date, count) again and again.
_add_working_days = lru_cache(maxsize=8192)(_step_working_days)


class _Unknown:
    """A value the export did not capture (its top-level section is absent)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # a bug if ever reached: three-valued code must test `is UNKNOWN`
        raise TypeError("UNKNOWN has no truth value")


UNKNOWN = _Unknown()

FUNCTIONS: dict[str, Callable[..., Any]] = {}
"""Every function by its expression name. A list argument that is null (read through a null
object) counts as a list with no entries."""


#: The functions registered with `_function`, without the UNKNOWN check: compiled expressions
#: write the check out around the call (`expr._Compiler.visit_Call`), saving a call on a hot path.
UNGUARDED: dict[str, Callable[..., Any]] = {}


def _function(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register a function callable from expressions; UNKNOWN in any argument gives UNKNOWN."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # `in` tests identity first, in C; no value of a case compares equal to UNKNOWN otherwise.
        if UNKNOWN in args or (kwargs and UNKNOWN in kwargs.values()):
            return UNKNOWN
        return fn(*args, **kwargs)

    name = fn.__name__.rstrip("_")  # `date_` is called `date` in expressions
    wrapper.__name__ = name
    wrapper.__doc__ = fn.__doc__
    FUNCTIONS[name] = wrapper
    UNGUARDED[name] = fn
    return wrapper


def _three_valued(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register a function that handles UNKNOWN itself (Kleene logic over its arguments)."""
    FUNCTIONS[fn.__name__.rstrip("_")] = fn
    return fn


def truth(value: Any) -> Any:
    """True, False or UNKNOWN: null is false, a list is true when it has entries."""
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return False
    return bool(value)


def _moment_key(item: Any) -> Any:
    return getattr(item, "at", item)


def _matching(items: Iterable[Any] | None, filters: dict[str, Any]) -> list[Any]:
    if items is None:  # a list read through a null object: no entries
        return []
    charge_items(items)
    if not filters:
        return list(items)
    return [i for i in items if all(getattr(i, k, None) == v for k, v in filters.items())]


def _sorted_by_time(items: Iterable[Any]) -> list[Any]:
    # sorted() is stable, so entries with the same time keep their order in the file; a null
    # value (a step that did not happen) has no place in time and is left out.
    return sorted((i for i in items if i is not None), key=_moment_key)


# --- time -------------------------------------------------------------------------------------

@_function
def hours_between(start: datetime | None, end: datetime | None) -> float | None:
    """Elapsed hours from `start` to `end` (negative if `end` is earlier); null if either is null."""
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600.0


@_function
def days_between(start: datetime | None, end: datetime | None) -> float | None:
    """Elapsed days (24-hour periods) from `start` to `end`; null if either is null."""
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400.0


_ZERO = timedelta(0)
# A criteria set has a handful of limits, asked for again and again: each made once.
_LIMITS: dict[tuple[str, int | float], timedelta] = {}


def _limit(unit: str, amount: Any) -> timedelta:
    """`timedelta(**{unit: amount})`, kept for the numbers a criteria set uses (anything else made each time)."""
    if type(amount) is int or type(amount) is float:
        key = (unit, amount)
        limit = _LIMITS.get(key)
        if limit is None:
            limit = timedelta(**{unit: amount})  # raises as ever for a limit out of range
            if len(_LIMITS) < 1024:
                _LIMITS[key] = limit
        return limit
    return timedelta(**{unit: amount})


@_function
def within_hours(start: datetime | None, end: datetime | None, hours: float) -> bool:
    """True when `end` is at or after `start` and no more than `hours` later (equal is within)."""
    if start is None or end is None:
        return False
    elapsed = end - start
    return _ZERO <= elapsed and elapsed <= _limit("hours", hours)  # the limit made only if needed, as chained


@_function
def within_days(start: datetime | None, end: datetime | None, days: float) -> bool:
    """True when `end` is at or after `start` and no more than `days` × 24 hours later."""
    if start is None or end is None:
        return False
    elapsed = end - start
    return _ZERO <= elapsed and elapsed <= _limit("days", days)


#: London's offset on each UTC day it does not change (None on a day it changes), learnt as met:
#: the local date of a UTC time is then its date once shifted, several times cheaper than
#: `astimezone` into the zone (tests/test_local_dates.py holds the two to the same dates).
_UTC_DAY_SHIFTS: dict[date, timedelta | None] = {}
_HOUR = timedelta(hours=1)


def _utc_day_shift(day: date) -> timedelta | None:
    if len(_UTC_DAY_SHIFTS) > 50_000:  # bounded: a caseload spans a few thousand days
        _UTC_DAY_SHIFTS.clear()
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    moments = [start + h * _HOUR for h in range(24)] + [start + 24 * _HOUR - timedelta(microseconds=1)]
    offsets = {moment.astimezone(LONDON).utcoffset() for moment in moments}
    shift = offsets.pop() if len(offsets) == 1 else None
    _UTC_DAY_SHIFTS[day] = shift
    return shift


def _local_date(moment: datetime) -> date:
    """`core.timeutil.local_date`, by the day's known offset where it has one."""
    if moment.tzinfo is UTC:
        day = moment.date()
        shift = _UTC_DAY_SHIFTS[day] if day in _UTC_DAY_SHIFTS else _utc_day_shift(day)
        if shift is not None:
            return (moment + shift).date()
    return local_date(moment)


def _as_date(value: date | datetime) -> date:
    return _local_date(value) if isinstance(value, datetime) else value


@_function
def date_(value: datetime | date | None) -> date | None:
    """The calendar date of a datetime in England and Wales (a date is returned as it is)."""
    if value is None:
        return None
    return _as_date(value)


@_function
def add_working_days(day: date | datetime | None, count: int) -> date | None:
    """The date `count` working days after `day` (not counting `day`; Mon–Fri, not a bank holiday in
    England and Wales)."""
    if day is None:
        return None
    return _add_working_days(_as_date(day), _working_days(count))


@_function
def within_working_days(start: date | datetime | None, end: date | datetime | None, count: int) -> bool:
    """True when the date of `end` is on or after the date of `start` and on or before
    `add_working_days(start, count)`."""
    if start is None or end is None:
        return False
    first, last = _as_date(start), _as_date(end)
    return first <= last <= _add_working_days(first, _working_days(count))


@_function
def start_of_day(day: date | None) -> datetime | None:
    """00:00 local time (Europe/London) on `day`: where a 'still open' interval ends at `as_of`."""
    if day is None:
        return None
    return _start_of_local_day(day) if type(day) is date else start_of_local_day(day)


@lru_cache(maxsize=1024)
def _start_of_local_day(day: date) -> datetime:
    # Asked for every case with the same `as_of`; datetimes are immutable, so one is shared.
    return start_of_local_day(day)


@_function
def max_gap_days(start: datetime | None, times: list[datetime], end: datetime | None) -> float | None:
    """Largest gap in days between neighbours of: `start`, the `times` from `start` to `end` in order,
    and `end`."""
    if start is None or end is None or end < start:
        return None
    charge_items(times)
    points = [start] + sorted(t for t in (times or []) if t is not None and start <= t <= end) + [end]
    return max((b - a).total_seconds() / 86400.0 for a, b in zip(points, points[1:], strict=False))


# --- lists ------------------------------------------------------------------------------------

@_function
def count(items: list[Any], **filters: Any) -> int:
    """Number of entries, optionally only those whose fields equal the keyword values:
    `count(referrals, to="health")`."""
    if not filters and type(items) is list:  # no copy just to count it
        charge_items(items)
        return len(items)
    return len(_matching(items, filters))


@_function
def first(items: list[Any], **filters: Any) -> Any:
    """The earliest entry by `at` (file order breaks ties), optionally filtered like `count`; null if none."""
    matching = _sorted_by_time(_matching(items, filters))
    return matching[0] if matching else None


@_function
def last(items: list[Any], **filters: Any) -> Any:
    """The latest entry by `at` (of equal times, the last in the file), optionally filtered; null if none."""
    matching = _sorted_by_time(_matching(items, filters))
    return matching[-1] if matching else None


@_function
def last_n(items: list[Any], n: int) -> list[Any]:
    """The last `n` entries by `at`, in time order (fewer if the list is shorter)."""
    ordered = _sorted_by_time(_matching(items, {}))
    return ordered[-int(n):] if n > 0 else []


@_function
def strictly_rising(values: list[Any]) -> bool:
    """True when there are at least two values and each is greater than the one before."""
    if values is None or len(values) < 2:
        return False
    charge_items(values)
    if any(v is None for v in values):
        return False  # a comparison with null is false
    return all(b > a for a, b in zip(values, values[1:], strict=False))


@_three_valued
def any_(values: Any) -> Any:
    """True if some value is true; otherwise unknown if some value is unknown; otherwise false
    (false for an empty list)."""
    if values is UNKNOWN:
        return UNKNOWN
    if values is None:
        return False
    charge_items(values)
    result: Any = False
    for value in values:
        t = truth(value)
        if t is True:
            return True
        if t is UNKNOWN:
            result = UNKNOWN
    return result


@_three_valued
def all_(values: Any) -> Any:
    """False if some value is false; otherwise unknown if some value is unknown; otherwise true
    (true for an empty list)."""
    if values is UNKNOWN:
        return UNKNOWN
    if values is None:
        return True
    charge_items(values)
    result: Any = True
    for value in values:
        t = truth(value)
        if t is False:
            return False
        if t is UNKNOWN:
            result = UNKNOWN
    return result


@_three_valued
def coalesce(*values: Any) -> Any:
    """The first value that is not null (unknown if an uncaptured value comes before it); null if all are null."""
    for value in values:
        if value is UNKNOWN:
            return UNKNOWN
        if value is not None:
            return value
    return None
