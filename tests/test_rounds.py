"""Rounds scored by their own rules (issue 12 item 5): criteria that apply from a date, and reports
that name their inspection round and show 2015's grades in 2015's words.

A criterion with `applies_from` is not applicable to a case whose event (`dated_by`, else
`reported_at`) falls before that date in England and Wales. Expected states are worked out by hand
from docs/criteria-language.md ("Criteria that apply from a date") and the case-file format:
CRM-02 (the s45 defence, from 31 July 2015) is dated by the decision on the child's offence
(`outcome.decided_at`), CRM-01 (the duty to notify, from 1 November 2015) by `reported_at`.
Summer times are BST (UTC+1), so "2015-07-31T00:00" local is 30 July 23:00 UTC.
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import CAPTURED_EMPTY, make_case
from render_samples import hand_made
from report_helpers import run
from results_factory import write

from thematic.core.errors import InputError
from thematic.demo import Planned, generate_and_run
from thematic.load.criteria import shipped_criteria_path
from thematic.load.results import load_case_states_files
from thematic.model.inspection import inspection_round
from thematic.render.agreement_text import agreement_text
from thematic.render.assessors import assessors_html, assessors_report
from thematic.render.force import render_force_report
from thematic.render.table import summary_table
from thematic.scoring.criteria import load_criteria
from thematic.scoring.evaluate import Scorer
from thematic.scoring.fingerprint import fingerprints
from thematic.scoring.functions import UNKNOWN
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection
from thematic.stats.agreement import Agreement
from thematic.stats.assessors import compare_assessors

MET, NOT_MET, NOT_EVIDENCED = "met", "not_met", "not_evidenced"
NOT_APPLICABLE, UNABLE = "not_applicable", "unable_to_assess"
AS_OF = date(2015, 12, 1)


def suspect_case(reported_at: str = "2015-07-01T10:00", decided_at: str | None = "2015-07-31T00:00",
                 **fields: Any) -> dict[str, Any]:
    """A child suspect with exploitation indicators (so CRM-01 and CRM-02 apply on their conditions)."""
    data: dict[str, Any] = {
        **CAPTURED_EMPTY, "case_id": "R-001", "category": "criminal_exploitation",
        "reported_at": reported_at, "child": {"ref": "C-0001", "age": 15},
        "child_as_suspect": {"offence": "possession with intent to supply class A",
                             "exploitation_indicators": ["county_lines"], "nrm_referred_at": None,
                             "nrm_decision": "none", "s45_considered": False},
        "outcome": None if decided_at is None else {"code": 1, "decided_at": decided_at,
                                                    "rationale_recorded": False, "victim_informed": False},
    }
    data.update(fields)
    return data


@pytest.fixture(scope="module")
def scorers(criteria):
    """The default scorer (the generated set function) and the reference loop, for each as_of used."""
    def make(as_of: date) -> tuple[Scorer, Scorer]:
        fast = Scorer(criteria, criteria.defaults(), as_of)
        assert fast._set is not None, "the generated set function must be the one under test"
        return fast, Scorer(criteria, criteria.defaults(), as_of, reference=True)
    return make


def results(scorers, data: dict[str, Any], criterion: str, as_of: date = AS_OF) -> tuple[str, str]:
    """(state, evidence) of one criterion, after checking both evaluators give exactly the same."""
    case = make_case(data)
    fast, reference = scorers(as_of)
    mine, theirs = fast.score(case).results[criterion], reference.score(case).results[criterion]
    assert (mine.state, mine.evidence) == (theirs.state, theirs.evidence)
    return mine.state, mine.evidence


# --- CRM-02: the s45 defence, dated by the decision ------------------------------------------------

def test_a_decision_exactly_on_31_july_2015_applies(scorers):
    # 00:00 BST on 31 July is 23:00 UTC on 30 July: the calendar date in England decides.
    assert results(scorers, suspect_case(decided_at="2015-07-31T00:00"), "CRM-02")[0] == NOT_MET


def test_a_decision_the_day_before_is_not_applicable_with_the_reason(scorers):
    # The reason is the case's own: the date the criterion applies from, and this case's decision date.
    state, evidence = results(scorers, suspect_case(decided_at="2015-07-30T23:59"), "CRM-02")
    assert (state, evidence) == (
        NOT_APPLICABLE, "not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at was 30 July 2015")


def test_each_case_before_the_date_gets_its_own_date(scorers):
    evidences = {results(scorers, suspect_case(decided_at=day), "CRM-02")[1]
                 for day in ("2015-03-03T10:00", "2015-07-30T23:59")}
    assert evidences == {
        "not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at was 3 March 2015",
        "not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at was 30 July 2015"}


def test_a_case_not_applicable_on_its_conditions_keeps_the_fixed_text(scorers):
    # In force by its date, but no exploitation indicated: the date is not the reason, so it is not given.
    data = suspect_case(decided_at="2015-08-03T12:00")
    data["child_as_suspect"]["exploitation_indicators"] = []
    state, evidence = results(scorers, data, "CRM-02")
    assert state == NOT_APPLICABLE and evidence.startswith("does not apply: ") and "applies from" not in evidence


def test_a_utc_time_is_read_as_its_date_in_england(scorers):
    # 23:30 UTC on 30 July is 00:30 BST on 31 July: in force.
    assert results(scorers, suspect_case(decided_at="2015-07-30T23:30Z"), "CRM-02")[0] == NOT_MET


def test_a_met_case_after_the_date_stays_met(scorers):
    data = suspect_case(decided_at="2015-08-03T12:00")
    data["child_as_suspect"]["s45_considered"] = True
    assert results(scorers, data, "CRM-02")[0] == MET


def test_an_uncaptured_decision_is_unable_to_assess_naming_the_section(scorers):
    data = suspect_case()
    del data["outcome"]  # absent: the export did not capture it
    state, evidence = results(scorers, data, "CRM-02")
    assert state == UNABLE and "outcome" in evidence


def test_an_uncaptured_decision_of_a_case_reported_after_the_date_still_applies(scorers):
    data = suspect_case(reported_at="2015-07-31T09:00")
    del data["outcome"]
    assert results(scorers, data, "CRM-02")[0] == NOT_MET


def test_an_uncaptured_decision_does_not_matter_when_the_criterion_does_not_apply_anyway(scorers):
    data = suspect_case()
    del data["outcome"]
    data["child_as_suspect"]["exploitation_indicators"] = []
    assert results(scorers, data, "CRM-02")[0] == NOT_APPLICABLE


@pytest.mark.parametrize(("as_of", "expected"), [(date(2015, 7, 30), NOT_APPLICABLE),
                                                 (date(2015, 7, 31), NOT_MET)])
def test_a_decision_not_yet_made_is_dated_by_the_sample_date(scorers, as_of, expected):
    assert results(scorers, suspect_case(decided_at=None), "CRM-02", as_of)[0] == expected


def test_a_decision_not_yet_made_before_the_date_says_when_the_sample_was_taken(scorers):
    assert results(scorers, suspect_case(decided_at=None), "CRM-02", date(2015, 7, 30)) == (
        NOT_APPLICABLE, "not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at is not recorded, "
                        "and the sample was taken on 30 July 2015")


# --- CRM-01: the duty to notify, dated by the report -------------------------------------------------

@pytest.mark.parametrize(("reported_at", "expected"), [("2015-10-31T23:59", NOT_APPLICABLE),
                                                       ("2015-11-01T00:00", NOT_EVIDENCED)])
def test_the_duty_to_notify_applies_from_1_november_2015_by_the_report(scorers, reported_at, expected):
    # The decision date does not matter for CRM-01: only the report.
    data = suspect_case(reported_at=reported_at, decided_at="2016-01-05T10:00")
    state, evidence = results(scorers, data, "CRM-01")
    assert state == expected
    if expected == NOT_APPLICABLE:
        assert evidence == ("not applicable: CRM-01 applies from 1 November 2015; "
                            "this case was reported on 31 October 2015")


def test_a_2019_case_is_scored_as_before(scorers):
    # The criminalisation tests hold every 2019 state; here both dated criteria apply on a 2019 case.
    data = suspect_case(reported_at="2019-03-04T16:20", decided_at="2019-03-05T11:00")
    assert results(scorers, data, "CRM-01", date(2019, 11, 30))[0] == NOT_EVIDENCED
    assert results(scorers, data, "CRM-02", date(2019, 11, 30))[0] == NOT_MET


# --- the criteria file --------------------------------------------------------------------------------

def without_dates(text: str) -> str:
    return "\n".join(line for line in text.splitlines()
                     if not line.strip().startswith(("applies_from:", "dated_by:"))) + "\n"


def test_only_the_dated_criteria_change_their_fingerprint(tmp_path: Path, criteria):
    undated = tmp_path / "undated.yaml"
    undated.write_text(without_dates(shipped_criteria_path().read_text(encoding="utf-8")), encoding="utf-8")
    before = fingerprints(load_criteria(undated), criteria.defaults())
    after = fingerprints(criteria, criteria.defaults())
    assert sorted(c for c in after if after[c] != before[c]) == ["CRM-01", "CRM-02"]


def test_the_shipped_file_dates_the_two_duties(criteria):
    assert criteria.criterion("CRM-02").applies_from == date(2015, 7, 31)
    assert criteria.criterion("CRM-01").applies_from == date(2015, 11, 1)
    assert [c.id for c in criteria.criteria if c.applies_from is not None] == ["CRM-01", "CRM-02"]


SMALL = """\
id: small
version: "1"
title: t
source: s
themes: {a: {title: A, finding: f}}
grading: {rules: [], otherwise: good, description: d}
criteria:
  - id: A-01
    theme: a
    type: judgement
    severity: minor
    question: q?
    source: s
    answers: {"yes": met}
