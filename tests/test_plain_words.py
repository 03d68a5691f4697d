"""Evidence in plain words (issue 12 item 11): what reports print for the results file's evidence.

The table holds evidence strings exactly as the scorer wrote them for the demo's inspections
(`thematic run inspections/northmoor-2019.yaml`), and the words a report prints for each: field
names as their labels from the case-file format, durations rounded (never across their limit),
yes/no for true/false, plurals right. The results file itself keeps the raw strings.
"""
from __future__ import annotations

import re

import pytest
from render_samples import example_results, rendered_html

from thematic.load.criteria import shipped_criteria_path
from thematic.render.context import force_report_context, question_text
from thematic.render.plain_words import FIELD_LABELS, duration_words, evidence_words, force_name, plural_words
from thematic.scoring.criteria import load_criteria

EVIDENCE = [
    ("exploitation indicators county_lines, coercion, debt_bondage; nrm_referred_at is null",
     "exploitation indicators county lines, coercion, debt bondage; "
     "referral to the National Referral Mechanism (NRM) not recorded"),
    ("exploitation indicators county_lines, coercion; s45 defence considered: false",
     "exploitation indicators county lines, coercion; s45 defence considered: no"),
    ("charged 2018-12-03 13:07 and refused bail; transferred null; s38(6) certificate: false",
     "charged 2018-12-03 13:07 and refused bail; transferred not recorded; s38(6) certificate: no"),
    ("appropriate adult arrived 1.03 h after the request; limit 2 h",
     "appropriate adult arrived 1 hour after the request; limit 2 hours"),
    ("appropriate adult arrived 3.57 h after the request; limit 2 h",
     "appropriate adult arrived 4 hours after the request; limit 2 hours"),
    ("device D-1: submitted 12.95 days after seizure; limit 7 days",
     "device D-1: submitted 13 days after seizure; limit 7 days"),
    ("device D-1: not examined by as_of, 208.66 days after submission; limit 90 days",
     "device D-1: not examined by the date the sample was taken, 209 days after submission; limit 90 days"),
    ("device D-1: returned to the suspect 2018-10-09 08:40; triaged true; examined null",
     "device D-1: returned to the suspect 2018-10-09 08:40; triaged yes; examined not recorded"),
    ("strategy discussion 2018-10-26 13:15: police, childrens_social_care",
     "strategy discussion 2018-10-26 13:15: police, children's social care"),
    ("outcome 15; rationale recorded: false; victim or family informed: false",
     "outcome 15; rationale recorded: no; victim or family informed: no"),
    ("4 incidents in the 365 days up to the report; first risk assessment 2018-10-26 01:57: history considered false",
     "4 incidents in the 365 days up to the report; first risk assessment 2018-10-26 01:57: history considered no"),
    ("severity rising 2, 3, 4 up to 2019-01-28 11:12; since then risk graded medium, high, 1 strategy discussions",
     "severity rising 2, 3, 4 up to 2019-01-28 11:12; since then risk graded medium, high, 1 strategy discussion"),
    ("severity rising 1, 3, 4 up to 2019-06-16 17:21; since then risk graded medium, standard, 0 strategy discussions",
     "severity rising 1, 3, 4 up to 2019-06-16 17:21; since then risk graded medium, standard, 0 strategy discussions"),
    ("incident I-5: child seen true; demeanour recorded false", "incident I-5: child seen yes; demeanour recorded no"),
    ("high risk assessment 2018-12-24 20:13: reviewed 65.12 h later; limit 24 h",
     "high risk assessment 2018-12-24 20:13: reviewed 65 hours later; limit 24 hours"),
    ("first supervision entry at or after allocation 0.91 days after allocation (2019-01-28 14:20); limit 7 days",
     "first supervision entry at or after allocation 22 hours after allocation (2019-01-28 14:20); limit 7 days"),
    ("largest gap 76.75 days between allocation (2018-12-26 16:15), supervision entries and 2019-06-12 10:50; "
     "limit 28 days",
     "largest gap 77 days between allocation (2018-12-26 16:15), supervision entries and 2019-06-12 10:50; "
     "limit 28 days"),
    ("0 reflective of 22 supervision entries", "0 reflective of 22 supervision entries"),
    ("1 reflective of 1 supervision entries", "1 reflective of 1 supervision entry"),
    ("no referral to childrens_social_care at or after the report (2018-12-24 18:09)",
     "no referral to children's social care at or after the report (2018-12-24 18:09)"),
    ("referral to childrens_social_care 67.65 h after report; limit 24 h",
     "referral to children's social care 68 hours after report; limit 24 hours"),
    ("first strategy discussion with the police on 2018-12-07; report on 2018-12-02; deadline 2018-12-03",
     "first strategy discussion with the police on 2018-12-07; report on 2018-12-02; deadline 2018-12-03"),
    ("local authority informed 0.8 h after police protection started; limit 2 h",
     "local authority informed 48 minutes after police protection started; limit 2 hours"),
    ("police protection lasted 68.32 h; limit 72 h", "police protection lasted 68 hours; limit 72 hours"),
    ("suspect arrested 63.72 days after identification; limit 7 days",
     "suspect arrested 64 days after identification; limit 7 days"),
    ("officer PIP level 1 (minimum 2); specialist child abuse training: false",
     "officer PIP level 1 (minimum 2); specialist child abuse training: no"),
    ("2 incidents in the 180 days before the report; no referral to early_help or childrens_social_care",
     "2 incidents in the 180 days before the report; no referral to early help or children's social care"),
    ("not captured in the export: investigation, child_as_suspect",
     "not captured in the export: investigation, the child as a suspect"),
    # Rounding never crosses the limit: 7.2 days is not within 7, so it is not shown as 7.
    ("device D-1: submitted 7.2 days after seizure; limit 7 days",
     "device D-1: submitted 7.2 days after seizure; limit 7 days"),
    ("device D-1: submitted 7.04 days after seizure; limit 7 days",
     "device D-1: submitted 7.04 days after seizure; limit 7 days"),
    ("device D-1: submitted 6.8 days after seizure; limit 7 days",
     "device D-1: submitted 7 days after seizure; limit 7 days"),
    ("referral to childrens_social_care 24.4 h after report; limit 24 h",
     "referral to children's social care 24.4 hours after report; limit 24 hours"),
    ("police protection lasted 1 h; limit 72 h", "police protection lasted 1 hour; limit 72 hours"),
    # An event recorded before the one it is counted from.
    ("device D-1: submitted -1.5 days after seizure; limit 7 days",
     "device D-1: submitted 2 days before seizure; limit 7 days"),
    ("high risk assessment 2019-10-18 06:00: reviewed -19 h later; limit 24 h",
     "high risk assessment 2019-10-18 06:00: reviewed 19 hours earlier; limit 24 hours"),
    ("local authority informed -23 h after police protection started; limit 2 h",
     "local authority informed 23 hours before police protection started; limit 2 hours"),
    # Data-quality notes.
    ("police protection: local_authority_informed_at (2019-10-17 03:00) is before started_at (2019-10-18 02:00)",
     "police protection: local authority informed (2019-10-17 03:00) is before start (2019-10-18 02:00)"),
    ("risk_assessments[0]: supervisor_reviewed_at (2019-10-17 11:00) is before at (2019-10-18 06:00)",
     "risk assessment 1: supervisor's review (2019-10-17 11:00) is before the time it was made (2019-10-18 06:00)"),
    ("device D-1: examined_at (2019-03-01 10:00) is before submitted_at (2019-03-02 10:00)",
     "device D-1: examination (2019-03-01 10:00) is before submission for examination (2019-03-02 10:00)"),
    ("section47: conference_on (2019-03-01) is before started_on (2019-03-04)",
     "section 47 enquiry: initial child protection conference (2019-03-01) is before start (2019-03-04)"),
    # A criterion that does not yet apply by the case's date: the field by its label, not its path.
    ("not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at was 30 July 2015",
     "not applicable: CRM-02 applies from 31 July 2015; outcome decided was 30 July 2015"),
    # Scoring's own texts and inspectors' notes are printed as they are.
    ('answer "no" by insp-b: referral_max_hours was true', 'answer "no" by insp-b: referral_max_hours was true'),
    ("does not apply: investigation != null is false", "does not apply: investigation != null is false"),
    ("evaluation failed: a date, time or number is out of range (year 10000 is out of range)",
     "evaluation failed: a date, time or number is out of range (year 10000 is out of range)"),
]


