"""Local times read by shifting (model.base.plain_datetime and the fast path's records): the same
UTC datetimes as the general reader (core.timeutil.parse_datetime, which attaches Europe/London),
on every day of several decades, clock-change days included, and whichever path reads the day first."""
from __future__ import annotations

import json
import random
from datetime import UTC, date, timedelta

import pytest

from thematic.core.timeutil import parse_datetime
from thematic.load.fast_case import fast_case
from thematic.model import base


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    day = date(1900, 1, 1)
    while day <= date(2100, 12, 31):
        for _ in range(2):
            hour, minute = rng.randrange(24), rng.randrange(60)
            shape = rng.randrange(4)
            text = f"{day.isoformat()}{'T' if shape else ' '}{hour:02d}:{minute:02d}"
            if shape == 2:
                text += f":{rng.randrange(60):02d}"
            elif shape == 3:
                text += f":{rng.randrange(60):02d}.{rng.randrange(10**6):06d}"[: 10 + rng.randrange(1, 7)]
            texts.append(text)
        day += timedelta(days=rng.choice((1, 1, 1, 7, 23)))
    return texts


@pytest.mark.parametrize("seed", [1, 2])
def test_every_local_time_reads_as_the_general_reader_reads_it(seed, monkeypatch):
    monkeypatch.setattr(base, "_DAY_OFFSETS", {})
    monkeypatch.setattr(base, "_DAY_SHIFTS", {})
    for text in _texts(seed):
        got = base.plain_datetime(text)
        assert got == parse_datetime(text), text
        assert got.tzinfo is UTC and got.fold == 0, text
        assert got.isoformat() == parse_datetime(text).isoformat(), text


def test_clock_change_days_and_their_neighbours():
    for year in (1971, 1996, 2019, 2020, 2038, 2099):
        for month in (3, 10):
            for day in range(24, 32):
                for hour in range(24):
                    for minute in (0, 30, 59):
                        text = f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"
                        assert base.plain_datetime(text) == parse_datetime(text), text


def test_the_fast_path_records_read_times_as_the_general_reader():
    times = ["2019-03-31T00:59", "2019-03-31T01:30", "2019-10-27T01:30", "2019-07-01T12:00",
             "2019-01-15T08:15:30.25", "2019-07-01T12:00Z", "2100-12-31T23:59", "1900-01-01T00:00"]
    for text in times:
        raw = json.dumps({"case_id": "T-1", "force": "testshire", "category": "missing", "reported_at": text,
                          "child": {"ref": "C-1", "age": 9}}).encode()
        for _ in range(2):  # the first read learns the day's offset, the second uses it
            case = fast_case(raw)
            assert case is not None
            assert case.reported_at == parse_datetime(text) and case.reported_at.tzinfo is UTC, text


def test_a_key_spaced_from_its_colon_by_any_white_space_is_left_to_the_ordinary_way():
    base_text = ('{"case_id": "T-1", "force": "testshire", "category": "missing", "reported_at": '
                 '"2019-07-01T12:00", "child": {"ref": "C-1", "age": 9}}')
    assert fast_case(base_text.encode()) is not None
    for space in (" ", "\t", "\r", "\n", " \t ", "\r\n"):
        for key in ('"force"', '"ref"', '"age"'):
            spaced = base_text.replace(f"{key}:", f"{key}{space}:", 1)
            assert fast_case(spaced.encode()) is None, (space, key)
