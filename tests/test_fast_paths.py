"""The fast paths added for caseload speed behave as the format and the slow paths say they must."""
from __future__ import annotations

import itertools
import operator
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import MINIMAL
from pydantic import ValidationError

from thematic.core.timeutil import add_working_days, parse_datetime
from thematic.load.cases import load_cases
from thematic.load.criteria import shipped_criteria_path
from thematic.model.base import EXTENSIONS_KEY, _to_datetime
from thematic.model.case import Case
from thematic.model.results import ASSESSED
from thematic.scoring.criteria import load_criteria
from thematic.scoring.evaluate import Scorer
from thematic.scoring.expr import Scope, _comparison, _get, _lazy_and, _lazy_or, _not, compile_expression, format_value
from thematic.scoring.functions import FUNCTIONS, UNKNOWN

EXAMPLE_CASES = Path(__file__).resolve().parent.parent / "inspections" / "cases" / "exampleshire-2019"
UTC = UTC


# --- datetimes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "utc"), [
    ("2019-01-15T12:00", datetime(2019, 1, 15, 12, 0, tzinfo=UTC)),            # GMT
    ("2019-07-01T12:00", datetime(2019, 7, 1, 11, 0, tzinfo=UTC)),             # BST
    ("2019-07-01 12:00:30.25", datetime(2019, 7, 1, 11, 0, 30, 250000, tzinfo=UTC)),
    ("2019-07-01T12:00Z", datetime(2019, 7, 1, 12, 0, tzinfo=UTC)),
    ("2019-03-31T00:59", datetime(2019, 3, 31, 0, 59, tzinfo=UTC)),            # the clock-change day: slow path
    ("2019-03-31T01:30", datetime(2019, 3, 31, 1, 30, tzinfo=UTC)),            # skipped hour: offset before the change
    ("2019-10-27T01:30", datetime(2019, 10, 27, 0, 30, tzinfo=UTC)),           # repeated hour: first occurrence
    (" 2019-01-15T12:00 ", datetime(2019, 1, 15, 12, 0, tzinfo=UTC)),          # spaces: the slow path strips them
    ("2019-07-01T12:00+02:00", datetime(2019, 7, 1, 10, 0, tzinfo=UTC)),
])
def test_local_and_utc_times_become_the_same_instant_as_the_format_defines(text, utc):
    value = _to_datetime(text)
    assert value == utc and value.tzinfo is UTC and value == parse_datetime(text)


@pytest.mark.parametrize(("text", "message"), [
    ("2019-02-29T10:00", "'2019-02-29T10:00' is not a real datetime: day is out of range for month"),
    ("2019-01-01T24:00", "'2019-01-01T24:00' is not a real datetime: hour must be in 0..23"),
    ("2019-01-01", "'2019-01-01' is a date without a time; a datetime such as 2019-01-01T09:00 is expected"),
    ("2019-01-01T10", "'2019-01-01T10' is not a datetime; expected YYYY-MM-DDTHH:MM[:SS][offset]"),
])
def test_a_time_that_is_not_real_gets_the_slow_paths_message(text, message):
    with pytest.raises(ValueError) as error:
        _to_datetime(text)
    assert str(error.value) == message


# --- x_ extension keys -------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["x_extensions", EXTENSIONS_KEY, "x_"])
def test_no_key_of_a_file_reaches_the_internal_extensions_field_except_as_an_extension(key):
    case = Case.model_validate({**MINIMAL, key: {"spoof": 1}, "x_system": "niche"})
    assert case.extensions == {key: {"spoof": 1}, "x_system": "niche"}


def test_extensions_stay_out_of_dumps_and_fields_and_an_unknown_key_is_still_refused():
    case = Case.model_validate({**MINIMAL, "x_system": "niche"})
    assert "x_extensions" not in case.model_dump() and Case.model_validate(MINIMAL).extensions == {}
    with pytest.raises(ValidationError) as error:
        Case.model_validate({**MINIMAL, "extensions": {}})
    assert [(e["type"], e["loc"]) for e in error.value.errors()] == [("extra_forbidden", ("extensions",))]


# --- evaluation --------------------------------------------------------------------------------------

