"""Reading results files back: what `thematic run` writes loads as it was; anything else is a located error."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from results_factory import results_doc, write

from thematic.core.errors import InputError
from thematic.load.results import load_results, parse_results
from thematic.model.results import CriterionSummary, ResultsDocument, ThemeSummary
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "inspections" / "exampleshire-2019.yaml"


@pytest.fixture(scope="module")
def scored() -> dict:
    return inspection_results(load_inspection(EXAMPLE)).to_json()


@pytest.fixture
def base() -> dict:
    return results_doc({"SUP-01": (7, 9), "TIM-01": (13, 16)}, themes={"supervision": (4, 9)},
                       suggested={"good": 4, "requires_improvement": 3, "inadequate": 9},
                       inspector={"good": 4, "requires_improvement": 3, "inadequate": 7})


def problems_of(tmp_path: Path, document_or_text) -> list:
    path = tmp_path / "results.json"
    text = document_or_text if isinstance(document_or_text, str) else json.dumps(document_or_text, indent=2)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_results(path)
    return caught.value.problems


# --- what the scorer writes loads as it was --------------------------------------------------------

def test_scored_example_reads_back_with_every_count(tmp_path, scored):
    results = load_results(write(tmp_path / "results.json", scored))
    assert results.label == "exampleshire-2019"
    assert results.inspection.force == "exampleshire" and results.inspection.year == 2019
    assert results.inspection.as_of == "2019-11-30"
    assert results.criteria_id == "ncpi-thematic-2019" and results.criteria_version == "2"
    assert results.fingerprints == scored["criteria"]["fingerprints"]
    assert list(results.criteria) == list(scored["criteria"]["fingerprints"])
    for cid, entry in scored["summary"]["criteria"].items():
        counts = results.criteria[cid]
        assert counts.met == entry["met"] and counts.assessed == entry["assessed"]
        assert counts.total == len(scored["cases"])
    for theme, entry in scored["summary"]["themes"].items():
        assert results.themes[theme] == ThemeSummary(**entry)
    graded = {g: n for g, n in scored["summary"]["grades"]["inspector"].items() if g != "none"}
    assert results.inspector_grades == graded
    assert results.suggested_grades == scored["summary"]["grades"]["suggested"]
    assert results.case_ids == tuple(c["case_id"] for c in scored["cases"])
    assert results.raw == scored
    assert results.document.cases is None  # read only when asked for
    assert load_results(tmp_path / "results.json", cases=True).document == ResultsDocument.from_json(scored)
    assert load_results(tmp_path / "results.json", cases=True).document.to_json() == scored


def test_counts_of_a_hand_built_document(tmp_path, base):
    results = load_results(write(tmp_path / "r.json", base))
    assert results.criteria["SUP-01"] == CriterionSummary(met=7, not_met=2, not_evidenced=0, not_applicable=7,
                                                          unable_to_assess=0, pending=0, error=0)
    assert results.criteria["SUP-01"].assessed == 9
    assert results.cases == 16
    assert results.inspector_grades == {"good": 4, "requires_improvement": 3, "inadequate": 7}


def test_results_without_an_inspection_are_labelled_by_their_path(tmp_path):
    document = results_doc({"SUP-01": (1, 2)}, inspection=None, force=None, year=None)
    path = write(tmp_path / "scored.json", document)
    results = load_results(path)
    assert results.inspection.id is None and results.inspection.year is None
    assert results.label == str(path)


def test_keys_this_version_does_not_know_are_ignored(tmp_path, base):
    base["x_future"] = {"anything": 1}
    base["summary"]["criteria"]["SUP-01"]["new_statistic"] = 0.5
    assert load_results(write(tmp_path / "r.json", base)).criteria["SUP-01"].met == 7


# --- another format or version ---------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("thematic.results/2", 'version "thematic.results/2" is not supported'),
    ("thematic.results/0", 'version "thematic.results/0" is not supported'),
    ("thematic.comparison/1", '"thematic.comparison/1" is not a results file format'),
    (1, "1 is not a results file format"),
    (None, "null is not a results file format"),
])
def test_another_format_or_version_is_refused_at_the_format_line(tmp_path, base, value, expected):
    base["format"] = value
    [problem] = problems_of(tmp_path, base)
    assert expected in problem.message and "thematic.results/1" in problem.message
    assert problem.field == "format" and problem.line == 2


def test_a_document_without_format_is_not_a_results_file(tmp_path, base):
    del base["format"]
    [problem] = problems_of(tmp_path, base)
    assert problem.field == "format" and "not a thematic results file" in problem.message


# --- malformed files ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "expected"), [
    ('{\n  "format": "thematic.results/1",\n  "cases": [1, 2,]\n}\n', 3, "invalid JSON"),
    ('{\n  "format": "thematic.results/1"\n  "cases": []\n}\n', 3, "invalid JSON"),
    ('{\n  "format": "thematic.results/1",\n', 3, "invalid JSON"),
    ('{\n  "format": "thematic.results/1",\n  "format": "thematic.results/1"\n}\n', 3, 'duplicate key "format"'),
    ('[1, 2]\n', 1, "expected a JSON object"),
    ('   \n\n', None, "is empty"),
])
def test_malformed_json_is_reported_with_its_line(tmp_path, text, line, expected):
    [problem] = problems_of(tmp_path, text)
    assert expected in problem.message
    assert problem.line == line


@pytest.mark.parametrize("make", [lambda p: p / "missing.json", lambda p: p])
def test_a_missing_file_or_a_folder_is_an_input_error(tmp_path, make):
    with pytest.raises(InputError) as caught:
        load_results(make(tmp_path))
    assert str(make(tmp_path)) in str(caught.value)


# --- missing keys and wrong values -------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    ("inspection",), ("inspection", "as_of"), ("inspection", "id"), ("criteria",), ("criteria", "id"),
    ("criteria", "version"), ("criteria", "fingerprints"), ("parameters",), ("cases",), ("summary",),
    ("summary", "criteria"), ("summary", "themes"), ("summary", "grades"), ("summary", "grades", "inspector"),
    ("summary", "criteria", "SUP-01", "not_evidenced"), ("summary", "themes", "supervision", "all_met"),
])
def test_a_missing_key_is_named_with_its_path(tmp_path, base, path):
    parent = base
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    problems = problems_of(tmp_path, base)
    assert any(p.field == ".".join(path) and p.message.startswith("missing") for p in problems), problems
    assert all(p.line is not None for p in problems)


def test_a_missing_key_points_at_the_line_of_its_parent(tmp_path, base):
    del base["criteria"]["version"]
    [problem] = problems_of(tmp_path, base)
    text = json.dumps(base, indent=2).splitlines()
    assert text[problem.line - 1].strip() == '"criteria": {'


@pytest.mark.parametrize(("path", "value", "expected"), [
    (("summary", "criteria", "SUP-01", "met"), -1, "0 or more, got -1"),
    (("summary", "criteria", "SUP-01", "met"), 7.0, "whole number"),
    (("summary", "criteria", "SUP-01", "met"), True, "got true"),
    (("summary", "criteria", "SUP-01", "met"), "7", 'got "7"'),
    (("inspection", "year"), "2019", "whole number"),
    (("inspection", "id"), 12, "text"),
    (("criteria", "fingerprints", "SUP-01"), 5, "fingerprint (text)"),
    (("cases",), {"case_id": "A"}, "list of case results"),
    (("summary", "themes", "supervision"), [4, 9], "cases and all_met"),
])
def test_a_wrong_value_is_named_with_what_is_expected(tmp_path, base, path, value, expected):
    parent = base
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    problems = problems_of(tmp_path, base)
    assert any(p.field == ".".join(path) and expected in p.message for p in problems), problems


def test_every_problem_of_a_file_is_reported_together(tmp_path, base):
    del base["criteria"]["version"]
    base["summary"]["criteria"]["TIM-01"]["met"] = -3
    base["inspection"]["as_of"] = None
    fields = {p.field for p in problems_of(tmp_path, base)}
    assert {"criteria.version", "inspection.as_of"} <= fields
    assert any(f and f.startswith("summary.criteria.TIM-01") for f in fields)


# --- a summary that does not add up --------------------------------------------------------------------

def test_state_counts_must_add_up_to_the_cases(tmp_path, base):
    base["summary"]["criteria"]["SUP-01"]["not_applicable"] += 1
    [problem] = problems_of(tmp_path, base)
    assert problem.field == "summary.criteria.SUP-01"
    assert "add up to 17" in problem.message and "16 case" in problem.message


def test_grade_counts_must_add_up_to_the_cases(tmp_path, base):
    base["summary"]["grades"]["suggested"]["good"] = 5
    [problem] = problems_of(tmp_path, base)
    assert problem.field == "summary.grades.suggested" and "add up to 17" in problem.message


@pytest.mark.parametrize(("theme", "expected"),
                         [((10, 9), "more than the theme's 9"), ((4, 17), "more than the file's 16")])
def test_theme_counts_must_be_possible(tmp_path, base, theme, expected):
    all_met, cases = theme
    base["summary"]["themes"]["supervision"] = {"cases": cases, "all_met": all_met}
    [problem] = problems_of(tmp_path, base)
    assert expected in problem.message


def test_fingerprints_and_summary_must_name_the_same_criteria(tmp_path, base):
    base["criteria"]["fingerprints"]["EXTRA-01"] = "sha256:x"
    base["summary"]["criteria"]["ORPHAN-01"] = copy.deepcopy(base["summary"]["criteria"]["SUP-01"])
    messages = [p.message for p in problems_of(tmp_path, base)]
    assert any("EXTRA-01" in m and "no summary" in m for m in messages)
    assert any("ORPHAN-01" in m and "no fingerprint" in m for m in messages)


def test_a_case_id_given_twice_is_refused(tmp_path, base):
    base["cases"][1]["case_id"] = base["cases"][0]["case_id"]
    [problem] = problems_of(tmp_path, base)
    assert problem.field == "cases[1].case_id" and "more than once" in problem.message


def test_parse_results_names_the_file_it_is_given():
    with pytest.raises(InputError) as caught:
        parse_results("{}", "somewhere/before.json")
    assert str(caught.value).startswith("somewhere/before.json:1: format:")


# --- rates and intervals: read as written, never contradicting the counts ----------------------------

def test_rates_and_intervals_are_read_as_the_scorer_wrote_them(tmp_path, scored):
    results = load_results(write(tmp_path / "results.json", scored))
    for cid, entry in scored["summary"]["criteria"].items():
        read = results.criteria[cid]
        assert (read.rate, read.ci_low, read.ci_high) == (entry["rate"], entry["ci_low"], entry["ci_high"])
    for theme, entry in scored["summary"]["themes"].items():
        assert results.themes[theme].rate == entry["rate"]


@pytest.mark.parametrize(("change", "field", "expected"), [
    (dict(rate=0.8), "summary.criteria.SUP-01.rate", "expected 7 / 9"),
    (dict(rate=1.5), "summary.criteria.SUP-01.rate", "expected a proportion from 0 to 1"),
    (dict(rate=True), "summary.criteria.SUP-01.rate", "expected a proportion from 0 to 1"),
    (dict(ci_low=None), "summary.criteria.SUP-01", "all numbers, or all null"),
])
def test_a_rate_that_does_not_belong_to_its_counts_is_refused(tmp_path, base, change, field, expected):
    base["summary"]["criteria"]["SUP-01"].update(rate=7 / 9, ci_low=0.45, ci_high=0.94)
    base["summary"]["criteria"]["SUP-01"].update(change)
    [problem] = problems_of(tmp_path, base)
    assert problem.field == field and expected in problem.message


def test_a_rate_of_nothing_assessed_must_be_null(tmp_path, base):
    base["summary"]["criteria"]["SUP-01"].update(met=0, not_met=0, not_applicable=16, rate=0.0, ci_low=0.0,
                                                 ci_high=0.0)
    [problem] = problems_of(tmp_path, base)
    assert problem.field == "summary.criteria.SUP-01.rate" and "expected null" in problem.message


def test_cases_are_read_only_when_asked_for_and_then_checked(tmp_path, base):
    path = write(tmp_path / "r.json", base)
    assert load_results(path).document.cases is None
    with pytest.raises(InputError) as caught:
        load_results(path, cases=True)  # the factory's cases hold no results, its summary no rates
    messages = [p.message for p in caught.value.problems]
    assert "no rate: expected rate, ci_low and ci_high as thematic writes them" in messages
    assert "missing provisional: expected a count, 0 or more" in messages
    assert "expected a mapping of criterion ids to results" in messages
