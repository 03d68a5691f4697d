"""Loading criteria files: the shipped 2019 set matches the catalogue, and broken files are reported well.

The expected catalogue below is written from spec/criteria.md ("Parameters", "Criteria"), not from
the criteria file. Each broken fixture in tests/data/criteria/ differs from valid.yaml by the
problem its first comment names; every problem must say `file:line: field: what is wrong`, and
all the problems of one file must come together, so an author fixes a file in one pass.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import MINIMAL, make_case

from thematic.core.errors import InputError, Problem
from thematic.load.criteria import shipped_criteria_path
from thematic.scoring.criteria import load_criteria
from thematic.scoring.evaluate import Scorer

DATA = Path(__file__).parent / "data" / "criteria"

# --- the shipped criteria file against spec/criteria.md -----------------------------------------

#: (id, theme, type, severity) in catalogue order; "A" automatic, "J" judgement.
CATALOGUE = [
    ("SUP-01", "supervision", "A", "major"),
    ("SUP-02", "supervision", "A", "major"),
    ("SUP-03", "supervision", "A", "minor"),
    ("SUP-04", "supervision", "J", "major"),
    ("TIM-01", "timeliness", "A", "major"),
    ("TIM-02", "timeliness", "A", "critical"),
    ("TIM-03", "timeliness", "A", "major"),
    ("TIM-04", "timeliness", "A", "critical"),
    ("TIM-05", "timeliness", "A", "major"),
    ("TIM-06", "timeliness", "A", "major"),
    ("DIG-01", "digital_forensics", "A", "major"),
    ("DIG-02", "digital_forensics", "A", "major"),
    ("DIG-03", "digital_forensics", "A", "critical"),
    ("CRM-01", "criminalisation", "A", "critical"),
    ("CRM-02", "criminalisation", "A", "major"),
    ("CRM-03", "criminalisation", "A", "critical"),
    ("CRM-04", "criminalisation", "A", "major"),
    ("CRM-05", "criminalisation", "A", "minor"),
    ("CRM-06", "criminalisation", "J", "major"),
    ("RISK-01", "cumulative_risk", "A", "critical"),
    ("RISK-02", "cumulative_risk", "A", "major"),
    ("RISK-03", "cumulative_risk", "A", "major"),
    ("RISK-04", "cumulative_risk", "A", "major"),
    ("RISK-05", "cumulative_risk", "J", "critical"),
    ("INF-01", "information_sharing", "A", "major"),
    ("INF-02", "information_sharing", "J", "minor"),
    ("TRN-01", "training", "A", "major"),
    ("EI-01", "early_intervention", "A", "minor"),
    ("OUT-01", "outcomes", "A", "major"),
]

DEFAULTS = {
    "referral_max_hours": 24, "supervision_first_days": 7,
    "strategy_max_working_days": 1, "supervision_max_gap_days": 28,
    "conference_max_working_days": 15, "risk_review_max_hours": 24,
    "police_protection_max_hours": 72, "repeat_window_days": 365,
    "la_informed_max_hours": 2, "repeat_threshold": 3,
    "arrest_max_days": 7, "escalation_run": 3,
    "device_submit_max_days": 7, "early_help_window_days": 180,
    "device_exam_max_days": 90, "early_help_threshold": 2,
    "appropriate_adult_max_hours": 2, "min_pip_level": 2,
}

#: Judgement answers as the catalogue lists them: yes is met, partly and no are not met, n/a not applicable.
ANSWERS = {
    "SUP-04": {"yes": "met", "partly": "not_met", "no": "not_met", "n/a": "not_applicable"},
    "CRM-06": {"yes": "met", "partly": "not_met", "no": "not_met"},
    "RISK-05": {"yes": "met", "partly": "not_met", "no": "not_met", "n/a": "not_applicable"},
    "INF-02": {"yes": "met", "no": "not_met", "n/a": "not_applicable"},
}


@pytest.fixture(scope="module")
def shipped():
    return load_criteria(shipped_criteria_path())


def test_shipped_file_has_the_29_criteria_of_the_catalogue_in_order(shipped):
    assert len(shipped.criteria) == 29
    assert [c.id for c in shipped.criteria] == [row[0] for row in CATALOGUE]


@pytest.mark.parametrize("criterion_id, theme, kind, severity", CATALOGUE, ids=[row[0] for row in CATALOGUE])
def test_shipped_criterion_has_the_catalogue_theme_type_and_severity(shipped, criterion_id, theme, kind, severity):
    definition = shipped.criterion(criterion_id).definition
    assert definition.theme == theme
    assert definition.type == {"A": "automatic", "J": "judgement"}[kind]
    assert definition.severity == severity


def test_shipped_themes_are_the_catalogue_themes(shipped):
    assert set(shipped.file.themes) == {theme for _, theme, _, _ in CATALOGUE}


def test_shipped_default_parameters_are_the_catalogue_table(shipped):
    assert shipped.defaults() == DEFAULTS


@pytest.mark.parametrize("name, unit", [
    *[(n, "hours") for n in DEFAULTS if n.endswith("_hours")],
    *[(n, "working_days") for n in DEFAULTS if n.endswith("_working_days")],
    *[(n, "days") for n in DEFAULTS if n.endswith("_days") and not n.endswith("_working_days")],
    ("repeat_threshold", "count"), ("escalation_run", "count"), ("early_help_threshold", "count"),
    ("min_pip_level", "level"),
])
def test_shipped_parameter_unit_matches_its_meaning(shipped, name, unit):
    assert shipped.file.parameters[name].unit == unit


def test_statutory_parameters_name_their_basis(shipped):
    # spec: only s46 (police protection) and Working Together (conference) come from law or statutory guidance.
    assert "s46" in shipped.file.parameters["police_protection_max_hours"].basis
    assert "Working Together" in shipped.file.parameters["conference_max_working_days"].basis


@pytest.mark.parametrize(
    "name", [n for n in DEFAULTS if n not in ("police_protection_max_hours", "conference_max_working_days")])
def test_other_parameters_say_they_are_local_practice_defaults(shipped, name):
    # spec: "the other values are local practice defaults, which the criteria file must say".
    assert "local practice" in shipped.file.parameters[name].basis.lower()


@pytest.mark.parametrize("criterion_id, answers", ANSWERS.items())
def test_shipped_judgement_answers_give_the_catalogue_states(shipped, criterion_id, answers):
    assert shipped.criterion(criterion_id).definition.answers == answers


@pytest.mark.parametrize("criterion_id", ["TIM-01", "RISK-05", "INF-02"])
def test_criteria_for_every_case_apply_always(shipped, criterion_id):
    assert shipped.criterion(criterion_id).applies.source == "true"


def test_shipped_grading_rule_is_the_default_rule(shipped):
    grading = shipped.file.grading
    rules = [(rule.grade, dict(rule.when_failed)) for rule in grading.rules]
    assert rules == [("inadequate", {"critical": 1}), ("requires_improvement", {"major": 1, "minor": 2})]
    assert grading.otherwise == "good"


def test_every_automatic_shipped_criterion_has_evidence_text(shipped):
    missing = [c.id for c in shipped.criteria if c.definition.type == "automatic" and not c.evidence]
    assert missing == []


# --- a valid small file ------------------------------------------------------------------------

def test_valid_fixture_loads():
    loaded = load_criteria(DATA / "valid.yaml")
    assert [c.id for c in loaded.criteria] == ["TIM-01", "INF-02"]
    assert loaded.defaults() == {"referral_max_hours": 24}
    assert set(loaded.definitions) == {"case_referrals"}


def _score(path: Path, **fields):
    loaded = load_criteria(path)
    case = make_case(MINIMAL, reported_at="2019-07-01T09:30", referrals=fields.pop("referrals", []))
    return Scorer(loaded, loaded.defaults(), date(2019, 11, 30)).score(case).results


def test_evidence_template_shows_local_time_and_literal_braces():
    result = _score(DATA / "valid.yaml")["TIM-01"]
    assert result.state == "not_evidenced"
    # 09:30 in July is BST: shown as written, not as 08:30 UTC; {{ and }} give literal braces.
    assert result.evidence == ("no referral to children's social care at or after 2019-07-01 09:30; "
                               "{case_referrals} is empty")


@pytest.mark.parametrize("referred_at, state, hours", [
    ("2019-07-02T11:30", "not_met", "26"),
    ("2019-07-01T11:31", "met", "2.02"),
    ("2019-07-01T10:00", "met", "0.5"),
])
def test_evidence_template_shows_numbers_briefly(referred_at, state, hours):
    result = _score(DATA / "valid.yaml", referrals=[{"at": referred_at, "to": "childrens_social_care"}])["TIM-01"]
    assert result.state == state
    assert result.evidence == f"referral {hours} h after the report; limit 24 h"


# --- broken files --------------------------------------------------------------------------------

def line_of(path: Path, marker: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line of `path` containing `marker`."""
    lines = [number for number, text in enumerate(path.read_text().splitlines(), 1) if marker in text]
    assert len(lines) >= occurrence, f"{marker!r} is not in {path.name}"
    return lines[occurrence - 1]