@pytest.mark.parametrize("raw,words", EVIDENCE)
def test_evidence_in_plain_words(raw, words):
    assert evidence_words(raw) == words


@pytest.mark.parametrize("value,unit,limit,words", [
    (208.66, "days", 90, "209 days"),
    (208.5, "days", None, "209 days"),      # halves round up
    (0.5, "days", None, "12 hours"),
    (0.02, "days", None, "29 minutes"),
    (0.999, "h", None, "60 minutes"),
    (1.49, "h", None, "1 hour"),
    (2.0, "h", 2, "2 hours"),              # equal to the limit is within it, and says so
    (2.004, "h", 2, "2.004 hours"),        # just over: every decimal it takes
    (1.996, "h", 2, "2 hours"),
    (0.52, "h", 0.5, "31 minutes"),
    (0.505, "h", 0.5, "30.3 minutes"),
])
def test_durations_round_sensibly_and_never_across_their_limit(value, unit, limit, words):
    assert duration_words(value, unit, limit) == words


@pytest.mark.parametrize("text,words", [
    ("within 1 working days", "within 1 working day"),
    ("within 1 days of allocation", "within 1 day of allocation"),
    ("within 1 hours", "within 1 hour"),
    ("within 11 days", "within 11 days"),
    ("within 2.1 days", "within 2.1 days"),
    ("within 21 hours", "within 21 hours"),
])
def test_plurals(text, words):
    assert plural_words(text) == words


