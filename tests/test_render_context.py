"""The force report's view data: what each section says, from hand-made results and the example."""
from __future__ import annotations

import pytest
from render_samples import example_results, hand_made, hand_made_results, shipped_criteria

from thematic.model.results import ResultsDocument
from thematic.render.context import force_report_context, question_text
from thematic.render.findings import finding_view


def context(cases, **kwargs):
    return force_report_context(hand_made_results(cases), shipped_criteria(), **kwargs)


def theme(report, theme_id):
    return next(t for t in report.themes if t.id == theme_id)


def criterion(report, criterion_id):
    return next(r for t in report.themes for r in t.criteria if r.id == criterion_id)


REVIEW_SAMPLE = [
    {"case_id": "T-01", "suggested": "inadequate", "grade": "inadequate",
     "states": {"TIM-01": "not_met", "SUP-01": "met"}},
    {"case_id": "T-02", "suggested": "good", "grade": "inadequate"},
    {"case_id": "T-03", "suggested": "good", "referred_back": True},
    {"case_id": "T-04", "suggested": "requires_improvement", "states": {"RISK-01": "not_met"}},
    {"case_id": "T-05", "suggested": "good", "states": {"RISK-02": "not_evidenced", "SUP-02": "not_met"}},
    {"case_id": "T-06", "suggested": "good", "grade": "good", "states": {"RISK-03": "not_met", "RISK-01": "met"}},
    {"case_id": "T-07", "suggested": "inadequate", "provisional": True, "states": {"RISK-02": "pending"}},
]


def test_cases_to_look_at_are_inadequate_referred_back_or_escalating_risk_not_acted_on():
    review = context(REVIEW_SAMPLE).review
    listed = {case.case_id: case.reasons for case in review.cases}
    assert listed == {
        "T-01": ("suggested grade inadequate", "inspector's grade inadequate"),
        "T-02": ("inspector's grade inadequate",),
        "T-03": ("referred back to the force",),
        "T-04": ("RISK-01 not met",),
        "T-05": ("RISK-02 not evidenced",),
        "T-07": ("suggested grade inadequate (provisional)",),
    }
    assert review.count.text == "6"
    assert [c for c, _ in review.criteria] == ["RISK-01", "RISK-02"]


def test_review_evidence_is_every_failed_criterion_in_catalogue_order():
    review = context(REVIEW_SAMPLE).review
    t05 = next(c for c in review.cases if c.case_id == "T-05")
    assert [(row.criterion_id, row.state) for row in t05.evidence] == [("SUP-02", "not met"),
                                                                       ("RISK-02", "not evidenced")]
    assert t05.evidence[1].evidence == "evidence of RISK-02 in T-05"
    assert t05.evidence[1].anchor == "criterion-risk-02"
    t07 = next(c for c in review.cases if c.case_id == "T-07")
    assert t07.evidence == () and t07.suggested == "inadequate (provisional)" and t07.inspector == "not graded"


def test_grades_count_both_grades_and_where_they_differ():
    grades = context(REVIEW_SAMPLE).grades
    rows = {row.grade: row for row in grades.rows}
    assert rows["inadequate"].suggested.sentence == "2 of 7, 29%, 95% interval 8%–64%"
    assert rows["inadequate"].inspector.met.text == "2"
    assert rows["not graded"].suggested is None and rows["not graded"].inspector.met.text == "4"
    # Graded: T-01 (inadequate/inadequate), T-02 (good/inadequate), T-06 (good/good).
    assert grades.disagreements.n_of_n == "1 of 3"
    assert grades.differing == (("T-02", "good", "inadequate"),)
    matrix = {suggested: [c.text for c in counts] for suggested, counts in grades.matrix}
    assert grades.columns == ("good", "requires improvement", "inadequate", "not graded")
    assert matrix == {"good": ["1", "0", "1", "2"], "requires improvement": ["0", "0", "0", "1"],
                      "inadequate": ["0", "0", "1", "1"]}
    assert (grades.provisional.text, grades.referred_back.text) == ("1", "1")