def problems_of(name: str) -> tuple[Path, list[Problem]]:
    path = DATA / name
    with pytest.raises(InputError) as caught:
        load_criteria(str(path))
    return path, caught.value.problems


def assert_reported(path: Path, problems: list[Problem], field: str, marker: str, words: list[str],
                    occurrence: int = 1) -> Problem:
    line = line_of(path, marker, occurrence)
    found = [p for p in problems if p.field == field]
    assert found, f"no problem reported for {field}; got: {[str(p) for p in problems]}"
    problem = found[0]
    assert problem.file == str(path)
    assert problem.line == line, str(problem)
    for word in words:
        assert word in problem.message, str(problem)
    assert str(problem).startswith(f"{path}:{line}: {field}: ")
    return problem


BROKEN = [
    # (fixture, field, text on the reported line, words the message must hold, which occurrence of the text)
    ("unknown-name.yaml", "criteria[0].met", 'met: count(referals', ["unknown name 'referals'", "column 7"], 1),
    ("forbidden-construct.yaml", "criteria[0].met", "met: within_hours(reported_at, case_referrals[0]",
     ["indexing", f"column {len('within_hours(reported_at, ') + 1}"], 1),
    ("unknown-theme.yaml", "criteria[1].theme", "theme: information_shairng",
     ["unknown theme 'information_shairng'", "information_sharing"], 1),
    ("duplicate-id.yaml", "criteria[1].id", "- id: TIM-01", ["TIM-01", "already defined"], 2),
    ("unknown-parameter.yaml", "criteria[0].met", "    met: >-", ["unknown parameter 'referal_max_hours'",
                                                                  "referral_max_hours"], 1),
    ("unknown-key.yaml", "criteria[0].evidense", "evidense:", ['unknown field "evidense"', '"evidence"'], 1),
]


