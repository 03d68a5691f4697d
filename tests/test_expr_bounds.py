"""Bounds of the criteria language: what is refused when the file loads, and what stops evaluation.

A criteria file is trusted to describe criteria, not to run without limit: an expression nested
too deeply to read is refused at load with its file, line and column (never a RecursionError), and
evaluation that goes over a limit (steps, list size, number magnitude, working days) or overflows
a date becomes the `error` state of that criterion on that case, with a reason naming the limit.
The limits are documented in docs/criteria-language.md ("Limits"); each is tested exactly at the
limit and one over.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import make_case

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.scoring import expr, functions
from thematic.scoring.criteria import load_criteria
from thematic.scoring.evaluate import Scorer
from thematic.scoring.expr import ExprError, Scope, compile_expression, format_value
from thematic.scoring.parameters import ParameterError, check_value

AS_OF = date(2019, 11, 30)
SCOPE = Scope(params=frozenset({"p"}))


def criteria_document(met: str, definitions: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """A one-criterion criteria file whose `met` is the expression under test."""
    criterion = {"id": "X-01", "theme": "t", "type": "automatic", "severity": "minor",
                 "question": "q", "source": "s", "met": met, **extra}
    return {
        "id": "bounds", "version": "1", "title": "t", "source": "s",
        "parameters": {"p": {"default": 1, "unit": "count", "basis": "b", "description": "d"}},
        "themes": {"t": {"title": "t", "finding": "f"}},
        "definitions": definitions or {},
        "criteria": [criterion],
        "grading": {"rules": [], "otherwise": "good", "description": "d"},
    }


def write_criteria(folder: Path, document: dict[str, Any]) -> Path:
    path = folder / "criteria.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=10**6), encoding="utf-8")
    return path


def load_problems(folder: Path, met: str, **kwargs: Any) -> str:
    with pytest.raises(InputError) as caught:
        load_criteria(write_criteria(folder, criteria_document(met, **kwargs)))
    return str(caught.value)


def score_one(met: str, case=None, definitions: dict[str, str] | None = None, folder: Path | None = None,
              **extra: Any):
    assert folder is not None
    criteria = load_criteria(write_criteria(folder, criteria_document(met, definitions, **extra)))
    return Scorer(criteria, criteria.defaults(), AS_OF).score(case or make_case()).results["X-01"]


def cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- refused when the file loads: depth, nesting, chains ---------------------------------------

@pytest.mark.parametrize("text", [
    "not " * 300 + "true",
    "-" * 1990 + "1 == 1",
    "1" + " and 1" * 330,
    "1" + " + 1" * 400 + " > 0",
], ids=["300 nots", "1990 minus signs", "330 ands", "400 additions"])
def test_deep_or_long_chains_are_refused_with_a_column_not_a_recursion_error(text):
    with pytest.raises(ExprError) as caught:
        compile_expression(text, SCOPE)
    assert caught.value.column is not None and caught.value.column >= 1
    assert "at most" in caught.value.reason


def test_depth_exactly_at_the_limit_is_accepted_and_one_more_is_refused():
    at_limit = "not " * (expr.MAX_DEPTH - 1) + "true"  # MAX_DEPTH - 1 `not`s around a constant
    compile_expression(at_limit, SCOPE)
    with pytest.raises(ExprError) as caught:
        compile_expression("not " + at_limit, SCOPE)
    assert f"at most {expr.MAX_DEPTH} levels" in caught.value.reason
    # the column points at the node that goes one level too deep: the constant at the bottom
    assert caught.value.column == len("not " * expr.MAX_DEPTH) + 1


def test_operands_of_one_and_or_chain_exactly_at_the_limit_and_one_over():
    at_limit = " and ".join(["true"] * expr.MAX_OPERANDS)
    assert compile_expression(at_limit, SCOPE)({}, {}) is True
    compile_expression(at_limit + " or false", SCOPE)  # `or` binds looser: a chain of 2 around the `and`s
    text = at_limit + " and false"
    with pytest.raises(ExprError) as caught:
        compile_expression(text, SCOPE)
    assert f"at most {expr.MAX_OPERANDS}" in caught.value.reason
    assert caught.value.column == text.rindex("false") + 1  # the operand one over


def test_a_long_chain_of_or_operands_is_refused():
    with pytest.raises(ExprError) as caught:
        compile_expression(" or ".join(["false"] * (expr.MAX_OPERANDS + 1)), SCOPE)
    assert f"at most {expr.MAX_OPERANDS}" in caught.value.reason


def nested_comprehension(levels: int) -> str:
    text = "1"
    for level in range(levels):
        text = f"[{text} for v{level} in [1, 2]]"
    return f"count({text}) > 0"


def test_comprehension_nesting_exactly_at_the_limit_and_one_over():
    compile_expression(nested_comprehension(expr.MAX_COMPREHENSION_DEPTH), SCOPE)
    text = nested_comprehension(expr.MAX_COMPREHENSION_DEPTH + 1)
    with pytest.raises(ExprError) as caught:
        compile_expression(text, SCOPE)
    assert f"at most {expr.MAX_COMPREHENSION_DEPTH}" in caught.value.reason
    # the column is that of the innermost comprehension, the one too many
    assert text[caught.value.column - 1:].startswith("[1 for v0")


def test_a_deep_not_chain_through_the_cli_is_exit_2_with_file_line_and_column(tmp_path, capsys):
    path = write_criteria(tmp_path, criteria_document("not " * 300 + "true"))
    before = digest(path)
    code, out, err = cli(["validate", str(path)], capsys)
    assert code == 2, err
    assert f"{path}:" in err and "criteria[0].met: column " in err and "nested too deeply" in err
    assert "Traceback" not in err and "RecursionError" not in err
    assert digest(path) == before


def test_definition_chain_exactly_at_the_limit_and_one_over(tmp_path):
    limit = expr.MAX_DEFINITION_DEPTH
    chain = {"d1": "true", **{f"d{i}": f"d{i - 1}" for i in range(2, limit + 1)}}
    assert score_one(f"d{limit}", definitions=chain, folder=tmp_path).state == "met"
    chain[f"d{limit + 1}"] = f"d{limit}"
    message = load_problems(tmp_path, f"d{limit + 1}", definitions=chain)
    assert f"definitions.d{limit + 1}:" in message and f"at most {limit}" in message


# --- keyword filters name fields of the listed entries ------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("first([r.at for r in referrals], __class__=1) == null", "only a list of records"),
    ("count([1, 2], to=1) > 0", "only a list of records"),
    ("count(referrals, too=\"health\") > 0", "did you mean 'to'?"),
    ("first(referrals, __class__=1) == null", "Referral has no field '__class__'"),
    ("count(params.p, to=1) > 0", "only a list of records"),
])
def test_keyword_filters_must_be_fields_of_the_listed_records(text, words):
    with pytest.raises(ExprError) as caught:
        compile_expression(text, SCOPE)
    assert words in caught.value.reason
    keyword = text.split(", ")[-1].split("=")[0]
    assert text[caught.value.column - 1:].startswith(keyword)


def test_a_filter_on_a_field_is_still_accepted():
    compiled = compile_expression('count(referrals, to="health") == 0', SCOPE)
    assert compiled({"referrals": []}, {}) is True


# --- parameters are numbers within the language's range -----------------------------------------

def test_a_parameter_default_over_the_number_limit_is_refused_at_load(tmp_path):
    document = criteria_document("true")
    document["parameters"]["p"]["default"] = expr.MAX_NUMBER + 1
    with pytest.raises(InputError) as caught:
        load_criteria(write_criteria(tmp_path, document))
    assert "parameters.p.default" in str(caught.value)
    document["parameters"]["p"]["default"] = expr.MAX_NUMBER
    assert load_criteria(write_criteria(tmp_path, document)).defaults()["p"] == expr.MAX_NUMBER


def test_a_parameter_override_over_the_number_limit_is_refused(tmp_path):
    criteria = load_criteria(write_criteria(tmp_path, criteria_document("true")))
    assert check_value(criteria, "p", expr.MAX_NUMBER) == expr.MAX_NUMBER
    with pytest.raises(ParameterError) as caught:
        check_value(criteria, "p", expr.MAX_NUMBER + 1)
    assert "a number from 0 to 1,000,000,000" in str(caught.value)


# --- evaluation limits: the error state, naming the limit, and the run goes on ------------------

def test_steps_exactly_at_the_limit_are_met_and_one_more_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(functions, "MAX_STEPS", 20)
    ten = "[" + ", ".join(["1"] * 10) + "]"
    # the comprehension goes through 10 entries and count() through the 10 it built: 20 steps
    assert score_one(f"count([x for x in {ten}]) == 10", folder=tmp_path).state == "met"
    result = score_one(f"count([x for x in {ten}]) == 10 and count([1]) == 1", folder=tmp_path)
    assert result.state == "error"
    assert result.evidence == ("evaluation stopped: more than 20 steps (entries gone through) "
                               "for one criterion on one case")


def test_the_budget_is_per_criterion_and_case_so_the_next_criterion_starts_afresh(tmp_path, monkeypatch):
    monkeypatch.setattr(functions, "MAX_STEPS", 20)
    ten = "[" + ", ".join(["1"] * 10) + "]"
    document = criteria_document(f"count([x for x in {ten}]) == 10")
    document["criteria"].append({**document["criteria"][0], "id": "X-02"})
    criteria = load_criteria(write_criteria(tmp_path, document))
    scorer = Scorer(criteria, criteria.defaults(), AS_OF)
    for _ in range(3):
        states = {cid: r.state for cid, r in scorer.score(make_case()).results.items()}
        assert states == {"X-01": "met", "X-02": "met"}


def many_referrals(count: int):
    return make_case(referrals=[{"at": "2019-03-04T17:00", "to": "health"}] * count)


@pytest.mark.parametrize("count, state", [(999, "met"), (1000, "error")])
def test_nested_comprehensions_over_a_long_list_stop_at_the_real_limit(tmp_path, count, state):
    # count + count * count entries gone through, and count() through `count` more: 999 gives 999,999 steps
    met = "count([[1 for a in referrals] for b in referrals]) > 0"
    result = score_one(met, case=many_referrals(count), folder=tmp_path)
    assert result.state == state
    if state == "error":
        assert "more than 1,000,000 steps" in result.evidence


def test_steps_of_a_definition_count_towards_the_criterion_that_reads_it(tmp_path):
    definitions = {"pairs": "[[1 for a in referrals] for b in referrals]"}
    result = score_one("count(pairs) > 0", case=many_referrals(1000), definitions=definitions, folder=tmp_path)
    assert result.state == "error" and "steps" in result.evidence


def test_a_filtering_function_counts_the_entries_it_goes_through(tmp_path, monkeypatch):
    monkeypatch.setattr(functions, "MAX_STEPS", 10)
    five = "[" + ", ".join(["1"] * 5) + "]"
    assert score_one(f"count({five}) + count({five}) == 10", folder=tmp_path).state == "met"
    assert score_one(f"count({five}) + count({five}) + count([1]) == 11", folder=tmp_path).state == "error"


def test_in_with_a_built_list_on_the_right_counts_its_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(functions, "MAX_STEPS", 12)
    five = "[" + ", ".join(["1"] * 5) + "]"
    assert score_one(f"1 in [x for x in {five}] and 1 in [x for x in [1]]",
                     folder=tmp_path).state == "met"  # 5 + 5 + 1 + 1
    assert score_one(f"1 in [x for x in {five}] and 2 in [x for x in [1]]", folder=tmp_path).state == "not_met"
    result = score_one(f"1 in [x for x in {five}] and 1 in [x for x in [1, 1]]", folder=tmp_path)
    assert result.state == "error" and "more than 12 steps" in result.evidence


def test_a_list_exactly_at_the_size_limit_is_used_and_one_more_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(functions, "MAX_ITEMS", 3)
    assert score_one("count([x for x in [1, 2, 3]]) == 3", folder=tmp_path).state == "met"
    result = score_one("count([x for x in [1, 2, 3, 4]]) == 4", folder=tmp_path)
    assert result.state == "error"
    assert result.evidence == "evaluation stopped: a list of 4 entries is over the limit of 3 entries"


def test_numbers_exactly_at_the_magnitude_limit_and_one_over(tmp_path):
    limit = functions.MAX_MAGNITUDE  # 10**15 = 1000000 * 1000000000
    assert score_one("1000000 * 1000000000 > 0", folder=tmp_path).state == "met"
    assert score_one("-1000000 * 1000000000 < 0", folder=tmp_path).state == "met"
    over = score_one("1000000 * 1000000000 + 1 > 0", folder=tmp_path)
    assert over.state == "error"
    assert over.evidence == f"evaluation stopped: arithmetic gave a number beyond the limit of {limit:,} either way"
    assert score_one("-1000000 * 1000000000 - 1 < 0", folder=tmp_path).state == "error"


def test_definitions_cannot_grow_numbers_without_limit(tmp_path):
    big = " * ".join(["1000000000"] * 30)  # 30 factors: within the depth limit
    definitions = {"d1": big, "d2": "d1 * d1 * d1 * d1", "d3": "d2 * d2 * d2 * d2"}
    result = score_one("d3 > 0", definitions=definitions, folder=tmp_path)
    assert result.state == "error" and "beyond" in result.evidence


@pytest.mark.parametrize("count, state",
                         [(functions.MAX_WORKING_DAYS, "met"), (functions.MAX_WORKING_DAYS + 1, "error")])
def test_working_days_to_step_exactly_at_the_limit_and_one_over(tmp_path, count, state):
    result = score_one(f"add_working_days(date(reported_at), {count}) != null", folder=tmp_path)
    assert result.state == state
    if state == "error":
        assert result.evidence == (f"evaluation stopped: {count:,} working days is over the limit of "
                                   f"{functions.MAX_WORKING_DAYS:,}")


def test_a_billion_working_days_stops_at_the_limit(tmp_path):
    # the evidence shows it stopped at the limit rather than stepping a billion days (timed nowhere: a
    # loaded machine must not fail a test)
    result = score_one("add_working_days(as_of, 1000000000) != null", folder=tmp_path)
    assert result.state == "error" and "over the limit" in result.evidence


# --- dates near the ends of the calendar never stop the run -------------------------------------

def test_a_date_out_of_range_is_the_error_state_with_its_reason(tmp_path):
    criteria = load_criteria(write_criteria(tmp_path, criteria_document("add_working_days(as_of, 1) != null")))
    result = Scorer(criteria, criteria.defaults(), date(9999, 12, 31)).score(make_case()).results["X-01"]
    assert result.state == "error"
    assert result.evidence == "evaluation failed: a date, time or number is out of range (date value out of range)"


def test_a_time_near_year_one_in_a_data_quality_note_does_not_stop_scoring(tmp_path):
    # closed before reported: the data-quality note formats a time that London's 1 AD offset pushes into year 0
    # set without validation: the case loader may refuse such times, but evaluation must not rely on it
    case = make_case().model_copy(update={"reported_at": datetime(1, 1, 1, 0, 0, 30, tzinfo=UTC),
                                          "closed_at": datetime(1, 1, 1, tzinfo=UTC)})
    criteria = load_criteria(write_criteria(tmp_path, criteria_document("true")))
    result = Scorer(criteria, criteria.defaults(), AS_OF).score(case)
    assert result.results["X-01"].state == "met"
    assert result.data_quality == ("closed_at (0001-01-01 00:00 UTC) is before reported_at (0001-01-01 00:00 UTC)",)


@pytest.mark.parametrize("moment, text", [
    (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01 00:00 UTC"),  # London's 1 AD offset would give year 0
    (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "9999-12-31 23:59"),
])
def test_format_value_is_total_at_the_ends_of_the_calendar(moment, text):
    assert format_value(moment) == text
    assert format_value([moment]) == text


def test_a_case_near_year_one_scores_through_the_cli_without_a_traceback(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump({
        "case_id": "T-001", "force": "testshire", "category": "neglect",
        "reported_at": "0001-01-01T00:00:30Z", "closed_at": "0001-01-01T00:00Z",
        "child": {"ref": "C-1", "age": 9},
    }), encoding="utf-8")
    criteria = write_criteria(tmp_path, criteria_document("date(reported_at) != null"))
    before = digest(case), digest(criteria)
    code, out, err = cli(["score", str(case), "--criteria", str(criteria), "--as-of", "2019-11-30"], capsys)
    assert (digest(case), digest(criteria)) == before
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:  # another loader may refuse such a date: then with its location
        assert f"{case}:" in err
    else:
        assert code == 0
        assert '"state": "error"' in out and "out of range" in out