def test_a_question_with_a_limit_of_one_reads_in_the_singular():
    criteria = load_criteria(shipped_criteria_path())
    question = next(c.definition.question for c in criteria.criteria if c.id == "TIM-02")
    assert "strategy_max_working_days working days" in question
    assert question_text(question, {"strategy_max_working_days": 1}).endswith("within 1 working day?")
    assert question_text(question, {"strategy_max_working_days": 3}).endswith("within 3 working days?")


@pytest.mark.parametrize("force,title,name", [
    ("northmoor", "Northmoor Police child protection inspection 2019 (fictional)", "Northmoor Police"),
    ("west-midlands", None, "West Midlands"),
    ("exampleshire", "Exampleshire Constabulary: 2019 audit", "Exampleshire Constabulary"),
    ("exampleshire", "A 2019 audit of exampleshire", "Exampleshire"),
    ("dyfed-powys", "Dyfed-Powys Police inspection", "Dyfed-Powys Police"),
    ("dyfed-powys", None, "Dyfed Powys"),
    (None, None, ""),
])
def test_force_names(force, title, name):
    assert force_name(force, title) == name


def test_every_field_label_is_a_field_of_the_case_file_format():
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "docs" / "case-file-format.md").read_text(encoding="utf-8")
    assert [name for name in FIELD_LABELS if name != "as_of" and f"`{name}`" not in text] == []


def test_the_force_report_prints_evidence_in_plain_words_and_the_force_by_name():
    document, criteria = example_results()
    report = force_report_context(document, criteria)
    rows = [row for case in report.review.cases for row in case.evidence]
    assert rows, "the example lists cases with evidence"
    raw = {(c.case_id, cid): r.evidence for c in document.cases or () for cid, r in c.results.items()}
    for row in rows:
        assert row.evidence == evidence_words(raw[(row.case_id, row.criterion_id)])
    html = rendered_html()
    assert not re.search(r"\b\d+\.\d+ (h|days)\b", html)
    assert "childrens_social_care" not in html and " is null" not in html
    assert report.force == force_name(document.inspection.force, document.inspection.title)
