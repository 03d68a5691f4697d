"""How counts, rates and intervals read in every report: rounding, thresholds and suppression."""
from __future__ import annotations

import pytest

from thematic.render.views import (
    Reference,
    Suppression,
    interval_text,
    parse_thresholds,
    percent,
)
from thematic.stats.proportion import proportion


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0%"),
        (0.004, "less than 1%"),        # a part never reads as nothing
        (0.005, "1%"),
        (0.125, "13%"),                 # halves round up, as published statistics do
        (0.145, "15%"),                 # stored as 0.14499999…, still a half
        (9 / 31, "29%"),
        (0.994, "99%"),
        (0.995, "more than 99%"),       # a part never reads as all
        (1.0, "100%"),
    ],
)
def test_percent_rounds_halves_up_and_never_to_all_or_nothing(value, text):
    assert percent(value) == text


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (0.0, 0.4, "0%–40%"),
        (0.9961, 1.0, "99%–100%"),      # only a bound of 1 reads 100%
        (0.7008549515804557, 0.9999999999999999, "70%–100%"),  # 9 of 9 from statsmodels: 1 within float noise
        (2.7755575615628914e-17, 0.29914504841954415, "0%–30%"),  # 0 of 9 from statsmodels
        (0.004, 0.2, "0%–20%"),
        (0.006, 0.2, "1%–20%"),
    ],
)
def test_interval_text(low, high, text):
    assert interval_text(low, high) == text


def test_seven_of_ten_reads_as_the_published_wilson_example():
    # design.md: 7 of 10 met gives a Wilson interval of about 40%–89%.
    p = proportion(7, 10)
    view = Suppression().rate(7, 10, p.ci_low, p.ci_high, (Reference(0.5, "a source"), Reference(0.8, "a source")))
    assert view.sentence == "7 of 10, 70%, 95% interval 40%–89%"
    assert view.against_text == "not distinguishable from 50%; not distinguishable from 80%"
    assert view.flag == ""  # where and why flags are raised: tests/test_flags.py


@pytest.mark.parametrize(
    ("below", "met", "total", "met_text", "total_text", "percent_text", "withheld"),
    [
        (None, 2, 10, "2", "10", "20%", False),
        (5, 4, 10, "fewer than 5", "10", "withheld", True),
        (5, 5, 10, "5", "10", "50%", False),               # exactly at the limit is shown
        (5, 0, 10, "0", "10", "0%", False),                # zero names no child
        (5, 6, 10, "more than 5", "10", "withheld", True),  # 4 not met would show
        (5, 5, 9, "more than 4", "9", "withheld", True),  # 4 not met would show
        (5, 10, 10, "10", "10", "100%", False),
        (5, 2, 4, "fewer than 5", "fewer than 5", "withheld", True),
        (5, 0, 0, "0", "0", "–", False),
        (1, 1, 2, "1", "2", "50%", False),                 # a limit of 1 hides nothing
    ],
)
def test_suppression_hides_small_counts_and_every_rate_that_would_reveal_one(
        below, met, total, met_text, total_text, percent_text, withheld):
    p = proportion(met, total)
    view = Suppression(below).rate(met, total, p.ci_low, p.ci_high)
    assert (view.met.text, view.total.text, view.percent, view.withheld) == (met_text, total_text, percent_text,
                                                                             withheld)
    if withheld or total == 0:
        assert (view.rate, view.ci_low, view.ci_high, view.interval, view.against) == (None, None, None, "", ())
        assert view.note == ("rate withheld: small numbers" if withheld else "no cases assessed")
        assert view.sentence == f"{met_text} of {total_text} ({view.note})"
    else:
        assert view.note == ""


def test_suppressed_count_keeps_no_value():
    hidden = Suppression(10).count(3)
    assert hidden.suppressed and hidden.value is None and hidden.text == "fewer than 10"
    shown = Suppression(10).count(10)
    assert not shown.suppressed and shown.value == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50,80", (0.5, 0.8)), ("80, 50", (0.5, 0.8)), ("75%", (0.75,)), ("2.5", (0.025,))],
)
def test_parse_thresholds(text, expected):
    assert parse_thresholds(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [("0", "strictly between 0 and 100"), ("100", "strictly between"), ("abc", "'abc' is not a number"),
     ("50,50", "given twice"), ("", "is not a number")],
)
def test_parse_thresholds_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_thresholds(text)