"""


def located(tmp_path: Path, extra: str) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(SMALL + extra, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_criteria(path)
    return [str(p) for p in caught.value.problems]


def test_dated_by_without_applies_from_is_a_located_error(tmp_path):
    # Located at the criterion (line 8): the problem is the pair, not either line.
    problems = located(tmp_path, "    dated_by: reported_at\n")
    assert len(problems) == 1 and "c.yaml:8:" in problems[0] and "applies_from" in problems[0]


def test_a_date_that_is_not_a_date_is_a_located_error(tmp_path):
    problems = located(tmp_path, "    applies_from: 31/07/2015\n")
    assert len(problems) == 1 and "c.yaml:15:" in problems[0] and "applies_from" in problems[0]


def test_a_wrong_dated_by_expression_is_reported_against_its_own_line(tmp_path):
    problems = located(tmp_path, "    applies_from: 2015-07-31\n    dated_by: outcome.decided\n")
    assert len(problems) == 1 and "c.yaml:16:" in problems[0] and "decided" in problems[0]


def test_a_judgement_criterion_honours_its_date_too(tmp_path, scorers):
    path = tmp_path / "c.yaml"
    path.write_text(SMALL + "    applies_from: 2015-07-31\n", encoding="utf-8")
    small = load_criteria(path)
    for reported_at, expected in (("2015-07-30T12:00", NOT_APPLICABLE), ("2015-07-31T12:00", "pending")):
        case = make_case(suspect_case(reported_at=reported_at))
        states = {Scorer(small, {}, AS_OF, reference=flag).score(case).results["A-01"].state for flag in (True, False)}
        assert states == {expected}


def test_a_judgement_criterion_before_its_date_gives_the_reason(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(SMALL + "    applies_from: 2015-07-31\n", encoding="utf-8")
    small = load_criteria(path)
    case = make_case(suspect_case(reported_at="2015-07-30T12:00"))
    given = {(r.state, r.evidence) for r in (Scorer(small, {}, AS_OF, reference=flag).score(case).results["A-01"]
                                            for flag in (True, False))}
    assert given == {(NOT_APPLICABLE, "not applicable: A-01 applies from 31 July 2015; "
                                      "this case was reported on 30 July 2015")}


# --- reports: each names its round; 2015's grades in 2015's words ----------------------------------

ROOT = Path(__file__).resolve().parent.parent
ROUND_LINE = re.compile(r'<p class="round">(.*?)</p>', re.DOTALL)


@pytest.fixture(scope="module")
def eastport(tmp_path_factory) -> dict[int, tuple[Any, Path]]:
    """The demo force's 2015 and 2019 samples scored (results document, and its results.json)."""
    folder = tmp_path_factory.mktemp("eastport")
    scored = {}
    for year in (2015, 2019):
        inspection = load_inspection(ROOT / "inspections" / f"eastport-{year}.yaml")
        document = inspection_results(inspection)
        path = folder / f"eastport-{year}.json"
        path.write_text(json.dumps(document.to_json()), encoding="utf-8")
        scored[year] = (document, path)
    return scored