def test_rates_carry_n_of_n_interval_and_no_flag_without_a_reference():
    cases = [{"case_id": f"T-{i:02d}", "states": {"SUP-01": "met" if i < 7 else "not_met",
                                                   "TIM-01": "met", "TIM-02": "not_evidenced" if i < 2 else "met"}}
             for i in range(10)]
    report = context(cases)
    sup01 = criterion(report, "SUP-01")
    assert sup01.rate.sentence == "7 of 10, 70%, 95% interval 40%–89%"
    assert sup01.rate.against == () and sup01.rate.flag == ""
    assert criterion(report, "TIM-01").rate.sentence == "10 of 10, 100%, 95% interval 72%–100%"
    assert criterion(report, "TIM-01").rate.flags == ()
    assert criterion(report, "SUP-03").rate.note == "no cases assessed"
    assert criterion(report, "SUP-03").not_applicable.text == "10"
    # Timeliness: cases meeting every assessed timeliness criterion: the 8 without TIM-02 failing.
    assert theme(report, "timeliness").rate.n_of_n == "8 of 10"


def test_thresholds_are_references_given_on_the_command_line():
    cases = [{"case_id": f"T-{i:02d}", "states": {"SUP-01": "met" if i < 7 else "not_met"}} for i in range(10)]
    assert criterion(context(cases, thresholds=(0.3,)), "SUP-01").rate.flag == "clearly above 30%"  # 40%–89%
    assert criterion(context(cases, thresholds=(0.5,)), "SUP-01").rate.flag == ""
    assert criterion(context(cases, thresholds=()), "SUP-01").rate.against == ()


def test_key_findings_one_per_theme_naming_the_thematic_finding_and_the_lowest_criterion():
    cases = [{"case_id": f"T-{i:02d}", "states": {"SUP-01": "met" if i < 7 else "not_met",
                                                   "SUP-02": "met" if i < 3 else "not_met",
                                                   "SUP-03": "met" if i < 3
                                                       else ("not_met" if i < 7 else "not_applicable")}}
             for i in range(10)]
    report = context(cases)
    criteria = shipped_criteria()
    assert [f.theme.id for f in report.key_findings] == list(criteria.file.themes)
    supervision = report.key_findings[0]
    assert supervision.theme.finding == finding_view(criteria.file.themes["supervision"])
    # SUP-02 (3 of 10) and SUP-03 (3 of 7): SUP-03's rate is higher, so SUP-02 is the lowest.
    assert supervision.weakest.id == "SUP-02"
    assert "met in 3 of 10 cases, 30%, 95% interval 11%–60%" in supervision.weakest_text
    assert supervision.summary.startswith("3 of 10 cases met every criterion of this theme")
    assert "Clearly" not in supervision.summary  # no reference given, so no flag (tests/test_flags.py)
    outcomes = next(f for f in report.key_findings if f.theme.id == "outcomes")
    assert outcomes.summary == "No case in the sample could be assessed on this theme."
    assert outcomes.weakest is None


def test_lowest_rate_tie_goes_to_the_larger_sample():
    cases = [{"case_id": f"T-{i:02d}", "states": {"SUP-01": "met" if i < 2 else "not_met",
                                                   "SUP-02": ("met" if i < 1 else "not_met") if i < 5
                                                       else "not_applicable"}}
             for i in range(10)]
    # SUP-01: 2 of 10 and SUP-02: 1 of 5 are both 20%.
    assert context(cases).key_findings[0].weakest.id == "SUP-01"


def test_data_quality_collects_outstanding_results_and_notes():
    cases = [
        {"case_id": "T-01",
         "states": {"DIG-01": "unable_to_assess", "DIG-02": "unable_to_assess", "SUP-04": "pending"}},
        {"case_id": "T-02", "states": {"TIM-01": "error"}, "data_quality": ["closed_at is before reported_at"]},
        {"case_id": "T-03"},
    ]
    quality = context(cases).data_quality
    assert (quality.unable_to_assess.text, quality.pending.text, quality.error.text) == ("2", "1", "1")
    assert [(r.criterion_id, r.unable_to_assess.text, r.pending.text, r.error.text) for r in quality.rows] == [
        ("SUP-04", "0", "1", "0"), ("TIM-01", "0", "0", "1"), ("DIG-01", "1", "0", "0"), ("DIG-02", "1", "0", "0")]
    assert quality.not_captured == (("T-01", "evidence of DIG-01 in T-01; evidence of DIG-02 in T-01"),)
    assert [(e.case_id, e.criterion_id) for e in quality.errors] == [("T-02", "TIM-01")]
    assert quality.notes == (("T-02", "the end of police involvement is before the report"),)  # in plain words
    assert quality.noted_cases.text == "1"


