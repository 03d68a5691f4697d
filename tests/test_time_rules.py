"""Time helpers against spec/criteria.md "Time rules" and spec/case-file.md "Conventions".

Expected values are worked out by hand from the spec (real England and Wales bank holidays of
2019: 1 Jan, 19 Apr Good Friday, 22 Apr Easter Monday, 6 May, 27 May, 26 Aug, 25-26 Dec; and
1 Jan 2020), never by running the code under test.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import make_case

from thematic.core.timeutil import (
    add_working_days,
    is_working_day,
    local_date,
    parse_datetime,
    start_of_local_day,
)
from thematic.scoring.functions import (
    add_working_days as expr_add_working_days,
)
from thematic.scoring.functions import (
    date_ as expr_date,
)
from thematic.scoring.functions import (
    days_between,
    hours_between,
    max_gap_days,
    start_of_day,
    within_days,
    within_hours,
    within_working_days,
)

UTC = UTC


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- add_working_days ---------------------------------------------------------------------------

ADD_WORKING_DAYS = [
    # (start, N, expected, why)
    ("2019-03-08", 1, "2019-03-11", "Friday + 1 = Monday"),
    ("2019-03-11", 1, "2019-03-12", "Monday + 1 = Tuesday"),
    ("2019-03-08", 2, "2019-03-12", "Friday + 2 = Tuesday"),
    ("2019-03-09", 1, "2019-03-11", "Saturday + 1 = Monday"),
    ("2019-03-10", 1, "2019-03-11", "Sunday + 1 = Monday"),
    ("2019-03-08", 0, "2019-03-08", "N = 0 is the day itself"),
    ("2019-03-09", 0, "2019-03-09", "N = 0 is the day itself, even a Saturday"),
    ("2019-04-19", 0, "2019-04-19", "N = 0 is the day itself, even a bank holiday"),
    ("2019-05-03", 1, "2019-05-07", "Friday before the early May bank holiday (6 May) + 1 = Tuesday"),
    ("2019-05-24", 1, "2019-05-28", "Friday before the spring bank holiday (27 May) + 1 = Tuesday"),
    ("2019-08-23", 1, "2019-08-27", "Friday before the summer bank holiday (26 Aug) + 1 = Tuesday"),
    ("2019-04-18", 1, "2019-04-23", "Thursday before Good Friday + 1 = Tuesday after Easter Monday"),
    ("2019-04-19", 1, "2019-04-23", "Good Friday + 1 = Tuesday after Easter Monday"),
    ("2019-04-17", 2, "2019-04-23", "Wednesday + 2 across Easter = Tuesday"),
    ("2019-12-24", 1, "2019-12-27", "Christmas Eve + 1 = Friday 27 Dec (25, 26 Dec are bank holidays)"),
    ("2019-12-23", 3, "2019-12-30", "Monday 23 Dec + 3 = Monday 30 Dec"),
    ("2019-12-20", 5, "2019-12-31", "Friday 20 Dec + 5 = Tuesday 31 Dec"),
    ("2019-12-20", 6, "2020-01-02", "Friday 20 Dec + 6 = Thursday 2 Jan 2020 (1 Jan is a bank holiday)"),
    ("2019-12-27", 3, "2020-01-02", "across the new year"),
    ("2019-03-04", 15, "2019-03-25", "15 working days with no bank holiday"),
    ("2019-04-15", 15, "2019-05-09", "15 working days across Good Friday, Easter Monday and 6 May"),
    # England and Wales only: other nations' bank holidays are working days.
    ("2019-03-15", 1, "2019-03-18", "18 Mar 2019 (St Patrick's Day, Northern Ireland only) is a working day"),
    ("2019-07-11", 1, "2019-07-12", "12 Jul 2019 (Northern Ireland only) is a working day"),
    ("2019-08-02", 1, "2019-08-05", "5 Aug 2019 (Scotland only) is a working day"),
    ("2019-11-29", 1, "2019-12-02", "2 Dec 2019 (St Andrew's Day substitute, Scotland only) is a working day"),
    ("2018-12-31", 1, "2019-01-02", "1 Jan is a bank holiday; 2 Jan (Scotland only) is a working day"),
]


@pytest.mark.parametrize("start, n, expected, why", ADD_WORKING_DAYS, ids=[row[3] for row in ADD_WORKING_DAYS])
def test_add_working_days(start, n, expected, why):
    assert add_working_days(d(start), n) == d(expected), why


@pytest.mark.parametrize("day, working", [
    ("2019-01-01", False), ("2019-04-19", False), ("2019-04-22", False), ("2019-05-06", False),
    ("2019-05-27", False), ("2019-08-26", False), ("2019-12-25", False), ("2019-12-26", False),
    ("2019-03-09", False), ("2019-03-10", False),  # Saturday, Sunday
    ("2019-03-11", True), ("2019-03-18", True), ("2019-08-05", True), ("2019-12-02", True),
    ("2019-12-24", True), ("2019-12-27", True), ("2019-04-23", True),
])
def test_is_working_day(day, working):
    assert is_working_day(d(day)) is working


def test_add_working_days_in_expressions_takes_the_local_date_of_a_datetime():
    # 2019-06-09T23:30Z is Monday 10 June 00:30 BST: Monday + 1 = Tuesday 11 June (the UTC date,
    # Sunday, would give Monday).
    assert expr_add_working_days(utc(2019, 6, 9, 23, 30), 1) == d("2019-06-11")
    assert expr_add_working_days(None, 1) is None


# --- working-day windows ------------------------------------------------------------------------

@pytest.mark.parametrize("start, end, n, expected", [
    ("2019-04-15", "2019-05-09", 15, True),    # exactly the 15th working day
    ("2019-04-15", "2019-05-10", 15, False),   # the 16th
    ("2019-04-15", "2019-04-15", 15, True),    # the same day
    ("2019-04-15", "2019-04-12", 15, False),   # before the start
    ("2019-03-08", "2019-03-11", 1, True),
    ("2019-03-08", "2019-03-12", 1, False),
    ("2019-03-08", "2019-03-08", 0, True),
    ("2019-03-08", "2019-03-11", 0, False),
])
def test_within_working_days(start, end, n, expected):
    assert within_working_days(d(start), d(end), n) is expected


# --- parse_datetime -----------------------------------------------------------------------------

PARSE = [
    ("2019-03-04T16:20Z", utc(2019, 3, 4, 16, 20), "Z is UTC"),
    ("2019-07-04T16:20Z", utc(2019, 7, 4, 16, 20), "Z is UTC in summer too"),
    ("2019-06-01T12:00+01:00", utc(2019, 6, 1, 11, 0), "explicit +01:00"),
    ("2019-01-15T12:00+01:00", utc(2019, 1, 15, 11, 0), "explicit offset wins over local time"),
    ("2019-06-01T12:00-05:00", utc(2019, 6, 1, 17, 0), "negative offset"),
    ("2019-01-15T09:00", utc(2019, 1, 15, 9, 0), "naive in GMT"),
    ("2019-07-15T09:00", utc(2019, 7, 15, 8, 0), "naive in BST"),
    ("2019-07-15 09:00", utc(2019, 7, 15, 8, 0), "a space may replace T"),
    ("2019-07-15T09:00:30", utc(2019, 7, 15, 8, 0, 30), "seconds"),
    ("2019-07-15T09:00:30.250", datetime(2019, 7, 15, 8, 0, 30, 250000, tzinfo=UTC), "fraction"),
    ("2019-03-31T00:59", utc(2019, 3, 31, 0, 59), "last GMT minute before the clocks go forward"),
    ("2019-03-31T01:30", utc(2019, 3, 31, 1, 30), "skipped hour: read with the offset before the change (GMT)"),
    ("2019-03-31T02:00", utc(2019, 3, 31, 1, 0), "first BST time after the change"),
    ("2019-10-27T00:30", utc(2019, 10, 26, 23, 30), "BST before the clocks go back"),
    ("2019-10-27T01:30", utc(2019, 10, 27, 0, 30), "repeated hour: first occurrence (BST)"),
    ("2019-10-27T02:00", utc(2019, 10, 27, 2, 0), "GMT after the change"),
]


@pytest.mark.parametrize("text, expected, why", PARSE, ids=[row[2] for row in PARSE])
def test_parse_datetime(text, expected, why):
    parsed = parse_datetime(text)
    assert parsed.tzinfo is not None, "datetimes must be timezone-aware"
    assert parsed == expected, why


@pytest.mark.parametrize("text",
                         ["2019-03-04", "2019-03-04T", "04/03/2019 16:20", "2019-02-30T10:00", "2019-03-04T25:00", ""])
def test_parse_datetime_rejects(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


@pytest.mark.parametrize("value, expected", [
    (datetime(2019, 3, 31, 1, 30), utc(2019, 3, 31, 1, 30)),     # skipped: offset before the change
    (datetime(2019, 10, 27, 1, 30), utc(2019, 10, 27, 0, 30)),   # repeated: first occurrence
    (datetime(2019, 7, 15, 9, 0), utc(2019, 7, 15, 8, 0)),       # naive BST
    ("2019-10-27T01:30", utc(2019, 10, 27, 0, 30)),
    ("2019-03-31T01:30", utc(2019, 3, 31, 1, 30)),
])
def test_case_datetimes_follow_the_same_rules(value, expected):
    # A YAML loader may hand the model datetime objects rather than strings: same rules.
    case = make_case(reported_at=value)
    assert case.reported_at == expected


def test_case_rejects_a_date_for_a_datetime():
    with pytest.raises(ValueError):
        make_case(reported_at="2019-03-04")
    with pytest.raises(ValueError):
        make_case(reported_at=date(2019, 3, 4))


# --- elapsed time across clock changes -----------------------------------------------------------

HOURS = [
    ("2019-03-30T12:00", "2019-03-31T12:00", 23.0, "spring: a calendar day is 23 h"),
    ("2019-10-26T12:00", "2019-10-27T12:00", 25.0, "autumn: a calendar day is 25 h"),
    ("2019-03-29T12:00", "2019-04-01T12:00", 71.0, "spring: three calendar days are 71 h"),
    ("2019-10-25T12:00", "2019-10-28T12:00", 73.0, "autumn: three calendar days are 73 h"),
    ("2019-03-31T00:30", "2019-03-31T03:30", 2.0, "00:30 GMT to 03:30 BST is 2 h"),
    ("2019-10-27T00:30", "2019-10-27T02:30", 3.0, "00:30 BST to 02:30 GMT is 3 h"),
    ("2019-10-27T01:30", "2019-10-27T01:59", 29 / 60, "inside the first occurrence of the repeated hour"),
    ("2019-06-01T12:00", "2019-06-01T11:00", -1.0, "an end before the start is negative"),
    ("2019-06-01T12:00+01:00", "2019-06-01T12:00Z", 1.0, "offsets are honoured"),
]


@pytest.mark.parametrize("start, end, hours, why", HOURS, ids=[row[3] for row in HOURS])
def test_hours_between(start, end, hours, why):
    assert hours_between(parse_datetime(start), parse_datetime(end)) == pytest.approx(hours), why


def test_hours_between_null():
    assert hours_between(None, parse_datetime("2019-06-01T12:00")) is None
    assert hours_between(parse_datetime("2019-06-01T12:00"), None) is None


@pytest.mark.parametrize("start, end, days", [
    ("2019-03-30T12:00", "2019-04-06T12:00", 7 - 1 / 24),
    ("2019-10-26T12:00", "2019-11-02T12:00", 7 + 1 / 24),
    ("2019-05-01T12:00", "2019-05-08T12:00", 7.0),
])
def test_days_between_is_exact_elapsed_time(start, end, days):
    assert days_between(parse_datetime(start), parse_datetime(end)) == pytest.approx(days)


WITHIN_HOURS = [
    ("2019-06-01T12:00", "2019-06-01T14:00", 2, True, "equal to the limit is met"),
    ("2019-06-01T12:00", "2019-06-01T14:01", 2, False, "one minute over"),
    ("2019-06-01T12:00", "2019-06-01T12:00", 2, True, "zero elapsed"),
    ("2019-06-01T12:00", "2019-06-01T11:59", 2, False, "before the reference is not within"),
    ("2019-03-29T12:00", "2019-04-01T12:00", 72, True, "71 real hours across the spring change"),
    ("2019-10-25T12:00", "2019-10-28T12:00", 72, False, "73 real hours across the autumn change"),
    ("2019-10-27T00:30", "2019-10-27T02:30", 2, False, "3 real hours though the wall clock says 2"),
    ("2019-03-31T00:30", "2019-03-31T03:30", 2, True, "2 real hours though the wall clock says 3"),
]


@pytest.mark.parametrize("start, end, hours, expected, why", WITHIN_HOURS, ids=[row[4] for row in WITHIN_HOURS])
def test_within_hours(start, end, hours, expected, why):
    assert within_hours(parse_datetime(start), parse_datetime(end), hours) is expected, why


WITHIN_DAYS = [
    ("2019-05-01T10:00", "2019-05-08T10:00", 7, True, "exactly N days"),
    ("2019-05-01T10:00", "2019-05-08T10:01", 7, False, "N days + 1 minute"),
    ("2019-05-01T10:00", "2019-05-01T09:59", 7, False, "before the reference"),
    ("2019-03-28T10:00", "2019-04-04T11:00", 7, True, "7 x 24 h across the spring change ends at 11:00 BST"),
    ("2019-03-28T10:00", "2019-04-04T11:01", 7, False, "one minute later"),
    ("2019-10-24T10:00", "2019-10-31T10:00", 7, False, "7 days + 1 h across the autumn change"),
    ("2019-10-24T10:00", "2019-10-31T09:00", 7, True, "exactly 7 x 24 h across the autumn change"),
]


@pytest.mark.parametrize("start, end, days, expected, why", WITHIN_DAYS, ids=[row[4] for row in WITHIN_DAYS])
def test_within_days(start, end, days, expected, why):
    assert within_days(parse_datetime(start), parse_datetime(end), days) is expected, why


def test_within_null_is_false():
    t = parse_datetime("2019-06-01T12:00")
    assert within_hours(None, t, 2) is False
    assert within_hours(t, None, 2) is False
    assert within_days(None, t, 7) is False
    assert within_days(t, None, 7) is False


# --- local dates and the start of a local day -----------------------------------------------------

@pytest.mark.parametrize("day, expected", [
    ("2019-01-15", utc(2019, 1, 15, 0, 0)),
    ("2019-07-01", utc(2019, 6, 30, 23, 0)),
    ("2019-03-31", utc(2019, 3, 31, 0, 0)),    # 00:00 is still GMT on the day the clocks go forward
    ("2019-04-01", utc(2019, 3, 31, 23, 0)),
    ("2019-10-27", utc(2019, 10, 26, 23, 0)),  # 00:00 is still BST on the day the clocks go back
    ("2019-10-28", utc(2019, 10, 28, 0, 0)),
    ("2019-11-30", utc(2019, 11, 30, 0, 0)),
])
def test_start_of_local_day(day, expected):
    assert start_of_local_day(d(day)) == expected
    assert start_of_day(d(day)) == expected


@pytest.mark.parametrize("moment, expected", [
    (utc(2019, 6, 6, 22, 30), "2019-06-06"),   # 23:30 BST
    (utc(2019, 6, 6, 23, 30), "2019-06-07"),   # 00:30 BST the next day
    (utc(2019, 1, 6, 23, 30), "2019-01-06"),   # 23:30 GMT
    (utc(2019, 10, 26, 23, 30), "2019-10-27"),
])
def test_local_date(moment, expected):
    assert local_date(moment) == d(expected)
    assert expr_date(moment) == d(expected)


# --- max_gap_days (SUP-02) ------------------------------------------------------------------------

def test_max_gap_days():
    start = parse_datetime("2019-05-01T09:00")
    end = parse_datetime("2019-06-26T09:00")
    mid = parse_datetime("2019-05-29T09:00")
    assert max_gap_days(start, [mid], end) == pytest.approx(28.0)
    assert max_gap_days(start, [], end) == pytest.approx(56.0)
    # times outside [start, end] are left out
    before = parse_datetime("2019-04-01T09:00")
    after = parse_datetime("2019-07-01T09:00")
    assert max_gap_days(start, [before, mid, after], end) == pytest.approx(28.0)
    # order of the list does not matter
    late = parse_datetime("2019-06-10T09:00")
    assert max_gap_days(start, [late, mid], end) == pytest.approx(28.0)
    assert max_gap_days(start, [mid + timedelta(minutes=1)], end) == pytest.approx(28 + 1 / 1440)