def section(html: str, anchor: str) -> str:
    """The text of the report's section whose heading has id `anchor`."""
    start = html.index(f'id="{anchor}"')
    end = html.find("<section", start)
    return html[start: end if end != -1 else len(html)]


def test_the_2015_sample_assesses_neither_duty_that_came_later(eastport):
    document, _ = eastport[2015]
    for cid in ("CRM-01", "CRM-02"):
        entry = document.summary.criteria[cid]
        assert entry.assessed == 0 and entry.not_applicable > 0
    later, _ = eastport[2019]
    assert later.summary.criteria["CRM-02"].assessed > 0


def test_a_2015_force_report_names_its_round_and_grades_in_2015_words(eastport, criteria):
    document, _ = eastport[2015]
    html = render_force_report(document, criteria, formats=["html"])["html"].decode()
    (line,) = ROUND_LINE.findall(html)
    assert "2015 inspection round" in line and "2019" not in line
    assert "good, adequate or inadequate" in line and "CRM-02 from 31 July 2015" in line
    grades = section(html, "grades")
    assert '<th scope="row">adequate</th>' in grades
    assert "requires improvement" not in grades


def test_a_2019_force_report_names_its_round_and_keeps_its_words(eastport, criteria):
    document, _ = eastport[2019]
    html = render_force_report(document, criteria, formats=["html"])["html"].decode()
    assert ROUND_LINE.findall(html) == ["This sample belongs to the 2019 national child protection thematic."]
    grades = section(html, "grades")
    assert '<th scope="row">requires improvement</th>' in grades and ">adequate<" not in grades


