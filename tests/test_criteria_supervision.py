"""SUP-01 … SUP-04 at their boundaries, per spec/criteria.md (Supervision, Time rules, Three-valued logic).

Expected states are worked out from the spec by hand. Naive datetimes are Europe/London local
time; in 2019 the clocks went forward on 31 March and back on 27 October.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from conftest import ABSENT, make_case

OFFICER = {"pip_level": 2, "specialist_trained": True}


def inv(allocated_at: str = "2019-03-05T09:00", complexity: str = "standard", **kw: Any) -> dict[str, Any]:
    return {
        "allocated_at": allocated_at,
        "complexity": complexity,
        "officer": OFFICER,
        "suspect_identified_at": None,
        "suspect_arrested_at": None,
        **kw,
    }


def sup(at: str, kind: str = "process") -> dict[str, str]:
    return {"at": at, "kind": kind}


# --- SUP-01: first supervisory entry within supervision_first_days (7) days of allocation ---------

SUP01 = [
    # allocated 2019-03-05T09:00 (GMT); 7 days later is 2019-03-12T09:00
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-12T09:00")]), "met", id="exactly 7 days"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-12T09:01")]), "not_met", id="7 days + 1 minute"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-13T09:00")]), "not_met", id="7 days + 1 day"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-05T09:00")]), "met", id="at allocation"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-05T08:59")]), "not_met",
                 id="only entry before allocation: exists but outside the window"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-05T08:59"), sup("2019-03-12T09:00")]), "met",
                 id="an entry before allocation and one at the limit"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-04-20T09:00"), sup("2019-03-10T09:00")]), "met",
                 id="entries out of file order"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-06T09:00", "reflective")]), "met",
                 id="any kind of entry counts"),
    pytest.param(dict(investigation=inv(), supervision=[]), "not_evidenced", id="no supervision entries"),
    # across the clock changes: 7 x 24 h of real time
    pytest.param(dict(investigation=inv("2019-03-28T09:00"), supervision=[sup("2019-04-04T10:00")]), "met",
                 id="spring: 7 days from 09:00 GMT end at 10:00 BST"),
    pytest.param(dict(investigation=inv("2019-03-28T09:00"), supervision=[sup("2019-04-04T10:01")]), "not_met",
                 id="spring: one minute later"),
    pytest.param(dict(investigation=inv("2019-10-24T09:00"), supervision=[sup("2019-10-31T09:00")]), "not_met",
                 id="autumn: same wall-clock time 7 days on is 7 days + 1 h"),
    pytest.param(dict(investigation=inv("2019-10-24T09:00"), supervision=[sup("2019-10-31T08:00")]), "met",
                 id="autumn: exactly 7 x 24 h"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-12T09:00Z")]), "met", id="entry with Z offset"),
    # applicability and uncaptured sections
    pytest.param(dict(investigation=None, supervision=[]), "not_applicable", id="investigation null"),
    pytest.param(dict(investigation=None, supervision=[sup("2019-03-06T09:00")]), "not_applicable",
                 id="investigation null with entries"),
    pytest.param(dict(investigation=None, supervision=ABSENT), "not_applicable",
                 id="Kleene: investigation null, supervision absent"),
    pytest.param(dict(investigation=ABSENT, supervision=[sup("2019-03-06T09:00")]), "unable_to_assess",
                 id="investigation absent"),
    pytest.param(dict(investigation=ABSENT, supervision=ABSENT), "unable_to_assess", id="both absent"),
    pytest.param(dict(investigation=inv(), supervision=ABSENT), "unable_to_assess",
                 id="applies, supervision absent"),
    pytest.param(dict(investigation=inv(), supervision=[sup("2019-03-12T09:00")], devices=ABSENT, referrals=ABSENT),
                 "met", id="unrelated sections absent change nothing"),
]


@pytest.mark.parametrize("fields, expected", SUP01)
def test_sup01(state, fields, expected):
    assert state("SUP-01", make_case(**fields)) == expected


@pytest.mark.parametrize("at, overrides, expected", [
    ("2019-03-12T09:01", {"supervision_first_days": 8}, "met"),
    ("2019-03-12T09:01", {}, "not_met"),
    ("2019-03-12T09:00", {"supervision_first_days": 6}, "not_met"),
    ("2019-03-11T09:00", {"supervision_first_days": 6}, "met"),
])
def test_sup01_parameter_override(state, at, overrides, expected):
    case = make_case(investigation=inv(), supervision=[sup(at)])
    assert state("SUP-01", case, **overrides) == expected


def test_sup01_evidence_mentions_days_and_limit(score):
    case = make_case(investigation=inv(), supervision=[sup("2019-03-12T21:00")])  # 7.5 days
    result = score(case).results["SUP-01"]
    assert result.state == "not_met"
    assert "7.5 days" in result.evidence
    assert "limit 7 days" in result.evidence
    result = score(case, supervision_first_days=8).results["SUP-01"]
    assert result.state == "met"
    assert "limit 8 days" in result.evidence


def test_sup01_not_evidenced_evidence(score):
    result = score(make_case(investigation=inv(), supervision=[])).results["SUP-01"]
    assert result.state == "not_evidenced"
    assert "2019-03-05 09:00" in result.evidence  # the allocation time it counted from


# --- SUP-02: supervised at least every supervision_max_gap_days (28) days while open -------------

CLOSED = "2019-06-26T09:00"  # 56 days after 2019-05-01T09:00 (BST throughout)

SUP02 = [
    # closed investigations: allocated 2019-05-01T09:00
    pytest.param(dict(investigation=inv("2019-05-01T09:00"), supervision=[sup("2019-05-29T09:00")], closed_at=CLOSED),
                 "met", id="two gaps of exactly 28 days"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"), supervision=[sup("2019-05-29T09:01")], closed_at=CLOSED),
                 "not_met", id="first gap 28 days + 1 minute"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"), supervision=[sup("2019-05-29T08:59")], closed_at=CLOSED),
                 "not_met", id="last gap 28 days + 1 minute"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"),
                      supervision=[sup("2019-06-12T09:00"), sup("2019-05-15T09:00")], closed_at="2019-07-10T09:00"),
                 "met", id="gaps 14, 28, 28 (entries out of file order)"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"),
                      supervision=[sup("2019-05-15T09:00"), sup("2019-06-12T09:00")], closed_at="2019-07-10T09:01"),
                 "not_met", id="gap to closure 28 days + 1 minute"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"),
                      supervision=[sup("2019-05-15T09:00"), sup("2019-06-12T09:00")], closed_at="2019-07-11T09:00"),
                 "not_met", id="gap to closure 28 days + 1 day"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"), supervision=[], closed_at="2019-05-29T09:00"),
                 "met", id="no entries but open exactly 28 days: no gap exceeds the limit"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"), supervision=[], closed_at="2019-05-29T09:01"),
                 "not_evidenced", id="no entries, open 28 days + 1 minute"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"), supervision=[sup("2019-04-30T09:00")], closed_at=CLOSED),
                 "not_met", id="entries exist but only before allocation: outside the window, not missing"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"), supervision=[], closed_at="2019-05-20T09:00"),
                 "met", id="closed_at, not as_of, ends the interval"),
    # still open (closed_at null or absent): the end is as_of 00:00 local; AS_OF = 2019-11-30 (GMT)
    pytest.param(dict(investigation=inv("2019-11-01T09:00"), supervision=[sup("2019-11-02T00:00")]),
                 "met", id="open: 28 days exactly to as_of 00:00"),
    pytest.param(dict(investigation=inv("2019-11-01T09:00"), supervision=[sup("2019-11-01T23:59")]),
                 "not_met", id="open: 28 days + 1 minute to as_of 00:00"),
    pytest.param(dict(investigation=inv("2019-11-01T09:00"), supervision=[sup("2019-11-02T00:00")], closed_at=None),
                 "met", id="open (closed_at null): 28 days exactly"),
    pytest.param(dict(investigation=inv("2019-11-01T09:00"), supervision=[sup("2019-11-01T23:59")], closed_at=None),
                 "not_met", id="open (closed_at null): 28 days + 1 minute"),
    # applicability and uncaptured sections
    pytest.param(dict(investigation=None, supervision=[]), "not_applicable", id="investigation null"),
    pytest.param(dict(investigation=None, supervision=ABSENT), "not_applicable",
                 id="Kleene: investigation null, supervision absent"),
    pytest.param(dict(investigation=ABSENT, supervision=[]), "unable_to_assess", id="investigation absent"),
    pytest.param(dict(investigation=inv("2019-05-01T09:00"), supervision=ABSENT, closed_at=CLOSED),
                 "unable_to_assess", id="applies, supervision absent"),
]


@pytest.mark.parametrize("fields, expected", SUP02)
def test_sup02(state, fields, expected):
    assert state("SUP-02", make_case(**fields)) == expected


@pytest.mark.parametrize("as_of, entry, expected", [
    # as_of matters for a still-open investigation
    (date(2019, 11, 30), "2019-11-02T00:00", "met"),
    (date(2019, 12, 1), "2019-11-02T00:00", "not_met"),
    (date(2019, 12, 1), "2019-11-03T00:00", "met"),
    # autumn: as_of 2019-11-17 00:00 GMT is 28 days + 1 h after 2019-10-20 00:00 BST
    (date(2019, 11, 17), "2019-10-20T00:00", "not_met"),
    (date(2019, 11, 17), "2019-10-20T01:00", "met"),
    (date(2019, 11, 16), "2019-10-20T00:00", "met"),
])
def test_sup02_open_investigation_ends_at_as_of(state, as_of, entry, expected):
    case = make_case(investigation=inv("2019-10-19T09:00" if entry.startswith("2019-10") else "2019-11-01T09:00"),
                     supervision=[sup(entry)])
    assert state("SUP-02", case, as_of=as_of) == expected


@pytest.mark.parametrize("entry, expected", [
    # spring: as_of 2019-04-07 00:00 BST is 2019-04-06T23:00Z; 28 days before is 2019-03-09T23:00 GMT
    ("2019-03-09T23:00", "met"),
    ("2019-03-09T22:59", "not_met"),
])
def test_sup02_as_of_midnight_is_local_time(state, entry, expected):
    case = make_case(investigation=inv("2019-03-09T09:00"), supervision=[sup(entry)])
    assert state("SUP-02", case, as_of=date(2019, 4, 7)) == expected


@pytest.mark.parametrize("entry, overrides, expected", [
    ("2019-05-29T09:01", {"supervision_max_gap_days": 29}, "met"),
    ("2019-05-29T09:01", {}, "not_met"),
    ("2019-05-29T09:00", {"supervision_max_gap_days": 27}, "not_met"),
])
def test_sup02_parameter_override(state, entry, overrides, expected):
    case = make_case(investigation=inv("2019-05-01T09:00"), supervision=[sup(entry)], closed_at=CLOSED)
    assert state("SUP-02", case, **overrides) == expected


def test_sup02_evidence_mentions_largest_gap_and_limit(score):
    case = make_case(investigation=inv("2019-05-01T09:00"), supervision=[sup("2019-05-29T21:00")], closed_at=CLOSED)
    result = score(case).results["SUP-02"]
    assert result.state == "not_met"
    assert "28.5 days" in result.evidence  # gaps 28.5 and 27.5
    assert "limit 28 days" in result.evidence


# --- SUP-03: a complex investigation had a reflective supervision entry ----------------------------

SUP03 = [
    pytest.param(dict(investigation=inv(complexity="complex"),
                      supervision=[sup("2019-03-06T09:00"), sup("2019-03-20T09:00", "reflective")]),
                 "met", id="complex with a reflective entry"),
    pytest.param(dict(investigation=inv(complexity="complex"),
                      supervision=[sup("2019-03-06T09:00"), sup("2019-03-20T09:00", "direction")]),
                 "not_evidenced", id="complex, only process and direction entries"),
    pytest.param(dict(investigation=inv(complexity="complex"), supervision=[]), "not_evidenced",
                 id="complex, no entries"),
    pytest.param(dict(investigation=inv(complexity="standard"), supervision=[]), "not_applicable",
                 id="standard complexity"),
    pytest.param(dict(investigation=inv(complexity="standard"), supervision=[sup("2019-03-20T09:00", "reflective")]),
                 "not_applicable", id="standard complexity with a reflective entry"),
    pytest.param(dict(investigation=None, supervision=[]), "not_applicable", id="investigation null"),
    pytest.param(dict(investigation=None, supervision=ABSENT), "not_applicable",
                 id="Kleene: investigation null, supervision absent"),
    pytest.param(dict(investigation=inv(complexity="standard"), supervision=ABSENT), "not_applicable",
                 id="Kleene: standard complexity, supervision absent"),
    pytest.param(dict(investigation=inv(complexity="complex"), supervision=ABSENT), "unable_to_assess",
                 id="complex, supervision absent"),
    pytest.param(dict(investigation=ABSENT, supervision=[sup("2019-03-20T09:00", "reflective")]),
                 "unable_to_assess", id="investigation absent"),
]


@pytest.mark.parametrize("fields, expected", SUP03)
def test_sup03(state, fields, expected):
    assert state("SUP-03", make_case(**fields)) == expected


def test_sup03_evidence_counts_entries(score):
    case = make_case(investigation=inv(complexity="complex"),
                     supervision=[sup("2019-03-06T09:00"), sup("2019-03-13T09:00", "direction"),
                                  sup("2019-03-20T09:00", "reflective")])
    result = score(case).results["SUP-03"]
    assert result.state == "met"
    assert "1 reflective of 3" in result.evidence


# --- SUP-04: judgement ------------------------------------------------------------------------------

def _judged(answer: Any) -> dict[str, Any]:
    return {"SUP-04": {"answer": answer, "by": "insp-a"}}


SUP04 = [
    pytest.param(dict(investigation=inv()), "pending", id="no answer"),
    pytest.param(dict(investigation=inv(), judgements={}), "pending", id="empty judgements"),
    pytest.param(dict(investigation=inv(), judgements={"CRM-06": {"answer": "yes", "by": "insp-a"}}), "pending",
                 id="another criterion answered"),
    pytest.param(dict(investigation=inv(), judgements=_judged("yes")), "met", id="yes"),
    pytest.param(dict(investigation=inv(), judgements=_judged("partly")), "not_met", id="partly"),
    pytest.param(dict(investigation=inv(), judgements=_judged("no")), "not_met", id="no"),
    pytest.param(dict(investigation=inv(), judgements=_judged("n/a")), "not_applicable", id="n/a"),
    pytest.param(dict(investigation=inv(), judgements=_judged(True)), "met", id="unquoted YAML yes"),
    pytest.param(dict(investigation=inv(), judgements=_judged(False)), "not_met", id="unquoted YAML no"),
    pytest.param(dict(investigation=inv(), supervision=ABSENT, judgements=_judged("yes")), "met",
                 id="supervision not captured: the answer still decides"),
    pytest.param(dict(investigation=None), "not_applicable", id="investigation null, no answer"),
    pytest.param(dict(investigation=None, judgements=_judged("yes")), "not_applicable",
                 id="investigation null, answered"),
    pytest.param(dict(investigation=None, judgements=_judged("no")), "not_applicable",
                 id="investigation null, answered no"),
]


@pytest.mark.parametrize("fields, expected", SUP04)
def test_sup04(state, fields, expected):
    assert state("SUP-04", make_case(**fields)) == expected


def test_sup04_answer_to_inapplicable_criterion_is_a_data_quality_note(score):
    result = score(make_case(investigation=None, judgements=_judged("yes")))
    assert result.results["SUP-04"].state == "not_applicable"
    assert any("SUP-04" in note for note in result.data_quality)


def test_sup04_no_note_without_an_answer(score):
    result = score(make_case(investigation=None))
    assert not any("SUP-04" in note for note in result.data_quality)


def test_sup04_evidence_names_the_answer(score):
    case = make_case(investigation=inv(), judgements={"SUP-04": {"answer": "partly", "by": "insp-b",
                                                                  "note": "deadlines only"}})
    result = score(case).results["SUP-04"]
    assert result.state == "not_met"
    assert "partly" in result.evidence and "insp-b" in result.evidence