@pytest.mark.parametrize("name, field, marker, words, occurrence", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_names_file_line_and_field(name, field, marker, words, occurrence):
    path, problems = problems_of(name)
    assert_reported(path, problems, field, marker, words, occurrence)


@pytest.mark.parametrize("name, index, criterion_id, word", [
    ("judgement-without-answers.yaml", 1, "INF-02", "answers"),
    ("automatic-without-met.yaml", 0, "TIM-01", "met"),
])
def test_missing_required_part_is_reported_at_the_criterion(name, index, criterion_id, word):
    path, problems = problems_of(name)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    # The key is missing, so the problem is placed at the criterion and names the missing key.
    assert problem.file == str(path)
    assert problem.line == line_of(path, f"- id: {criterion_id}")
    assert problem.field is not None and problem.field.startswith(f"criteria[{index}]")
    assert f"'{word}'" in problem.message


def test_every_unmatched_brace_in_evidence_is_reported():
    path, problems = problems_of("unmatched-brace.yaml")
    assert_reported(path, problems, "criteria[0].evidence.not_evidenced", "not_evidenced:", ["unmatched '{'", "'{{'"])
    assert_reported(path, problems, "criteria[0].evidence.default", "      default: >-", ["unmatched '}'", "'}}'"])
    assert len(problems) == 2


def test_all_problems_after_the_structure_is_valid_come_together():
    path, problems = problems_of("many-problems.yaml")
    assert_reported(path, problems, "definitions.late_referrals", "late_referrals:", ["unknown name 'referals'"])
    assert_reported(path, problems, "criteria[0].met", "    met: >-", ["unknown parameter 'referal_max_hours'"])
    assert_reported(path, problems, "criteria[0].evidenced", "evidenced:", ["'**'"])
    assert_reported(path, problems, "criteria[0].evidence.not_evidenced", "not_evidenced:", ["unmatched '{'"])
    assert_reported(path, problems, "criteria[1].id", "- id: TIM-01", ["already defined"], occurrence=2)
    assert_reported(path, problems, "criteria[1].theme", "theme: information_shairng", ["unknown theme"])
    assert len(problems) == 6, [str(p) for p in problems]


def test_structural_and_expression_problems_come_together():
    """One pass must show everything: a misspelt key must not hide an unknown name elsewhere."""
    path, problems = problems_of("mixed-problems.yaml")
    assert_reported(path, problems, "criteria[0].evidense", "evidense:", ['unknown field "evidense"'])
    assert any((p.field or "").startswith("criteria[1]") and "answers" in p.message for p in problems)
    assert_reported(path, problems, "definitions.case_referrals", "case_referrals:", ["unknown name 'referals'"])


def test_error_text_lists_one_problem_per_line():
    path = DATA / "many-problems.yaml"
    with pytest.raises(InputError) as caught:
        load_criteria(str(path))
    text = str(caught.value).splitlines()
    assert len(text) == 6
    assert all(line.startswith(f"{path}:") for line in text)