def test_the_comparison_names_both_rounds_and_states_the_mapping_once(eastport, tmp_path, capsys):
    code, _, err = run(capsys, "compare", eastport[2015][1], eastport[2019][1], "-o", tmp_path, "--format", "html")
    assert code == 0, err
    html = (tmp_path / "comparison.html").read_text(encoding="utf-8")
    lines = ROUND_LINE.findall(html)
    assert lines[0] == ("The samples compared belong to the 2015 inspection round and the 2019 national child "
                        "protection thematic.")
    mapping = "2015\u2019s \u201cadequate\u201d is compared with 2019\u2019s \u201crequires improvement\u201d"
    assert html.count(mapping) == 1 and mapping in section(html, "grades")


def test_rounds_with_the_same_grade_words_state_no_mapping(eastport, tmp_path, capsys):
    # The 2019 sample again, as if from an inspection in 2018: a round that used 2019's words.
    data = json.loads(eastport[2019][1].read_text(encoding="utf-8"))
    data["inspection"].update(id="eastport-2018", year=2018)
    earlier = tmp_path / "eastport-2018.json"
    earlier.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run(capsys, "compare", earlier, eastport[2019][1], "-o", tmp_path / "out", "--format", "html")
    assert code == 0, err
    html = (tmp_path / "out" / "comparison.html").read_text(encoding="utf-8")
    assert ROUND_LINE.findall(html) == ["The samples compared belong to the 2018 inspection round and the 2019 "
                                        "national child protection thematic."]
    assert "is compared with" not in html


def test_the_programme_names_its_rounds(eastport, tmp_path, capsys):
    code, _, err = run(capsys, "report", eastport[2015][1], eastport[2019][1], "-o", tmp_path, "--format", "html")
    assert code == 0, err
    html = (tmp_path / "programme.html").read_text(encoding="utf-8")
    assert ROUND_LINE.findall(html) == [
        "The inspections belong to the 2015 inspection round and the 2019 national child protection thematic."]


@pytest.mark.parametrize(("year", "name", "middle"), [
    (2014, "2014 inspection round", "adequate"),
    (2015, "2015 inspection round", "adequate"),
    (2016, "2016 inspection round", "requires improvement"),
    (2019, "2019 national child protection thematic", "requires improvement"),
])
def test_the_round_of_a_year(year, name, middle):
    found = inspection_round(year)
    assert found is not None and found.name == name and found.grade_word("requires_improvement") == middle
    assert found.grade_word("good") == "good" and found.grade_word("inadequate") == "inadequate"
    assert inspection_round(None) is None


def test_the_self_assessment_report_names_its_round(tmp_path):
    paths = []
    for name, grade in (("self", "good"), ("inspectors", "requires_improvement")):
        document = hand_made([{"case_id": f"T-{i}", "states": {"TIM-01": "met"}, "grade": grade} for i in range(3)])
        document["inspection"].update(id=f"testshire-{name}-2015", year=2015, as_of="2015-03-31")
        paths.append(write(tmp_path / f"{name}.json", document))
    report = assessors_report(compare_assessors(*load_case_states_files(paths)))
    assert ROUND_LINE.findall(assessors_html(report)) == ["The cases belong to the 2015 inspection round."]


def test_the_demo_index_line_of_a_2015_inspection_uses_its_words(tmp_path):
    planned = Planned("eastport", 2015, date(2015, 3, 31), 12, 2015, "eastport-2015")
    facts = generate_and_run(str(tmp_path), planned, ["html"]).facts
    assert re.search(r"inspector's grades: \d+ good, \d+ adequate, \d+ inadequate;", facts), facts


# --- the per-case reason an evaluator may write instead of the fixed not-applicable text -------------

def namespace(data: dict[str, Any], as_of: date = AS_OF) -> dict[str, Any]:
    """What an expression reads of a case: its fields by name (an absent section reads as not known)."""
    case = make_case(data)
    absent = case.absent_sections()
    return {"reported_at": case.reported_at, "outcome": UNKNOWN if "outcome" in absent else case.outcome,
            "as_of": as_of}


