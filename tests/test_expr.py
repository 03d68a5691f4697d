"""The criteria expression language: what it refuses (with the column), what it computes, and its functions.

Expected values come from docs/criteria-language.md and spec/criteria.md (three-valued logic:
a field of a null object is null, a comparison with null is false, an uncaptured section is
UNKNOWN and `and`/`or`/`not` follow Kleene logic), or from working the example out by hand.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from thematic.model.case import (
    ChildAsSuspect,
    Device,
    Incident,
    Investigation,
    Referral,
    SupervisionEntry,
)
from thematic.scoring.expr import CASE_NAMES, VALUE, ExprError, Scope, Type, compile_expression, format_value
from thematic.scoring.functions import FUNCTIONS, UNKNOWN

UTC = UTC
PARAMS = {"referral_max_hours": 24, "min_pip_level": 2, "supervision_max_gap_days": 28}
SCOPE = Scope(params=frozenset(PARAMS))
#: `p` and `q` stand for any two conditions, to tabulate and/or/not.
PQ_SCOPE = Scope(params=frozenset(PARAMS), definitions={"p": VALUE, "q": VALUE})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def captured_empty() -> dict[str, Any]:
    """A namespace where every case section is captured and empty (lists) or null (everything else)."""
    return {name: ([] if kind.kind == "list" else None) for name, kind in CASE_NAMES.items()}


def run(text: str, scope: Scope = SCOPE, params: dict[str, Any] | None = None, *item: Any, **names: Any) -> Any:
    compiled = compile_expression(text, scope)
    return compiled({**captured_empty(), **names}, {**PARAMS, **(params or {})}, *item)


def supervision(at: str, kind: str) -> SupervisionEntry:
    return SupervisionEntry.model_validate({"at": at, "kind": kind})


def investigation(**overrides: Any) -> Investigation:
    data = {
        "allocated_at": "2019-03-04T17:00", "complexity": "complex",
        "officer": {"pip_level": 2, "specialist_trained": True},
        "suspect_identified_at": None, "suspect_arrested_at": None,
    }
    return Investigation.model_validate({**data, **overrides})


def referral(at: str, to: str) -> Referral:
    return Referral.model_validate({"at": at, "to": to})


def incident(ref: str, at: str, severity: int = 2) -> Incident:
    return Incident.model_validate({
        "ref": ref, "at": at, "type": "concern", "severity": severity,
        "child_seen": True, "demeanour_recorded": True, "response": "immediate",
    })


# --- refused when the file loads, with a helpful message and the column ------------------------

LONG_TEXT = '"' + "x" * 201 + '"'

FORBIDDEN = [
    # (expression, words the message must hold, the text where the column must point)
    ("count(supervision) > 0 and 2 ** 3 > 1", "'**'", "2 ** 3"),
    ('count(supervision) > 0 and "a" * 3 == "aaa"', "numbers only", '"a" * 3'),
    ("count(supervision) > 0 and count([1] + [2]) == 2", "numbers only", "[1] + [2]"),
    ("count(supervision) > 0 and (1, 2) * 2 == 4", "numbers only", "(1, 2) * 2"),
    ("first(supervision) == supervision[0]", "indexing", "supervision[0]"),
    ("investigation != null and investigation.officer[0] == null", "indexing", "investigation.officer[0]"),
    ("reported_at != null and __import__ == null", "'_'", "__import__"),
    ("count(_hidden) > 0", "'_'", "_hidden"),
    ("investigation != null and investigation.__class__ != null", "__class__", "investigation.__class__"),
    ("count(supervision) > 0 and count(supervison) > 0", "unknown name 'supervison'", "supervison"),
    ('investigation != null and investigation.complexty == "complex"', "no field 'complexty'",
     "investigation.complexty"),
    ("count(supervision) > 0 and len(supervision) > 0", "unknown function 'len'", "len("),
    ("reported_at != null and reported_at.date() == as_of", "unknown function", "reported_at.date()"),
    ("hours_between(reported_at, closed_at) <= params.referal_max_hours", "unknown parameter 'referal_max_hours'",
     "params.referal_max_hours"),
    ("count(supervision) > 0 and (lambda: true)", "lambda", "lambda"),
    ("count(supervision) > 0 and (n := 3) > 2", "':='", "n := 3"),
    ('case_id == f"T-{case_id}"', "f-strings", 'f"T-'),
    ('case_id in {"T-1": 1}', "dictionaries", '{"T-1"'),
    ('case_id in {"T-1", "T-2"}', "sets are not allowed", '{"T-1"'),
    ("count(incidents) < 1000000001", "too large", "1000000001"),
    ("count(incidents) < 1e10", "too large", "1e10"),
    (f"case_id == {LONG_TEXT}", "too long", LONG_TEXT),
    ("count(supervision) > 0 and closed_at is reported_at", "'is' compares only with null", "closed_at is reported_at"),
    ("count(supervision) > 0 and closed_at is not 3", "'is' compares only with null", "closed_at is not 3"),
    ("any(x == null for x in investigation)", "must go over a list", "investigation)"),
    ("count([x for x in reported_at]) > 0", "must go over a list", "reported_at]"),
    ('count(supervision) > 0 and supervision.kind == "reflective"', "cannot read field 'kind' of a list",
     "supervision.kind"),
    ("count(supervision) > 0 and reported_at.hour == 3", "cannot read field 'hour'", "reported_at.hour"),
    ("count(*supervision) > 0", "'*'", "*supervision"),
    ("count(supervision) > 0 and 7 // 2 == 3", "use + - * /", "7 // 2"),
    ("count(supervision) > 0 and 7 % 2 == 1", "use + - * /", "7 % 2"),
    ("investigation != null and count", "count is a function", "count"),
    ("hours_between(start=reported_at, end=closed_at) > 1", "takes no keyword arguments", "hours_between("),
    ('count(supervision, kinds="reflective") > 0', "no field 'kinds'", 'kinds='),
    ('count(supervision, kinds="reflective") > 0', "did you mean 'kind'?", 'kinds='),
    ("first(referrals, __class__=1) == null", "no field '__class__'", "__class__="),
    ("first([r.at for r in referrals], __class__=1) == null", "only a list of records", "__class__="),
    ('count(["a", "b"], to="a") > 0', "only a list of records", "to="),
    ("count(to=1) > 0", "only a list of records", "to="),
    ("not " * 32 + "true", "nested too deeply", "true"),  # 33 levels: the constant is one too deep
    ("count([[[1 for a in referrals] for b in referrals] for c in referrals]) > 0", "nested too deeply", "[1 for a"),
    ("count([i for i in incidents for j in incidents]) > 0", "only one 'for'", "[i for i"),
    ("count([referrals for referrals in incidents]) > 0", "already a name", "referrals in"),
    ("count(supervision) > 0 and item != null", "unknown name 'item'", "item"),
    ("params == null", "params must be followed by a parameter name", "params"),
    ("count(supervision) >", "not a valid expression", None),
]


def _column(text: str, fragment: str) -> int:
    # The column of the start of the offending part: each fragment above occurs first where the error is.
    return text.index(fragment) + 1


@pytest.mark.parametrize("text, words, fragment", FORBIDDEN, ids=[f[0][:50] for f in FORBIDDEN])
def test_forbidden_construct_is_refused_with_its_column(text, words, fragment):
    with pytest.raises(ExprError) as caught:
        compile_expression(text, SCOPE)
    error = caught.value
    assert words in error.reason
    if fragment is not None:
        assert error.column == _column(text, fragment), str(error)
        assert str(error).startswith(f"column {error.column}: ")


def test_unknown_name_message_lists_the_names_that_exist():
    with pytest.raises(ExprError) as caught:
        compile_expression("count(supervison) > 0", SCOPE)
    for name in ("supervision", "referrals", "reported_at", "as_of"):
        assert name in caught.value.reason


def test_unknown_function_message_lists_the_functions_that_exist():
    with pytest.raises(ExprError) as caught:
        compile_expression("len(supervision) > 0", SCOPE)
    for name in ("count", "within_hours", "max_gap_days"):
        assert name in caught.value.reason


def test_unknown_parameter_message_lists_the_parameters():
    with pytest.raises(ExprError) as caught:
        compile_expression("params.referal_max_hours > 0", SCOPE)
    assert "referral_max_hours" in caught.value.reason


def test_text_of_200_characters_and_number_of_a_thousand_million_are_allowed():
    assert run('"' + "x" * 200 + '" != null') is True
    assert run("1000000000 > 999999999") is True
    assert run("-1000000000 < 0") is True


def test_negative_huge_number_is_refused():
    with pytest.raises(ExprError, match="too large"):
        compile_expression("count(incidents) > -1000000001", SCOPE)


def test_empty_and_overlong_expressions_are_refused():
    with pytest.raises(ExprError, match="expression is expected"):
        compile_expression("   ", SCOPE)
    with pytest.raises(ExprError, match="too long"):
        compile_expression(" or ".join(["true"] * 600), SCOPE)


def test_column_counts_in_the_expression_read_as_one_line():
    # A folded YAML expression may keep line breaks: they and runs of spaces read as one space.
    text = "count(supervision) > 0\n      and  supervison == null"
    with pytest.raises(ExprError) as caught:
        compile_expression(text, SCOPE)
    assert caught.value.column == len("count(supervision) > 0 and ") + 1


def test_comprehension_variable_does_not_leak_out_of_its_comprehension():
    with pytest.raises(ExprError, match="unknown name 's'"):
        compile_expression("count([s for s in supervision]) > 0 and s.kind == null", SCOPE)


def test_definitions_and_item_are_names_only_where_declared():
    scope = Scope(params=frozenset(PARAMS), definitions={"case_referrals": Type("list", Referral)},
                  item=Type("record", Device))
    compiled = compile_expression("count(case_referrals) > 0 and item.submitted_at != null", scope)
    assert compiled.definitions == {"case_referrals"}
    with pytest.raises(ExprError, match="Device has no field 'submited_at'"):
        compile_expression("item.submited_at != null", scope)
    with pytest.raises(ExprError, match="already a name"):
        compile_expression("count([item for item in devices]) > 0", scope)


def test_compiled_expression_records_what_it_reads():
    compiled = compile_expression(
        "within_hours(reported_at, first(referrals).at, params.referral_max_hours) and investigation != null", SCOPE)
    assert compiled.names == {"reported_at", "referrals", "investigation"}
    assert compiled.params == {"referral_max_hours"}


# --- allowed constructs compute what they say --------------------------------------------------

ARITHMETIC_AND_COMPARISON = [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("7 / 2", 3.5),
    ("10 - 4 - 3", 3),
    ("-3 + 1", -2),
    ("params.referral_max_hours * 2", 48),
    ("1 < 2 < 3", True),
    ("1 < 3 < 2", False),
    ("2 <= 2 < 3", True),
    ("3 > 2 > 2", False),
    ("3 >= 3", True),
    ("2 == 2.0", True),
    ("2 != 3", True),
    ('"police" in ["police", "health"]', True),
    ('"education" in ["police", "health"]', False),
    ('"education" not in ["police", "health"]', True),
    ("14 in [14, 15, 16]", True),
    ('"yes" if 1 < 2 else "no"', "yes"),
    ('"yes" if 2 < 1 else "no"', "no"),
    ("[1, 2] == [1, 2]", True),
    ("null", None),
    ("true", True),
    ("false", False),
    ("not true", False),
    ("true and not false", True),
    ("false or 1 > 0", True),
    ("7 / 0 == null", True),  # division by zero gives null
    ('"a" < "b"', True),
]


@pytest.mark.parametrize("text, expected", ARITHMETIC_AND_COMPARISON)
def test_allowed_expression_computes(text, expected):
    result = run(text)
    assert result == expected and type(result) is type(expected)


def test_comprehension_keeps_entries_whose_condition_holds_in_file_order():
    entries = [
        supervision("2019-03-10T09:00", "reflective"),
        supervision("2019-03-05T09:00", "process"),
        supervision("2019-03-07T09:00", "reflective"),
    ]
    result = run('[x.at for x in supervision if x.kind == "reflective"]', supervision=entries)
    assert list(result) == [entries[0].at, entries[2].at]
    assert run('any(x.kind == "reflective" for x in supervision)', supervision=entries) is True
    assert run('all(x.kind == "reflective" for x in supervision)', supervision=entries) is False
    assert run('count([x for x in supervision if x.kind == "direction"])', supervision=entries) == 0


def test_comprehension_over_the_list_of_a_null_record_is_empty():
    assert run("count([i for i in child_as_suspect.exploitation_indicators])", child_as_suspect=None) == 0


def test_fields_of_records_and_nested_records_read_through():
    inv = investigation(officer={"pip_level": 3, "specialist_trained": False})
    assert run("investigation.officer.pip_level >= params.min_pip_level", investigation=inv) is True
    assert run("investigation.officer.specialist_trained", investigation=inv) is False
    assert run('investigation.complexity == "complex"', investigation=inv) is True


def test_item_reads_the_entry_of_a_per_entry_criterion():
    scope = Scope(params=frozenset(PARAMS), item=Type("record", Device))
    device = Device.model_validate({
        "ref": "D1", "seized_at": "2019-03-05T10:00", "submitted_at": "2019-03-08T10:00", "examined_at": None,
        "returned_to_suspect_at": None, "triaged": False, "indecent_images_suspected": True,
    })
    assert run("within_days(item.seized_at, item.submitted_at, 7)", scope, None, device) is True
    assert run("item.examined_at == null", scope, None, device) is True


def test_definition_value_is_read_from_the_namespace():
    scope = Scope(params=frozenset(PARAMS), definitions={"case_referrals": Type("list", Referral)})
    refs = [referral("2019-03-05T10:00", "health"), referral("2019-03-05T11:00", "childrens_social_care")]
    assert run('count(case_referrals, to="childrens_social_care")', scope, case_referrals=refs) == 1


def test_as_of_is_readable():
    assert run("as_of == null", as_of=date(2019, 11, 30)) is False
    assert run("start_of_day(as_of) > reported_at", as_of=date(2019, 11, 30), reported_at=utc(2019, 3, 4, 16)) is True


# --- three-valued logic --------------------------------------------------------------------------

T, F, U = True, False, UNKNOWN

AND_TABLE = [(T, T, T), (T, F, F), (T, U, U), (F, T, F), (F, F, F), (F, U, F), (U, T, U), (U, F, F), (U, U, U)]
OR_TABLE = [(T, T, T), (T, F, T), (T, U, T), (F, T, T), (F, F, F), (F, U, U), (U, T, T), (U, F, U), (U, U, U)]


@pytest.mark.parametrize("p, q, expected", AND_TABLE)
def test_and_follows_kleene_logic(p, q, expected):
    assert run("p and q", PQ_SCOPE, p=p, q=q) is expected


@pytest.mark.parametrize("p, q, expected", OR_TABLE)
def test_or_follows_kleene_logic(p, q, expected):
    assert run("p or q", PQ_SCOPE, p=p, q=q) is expected


@pytest.mark.parametrize("p, expected", [(T, F), (F, T), (U, U)])
def test_not_follows_kleene_logic(p, expected):
    assert run("not p", PQ_SCOPE, p=p) is expected


def test_known_false_part_decides_and_whichever_side_is_not_captured():
    assert run("investigation != null and outcome.code == 14", investigation=None, outcome=UNKNOWN) is False
    assert run("outcome.code == 14 and investigation != null", investigation=None, outcome=UNKNOWN) is False
    assert run("outcome.code == 14 or investigation == null", investigation=None, outcome=UNKNOWN) is True


def test_and_stops_at_a_false_left_side_and_or_at_a_true_one():
    # The right side would fail if evaluated (arithmetic on a datetime): a guard protects it.
    names = {"reported_at": utc(2019, 3, 4)}
    assert run("closed_at != null and reported_at + 1 > 0", closed_at=None, **names) is False
    assert run("closed_at == null or reported_at + 1 > 0", closed_at=None, **names) is True
    with pytest.raises(TypeError):
        run("closed_at == null and reported_at + 1 > 0", closed_at=None, **names)


def test_and_does_not_stop_at_a_not_captured_left_side():
    # A later false part still decides (Kleene logic).
    assert run("investigation.complexity == \"complex\" and closed_at != null", investigation=U,
               closed_at=None) is False
    assert run("investigation.complexity == \"complex\" or closed_at == null", investigation=U, closed_at=None) is True


def test_null_counts_as_false_in_and_or_not():
    assert run("p and true", PQ_SCOPE, p=None) is False
    assert run("p or true", PQ_SCOPE, p=None) is True
    assert run("not p", PQ_SCOPE, p=None) is True


def test_chained_comparison_is_three_valued():
    assert run("p < 2 < 3", PQ_SCOPE, p=U) is U
    assert run("1 < 2 < p", PQ_SCOPE, p=U) is U
    assert run("3 < 2 < p", PQ_SCOPE, p=U) is False  # the known false link decides


def test_choice_on_an_uncaptured_condition_is_not_captured():
    assert run('"a" if p else "b"', PQ_SCOPE, p=U) is U


def test_comprehension_over_an_uncaptured_section_is_not_captured():
    assert run("[s.at for s in supervision]", supervision=U) is U
    assert run("count([s for s in supervision]) > 0", supervision=U) is U
    assert run("any(s.at != null for s in supervision)", supervision=U) is U


@pytest.mark.xfail(strict=True, reason="known limitation: a comprehension whose filter is unknown for one "
                   "entry is wholly unknown; no shipped criterion filters on a second, uncaptured section")
def test_any_over_comprehension_is_decided_by_an_entry_known_to_count():
    """Kleene logic: one entry whose filter and test are both known true decides `any`.

    The second entry's filter cannot be decided (investigation not captured), but the first
    entry is reflective, so it is kept whatever the investigation says, and `any` is true.
    """
    entries = [supervision("2019-03-10T09:00", "reflective"), supervision("2019-03-11T09:00", "process")]
    text = 'any(true for s in supervision if s.kind == "reflective" or s.at > investigation.allocated_at)'
    assert run(text, supervision=entries, investigation=U) is True


# --- null rules ---------------------------------------------------------------------------------

def test_field_of_a_null_record_is_null():
    assert run("investigation.allocated_at == null", investigation=None) is True
    assert run("investigation.officer.pip_level == null", investigation=None) is True
    assert run("child_as_suspect.exploitation_indicators == null", child_as_suspect=None) is True


def test_field_of_an_uncaptured_section_is_not_captured():
    assert run("investigation.allocated_at", investigation=U) is U
    assert run("investigation.officer.pip_level >= 2", investigation=U) is U


NULL_COMPARISONS = ["null < 3", "3 < null", "null <= 3", "null > 3", "null >= 3", "null == 3", "3 == null",
                    "closed_at == reported_at", "closed_at != reported_at", "closed_at < reported_at",
                    "closed_at >= reported_at", "investigation.complexity == \"complex\"",
                    "investigation.complexity != \"complex\"", "null in [1, 2]", "1 in null"]


@pytest.mark.parametrize("text", NULL_COMPARISONS)
def test_comparison_with_null_is_false(text):
    assert run(text, closed_at=None, reported_at=utc(2019, 3, 4, 16), investigation=None) is False


def test_not_of_a_comparison_with_null_is_true():
    # Because the comparison is false, its negation is true: test for null explicitly.
    assert run("not (closed_at > reported_at)", closed_at=None, reported_at=utc(2019, 3, 4)) is True


@pytest.mark.parametrize("text", ["x == null", "x is null", "null == x"])
@pytest.mark.parametrize("value, expected", [(None, True), (3, False), ("", False), (U, U)])
def test_equals_null(text, value, expected):
    assert run(text.replace("x", "p"), PQ_SCOPE, p=value) is expected


@pytest.mark.parametrize("text", ["x != null", "x is not null", "null != x"])
@pytest.mark.parametrize("value, expected", [(None, False), (3, True), (0, True), (U, U)])
def test_not_equals_null(text, value, expected):
    assert run(text.replace("x", "p"), PQ_SCOPE, p=value) is expected


def test_null_equals_null():
    assert run("null == null") is True


@pytest.mark.parametrize("text", ["p + 1", "1 - p", "p * 2", "2 / p", "-p"])
def test_arithmetic_with_null_is_null_and_with_not_captured_is_not_captured(text):
    assert run(text, PQ_SCOPE, p=None) is None
    assert run(text, PQ_SCOPE, p=U) is U


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_comparison_with_not_captured_is_not_captured(op):
    assert run(f"p {op} 3", PQ_SCOPE, p=U) is U
    assert run(f"p {op} q", PQ_SCOPE, p=U, q=None) is U


def test_arithmetic_refuses_non_numbers_when_run():
    # Types of values are not known when the file loads; adding to a datetime fails on the case.
    compiled = compile_expression("reported_at + 1", SCOPE)
    with pytest.raises(TypeError, match="numbers"):
        compiled({**captured_empty(), "reported_at": utc(2019, 3, 4)}, PARAMS)
    with pytest.raises(TypeError, match="numbers"):
        compiled({**captured_empty(), "reported_at": True}, PARAMS)


# --- functions at their edges ------------------------------------------------------------------

fn = FUNCTIONS
START = utc(2019, 3, 4, 16, 0)


def test_hours_and_days_between():
    assert fn["hours_between"](START, START + timedelta(hours=30)) == 30.0
    assert fn["hours_between"](START, START - timedelta(hours=2)) == -2.0
    assert fn["days_between"](START, START + timedelta(hours=36)) == 1.5
    assert fn["days_between"](START, START - timedelta(days=3)) == -3.0
    # elapsed time: across the clock change of 31 March 2019, noon to noon local time is 23 hours
    assert fn["hours_between"](utc(2019, 3, 30, 12), utc(2019, 3, 31, 11)) == 23.0
    for name in ("hours_between", "days_between"):
        assert fn[name](None, START) is None
        assert fn[name](START, None) is None
        assert fn[name](U, START) is U
        assert fn[name](None, U) is U


@pytest.mark.parametrize("name, unit", [("within_hours", timedelta(hours=1)), ("within_days", timedelta(days=1))])
def test_within_hours_and_days(name, unit):
    within = fn[name]
    assert within(START, START + 24 * unit, 24) is True          # equal to the limit is within
    assert within(START, START + 24 * unit + timedelta(seconds=1), 24) is False
    assert within(START, START, 24) is True
    assert within(START, START - timedelta(seconds=1), 24) is False  # before the start is not within
    assert within(None, START, 24) is False
    assert within(START, None, 24) is False
    assert within(U, START, 24) is U
    assert within(START, U, 24) is U
    assert within(None, START, U) is U


def test_date_is_the_local_calendar_date():
    assert fn["date"](utc(2019, 6, 30, 23, 30)) == date(2019, 7, 1)    # 00:30 BST
    assert fn["date"](utc(2019, 1, 15, 23, 30)) == date(2019, 1, 15)   # GMT
    assert fn["date"](date(2019, 3, 4)) == date(2019, 3, 4)
    assert fn["date"](None) is None
    assert fn["date"](U) is U


ADD_WORKING_DAYS = [
    (date(2019, 3, 1), 1, date(2019, 3, 4)),     # Friday + 1 = Monday
    (date(2019, 5, 3), 1, date(2019, 5, 7)),     # Friday + 1 = Tuesday after the early May bank holiday
    (date(2019, 3, 2), 1, date(2019, 3, 4)),     # Saturday + 1 = Monday
    (date(2019, 3, 2), 0, date(2019, 3, 2)),     # 0 gives the day itself
    (date(2019, 3, 4), 5, date(2019, 3, 11)),    # a whole week
    (date(2019, 12, 24), 1, date(2019, 12, 27)), # Christmas Day and Boxing Day
    (date(2019, 4, 18), 1, date(2019, 4, 23)),   # Good Friday and Easter Monday
    (date(2019, 11, 1), 15, date(2019, 11, 22)),
]


@pytest.mark.parametrize("day, count, expected", ADD_WORKING_DAYS)
def test_add_working_days(day, count, expected):
    assert fn["add_working_days"](day, count) == expected


def test_add_working_days_takes_the_local_date_of_a_datetime():
    # 23:30 UTC on Friday 31 May 2019 is 00:30 BST on Saturday 1 June: + 1 working day = Monday 3 June
    assert fn["add_working_days"](utc(2019, 5, 31, 23, 30), 1) == date(2019, 6, 3)
    assert fn["add_working_days"](None, 1) is None
    assert fn["add_working_days"](U, 1) is U


def test_within_working_days():
    within = fn["within_working_days"]
    friday = date(2019, 5, 3)
    assert within(friday, date(2019, 5, 7), 1) is True     # Tuesday after the bank holiday
    assert within(friday, date(2019, 5, 8), 1) is False
    assert within(friday, friday, 1) is True
    assert within(friday, date(2019, 5, 2), 1) is False    # the day before is not within
    assert within(utc(2019, 5, 3, 9), utc(2019, 5, 7, 22), 1) is True  # only the dates count
    assert within(None, friday, 1) is False
    assert within(friday, None, 1) is False
    assert within(U, friday, 1) is U


def test_start_of_day_is_local_midnight():
    assert fn["start_of_day"](date(2019, 7, 1)) == utc(2019, 6, 30, 23, 0)  # BST
    assert fn["start_of_day"](date(2019, 1, 15)) == utc(2019, 1, 15, 0, 0)  # GMT
    assert fn["start_of_day"](None) is None
    assert fn["start_of_day"](U) is U


def test_max_gap_days_ignores_times_outside_the_window():
    start, end = utc(2019, 3, 1), utc(2019, 3, 31)
    times = [utc(2019, 2, 15), utc(2019, 3, 10), utc(2019, 4, 5)]
    assert fn["max_gap_days"](start, times, end) == 21.0  # 10 March to 31 March


def test_max_gap_days_orders_the_times():
    start, end = utc(2019, 3, 1), utc(2019, 3, 31)
    assert fn["max_gap_days"](start, [utc(2019, 3, 20), utc(2019, 3, 5)], end) == 15.0  # 5 to 20 March
    assert fn["max_gap_days"](start, [], end) == 30.0
    assert fn["max_gap_days"](start, [None, utc(2019, 3, 16)], end) == 15.0


def test_max_gap_days_edges():
    start, end = utc(2019, 3, 1), utc(2019, 3, 31)
    assert fn["max_gap_days"](None, [], end) is None
    assert fn["max_gap_days"](start, [], None) is None
    assert fn["max_gap_days"](end, [], start) is None  # an end before the start
    assert fn["max_gap_days"](start, [], start) == 0.0
    assert fn["max_gap_days"](U, [], end) is U
    assert fn["max_gap_days"](start, U, end) is U


def test_count():
    refs = [referral("2019-03-05T10:00", "health"), referral("2019-03-05T11:00", "childrens_social_care"),
            referral("2019-03-06T11:00", "health")]
    assert fn["count"](refs) == 3
    assert fn["count"](refs, to="health") == 2
    assert fn["count"](refs, to="school") == 0
    assert fn["count"]([]) == 0
    assert fn["count"](U) is U
    assert fn["count"](refs, to=U) is U


FIRST_LAST_TIES = [
    incident("I-1", "2019-03-05T10:00"),
    incident("I-2", "2019-03-01T10:00"),
    incident("I-3", "2019-03-01T10:00"),
    incident("I-4", "2019-03-05T10:00"),
]


def test_first_and_last_order_by_time_and_keep_file_order_for_ties():
    assert fn["first"](FIRST_LAST_TIES).ref == "I-2"  # earliest; of equal times, the first in the file
    assert fn["last"](FIRST_LAST_TIES).ref == "I-4"   # latest; of equal times, the last in the file


def test_first_and_last_filter_and_give_null_when_nothing_matches():
    refs = [referral("2019-03-06T10:00", "health"), referral("2019-03-05T11:00", "childrens_social_care"),
            referral("2019-03-04T11:00", "health")]
    assert fn["first"](refs, to="health") is refs[2]
    assert fn["last"](refs, to="health") is refs[0]
    assert fn["first"](refs, to="school") is None
    assert fn["last"]([]) is None
    assert fn["first"](U) is U
    assert fn["last"](refs, to=U) is U


def test_first_of_null_is_null_so_a_field_read_after_it_is_null():
    assert run('first(supervision, kind="reflective").at == null', supervision=[]) is True


def test_last_n():
    ordered = fn["last_n"](FIRST_LAST_TIES, 2)
    assert [i.ref for i in ordered] == ["I-1", "I-4"]
    assert [i.ref for i in fn["last_n"](FIRST_LAST_TIES, 10)] == ["I-2", "I-3", "I-1", "I-4"]
    assert list(fn["last_n"](FIRST_LAST_TIES, 0)) == []
    assert list(fn["last_n"]([], 3)) == []
    assert fn["last_n"](U, 3) is U


@pytest.mark.parametrize("values, expected", [
    ([], False), ([3], False), ([1, 2], True), ([1, 2, 5], True), ([1, 2, 2], False),
    ([3, 2, 4], False), ([2, 1], False),
])
def test_strictly_rising(values, expected):
    assert fn["strictly_rising"](values) is expected


def test_strictly_rising_of_not_captured_is_not_captured():
    assert fn["strictly_rising"](U) is U


def test_strictly_rising_with_a_null_value_is_false():
    # A comparison with null is false, so a run with a null in it cannot be strictly rising.
    assert fn["strictly_rising"]([1, None, 3]) is False


ANY_ALL = [
    # (values, any, all)
    ([], F, T),
    ([T, T], T, T),
    ([T, F], T, F),
    ([F, F], F, F),
    ([T, U], T, U),
    ([F, U], U, F),
    ([U, U], U, U),
    ([None, T], T, F),   # null counts as false
    ([0, 1], T, F),
]


@pytest.mark.parametrize("values, any_expected, all_expected", ANY_ALL)
def test_any_and_all_follow_kleene_logic(values, any_expected, all_expected):
    assert fn["any"](values) is any_expected
    assert fn["all"](values) is all_expected


def test_any_and_all_of_not_captured_are_not_captured():
    assert fn["any"](U) is U
    assert fn["all"](U) is U


@pytest.mark.parametrize("values, expected", [
    ((None, 3, 4), 3),
    ((3, U), 3),            # a value before the uncaptured one decides
    ((None, U, 3), U),      # stops at the uncaptured value: it might not have been null
    ((None, None), None),
    ((), None),
    ((0, 3), 0),            # 0 and false are values, not null
    ((False, True), False),
])
def test_coalesce(values, expected):
    result = fn["coalesce"](*values)
    assert result == expected and type(result) is type(expected)


LIST_FUNCTIONS_ON_NULL = [
    # A list read through a null record (the indicators of a null child_as_suspect) has no entries,
    # as a comprehension over it has none: each function gives what it gives for [].
    ("count", (None,), 0),
    ("first", (None,), None),
    ("last", (None,), None),
    ("last_n", (None, 3), []),
    ("strictly_rising", (None,), False),
    ("any", (None,), False),
    ("all", (None,), True),
    ("max_gap_days", (utc(2019, 3, 1), None, utc(2019, 3, 31)), 30.0),
]


@pytest.mark.parametrize("name, args, expected", LIST_FUNCTIONS_ON_NULL, ids=[n for n, _, _ in LIST_FUNCTIONS_ON_NULL])
def test_list_function_given_null_treats_it_as_no_entries(name, args, expected):
    result = fn[name](*args)
    assert (list(result) if name == "last_n" else result) == expected
    assert type(result) is type(expected) or name == "last_n"


def test_first_and_last_of_values_skip_nulls():
    # As max_gap_days does: a null value has no place in time order, and must not fail the case.
    times = [None, utc(2019, 3, 9), utc(2019, 3, 2), None]
    assert fn["first"](times) == utc(2019, 3, 2)
    assert fn["last"](times) == utc(2019, 3, 9)


def test_guarded_count_of_a_null_records_list_is_false_not_an_error():
    """The shipped definition `exploitation_indicated` is written this way (CRM-01, CRM-02).

    Whether or not `and` stops at a false left side, the count of a null record's list must not fail.
    """
    text = "child_as_suspect != null and count(child_as_suspect.exploitation_indicators) > 0"
    assert run(text, child_as_suspect=None) is False
    assert run(text, child_as_suspect=U) is U
    suspect = ChildAsSuspect.model_validate({
        "offence": "possession with intent to supply", "exploitation_indicators": ["county_lines"],
        "nrm_referred_at": None, "nrm_decision": "none", "s45_considered": False,
    })
    assert run(text, child_as_suspect=suspect) is True


def test_every_function_is_tested_here():
    tested = {"hours_between", "days_between", "within_hours", "within_days", "date", "add_working_days",
              "within_working_days", "start_of_day", "max_gap_days", "count", "first", "last", "last_n",
              "strictly_rising", "any", "all", "coalesce"}
    assert set(FUNCTIONS) == tested


# --- evidence values ----------------------------------------------------------------------------

FORMATTED = [
    (UNKNOWN, "not captured"),
    (None, "null"),
    (True, "true"),
    (False, "false"),
    (3, "3"),
    (24.0, "24"),
    (2.5, "2.5"),
    (2.0166666, "2.02"),   # 2 h 1 min: one minute over a 2-hour limit still shows
    (2.999, "3"),
    (1.25e-5, "0"),
    (0.1, "0.1"),
    (30.75, "30.75"),
    (-1.5, "-1.5"),
    ("childrens_social_care", "childrens_social_care"),
    (utc(2019, 7, 1, 8, 30), "2019-07-01 09:30"),        # BST
    (utc(2019, 1, 15, 8, 30), "2019-01-15 08:30"),       # GMT
    (utc(2019, 3, 31, 0, 59), "2019-03-31 00:59"),       # just before the clocks go forward
    (utc(2019, 3, 31, 1, 0), "2019-03-31 02:00"),        # just after
    (date(2019, 3, 4), "2019-03-04"),
    ([], "none"),
    ([1, 2.5, None], "1, 2.5, null"),
    ((3, 4), "3, 4"),
    ([UNKNOWN], "not captured"),
    (["police", "health"], "police, health"),
]


@pytest.mark.parametrize("value, expected", FORMATTED)
def test_format_value(value, expected):
    assert format_value(value) == expected


def test_format_value_shows_a_record_by_its_ref():
    assert format_value(incident("I-7", "2019-03-04T10:00")) == "I-7"
    assert format_value([incident("I-7", "2019-03-04T10:00"), incident("I-8", "2019-03-05T10:00")]) == "I-7, I-8"
    # A record without a ref is shown by its kind.
    assert format_value(referral("2019-03-04T10:00", "health")) == "Referral"
