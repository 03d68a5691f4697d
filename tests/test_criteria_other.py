"""Boundary tests for INF-01, INF-02, TRN-01, EI-01 and OUT-01.

Every expected state is worked out by hand from spec/criteria.md ("Result states", "Time rules",
"Three-valued logic", the criteria) and spec/case-file.md, never by running the code.
The case's `reported_at` is 2019-03-04T16:20 local time (GMT, so also 16:20 UTC). 180 days before
it is 2018-09-05T16:20 UTC, which is 17:20 local time (BST): windows are exact elapsed durations.
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


def inc(ref: str, at: str, severity: int = 2) -> dict[str, Any]:
    return {"ref": ref, "at": at, "type": "concern", "severity": severity, "child_seen": True,
            "demeanour_recorded": True, "response": "scheduled"}


def referral(at: str, to: str) -> dict[str, Any]:
    return {"at": at, "to": to}


def sd(at: str, *agencies: str) -> dict[str, Any]:
    return {"at": at, "agencies": list(agencies)}


def answer(value: Any, by: str = "insp-a") -> dict[str, Any]:
    return {"answer": value, "by": by}


# --- INF-01: every strategy discussion with police, children's social care and health ------------

ALL3 = ("police", "childrens_social_care", "health")

INF_01 = [
    pytest.param([sd(t(days=1), *ALL3)], MET, id="all three agencies: met"),
    pytest.param([sd(t(days=1), "health", "police", "childrens_social_care")], MET, id="order does not matter"),
    pytest.param([sd(t(days=1), *ALL3, "education", "other")], MET, id="extra agencies: met"),
    pytest.param([sd(t(days=1), "police", "childrens_social_care")], NOT_MET, id="no health: not met"),
    pytest.param([sd(t(days=1), "childrens_social_care", "health")], NOT_MET, id="no police: not met"),
    pytest.param([sd(t(days=1), "police", "health")], NOT_MET, id="no children's social care: not met"),
    pytest.param([sd(t(days=1), "police", "childrens_social_care", "education")], NOT_MET,
                 id="education is not health: not met"),
    pytest.param([sd(t(days=1))], NOT_MET, id="no agencies recorded: not met"),
    pytest.param([sd(t(), *ALL3)], MET, id="discussion exactly at reported_at belongs to the case: met"),
    pytest.param([sd(t(), "police")], NOT_MET, id="discussion exactly at reported_at counts: not met"),
    pytest.param([sd(t(days=1), *ALL3), sd(t(days=5), "police", "childrens_social_care")], NOT_MET,
                 id="one of two lacks health: not met"),
    pytest.param([sd(t(days=5), "police"), sd(t(days=1), *ALL3)], NOT_MET, id="one of two lacks two agencies: not met"),
    pytest.param([sd(t(days=1), *ALL3), sd(t(days=5), *ALL3)], MET, id="both complete: met"),
    pytest.param([sd(t(minutes=-1), "police")], NOT_APPLICABLE,
                 id="history discussion (1 min before the report) only: not applicable"),
    pytest.param([sd(t(days=-20), "police"), sd(t(days=1), *ALL3)], MET,
                 id="incomplete history discussion ignored: met"),
    pytest.param([], NOT_APPLICABLE, id="no strategy discussions: not applicable"),
    pytest.param(ABSENT, UNABLE, id="strategy_discussions absent: unable to assess"),
]


@pytest.mark.parametrize("discussions, expected", INF_01)
def test_inf01(state, discussions, expected):
    assert state("INF-01", make_case(strategy_discussions=discussions)) == expected


def test_inf01_does_not_read_other_sections(state):
    assert state("INF-01", make_case(MINIMAL, strategy_discussions=[sd(t(days=1), *ALL3)])) == MET
    assert state("INF-01", make_case(MINIMAL, strategy_discussions=[])) == NOT_APPLICABLE


def test_inf01_evidence_shows_the_incomplete_discussion(score):
    case = make_case(strategy_discussions=[sd(t(days=1), *ALL3), sd("2019-03-09T11:45", "police", "education")])
    result = score(case).results["INF-01"]
    assert result.state == NOT_MET
    assert "2019-03-09" in result.evidence and "11:45" in result.evidence and "education" in result.evidence


# --- INF-02: judgement, applies to every case; answers yes / no / n/a ----------------------------

INF_02 = [
    pytest.param({}, PENDING, id="no judgements key: pending"),
    pytest.param({"judgements": {}}, PENDING, id="empty judgements: pending"),
    pytest.param({"judgements": {"RISK-05": answer("yes")}}, PENDING, id="only another criterion answered: pending"),
    pytest.param({"judgements": {"INF-02": answer("yes")}}, MET, id="yes: met"),
    pytest.param({"judgements": {"INF-02": answer("no")}}, NOT_MET, id="no: not met"),
    pytest.param({"judgements": {"INF-02": answer("n/a")}}, NOT_APPLICABLE, id="n/a: not applicable"),
    pytest.param({"judgements": {"INF-02": answer(True)}}, MET, id="unquoted YAML yes (True): met"),
    pytest.param({"judgements": {"INF-02": answer(False)}}, NOT_MET, id="unquoted YAML no (False): not met"),
]


@pytest.mark.parametrize("fields, expected", INF_02)
def test_inf02(state, fields, expected):
    assert state("INF-02", make_case(**fields)) == expected


@pytest.mark.parametrize("fields, expected", INF_02)
def test_inf02_with_nothing_captured(state, fields, expected):
    assert state("INF-02", make_case(MINIMAL, **fields)) == expected


def test_inf02_unquoted_yaml_no_in_a_case_file_is_no(state):
    data = yaml.safe_load("judgements:\n  INF-02: {answer: no, by: insp-b, note: not recorded}\n")
    assert data["judgements"]["INF-02"]["answer"] is False
    assert state("INF-02", make_case(**data)) == NOT_MET


def test_inf02_evidence_shows_answer_inspector_and_note(score):
    result = score(make_case(judgements={"INF-02": {"answer": "no", "by": "insp-c", "note": "no rationale"}}))
    evidence = result.results["INF-02"].evidence
    assert "no" in evidence and "insp-c" in evidence and "no rationale" in evidence


# --- TRN-01: complex investigation led by PIP2+ with specialist training ----------------------------

def investigation(complexity: str = "complex", pip: int = 2, trained: bool = True) -> dict[str, Any]:
    return {
        "allocated_at": t(hours=3),
        "complexity": complexity,
        "officer": {"pip_level": pip, "specialist_trained": trained},
        "suspect_identified_at": None,
        "suspect_arrested_at": None,
    }


TRN_01 = [
    pytest.param(investigation(pip=2, trained=True), MET, id="PIP2 trained: met (equal to the minimum)"),
    pytest.param(investigation(pip=3, trained=True), MET, id="PIP3 trained: met"),
    pytest.param(investigation(pip=4, trained=True), MET, id="PIP4 trained: met"),
    pytest.param(investigation(pip=1, trained=True), NOT_MET, id="PIP1 trained: not met"),
    pytest.param(investigation(pip=0, trained=True), NOT_MET, id="PIP0 trained: not met"),
    pytest.param(investigation(pip=2, trained=False), NOT_MET, id="PIP2 untrained: not met"),
    pytest.param(investigation(pip=4, trained=False), NOT_MET, id="PIP4 untrained: not met"),
    pytest.param(investigation(pip=1, trained=False), NOT_MET, id="PIP1 untrained: not met"),
    pytest.param(investigation("standard", pip=0, trained=False), NOT_APPLICABLE,
                 id="standard complexity: not applicable"),
    pytest.param(None, NOT_APPLICABLE, id="investigation null: not applicable"),
    pytest.param(ABSENT, UNABLE, id="investigation absent: unable to assess"),
]


@pytest.mark.parametrize("inv, expected", TRN_01)
def test_trn01(state, inv, expected):
    assert state("TRN-01", make_case(investigation=inv)) == expected


def test_trn01_does_not_read_other_sections(state):
    assert state("TRN-01", make_case(MINIMAL, investigation=investigation(pip=1))) == NOT_MET
    assert state("TRN-01", make_case(MINIMAL, investigation=None)) == NOT_APPLICABLE


def test_trn01_min_pip_level_parameter(state):
    assert state("TRN-01", make_case(investigation=investigation(pip=2)), min_pip_level=3) == NOT_MET
    assert state("TRN-01", make_case(investigation=investigation(pip=3)), min_pip_level=3) == MET
    assert state("TRN-01", make_case(investigation=investigation(pip=1)), min_pip_level=1) == MET


def test_trn01_evidence_shows_level_and_training(score):
    result = score(make_case(investigation=investigation(pip=1, trained=True))).results["TRN-01"]
    assert result.state == NOT_MET
    assert re.search(r"\b1\b", result.evidence) and "true" in result.evidence.lower()


# --- EI-01: earlier incidents called for early help -----------------------------------------------

TWO_BEFORE = [inc("I-1", t(days=-100)), inc("I-2", t(days=-50))]

EI_01 = [
    # what makes it apply: at least 2 incidents strictly before reported_at, within 180 days
    pytest.param({"incidents": TWO_BEFORE, "referrals": []}, NOT_EVIDENCED,
                 id="2 incidents in the window, no referrals: not evidenced"),
    pytest.param({"incidents": [inc("I-1", t(days=-50))], "referrals": []}, NOT_APPLICABLE,
                 id="1 incident in the window: not applicable"),
    pytest.param({"incidents": [inc("I-1", t(days=-180)), inc("I-2", t(days=-10))], "referrals": []}, NOT_EVIDENCED,
                 id="incident exactly 180 days before counts"),
    pytest.param({"incidents": [inc("I-1", t(days=-180, minutes=-1)), inc("I-2", t(days=-10))], "referrals": []},
                 NOT_APPLICABLE, id="incident 180 days + 1 min before does not count"),
    pytest.param({"incidents": [inc("I-1", "2018-09-05T17:20"), inc("I-2", t(days=-10))], "referrals": []},
                 NOT_EVIDENCED, id="local 2018-09-05T17:20 BST is exactly 180 days before: counts"),
    pytest.param({"incidents": [inc("I-1", "2018-09-05T16:20"), inc("I-2", t(days=-10))], "referrals": []},
                 NOT_APPLICABLE, id="local 2018-09-05T16:20 BST is 180 days + 1 h before: does not count"),
    pytest.param({"incidents": [inc("I-1", t()), inc("I-2", t(days=-10))], "referrals": []}, NOT_APPLICABLE,
                 id="incident AT reported_at does not count (strictly before)"),
    pytest.param({"incidents": [inc("I-1", t(minutes=-1)), inc("I-2", t(days=-10))], "referrals": []}, NOT_EVIDENCED,
                 id="incident 1 min before reported_at counts"),
    pytest.param({"incidents": [inc("I-1", t(days=2)), inc("I-2", t(days=-10))], "referrals": []}, NOT_APPLICABLE,
                 id="incident after reported_at does not count"),
    pytest.param({"incidents": [*TWO_BEFORE, inc("I-3", t(days=-20))], "referrals": []}, NOT_EVIDENCED,
                 id="3 incidents in the window: applies"),
    pytest.param({"incidents": [], "referrals": []}, NOT_APPLICABLE, id="no incidents: not applicable"),
    # what meets it: a referral to early help or children's social care in the window or at reported_at
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(days=-40), "early_help")]}, MET,
                 id="early help referral in the window: met"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(days=-40), "childrens_social_care")]}, MET,
                 id="social care referral in the window: met"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(), "early_help")]}, MET,
                 id="referral exactly at reported_at: met"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(days=-180), "early_help")]}, MET,
                 id="referral exactly 180 days before: met"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(days=-150), "childrens_social_care")]}, MET,
                 id="referral in the window before the first incident: met"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(days=-180, minutes=-1), "early_help")]}, NOT_MET,
                 id="referral 180 days + 1 min before (outside the window): not met"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(minutes=1), "early_help")]}, NOT_MET,
                 id="referral only 1 min after reported_at: not met"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(hours=2), "childrens_social_care")]}, NOT_MET,
                 id="social care referral only after reported_at: not met"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(days=-40), "school"),
                                                         referral(t(days=-30), "health"),
                                                         referral(t(days=-20), "other")]}, NOT_EVIDENCED,
                 id="referrals only to other agencies: not evidenced"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": [referral(t(days=3), "early_help"),
                                                         referral(t(days=-45), "early_help")]}, MET,
                 id="one in the window among others after: met"),
    # Kleene logic
    pytest.param({"incidents": [inc("I-1", t(days=-50))], "referrals": ABSENT}, NOT_APPLICABLE,
                 id="does not apply, referrals absent: not applicable"),
    pytest.param({"incidents": [], "referrals": ABSENT}, NOT_APPLICABLE,
                 id="no incidents, referrals absent: not applicable"),
    pytest.param({"incidents": TWO_BEFORE, "referrals": ABSENT}, UNABLE,
                 id="applies, referrals absent: unable to assess"),
    pytest.param({"incidents": ABSENT, "referrals": [referral(t(days=-40), "early_help")]}, UNABLE,
                 id="incidents absent: unable to assess"),
    pytest.param({"incidents": ABSENT, "referrals": []}, UNABLE, id="incidents absent, no referrals: unable to assess"),
]


@pytest.mark.parametrize("fields, expected", EI_01)
def test_ei01(state, fields, expected):
    assert state("EI-01", make_case(**fields)) == expected


def test_ei01_parameters(state):
    one = make_case(incidents=[inc("I-1", t(days=-50))], referrals=[])
    assert state("EI-01", one, early_help_threshold=1) == NOT_EVIDENCED
    narrow = make_case(incidents=[inc("I-1", t(days=-30, minutes=-1)), inc("I-2", t(days=-10))], referrals=[])
    assert state("EI-01", narrow, early_help_window_days=30) == NOT_APPLICABLE
    wide = make_case(incidents=TWO_BEFORE, referrals=[referral(t(days=-40), "early_help")])
    assert state("EI-01", wide, early_help_window_days=30) == NOT_APPLICABLE
    late = make_case(incidents=[inc("I-1", t(days=-20)), inc("I-2", t(days=-10))],
                     referrals=[referral(t(days=-30, minutes=-1), "early_help")])
    assert state("EI-01", late, early_help_window_days=30) == NOT_MET


def test_ei01_evidence_shows_count(score):
    case = make_case(incidents=[*TWO_BEFORE, inc("I-3", t(days=-20))], referrals=[])
    result = score(case).results["EI-01"]
    assert result.state == NOT_EVIDENCED
    assert re.search(r"\b3\b", result.evidence) and "180" in result.evidence


# --- OUT-01: closed with outcome 14/15/16/18/21: rationale recorded and victim or family told ----

def outcome(code: int, rationale: bool = True, informed: bool = True) -> dict[str, Any]:
    return {"code": code, "decided_at": t(days=30), "rationale_recorded": rationale, "victim_informed": informed}


SUSPECT = {
    "offence": "possession with intent to supply class A",
    "exploitation_indicators": [],
    "nrm_referred_at": None,
    "nrm_decision": "none",
    "s45_considered": False,
}

OUT_01 = [
    *[pytest.param({"outcome": outcome(c)}, MET, id=f"code {c}, both recorded: met") for c in (14, 15, 16, 18, 21)],
    *[pytest.param({"outcome": outcome(c, rationale=False)}, NOT_MET, id=f"code {c}, no rationale: not met")
      for c in (14, 15, 16, 18, 21)],
    pytest.param({"outcome": outcome(16, informed=False)}, NOT_MET, id="victim not informed: not met"),
    pytest.param({"outcome": outcome(18, rationale=False, informed=False)}, NOT_MET, id="neither: not met"),
    *[pytest.param({"outcome": outcome(c, rationale=False, informed=False)}, NOT_APPLICABLE,
                   id=f"code {c} is not in the set: not applicable") for c in (1, 13, 17, 19, 20, 22)],
    pytest.param({"outcome": None}, NOT_APPLICABLE, id="outcome null: not applicable"),
    pytest.param({"outcome": ABSENT}, UNABLE, id="outcome absent, child_as_suspect null: unable to assess"),
    pytest.param({"outcome": outcome(14, rationale=False), "child_as_suspect": SUSPECT}, NOT_APPLICABLE,
                 id="the child is a suspect (outcome is of the child's offence): not applicable"),
    # Kleene logic
    pytest.param({"outcome": outcome(1), "child_as_suspect": ABSENT}, NOT_APPLICABLE,
                 id="code 1, child_as_suspect absent: not applicable"),
    pytest.param({"outcome": outcome(22), "child_as_suspect": ABSENT}, NOT_APPLICABLE,
                 id="code 22, child_as_suspect absent: not applicable"),
    pytest.param({"outcome": None, "child_as_suspect": ABSENT}, NOT_APPLICABLE,
                 id="outcome null, child_as_suspect absent: not applicable"),
    pytest.param({"outcome": outcome(14), "child_as_suspect": ABSENT}, UNABLE,
                 id="code 14, child_as_suspect absent: unable to assess"),
    pytest.param({"outcome": ABSENT, "child_as_suspect": SUSPECT}, NOT_APPLICABLE,
                 id="outcome absent, child is a suspect: not applicable"),
    pytest.param({"outcome": ABSENT, "child_as_suspect": ABSENT}, UNABLE, id="both absent: unable to assess"),
]


@pytest.mark.parametrize("fields, expected", OUT_01)
def test_out01(state, fields, expected):
    assert state("OUT-01", make_case(**fields)) == expected


def test_out01_evidence_shows_code_and_answers(score):
    result = score(make_case(outcome=outcome(21, rationale=True, informed=False))).results["OUT-01"]
    assert result.state == NOT_MET
    assert "21" in result.evidence and "false" in result.evidence.lower()