@pytest.mark.parametrize(("data", "as_of", "expected"), [
    (suspect_case(decided_at="2015-03-03T10:00"), AS_OF,
     "not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at was 3 March 2015"),
    (suspect_case(decided_at=None), date(2015, 3, 31),
     "not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at is not recorded, and the sample was "
     "taken on 31 March 2015"),
    (suspect_case(decided_at="2015-07-31T00:00"), AS_OF, None),   # in force: no date reason
    (suspect_case(reported_at="2015-08-01T09:00", decided_at="2015-07-01T10:00"), AS_OF, None),  # reported after
    ({key: value for key, value in suspect_case().items() if key != "outcome"}, AS_OF, None),  # not known
])
def test_the_reason_names_the_date_and_the_cases_own_date(criteria, data, as_of, expected):
    reason = criteria.criterion("CRM-02").not_applicable_reason
    assert reason is not None and reason(namespace(data, as_of), criteria.defaults()) == expected


def test_the_reason_of_a_criterion_dated_by_its_report(criteria):
    reason = criteria.criterion("CRM-01").not_applicable_reason
    assert reason is not None
    assert reason(namespace(suspect_case(reported_at="2015-10-31T23:59")), {}) == (
        "not applicable: CRM-01 applies from 1 November 2015; this case was reported on 31 October 2015")
    assert reason(namespace(suspect_case(reported_at="2015-11-01T00:00")), {}) is None
    assert criteria.criterion("CRM-03").not_applicable_reason is None


@pytest.mark.parametrize(("year", "line"), [(2015, "inspection round: 2015 inspection round"),
                                            (2019, "inspection round: 2019 national child protection thematic"),
                                            (None, None)])
def test_the_agreement_table_names_its_round(year, line):
    agreement = Agreement(inspection={"id": "testshire-x", "force": "testshire", "year": year, "title": "t"},
                          inspectors=("insp-a", "insp-b"), items=(), moderation=())
    lines = agreement_text(agreement).splitlines()
    assert lines[0] == "testshire-x: agreement between inspectors (insp-a, insp-b)"
    assert lines[1] == (line or "")


def test_the_terminal_table_names_the_round_and_its_grade_words(eastport):
    for year, middle in ((2015, "adequate"), (2019, "requires improvement")):
        lines = summary_table(eastport[year][0], {}).splitlines()
        assert lines[0].endswith(", " + inspection_round(year).name)  # type: ignore[union-attr]
        assert f"grades        good  {middle:>20}  inadequate" in lines


def test_the_json_lines_fast_path_dates_cases_the_same_way(scorers, tmp_path, capsys):
    # `thematic score` reads JSON Lines through its own record path (load.fast_case), not the case model.
    datas = [suspect_case(decided_at="2015-07-30T23:59"), suspect_case(decided_at="2015-07-31T00:00"),
             suspect_case(decided_at="2015-07-30T23:30Z"), suspect_case(decided_at=None),
             {k: v for k, v in suspect_case().items() if k != "outcome"},
             suspect_case(reported_at="2015-10-31T23:59"), suspect_case(reported_at="2015-11-01T00:00")]
    for n, data in enumerate(datas):
        data["case_id"] = f"R-{n:03d}"
    lines = tmp_path / "cases.jsonl"
    lines.write_text("".join(json.dumps(d) + "\n" for d in datas), encoding="utf-8")
    code, _, err = run(capsys, "score", lines, "--as-of", AS_OF.isoformat(), "-o", tmp_path / "r.json")
    assert code == 0, err
    scored = {c["case_id"]: c["results"] for c in json.loads((tmp_path / "r.json").read_text())["cases"]}
    for data in datas:
        for cid in ("CRM-01", "CRM-02"):
            state, evidence = results(scorers, data, cid)
            assert scored[data["case_id"]][cid] == {"state": state, "evidence": evidence}, (data["case_id"], cid)
    # The day before (the reason, with the case's date), exactly on the date (applies), absent (not known).
    assert scored["R-000"]["CRM-02"] == {"state": NOT_APPLICABLE, "evidence": (
        "not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at was 30 July 2015")}
    assert scored["R-001"]["CRM-02"]["state"] == NOT_MET
    assert scored["R-004"]["CRM-02"]["state"] == UNABLE
    assert scored["R-005"]["CRM-01"] == {"state": NOT_APPLICABLE, "evidence": (
        "not applicable: CRM-01 applies from 1 November 2015; this case was reported on 31 October 2015")}