def test_scoring_without_evidence_decides_every_state_and_grade_the_same():
    criteria = load_criteria(shipped_criteria_path())
    full, bare = (Scorer(criteria, criteria.defaults(), date(2019, 11, 30), evidence=e) for e in (True, False))
    for loaded in load_cases([EXAMPLE_CASES]):
        with_text, without = full.score(loaded.case), bare.score(loaded.case)
        assert {k: r.state for k, r in with_text.results.items()} == {k: r.state for k, r in without.results.items()}
        assert (with_text.suggested_grade, with_text.provisional) == (without.suggested_grade, without.provisional)
        decided = [r for k, r in without.results.items()
                   if r.state in ASSESSED and criteria.criterion(k).definition.type == "automatic"]
        assert decided and all(r.evidence == "" for r in decided)


@pytest.mark.parametrize(("value", "text"), [
    (datetime(2019, 7, 1, 11, 5, tzinfo=UTC), "2019-07-01 12:05"),
    # Before 1847 London kept local mean time, UTC-0:01:15 (tz database); strftime does not pad year 999.
    (datetime(999, 1, 2, 3, 4, tzinfo=UTC), "999-01-02 03:02"),
    (7, "7"), (True, "true"), (2.50, "2.5"), (-0.001, "0"), ("text", "text"),
    ([1, "a", None], "1, a, null"), ((), "none"),
])
def test_evidence_values_read_as_before(value, text):
    assert format_value(value) == text


def test_cached_working_days_agree_with_stepping_day_by_day():
    step = FUNCTIONS["add_working_days"]
    for offset in range(0, 400, 3):
        day = date(2019, 1, 1).fromordinal(date(2019, 1, 1).toordinal() + offset)
        for count in (0, 1, 5, 15):
            assert step(day, count) == add_working_days(day, count)
    assert step(date(2019, 12, 24), 1) == date(2019, 12, 27)  # Christmas Day and Boxing Day are bank holidays


# --- inline three-valued code agrees with the helpers that define it ---------------------------------

VALUES = [True, False, None, UNKNOWN, 0, 2, 2.0, [], [1], "a"]


def compiled(text: str):
    return compile_expression(text, Scope(params=frozenset())).function


def outcome(function, *args):
    try:
        return ("value", function(*args))
    except Exception as exc:  # noqa: BLE001 - comparing failures too
        return ("error", type(exc))


@pytest.mark.parametrize("op", ["and", "or"])
def test_inline_and_or_agree_with_the_lazy_helpers_on_every_pair(op):
    function = compiled(f"closed_at {op} reported_at")
    helper = _lazy_and if op == "and" else _lazy_or
    for a, b in itertools.product(VALUES, repeat=2):
        assert outcome(function, {"closed_at": a, "reported_at": b}, {}) == outcome(helper, a, lambda b=b: b), (a, b)


def test_inline_and_stops_where_the_helper_stops():
    ns = {"closed_at": False}  # reading reported_at would raise KeyError
    assert compiled("closed_at and reported_at")(ns, {}) is False
    assert compiled("not closed_at or reported_at")(ns, {}) is True
    assert compiled("closed_at and reported_at and category")({"closed_at": UNKNOWN, "reported_at": False}, {}) is False


@pytest.mark.parametrize(("op", "python"), [
    ("==", operator.eq), ("!=", operator.ne), ("<", operator.lt), ("<=", operator.le), (">", operator.gt),
    (">=", operator.ge), ("in", lambda a, b: a in b), ("not in", lambda a, b: a not in b),
])
def test_inline_comparisons_agree_with_the_comparison_helper_on_every_pair(op, python):
    function, helper = compiled(f"closed_at {op} reported_at"), _comparison(python)
    for a, b in itertools.product(VALUES, repeat=2):
        assert outcome(function, {"closed_at": a, "reported_at": b}, {}) == outcome(helper, a, b), (op, a, b)


def test_a_comparison_reads_both_sides_even_when_the_left_is_not_captured():
    with pytest.raises(KeyError):
        compiled("closed_at < reported_at")({"closed_at": UNKNOWN}, {})


def test_inline_not_and_field_reads_agree_with_their_helpers():
    negate = compiled("not closed_at")
    for value in VALUES:
        assert outcome(negate, {"closed_at": value}, {}) == outcome(_not, value)
    read = compiled("investigation.complexity")
    record = SimpleNamespace(complexity="complex")
    for value in (None, UNKNOWN, record, SimpleNamespace()):
        assert outcome(read, {"investigation": value}, {}) == outcome(_get, value, "complexity")
