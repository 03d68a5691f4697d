"""`core.timeutil` asks `holidays` for bank holidays several years at a time: each year's must be
exactly the ones `holidays` gives for that year asked alone, in every year a case may have and the
years around them (where a deadline counted in working days may land)."""
from __future__ import annotations

from datetime import date

import holidays

from thematic.core import timeutil
from thematic.core.timeutil import YEAR_MAX, YEAR_MIN, add_working_days, bank_holidays, is_working_day


def test_each_years_bank_holidays_are_those_of_that_year_asked_alone():
    # Every year of every block, and a year either side of them (asked alone).
    for year in range(YEAR_MIN - timeutil._HOLIDAY_YEARS - 1, YEAR_MAX + timeutil._HOLIDAY_YEARS + 2):
        alone = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())
        assert bank_holidays(year) == alone, year
        assert all(day.year == year for day in alone), year


def test_working_days_across_the_turn_of_a_block_of_years():
    # 2023 ends a block of eight years (2016-2023) and 2024 begins the next: the days either side
    # are decided by their own year's holidays (1 Jan 2024 a bank holiday, 2 Jan not).
    first = timeutil._HOLIDAY_YEARS * (2024 // timeutil._HOLIDAY_YEARS)
    assert first == 2024
    assert not is_working_day(date(2023, 12, 25)) and not is_working_day(date(2023, 12, 26))
    assert is_working_day(date(2023, 12, 29))
    assert not is_working_day(date(2024, 1, 1))
    assert is_working_day(date(2024, 1, 2))
    assert add_working_days(date(2023, 12, 22), 2) == date(2023, 12, 28)
    assert add_working_days(date(2023, 12, 29), 1) == date(2024, 1, 2)
