"""Boundary tests for RISK-01 ... RISK-05 (cumulative and escalating risk).

Every expected state is worked out by hand from spec/criteria.md ("Result states", "Time rules",
"Three-valued logic", the RISK criteria) and spec/case-file.md ("Ties: entries with the same time
keep the order they have in the file"), never by running the code.
The case's `reported_at` is 2019-03-04T16:20 local time (GMT, so also 16:20 UTC); 365 days before
it is 2018-03-04T16:20, also GMT.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from conftest import ABSENT, MINIMAL, make_case

MET, NOT_MET, NOT_EVIDENCED = "met", "not_met", "not_evidenced"
NOT_APPLICABLE, UNABLE, PENDING = "not_applicable", "unable_to_assess", "pending"

R = datetime(2019, 3, 4, 16, 20, tzinfo=UTC)


def t(**delta: float) -> str:
    """reported_at shifted by a timedelta, as an ISO datetime with an explicit UTC offset."""
    return (R + timedelta(**delta)).isoformat()


def inc(ref: str, at: str, severity: int = 2, *, seen: bool = True, demeanour: bool = True,
        response: str = "immediate") -> dict[str, Any]:
    return {"ref": ref, "at": at, "type": "concern", "severity": severity, "child_seen": seen,
            "demeanour_recorded": demeanour, "response": response}


def ra(at: str, level: str = "standard", history: bool = False, reviewed: str | None = None) -> dict[str, Any]:
    return {"at": at, "level": level, "history_considered": history, "supervisor_reviewed_at": reviewed}


def sd(at: str, agencies: list[str] | None = None) -> dict[str, Any]:
    return {"at": at, "agencies": ["police", "childrens_social_care", "health"] if agencies is None else agencies}


def answer(value: Any, by: str = "insp-a") -> dict[str, Any]:
    return {"answer": value, "by": by}


# --- RISK-01: repeat incidents, the first risk assessment considers the history ------------------

#: Three incidents inside the 365 days up to and including reported_at.
THREE = [inc("I-1", t(days=-300)), inc("I-2", t(days=-100)), inc("I-3", t())]
TWO = [inc("I-1", t(days=-300)), inc("I-2", t(days=-100))]
CONSIDERED = [ra(t(hours=2), history=True)]
NOT_CONSIDERED = [ra(t(hours=2), history=False)]

RISK_01 = [
    pytest.param({"incidents": THREE, "risk_assessments": CONSIDERED}, MET, id="3 incidents, history considered: met"),
    pytest.param({"incidents": THREE, "risk_assessments": NOT_CONSIDERED}, NOT_MET,
                 id="3 incidents, history not considered: not met"),
    pytest.param({"incidents": THREE, "risk_assessments": []}, NOT_EVIDENCED,
                 id="no risk assessment: not evidenced"),
    pytest.param({"incidents": THREE, "risk_assessments": [ra(t(minutes=-1), history=True)]}, NOT_EVIDENCED,
                 id="only a history assessment (1 min before the report): not evidenced"),
    pytest.param({"incidents": THREE,
                  "risk_assessments": [ra(t(days=-30), history=True), ra(t(hours=1), history=False)]},
                 NOT_MET, id="earlier history assessment ignored: the first at/after the report decides"),
    pytest.param({"incidents": THREE,
                  "risk_assessments": [ra(t(days=-30), history=False), ra(t(hours=1), history=True)]},
                 MET, id="earlier history assessment that did not consider history is ignored"),
    pytest.param({"incidents": THREE, "risk_assessments": [ra(t(), history=True)]}, MET,
                 id="assessment exactly at reported_at belongs to the case: met"),
    pytest.param({"incidents": THREE, "risk_assessments": [ra(t(), history=False), ra(t(hours=1), history=True)]},
                 NOT_MET, id="assessment exactly at reported_at is the first: not met"),
    pytest.param({"incidents": THREE,
                  "risk_assessments": [ra(t(hours=5), history=True), ra(t(hours=1), history=False)]},
                 NOT_MET, id="first by time, not by file order (later one listed first): not met"),
    pytest.param({"incidents": THREE,
                  "risk_assessments": [ra(t(hours=5), history=False), ra(t(hours=1), history=True)]},
                 MET, id="first by time, not by file order: met"),
    pytest.param({"incidents": THREE,
                  "risk_assessments": [ra(t(hours=1), history=True), ra(t(hours=1), history=False)]},
                 MET, id="tie at the same time: the first in the file decides (met)"),
    pytest.param({"incidents": THREE,
                  "risk_assessments": [ra(t(hours=1), history=False), ra(t(hours=1), history=True)]},
                 NOT_MET, id="tie at the same time: the first in the file decides (not met)"),
    # The window: the 365 days up to and including reported_at.
    pytest.param({"incidents": [inc("I-1", t(days=-365)), inc("I-2", t(days=-10)), inc("I-3", t())],
                  "risk_assessments": NOT_CONSIDERED}, NOT_MET,
                 id="incident exactly 365 days before counts: applies"),
    pytest.param({"incidents": [inc("I-1", t(days=-365, minutes=-1)), inc("I-2", t(days=-10)), inc("I-3", t())],
                  "risk_assessments": NOT_CONSIDERED}, NOT_APPLICABLE,
                 id="incident 365 days + 1 min before does not count: not applicable"),
    pytest.param({"incidents": [inc("I-1", "2018-03-04T16:20"), inc("I-2", t(days=-10)), inc("I-3", t())],
                  "risk_assessments": NOT_CONSIDERED}, NOT_MET,
                 id="local-time incident exactly 365 days before counts"),
    pytest.param({"incidents": [inc("I-1", "2018-03-04T16:19"), inc("I-2", t(days=-10)), inc("I-3", t())],
                  "risk_assessments": NOT_CONSIDERED}, NOT_APPLICABLE,
                 id="local-time incident 365 days + 1 min before does not count"),
    pytest.param({"incidents": [inc("I-1", t(days=-20)), inc("I-2", t(days=-10)), inc("I-3", t(minutes=1))],
                  "risk_assessments": NOT_CONSIDERED}, NOT_APPLICABLE,
                 id="incident 1 min after reported_at does not count: not applicable"),
    pytest.param({"incidents": [inc("I-1", t(days=-20)), inc("I-2", t(days=-10)), inc("I-3", t(days=3))],
                  "risk_assessments": NOT_CONSIDERED}, NOT_APPLICABLE,
                 id="incident days after reported_at does not count: not applicable"),
    pytest.param({"incidents": [inc("I-0", t(days=-400)), *TWO], "risk_assessments": NOT_CONSIDERED}, NOT_APPLICABLE,
                 id="an incident outside the window does not count: not applicable"),
    pytest.param({"incidents": TWO, "risk_assessments": NOT_CONSIDERED}, NOT_APPLICABLE,
                 id="2 incidents (below the threshold): not applicable"),
    pytest.param({"incidents": [*THREE, inc("I-4", t(days=-5))], "risk_assessments": NOT_CONSIDERED}, NOT_MET,
                 id="4 incidents: applies"),
    pytest.param({"incidents": [], "risk_assessments": NOT_CONSIDERED}, NOT_APPLICABLE,
                 id="no incidents: not applicable"),
    pytest.param({"incidents": ABSENT, "risk_assessments": CONSIDERED}, UNABLE,
                 id="incidents absent: unable to assess"),
    # Kleene logic
    pytest.param({"incidents": THREE, "risk_assessments": ABSENT}, UNABLE,
                 id="applies, risk_assessments absent: unable to assess"),
    pytest.param({"incidents": TWO, "risk_assessments": ABSENT}, NOT_APPLICABLE,
                 id="does not apply, risk_assessments absent: not applicable"),
    pytest.param({"incidents": [], "risk_assessments": ABSENT, "strategy_discussions": ABSENT}, NOT_APPLICABLE,
                 id="no incidents, other sections absent: not applicable"),
]


@pytest.mark.parametrize("fields, expected", RISK_01)
def test_risk01(state, fields, expected):
    assert state("RISK-01", make_case(**fields)) == expected


def test_risk01_threshold_parameter(state):
    case = make_case(incidents=TWO, risk_assessments=NOT_CONSIDERED)
    assert state("RISK-01", case, repeat_threshold=2) == NOT_MET
    assert state("RISK-01", make_case(incidents=THREE, risk_assessments=NOT_CONSIDERED),
                 repeat_threshold=4) == NOT_APPLICABLE


def test_risk01_window_parameter(state):
    incidents = [inc("I-1", t(days=-30, minutes=-1)), inc("I-2", t(days=-10)), inc("I-3", t())]
    case = make_case(incidents=incidents, risk_assessments=NOT_CONSIDERED)
    assert state("RISK-01", case, repeat_window_days=30) == NOT_APPLICABLE
    incidents[0] = inc("I-1", t(days=-30))
    assert state("RISK-01", make_case(incidents=incidents, risk_assessments=NOT_CONSIDERED),
                 repeat_window_days=30) == NOT_MET


def test_risk01_evidence_shows_count_and_answer(score):
    result = score(make_case(incidents=[*THREE, inc("I-4", t(days=-5))], risk_assessments=NOT_CONSIDERED))
    evidence = result.results["RISK-01"].evidence
    assert result.results["RISK-01"].state == NOT_MET
    assert re.search(r"\b4\b", evidence), evidence  # four incidents in the window
    assert "false" in evidence.lower()


# --- RISK-02: escalating severity answered by a high grading or a strategy discussion ------------

RISING = [inc("I-1", t(days=-20), 1), inc("I-2", t(days=-10), 2), inc("I-3", t(), 3)]
HIGH = [ra(t(hours=1), "high")]


def esc(*severities: int) -> list[dict[str, Any]]:
    """Incidents 30, 20, 10 ... days before reported_at, the last one at reported_at, in time order."""
    n = len(severities)
    return [inc(f"I-{k + 1}", t(days=-10 * (n - 1 - k)), s) for k, s in enumerate(severities)]


RISK_02 = [
    pytest.param({"incidents": RISING, "risk_assessments": HIGH}, MET, id="1,2,3 then graded high: met"),
    pytest.param({"incidents": RISING, "strategy_discussions": [sd(t(days=1))]}, MET,
                 id="1,2,3 then a strategy discussion: met"),
    pytest.param({"incidents": RISING, "strategy_discussions": [sd(t(days=1), ["police"])]}, MET,
                 id="any strategy discussion will do, whoever attended"),
    pytest.param({"incidents": RISING, "risk_assessments": [ra(t(), "high")]}, MET,
                 id="graded high exactly at the last incident: met"),
    pytest.param({"incidents": RISING, "strategy_discussions": [sd(t())]}, MET,
                 id="strategy discussion exactly at the last incident: met"),
    pytest.param({"incidents": RISING, "risk_assessments": [ra(t(hours=1), "medium")]}, NOT_MET,
                 id="assessed but graded medium, no strategy discussion: not met"),
    pytest.param({"incidents": RISING, "risk_assessments": [ra(t(hours=1), "medium"), ra(t(days=2), "high")]}, MET,
                 id="a later high grading: met"),
    pytest.param({"incidents": RISING}, NOT_EVIDENCED, id="no assessment or discussion: not evidenced"),
    pytest.param({"incidents": RISING, "risk_assessments": [ra(t(minutes=-1), "high")],
                  "strategy_discussions": [sd(t(minutes=-1))]}, NOT_EVIDENCED,
                 id="high grading and discussion 1 min before the last incident: not evidenced"),
    # what counts as escalation
    pytest.param({"incidents": esc(2, 3, 3), "risk_assessments": HIGH}, NOT_APPLICABLE,
                 id="2,3,3 is not escalation"),
    pytest.param({"incidents": esc(1, 2, 4), "risk_assessments": []}, NOT_EVIDENCED, id="1,2,4 is escalation"),
    pytest.param({"incidents": esc(3, 2, 1), "risk_assessments": HIGH}, NOT_APPLICABLE, id="falling is not escalation"),
    pytest.param({"incidents": esc(1, 1, 2), "risk_assessments": HIGH}, NOT_APPLICABLE, id="1,1,2 is not escalation"),
    pytest.param({"incidents": esc(1, 2), "risk_assessments": HIGH}, NOT_APPLICABLE,
                 id="only 2 incidents (fewer than escalation_run): not applicable"),
    pytest.param({"incidents": esc(5, 1, 2, 3), "risk_assessments": []}, NOT_EVIDENCED,
                 id="the last 3 of 4 (1,2,3) rise: applies"),
    pytest.param({"incidents": esc(1, 2, 3, 1), "risk_assessments": HIGH}, NOT_APPLICABLE,
                 id="the last 3 of 4 (2,3,1) do not rise: not applicable"),
    pytest.param({"incidents": [RISING[2], RISING[0], RISING[1]], "risk_assessments": []}, NOT_EVIDENCED,
                 id="ordered by time, not file order (rising by time, listed 3,1,2): applies"),
    pytest.param({"incidents": [inc("I-1", t(), 1), inc("I-2", t(days=-10), 2), inc("I-3", t(days=-20), 3)],
                  "risk_assessments": HIGH}, NOT_APPLICABLE,
                 id="rising in file order but falling by time: not applicable"),
    pytest.param({"incidents": [inc("I-1", t(days=-20), 1), inc("I-2", t(), 2), inc("I-3", t(), 3)],
                  "risk_assessments": []}, NOT_EVIDENCED,
                 id="tie at the same time keeps file order (1,2,3): applies"),
    pytest.param({"incidents": [inc("I-1", t(days=-20), 1), inc("I-3", t(), 3), inc("I-2", t(), 2)],
                  "risk_assessments": HIGH}, NOT_APPLICABLE,
                 id="tie at the same time keeps file order (1,3,2): not applicable"),
    # the window (365 days up to and including reported_at)
    pytest.param({"incidents": [inc("I-1", t(days=-365), 1), inc("I-2", t(days=-10), 2), inc("I-3", t(), 3)],
                  "risk_assessments": []}, NOT_EVIDENCED,
                 id="first incident exactly 365 days before is in the window: applies"),
    pytest.param({"incidents": [inc("I-1", t(days=-365, minutes=-1), 1), inc("I-2", t(days=-10), 2),
                                inc("I-3", t(), 3)],
                  "risk_assessments": HIGH}, NOT_APPLICABLE,
                 id="first incident 365 days + 1 min before is outside: not applicable"),
    pytest.param({"incidents": [*RISING, inc("I-4", t(days=1), 1)], "risk_assessments": [ra(t(days=2), "high")]}, MET,
                 id="an incident after reported_at is outside the window: last 3 in it are 1,2,3"),
    pytest.param({"incidents": [inc("I-0", t(days=-400), 1), inc("I-1", t(days=-20), 2), inc("I-2", t(), 3)],
                  "risk_assessments": HIGH}, NOT_APPLICABLE,
                 id="an incident before the window does not complete a run"),
    pytest.param({"incidents": [inc("I-1", t(days=-30), 1), inc("I-2", t(days=-20), 2), inc("I-3", t(days=-10), 3)],
                  "strategy_discussions": [sd(t(days=1))]}, MET,
                 id="escalation wholly before the report, strategy discussion after: met"),
    pytest.param({"incidents": []}, NOT_APPLICABLE, id="no incidents: not applicable"),
    pytest.param({"incidents": ABSENT, "risk_assessments": HIGH}, UNABLE, id="incidents absent: unable to assess"),
    # Kleene logic
    pytest.param({"incidents": esc(2, 3, 3), "risk_assessments": ABSENT, "strategy_discussions": ABSENT},
                 NOT_APPLICABLE,
                 id="no escalation, responses absent: not applicable"),
    pytest.param({"incidents": RISING, "risk_assessments": HIGH, "strategy_discussions": ABSENT}, MET,
                 id="graded high, strategy_discussions absent: met"),
    pytest.param({"incidents": RISING, "risk_assessments": ABSENT, "strategy_discussions": [sd(t(days=1))]}, MET,
                 id="strategy discussion held, risk_assessments absent: met"),
    pytest.param({"incidents": RISING, "risk_assessments": [], "strategy_discussions": ABSENT}, UNABLE,
                 id="no assessment, strategy_discussions absent: unable to assess"),
    pytest.param({"incidents": RISING, "risk_assessments": [ra(t(hours=1), "medium")], "strategy_discussions": ABSENT},
                 UNABLE, id="graded medium, strategy_discussions absent: unable to assess"),
    pytest.param({"incidents": RISING, "risk_assessments": ABSENT, "strategy_discussions": []}, UNABLE,
                 id="no discussion, risk_assessments absent: unable to assess"),
]


@pytest.mark.parametrize("fields, expected", RISK_02)
def test_risk02(state, fields, expected):
    assert state("RISK-02", make_case(**fields)) == expected


def test_risk02_escalation_run_parameter(state):
    case = make_case(incidents=esc(3, 1, 2), risk_assessments=[])
    assert state("RISK-02", case) == NOT_APPLICABLE
    assert state("RISK-02", case, escalation_run=2) == NOT_EVIDENCED
    assert state("RISK-02", make_case(incidents=esc(1, 2, 3), risk_assessments=[]), escalation_run=4) == NOT_APPLICABLE


def test_risk02_evidence_shows_severities(score):
    result = score(make_case(incidents=esc(1, 2, 4), risk_assessments=[ra(t(hours=1), "medium")]))
    assert result.results["RISK-02"].state == NOT_MET
    evidence = result.results["RISK-02"].evidence
    assert re.search(r"1\D+2\D+4", evidence), evidence
    assert "medium" in evidence


# --- RISK-03: child seen and demeanour recorded at every attended incident ----------------------

RISK_03 = [
    pytest.param([inc("I-1", t())], MET, id="incident at reported_at, seen and recorded: met"),
    pytest.param([inc("I-1", t(), seen=False)], NOT_MET, id="child not seen: not met"),
    pytest.param([inc("I-1", t(), demeanour=False)], NOT_MET, id="demeanour not recorded: not met"),
    pytest.param([inc("I-1", t(), seen=False, demeanour=False)], NOT_MET, id="neither: not met"),
    pytest.param([inc("I-1", t(days=1), response="scheduled", demeanour=False)], NOT_MET,
                 id="scheduled attendance counts: not met"),
    pytest.param([inc("I-1", t(days=1), response="scheduled")], MET, id="scheduled attendance counts: met"),
    pytest.param([inc("I-1", t(), response="none", seen=False, demeanour=False)], NOT_APPLICABLE,
                 id="police did not attend (response none): not applicable"),
    pytest.param([inc("I-1", t(), response="none", seen=False, demeanour=False), inc("I-2", t(days=1))], MET,
                 id="incident with response none ignored: met"),
    pytest.param([inc("I-0", t(minutes=-1), seen=False, demeanour=False)], NOT_APPLICABLE,
                 id="history incident 1 min before the report: not applicable"),
    pytest.param([inc("I-0", t(days=-30), seen=False, demeanour=False), inc("I-1", t(hours=2))], MET,
                 id="history incident ignored: met"),
    pytest.param([inc("I-1", t()), inc("I-2", t(days=2), demeanour=False), inc("I-3", t(days=3))], NOT_MET,
                 id="one attended incident of three fails: not met"),
    pytest.param([inc("I-1", t()), inc("I-2", t(days=2)), inc("I-3", t(days=3))], MET, id="all three: met"),
    pytest.param([], NOT_APPLICABLE, id="no incidents: not applicable"),
    pytest.param(ABSENT, UNABLE, id="incidents absent: unable to assess"),
]


@pytest.mark.parametrize("incidents, expected", RISK_03)
def test_risk03(state, incidents, expected):
    assert state("RISK-03", make_case(incidents=incidents)) == expected


def test_risk03_does_not_read_other_sections(state):
    case = make_case(MINIMAL, incidents=[inc("I-1", t(), seen=False)])
    assert state("RISK-03", case) == NOT_MET
    case = make_case(MINIMAL, incidents=[inc("I-1", t(), response="none")])
    assert state("RISK-03", case) == NOT_APPLICABLE


def test_risk03_evidence_names_the_failing_incident(score):
    case = make_case(incidents=[inc("I-OK", t()), inc("I-BAD", t(days=2), seen=True, demeanour=False)])
    result = score(case).results["RISK-03"]
    assert result.state == NOT_MET
    assert "I-BAD" in result.evidence


# --- RISK-04: medium or high risk assessments reviewed within 24 hours ---------------------------

A_AT = t(hours=2)  # 2019-03-04T18:20 local


RISK_04 = [
    pytest.param([ra(A_AT, "medium", reviewed=t(hours=26))], MET, id="medium, exactly 24 h: met"),
    pytest.param([ra(A_AT, "high", reviewed=t(hours=26))], MET, id="high, exactly 24 h: met"),
    pytest.param([ra(A_AT, "medium", reviewed=t(hours=26, minutes=1))], NOT_MET, id="24 h 1 min: not met"),
    pytest.param([ra(A_AT, "high", reviewed=t(hours=26, minutes=1))], NOT_MET, id="high, 24 h 1 min: not met"),
    pytest.param([ra(A_AT, "medium", reviewed=t(hours=25, minutes=59))], MET, id="23 h 59 min: met"),
    pytest.param([ra(A_AT, "medium", reviewed=A_AT)], MET, id="reviewed at the same minute: met"),
    pytest.param([ra(A_AT, "medium", reviewed=t(hours=2, minutes=-1))], NOT_MET,
                 id="review 1 min before the assessment: not within (not met)"),
    pytest.param([ra(A_AT, "medium", reviewed=None)], NOT_EVIDENCED, id="review null: not evidenced"),
    pytest.param([ra(A_AT, "standard", reviewed=None)], NOT_APPLICABLE, id="standard only: not applicable"),
    pytest.param([ra(A_AT, "standard", reviewed=None), ra(A_AT, "medium", reviewed=t(hours=3))], MET,
                 id="standard assessment ignored: met"),
    pytest.param([ra(t(minutes=-1), "high", reviewed=None)], NOT_APPLICABLE,
                 id="history assessment (before the report) only: not applicable"),
    pytest.param([ra(t(days=-3), "high", reviewed=None), ra(A_AT, "medium", reviewed=t(hours=3))], MET,
                 id="unreviewed history assessment ignored: met"),
    pytest.param([ra(t(), "medium", reviewed=None)], NOT_EVIDENCED,
                 id="assessment exactly at reported_at belongs to the case"),
    # every item: any not met beats not evidenced, which beats met
    pytest.param([ra(A_AT, "medium", reviewed=t(hours=30)), ra(t(days=2), "high", reviewed=None)], NOT_MET,
                 id="one late, one unreviewed: not met"),
    pytest.param([ra(A_AT, "high", reviewed=None), ra(t(days=2), "medium", reviewed=t(days=2, hours=30))], NOT_MET,
                 id="one unreviewed, one late (other order): not met"),
    pytest.param([ra(A_AT, "medium", reviewed=t(hours=3)), ra(t(days=2), "high", reviewed=None)], NOT_EVIDENCED,
                 id="one on time, one unreviewed: not evidenced"),
    pytest.param([ra(A_AT, "medium", reviewed=t(hours=3)), ra(t(days=2), "high", reviewed=t(days=2, hours=1))], MET,
                 id="both on time: met"),
    pytest.param([], NOT_APPLICABLE, id="no risk assessments: not applicable"),
    pytest.param(ABSENT, UNABLE, id="risk_assessments absent: unable to assess"),
    # exact elapsed durations across clock changes (2019: forward 31 March, back 27 October)
    pytest.param([ra("2019-03-30T18:00", "medium", reviewed="2019-03-31T19:00")], MET,
                 id="clocks forward: 18:00 GMT to 19:00 BST next day is 24 h: met"),
    pytest.param([ra("2019-03-30T18:00", "medium", reviewed="2019-03-31T19:01")], NOT_MET,
                 id="clocks forward: 24 h 1 min: not met"),
    pytest.param([ra("2019-10-26T18:00", "medium", reviewed="2019-10-27T17:00")], MET,
                 id="clocks back: 18:00 BST to 17:00 GMT next day is 24 h: met"),
    pytest.param([ra("2019-10-26T18:00", "medium", reviewed="2019-10-27T17:01")], NOT_MET,
                 id="clocks back: 24 h 1 min: not met"),
    pytest.param([ra("2019-10-26T18:00", "medium", reviewed="2019-10-27T18:00")], NOT_MET,
                 id="clocks back: same wall-clock time next day is 25 h: not met"),
]


@pytest.mark.parametrize("assessments, expected", RISK_04)
def test_risk04(state, assessments, expected):
    assert state("RISK-04", make_case(risk_assessments=assessments)) == expected


def test_risk04_does_not_read_other_sections(state):
    assert state("RISK-04", make_case(MINIMAL, risk_assessments=[ra(A_AT, "high", reviewed=None)])) == NOT_EVIDENCED
    assert state("RISK-04", make_case(MINIMAL, risk_assessments=[])) == NOT_APPLICABLE


def test_risk04_review_parameter(state):
    case = make_case(risk_assessments=[ra(A_AT, "medium", reviewed=t(hours=26, minutes=1))])
    assert state("RISK-04", case, risk_review_max_hours=48) == MET
    case = make_case(risk_assessments=[ra(A_AT, "medium", reviewed=t(hours=14, minutes=1))])
    assert state("RISK-04", case, risk_review_max_hours=12) == NOT_MET


def test_risk04_evidence_tells_met_from_not_met(score):
    at_limit = score(make_case(risk_assessments=[ra(A_AT, "medium", reviewed=t(hours=26))])).results["RISK-04"]
    over = score(make_case(risk_assessments=[ra(A_AT, "medium", reviewed=t(hours=26, minutes=1))])).results["RISK-04"]
    assert (at_limit.state, over.state) == (MET, NOT_MET)
    # The deciding values differ (24 h against 24 h 1 min): the evidence must show the difference.
    assert at_limit.evidence != over.evidence


def test_risk04_not_evidenced_evidence_names_the_assessment(score):
    result = score(make_case(risk_assessments=[ra("2019-03-05T09:15", "high", reviewed=None)])).results["RISK-04"]
    assert result.state == NOT_EVIDENCED
    assert "high" in result.evidence and "2019-03-05" in result.evidence and "09:15" in result.evidence


# --- RISK-05: judgement, applies to every case ---------------------------------------------------

RISK_05 = [
    pytest.param({}, PENDING, id="no judgements key: pending"),
    pytest.param({"judgements": {}}, PENDING, id="empty judgements: pending"),
    pytest.param({"judgements": {"INF-02": answer("yes")}}, PENDING, id="only another criterion answered: pending"),
    pytest.param({"judgements": {"RISK-05": answer("yes")}}, MET, id="yes: met"),
    pytest.param({"judgements": {"RISK-05": answer("partly")}}, NOT_MET, id="partly: not met"),
    pytest.param({"judgements": {"RISK-05": answer("no")}}, NOT_MET, id="no: not met"),
    pytest.param({"judgements": {"RISK-05": answer("n/a")}}, NOT_APPLICABLE, id="n/a: not applicable"),
    pytest.param({"judgements": {"RISK-05": answer(True)}}, MET, id="unquoted YAML yes (True): met"),
    pytest.param({"judgements": {"RISK-05": answer(False)}}, NOT_MET, id="unquoted YAML no (False): not met"),
]


@pytest.mark.parametrize("fields, expected", RISK_05)
def test_risk05(state, fields, expected):
    assert state("RISK-05", make_case(**fields)) == expected


@pytest.mark.parametrize("fields, expected", RISK_05)
def test_risk05_with_nothing_captured(state, fields, expected):
    """Judgements are the inspector's, not the export's: absent sections do not change them."""
    assert state("RISK-05", make_case(MINIMAL, **fields)) == expected


def test_risk05_unquoted_yaml_yes_in_a_case_file_is_yes(state):
    data = yaml.safe_load("judgements:\n  RISK-05: {answer: yes, by: insp-a}\n")
    assert data["judgements"]["RISK-05"]["answer"] is True
    assert state("RISK-05", make_case(**data)) == MET


def test_risk05_answer_makes_no_data_quality_note(score):
    result = score(make_case(judgements={"RISK-05": answer("n/a")}))
    assert not [n for n in result.data_quality if "RISK-05" in n]
