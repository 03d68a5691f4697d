"""Local dates and the start of a local day, as the criteria functions work them out quickly
(scoring.functions: a UTC day's known offset, a shared `start_of_day`), against core.timeutil's
general definitions on every kind of day: ordinary, clock changes, the years of unusual British time."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from thematic.core.timeutil import local_date, start_of_local_day
from thematic.scoring import functions


@pytest.fixture(autouse=True)
def _unlearnt(monkeypatch):
    monkeypatch.setattr(functions, "_UTC_DAY_SHIFTS", {})


def test_every_half_hour_of_clock_change_weeks_has_the_general_local_date():
    for year in (1941, 1947, 1968, 1969, 1971, 1980, 1995, 1996, 2019, 2024, 2099):
        for month in (3, 4, 10, 11):
            start = datetime(year, month, 20, tzinfo=UTC)
            for step in range(14 * 48):
                moment = start + timedelta(minutes=30 * step - 1)
                assert functions._as_date(moment) == local_date(moment), moment


def test_random_moments_over_two_centuries_have_the_general_local_date():
    rng = random.Random(11)
    first, last = datetime(1900, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, 23, 59, tzinfo=UTC)
    span = int((last - first).total_seconds())
    for _ in range(50_000):
        moment = first + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(10**6))
        assert functions._as_date(moment) == local_date(moment), moment
        assert functions.FUNCTIONS["date"](moment) == local_date(moment), moment


def test_times_in_other_zones_and_dates_are_taken_as_before():
    moment = datetime(2019, 6, 30, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert functions._as_date(moment) == local_date(moment) == date(2019, 7, 1)
    assert functions._as_date(date(2019, 6, 30)) == date(2019, 6, 30)


def test_start_of_day_is_the_general_one_and_shared():
    for day in (date(2019, 3, 31), date(2019, 10, 27), date(2019, 11, 30), date(1968, 12, 1)):
        assert functions.start_of_day(day) == start_of_local_day(day)
        assert functions.start_of_day(day) is functions.start_of_day(day)
    earlier = datetime(2019, 7, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))  # equal to 23:30 UTC the day before
    assert functions.start_of_day(earlier) == start_of_local_day(earlier)
