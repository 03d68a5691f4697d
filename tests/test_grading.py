"""The suggested case grade and its provisional flag, against spec/criteria.md "Suggested case grade".

- inadequate if any applicable critical criterion is not met or not evidenced;
- else requires improvement if any major criterion is, or two or more minor ones are;
- else good;
- provisional when the grade with every outstanding result (pending, unable to assess, error)
  taken as met differs from the grade with every outstanding result taken as not met; a case with
  nothing assessable is good and provisional.

Tested through `grading.suggest_grade` with hand-built (severity, state) lists, under both the
shipped grading rule and the rule written out here from the spec, and through whole cases scored
with the shipped criteria. Expected values are worked out by hand, never by running the code.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import ABSENT, MINIMAL, make_case

from thematic.model.criteria import GradingDef
from thematic.scoring.grading import suggest_grade

MET, NOT_MET, NOT_EVIDENCED = "met", "not_met", "not_evidenced"
NOT_APPLICABLE, UNABLE, PENDING, ERROR = "not_applicable", "unable_to_assess", "pending", "error"
GOOD, RI, INADEQUATE = "good", "requires_improvement", "inadequate"
CRIT, MAJ, MIN = "critical", "major", "minor"

#: The default rule of spec/criteria.md, written out independently of the shipped criteria file.
SPEC_GRADING = GradingDef.model_validate({
    "description": "spec default",
    "rules": [
        {"grade": "inadequate", "when_failed": {"critical": 1}},
        {"grade": "requires_improvement", "when_failed": {"major": 1, "minor": 2}},
    ],
    "otherwise": "good",
})


@pytest.fixture(params=["shipped", "spec"])
def grading(request, criteria):
    return criteria.file.grading if request.param == "shipped" else SPEC_GRADING


# --- suggest_grade with hand-built results ---------------------------------------------------------

GRADES = [
    # (results, expected grade, expected provisional)
    pytest.param([(CRIT, MET), (MAJ, MET), (MIN, MET)], GOOD, False, id="all met: good"),
    pytest.param([(CRIT, NOT_MET)], INADEQUATE, False, id="critical not met: inadequate"),
    pytest.param([(CRIT, NOT_EVIDENCED)], INADEQUATE, False, id="critical not evidenced: inadequate"),
    pytest.param([(CRIT, NOT_EVIDENCED), (MAJ, MET), (MIN, MET)], INADEQUATE, False,
                 id="one critical not evidenced among mets: inadequate"),
    pytest.param([(CRIT, NOT_APPLICABLE), (MAJ, MET)], GOOD, False, id="critical not applicable is ignored: good"),
    pytest.param([(MAJ, NOT_MET), (CRIT, MET)], RI, False, id="major not met: requires improvement"),
    pytest.param([(MAJ, NOT_EVIDENCED), (CRIT, MET)], RI, False, id="major not evidenced: requires improvement"),
    pytest.param([(MAJ, NOT_MET), (MAJ, NOT_MET), (MAJ, NOT_EVIDENCED)], RI, False,
                 id="several majors failed are still requires improvement"),
    pytest.param([(MIN, NOT_MET), (CRIT, MET), (MAJ, MET)], GOOD, False, id="one minor not met alone: good"),
    pytest.param([(MIN, NOT_EVIDENCED)], GOOD, False, id="one minor not evidenced alone: good"),
    pytest.param([(MIN, NOT_MET), (MIN, NOT_MET)], RI, False, id="two minors not met: requires improvement"),
    pytest.param([(MIN, NOT_MET), (MIN, NOT_EVIDENCED)], RI, False,
                 id="minor not met + minor not evidenced: requires improvement"),
    pytest.param([(MIN, NOT_MET), (MIN, NOT_APPLICABLE)], GOOD, False, id="a not-applicable minor is not a failure"),
    pytest.param([(MIN, NOT_MET), (MIN, NOT_MET), (MIN, NOT_MET), (MAJ, MET)], RI, False,
                 id="three minors: requires improvement (not inadequate)"),
    pytest.param([(CRIT, NOT_MET), (MAJ, NOT_MET), (MIN, NOT_MET), (MIN, NOT_MET)], INADEQUATE, False,
                 id="critical decides over major and minors"),
    pytest.param([(MAJ, NOT_APPLICABLE), (MIN, NOT_APPLICABLE), (CRIT, MET)], GOOD, False,
                 id="not applicable excluded everywhere: good"),
    # provisional: outstanding results that could change the grade
    pytest.param([(CRIT, PENDING), (MAJ, MET)], GOOD, True, id="critical pending: good, provisional"),
    pytest.param([(CRIT, UNABLE), (MAJ, MET)], GOOD, True, id="critical unable to assess: good, provisional"),
    pytest.param([(CRIT, ERROR), (MAJ, MET)], GOOD, True, id="critical error: good, provisional"),
    pytest.param([(MAJ, PENDING), (CRIT, MET)], GOOD, True, id="major pending: good, provisional"),
    pytest.param([(MAJ, NOT_MET), (CRIT, PENDING)], RI, True, id="major failed, critical pending: RI, provisional"),
    pytest.param([(MAJ, NOT_MET), (MAJ, UNABLE), (CRIT, MET)], RI, False,
                 id="major failed, another major outstanding: RI either way, not provisional"),
    pytest.param([(MAJ, NOT_MET), (MIN, PENDING), (MIN, ERROR), (CRIT, MET)], RI, False,
                 id="major failed, minors outstanding: RI either way, not provisional"),
    pytest.param([(CRIT, NOT_MET), (CRIT, PENDING), (MAJ, UNABLE), (MIN, ERROR)], INADEQUATE, False,
                 id="critical failed: inadequate whatever is outstanding, not provisional"),
    pytest.param([(MIN, PENDING), (CRIT, MET), (MAJ, MET)], GOOD, False,
                 id="one minor outstanding alone cannot change good: not provisional"),
    pytest.param([(MIN, NOT_MET), (MIN, PENDING), (CRIT, MET)], GOOD, True,
                 id="one minor failed + one minor pending: good, provisional"),
    pytest.param([(MIN, NOT_EVIDENCED), (MIN, UNABLE), (CRIT, MET)], GOOD, True,
                 id="one minor failed + one minor unable: good, provisional"),
    pytest.param([(MIN, NOT_MET), (MIN, ERROR), (MAJ, MET)], GOOD, True,
                 id="one minor failed + one minor error: good, provisional"),
    pytest.param([(MIN, PENDING), (MIN, UNABLE), (CRIT, MET)], GOOD, True,
                 id="two minors outstanding: good, provisional"),
    pytest.param([(MIN, NOT_MET), (MIN, NOT_MET), (MAJ, PENDING)], RI, False,
                 id="two minors failed, major pending: RI either way, not provisional"),
    pytest.param([(MIN, NOT_MET), (MIN, NOT_MET), (CRIT, PENDING)], RI, True,
                 id="two minors failed, critical pending: RI, provisional"),
    pytest.param([(MIN, NOT_MET), (CRIT, NOT_APPLICABLE), (MAJ, NOT_APPLICABLE)], GOOD, False,
                 id="not applicable results never make it provisional"),
    # nothing assessable (no met, not met or not evidenced): good and provisional
    pytest.param([(CRIT, PENDING), (MAJ, UNABLE), (MIN, ERROR)], GOOD, True,
                 id="everything outstanding: good, provisional"),
    pytest.param([(CRIT, UNABLE)], GOOD, True, id="a single critical unable to assess: good, provisional"),
    pytest.param([], GOOD, True, id="no results at all: nothing assessable: good, provisional"),
    pytest.param([(MIN, PENDING)], GOOD, True,
                 id="only a minor pending: nothing assessable: good, provisional"),
    pytest.param([(CRIT, NOT_APPLICABLE), (MAJ, NOT_APPLICABLE), (MIN, NOT_APPLICABLE)], GOOD, True,
                 id="everything not applicable: nothing assessable: good, provisional"),
    pytest.param([(MAJ, NOT_APPLICABLE), (MIN, PENDING)], GOOD, True,
                 id="not applicable and a minor pending: nothing assessable: good, provisional"),
]


@pytest.mark.parametrize("results, expected, provisional", GRADES)
def test_suggest_grade(grading, results, expected, provisional):
    assert suggest_grade(grading, results) == (expected, provisional)


@pytest.mark.parametrize("results, expected, provisional", GRADES)
def test_suggest_grade_ignores_order(grading, results, expected, provisional):
    assert suggest_grade(grading, list(reversed(results))) == (expected, provisional)


def test_suggest_grade_accepts_a_generator(grading):
    results = ((s, st) for s, st in [(MAJ, NOT_MET), (CRIT, PENDING)])
    assert suggest_grade(grading, results) == (RI, True)


def test_shipped_grading_is_the_spec_default(criteria):
    """The default rule of the spec, as the shipped criteria file configures it."""
    grading = criteria.file.grading
    assert grading.otherwise == GOOD
    rules = [(r.grade, dict(r.when_failed)) for r in grading.rules]
    assert rules == [(INADEQUATE, {CRIT: 1}), (RI, {MAJ: 1, MIN: 2})]


SEVERITIES = {
    "CRM-01": (CRIT, "automatic"), "CRM-02": (MAJ, "automatic"), "CRM-03": (CRIT, "automatic"),
    "CRM-04": (MAJ, "automatic"), "CRM-05": (MIN, "automatic"), "CRM-06": (MAJ, "judgement"),
    "RISK-01": (CRIT, "automatic"), "RISK-02": (MAJ, "automatic"), "RISK-03": (MAJ, "automatic"),
    "RISK-04": (MAJ, "automatic"), "RISK-05": (CRIT, "judgement"),
    "INF-01": (MAJ, "automatic"), "INF-02": (MIN, "judgement"),
    "TRN-01": (MAJ, "automatic"), "EI-01": (MIN, "automatic"), "OUT-01": (MAJ, "automatic"),
}


@pytest.mark.parametrize("cid, expected", sorted(SEVERITIES.items()))
def test_severity_and_type_as_the_catalogue_fixes_them(criteria, cid, expected):
    definition = criteria.criterion(cid).definition
    assert (definition.severity, definition.type) == expected


# --- whole cases scored with the shipped criteria ---------------------------------------------------

R = datetime(2019, 3, 4, 16, 20, tzinfo=UTC)  # reported_at of the test cases


def t(**delta: float) -> str:
    return (R + timedelta(**delta)).isoformat()


def answer(value: Any) -> dict[str, Any]:
    return {"answer": value, "by": "insp-a"}


#: Children's social care told an hour after the report: TIM-01 (major) met.
REFERRED = [{"at": t(hours=1), "to": "childrens_social_care"}]
ANSWERED = {"RISK-05": answer("yes"), "INF-02": answer("yes")}


def clean(**fields: Any):
    """Everything captured, nothing happened but a prompt referral; both every-case judgements yes.

    Every criterion is then met or not applicable: TIM-01 met, RISK-05 and INF-02 met, all others
    not applicable (no investigation, s47, police protection, devices, suspect, custody, outcome,
    incidents, risk assessments or strategy discussions).
    """
    data: dict[str, Any] = {"referrals": REFERRED, "judgements": ANSWERED}
    data.update(fields)
    return make_case(**data)


def custody(aa_delay_minutes: int) -> dict[str, Any]:
    """Custody without charge; the appropriate adult arrives `aa_delay_minutes` after the request."""
    return {
        "arrived_at": t(hours=1), "charged_at": None, "bail_refused": False, "transferred_at": None,
        "s38_6_certificate": False, "appropriate_adult_requested_at": t(hours=1, minutes=10),
        "appropriate_adult_arrived_at": t(hours=1, minutes=10 + aa_delay_minutes),
    }


def assessed(result) -> dict[str, str]:
    """The results that are not 'not applicable'."""
    return {cid: r.state for cid, r in result.results.items() if r.state != NOT_APPLICABLE}


def test_clean_case_is_good_and_not_provisional(score):
    result = score(clean())
    assert assessed(result) == {"TIM-01": MET, "RISK-05": MET, "INF-02": MET}
    assert (result.suggested_grade, result.provisional) == (GOOD, False)


def test_clean_case_without_judgements_is_good_and_provisional(score):
    result = score(clean(judgements=ABSENT))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": PENDING, "INF-02": PENDING}
    assert (result.suggested_grade, result.provisional) == (GOOD, True)


def test_only_a_minor_judgement_pending_is_not_provisional(score):
    result = score(clean(judgements={"RISK-05": answer("yes")}))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": MET, "INF-02": PENDING}
    assert (result.suggested_grade, result.provisional) == (GOOD, False)


def test_one_minor_failure_stays_good(score):
    result = score(clean(custody=custody(121)))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": MET, "INF-02": MET, "CRM-05": NOT_MET}
    assert (result.suggested_grade, result.provisional) == (GOOD, False)


def test_appropriate_adult_at_the_limit_is_good(score):
    result = score(clean(custody=custody(120)))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": MET, "INF-02": MET, "CRM-05": MET}
    assert (result.suggested_grade, result.provisional) == (GOOD, False)


def test_one_minor_failure_and_one_minor_pending_is_provisional(score):
    result = score(clean(custody=custody(121), judgements={"RISK-05": answer("yes")}))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": MET, "INF-02": PENDING, "CRM-05": NOT_MET}
    assert (result.suggested_grade, result.provisional) == (GOOD, True)


def test_two_minor_failures_require_improvement(score):
    # Two incidents in the 180 days before the report and the only referral after it: EI-01 not met.
    incidents = [
        {"ref": f"I-{k}", "at": t(days=-d), "type": "missing", "severity": 2, "child_seen": True,
         "demeanour_recorded": True, "response": "scheduled"}
        for k, d in ((1, 100), (2, 40))
    ]
    result = score(clean(custody=custody(121), incidents=incidents))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": MET, "INF-02": MET, "CRM-05": NOT_MET, "EI-01": NOT_MET}
    assert (result.suggested_grade, result.provisional) == (RI, False)


def test_minor_judgement_answered_no_plus_minor_failure_requires_improvement(score):
    result = score(clean(custody=custody(121), judgements={"RISK-05": answer("yes"), "INF-02": answer("no")}))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": MET, "INF-02": NOT_MET, "CRM-05": NOT_MET}
    assert (result.suggested_grade, result.provisional) == (RI, False)


def test_major_failure_requires_improvement(score):
    result = score(clean(referrals=[]))
    assert assessed(result) == {"TIM-01": NOT_EVIDENCED, "RISK-05": MET, "INF-02": MET}
    assert (result.suggested_grade, result.provisional) == (RI, False)


def test_major_failure_with_critical_judgement_pending_is_provisional(score):
    result = score(clean(referrals=[], judgements={"INF-02": answer("yes")}))
    assert assessed(result) == {"TIM-01": NOT_EVIDENCED, "RISK-05": PENDING, "INF-02": MET}
    assert (result.suggested_grade, result.provisional) == (RI, True)


def test_major_judgement_partly_requires_improvement(score):
    suspect = {"offence": "theft", "exploitation_indicators": [], "nrm_referred_at": None,
               "nrm_decision": "none", "s45_considered": False}
    result = score(clean(child_as_suspect=suspect, judgements={**ANSWERED, "CRM-06": answer("partly")}))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": MET, "INF-02": MET, "CRM-06": NOT_MET}
    assert (result.suggested_grade, result.provisional) == (RI, False)


def test_critical_judgement_not_met_is_inadequate(score):
    result = score(clean(judgements={"RISK-05": answer("partly"), "INF-02": answer("yes")}))
    assert assessed(result) == {"TIM-01": MET, "RISK-05": NOT_MET, "INF-02": MET}
    assert (result.suggested_grade, result.provisional) == (INADEQUATE, False)


def test_critical_not_evidenced_is_inadequate_whatever_is_pending(score):
    suspect = {"offence": "possession with intent to supply class A", "exploitation_indicators": ["county_lines"],
               "nrm_referred_at": None, "nrm_decision": "none", "s45_considered": True}
    result = score(clean(child_as_suspect=suspect, judgements=ABSENT))
    assert assessed(result) == {
        "TIM-01": MET, "CRM-01": NOT_EVIDENCED, "CRM-02": MET, "CRM-06": PENDING,
        "RISK-05": PENDING, "INF-02": PENDING,
    }
    assert (result.suggested_grade, result.provisional) == (INADEQUATE, False)


def test_critical_automatic_unable_to_assess_is_provisional(score):
    # Three incidents in the repeat window, risk assessments not captured: RISK-01 unable to assess.
    incidents = [
        {"ref": f"I-{k}", "at": t(days=-d), "type": "missing", "severity": 2, "child_seen": True,
         "demeanour_recorded": True, "response": "none"}
        for k, d in ((1, 300), (2, 200), (3, 190))
    ]
    # RISK-04 (major) reads risk assessments too, so it is unable to assess as well.
    result = score(clean(incidents=incidents, risk_assessments=ABSENT))
    assert assessed(result) == {"TIM-01": MET, "RISK-01": UNABLE, "RISK-04": UNABLE, "RISK-05": MET, "INF-02": MET}
    assert (result.suggested_grade, result.provisional) == (GOOD, True)


def test_nothing_captured_is_good_and_provisional(score):
    result = score(make_case(MINIMAL))
    assert not [cid for cid, r in result.results.items() if r.state in (MET, NOT_MET, NOT_EVIDENCED)]
    assert (result.suggested_grade, result.provisional) == (GOOD, True)


def test_nothing_assessable_everything_answered_not_applicable_is_good_and_provisional(score):
    # Only referrals not captured (TIM-01 and EI-01 read them); the every-case judgements answered n/a.
    result = score(make_case(referrals=ABSENT, judgements={"RISK-05": answer("n/a"), "INF-02": answer("n/a")}))
    assert assessed(result) == {"TIM-01": UNABLE}
    assert (result.suggested_grade, result.provisional) == (GOOD, True)


def test_inspector_grade_stands_beside_the_suggestion(score):
    result = score(clean(grade={"value": "inadequate", "by": "insp-a", "referred_back": True}))
    assert (result.suggested_grade, result.provisional) == (GOOD, False)
    assert result.grade == INADEQUATE and result.referred_back is True
