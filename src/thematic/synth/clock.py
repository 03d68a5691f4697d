"""Time for generated cases: seeded draws of moments inside windows, written as local time.

Moments are kept in UTC so that a window of N hours is N hours of real elapsed time, as the
scorer measures it across clock changes. Every moment is a whole minute and is written as
`YYYY-MM-DDTHH:MM` local time (Europe/London); a moment that local time cannot name uniquely
(the repeated hour when clocks go back) is never drawn, so the written text reads back as the
same moment.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar, overload

from thematic.core.timeutil import LONDON, add_working_days, is_working_day, local_date

__all__ = ["Clock", "fmt", "MINUTE", "HOUR", "DAY"]

MINUTE = 1
HOUR = 60
DAY = 24 * HOUR
_TRIES = 200

_K = TypeVar("_K")


def fmt(moment: datetime) -> str:
    """The moment as local time in England and Wales, to the minute."""
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def _nameable(moment: datetime) -> bool:
    """True when the local text of `moment` reads back as `moment` (not the clocks-back repeat)."""
    local = moment.astimezone(LONDON).replace(tzinfo=None)
    return local.replace(tzinfo=LONDON, fold=0).astimezone(UTC) == moment


class Clock:
    """Seeded draws of moments and dates; every draw comes from the case's own `random.Random`."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def local(self, day: date, hour: int, minute: int) -> datetime:
        """The moment of a local wall-clock time (a time skipped by the clocks reads as the hour before)."""
        return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)

    def after(self, start: datetime, low: int, high: int) -> datetime:
        """A moment `low`..`high` minutes (inclusive, real elapsed time) after `start`."""
        if high < low:
            raise ValueError(f"empty window: {low}..{high} minutes")
        for _ in range(_TRIES):
            moment = start + timedelta(minutes=self.rng.randint(low, high))
            if _nameable(moment):
                return moment
        raise RuntimeError(f"no nameable moment {low}..{high} minutes after {start}")

    def nameable(self, moment: datetime) -> datetime:
        """`moment`, or an hour earlier if it falls in the repeated hour when clocks go back."""
        return moment if _nameable(moment) else moment - timedelta(hours=1)

    def daytime_after(self, start: datetime, low: int, high: int, hours: tuple[int, int] = (8, 18)) -> datetime:
        """As `after`, preferring office hours (local time); falls back to any time if none fits."""
        earliest = start + timedelta(minutes=low)
        latest = start + timedelta(minutes=high)
        first, last = local_date(earliest), local_date(latest)
        span = (last - first).days
        for _ in range(40):
            day = first + timedelta(days=self.rng.randint(0, span))
            moment = self.local(day, self.rng.randint(hours[0], hours[1] - 1), self.rng.randrange(0, 60, 5))
            if earliest <= moment <= latest and _nameable(moment):
                return moment
        return self.after(start, low, high)

    @overload
    def working_day_at(self, day: date, after: None = None) -> datetime: ...

    @overload
    def working_day_at(self, day: date, after: datetime) -> datetime | None: ...

    def working_day_at(self, day: date, after: datetime | None = None) -> datetime | None:
        """A moment in office hours on `day` (at or after `after`), or None if none is left that day.

        Without `after` the first draw always fits, so the result is never None.
        """
        for _ in range(20):
            moment = self.local(day, self.rng.randint(9, 16), self.rng.randrange(0, 60, 5))
            if after is None or moment >= after:
                return moment
        return None

    def within_working_days(self, moment: datetime, count: int) -> datetime:
        """A moment on a working day from the date of `moment` to `count` working days later, after `moment`."""
        start = local_date(moment)
        deadline = add_working_days(start, count)
        days = [start + timedelta(days=i) for i in range((deadline - start).days + 1)]
        days = [d for d in days if is_working_day(d) or d == deadline]
        self.rng.shuffle(days)
        for day in days:
            found = self.working_day_at(day, after=moment + timedelta(minutes=30))
            if found is not None:
                return found
        # Only with count 0 and a report late in the day: later that same day.
        midnight = self.local(start + timedelta(days=1), 0, 0)
        return self.after(moment, 0, max(0, int((midnight - moment).total_seconds() // 60) - 1))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, weights: dict[_K, float] | Sequence[tuple[_K, float]]) -> _K:
        """One key by weight; keys in the order given, so the draw is reproducible."""
        items = list(weights.items()) if isinstance(weights, dict) else list(weights)
        total = sum(w for _, w in items)
        point = self.rng.random() * total
        for key, weight in items:
            point -= weight
            if point < 0:
                return key
        return items[-1][0]