def test_suppression_leaves_out_case_lists_and_small_counts():
    report = context(REVIEW_SAMPLE + [{"case_id": "T-08", "data_quality": ["a note"]}], suppress_below=5)
    assert report.suppressed and report.suppress_below == 5
    assert report.review.withheld and report.review.cases == ()
    assert report.review.count.text == "6"                  # at or above the limit: shown
    assert report.grades.differing == ()
    assert report.data_quality.notes == () and report.data_quality.withheld
    rows = {row.grade: row for row in report.grades.rows}
    assert rows["inadequate"].suggested.met.text == "fewer than 5"
    assert rows["inadequate"].suggested.percent == "withheld"
    assert rows["inadequate"].suggested.note == "rate withheld: small numbers"
    assert rows["good"].suggested.met.text == "more than 3"  # 5 good of 8: the 3 others would show
    assert rows["good"].suggested.withheld
    assert "fewer than 5" in report.method.suppression


def test_question_text_puts_parameter_values_in():
    assert question_text("Within referral_max_hours hours?", {"referral_max_hours": 24}) == "Within 24 hours?"
    assert question_text("gap supervision_max_gap_days, first supervision_first_days",
                         {"supervision_max_gap_days": 28.0, "supervision_first_days": 7, "gap": 1}) == \
        "gap 28, first 7"  # a name without "_" could be an ordinary word: left alone
    assert question_text("no parameters here", {}) == "no parameters here"


def test_method_marks_overridden_parameters_and_lists_fingerprints():
    document = hand_made([{"case_id": "T-01"}])
    document["parameters"]["referral_max_hours"] = 48
    report = force_report_context(ResultsDocument.from_json(document), shipped_criteria())
    rows = {p.name: p for p in report.method.parameters}
    assert rows["referral_max_hours"].overridden and rows["referral_max_hours"].value == "48"
    assert rows["referral_max_hours"].default == "24"
    assert not rows["supervision_max_gap_days"].overridden
    assert dict(report.method.fingerprints) == document["criteria"]["fingerprints"]
    assert "Wilson" in report.method.statistics and "statsmodels" in report.method.statistics
    assert criterion(report, "TIM-01").question.startswith("Was children's social care told within 48 hours")


@pytest.mark.parametrize(
    ("case_id", "expected_reason"),
    [
        ("EXA-2019-003", "suggested grade inadequate"),   # the disagreement of the sample's README
        ("EXA-2019-013", "RISK-02 not evidenced"),        # escalating severity, no risk assessment
        ("EXA-2019-016", "suggested grade inadequate"),
    ],
)
def test_example_sample_cases_to_look_at(case_id, expected_reason):
    document, criteria = example_results()
    listed = {c.case_id: c.reasons for c in force_report_context(document, criteria).review.cases}
    assert expected_reason in listed[case_id]


def test_example_sample_data_quality_and_disagreement_match_its_readme():
    document, criteria = example_results()
    report = force_report_context(document, criteria)
    # README: case 016 has two times recorded before the events they follow.
    assert [case for case, _ in report.data_quality.notes] == ["EXA-2019-016", "EXA-2019-016"]
    # README: case 005 has no supervision or devices captured.
    not_captured = dict(report.data_quality.not_captured)
    assert "devices" in not_captured["EXA-2019-005"] and "supervision" in not_captured["EXA-2019-005"]
    # README: in case 003 the inspector's grade (requires improvement) differs from the suggested (inadequate).
    assert ("EXA-2019-003", "inadequate", "requires improvement") in report.grades.differing
    assert report.cases.text == "16"
