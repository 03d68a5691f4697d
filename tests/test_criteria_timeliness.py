"""TIM-01 … TIM-06 at their boundaries, per spec/criteria.md (Timeliness, Time rules, Three-valued logic).

Expected states are worked out from the spec by hand. Naive datetimes are Europe/London local
time; in 2019 the clocks went forward on 31 March and back on 27 October. England and Wales bank
holidays of 2019: 1 Jan, 19 Apr (Good Friday), 22 Apr (Easter Monday), 6 May, 27 May, 26 Aug,
25 and 26 Dec; 1 Jan 2020.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from conftest import ABSENT, MINIMAL, make_case

OFFICER = {"pip_level": 2, "specialist_trained": True}


def ref(at: str, to: str = "childrens_social_care") -> dict[str, str]:
    return {"at": at, "to": to}


def sd(at: str, *agencies: str) -> dict[str, Any]:
    return {"at": at, "agencies": list(agencies) if agencies else ["police", "childrens_social_care"]}


def s47(started_on: str, conference_on: str | None = None) -> dict[str, Any]:
    return {"started_on": started_on, "conference_on": conference_on}


def pp(started_at: str | None, ended_at: str | None = None, informed_at: str | None = None) -> dict[str, Any]:
    return {
        "started_at": started_at,
        "ended_at": ended_at,
        "local_authority_informed_at": informed_at,
        "designated_officer_informed": True,
    }


def inv(identified: str | None, arrested: str | None) -> dict[str, Any]:
    return {
        "allocated_at": "2019-03-05T09:00",
        "complexity": "standard",
        "officer": OFFICER,
        "suspect_identified_at": identified,
        "suspect_arrested_at": arrested,
    }


# --- TIM-01: children's social care told within referral_max_hours (24) of reported_at -------------

REP = "2019-05-01T10:00"  # BST; 24 h later is 2019-05-02T10:00

TIM01 = [
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-02T10:00")]), "met", id="exactly 24 h"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-02T10:01")]), "not_met", id="24 h + 1 minute"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-01T10:00")]), "met", id="at the report"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-01T09:59")]), "not_evidenced",
                 id="only a referral before the report: history, not part of the case"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-01T09:59"), ref("2019-05-03T10:00")]), "not_met",
                 id="history referral and a late one"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-03T10:00"), ref("2019-05-01T12:00")]), "met",
                 id="any referral in time (out of file order)"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-01T11:00", "health")]), "not_evidenced",
                 id="only a referral to another agency"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-01T11:00", "early_help"), ref("2019-05-02T10:01")]),
                 "not_met", id="early help in time, social care late"),
    pytest.param(dict(reported_at=REP, referrals=[]), "not_evidenced", id="no referrals"),
    pytest.param(dict(reported_at=REP), "not_evidenced", id="every section captured and empty: still applies"),
    pytest.param(dict(reported_at=REP, referrals=ABSENT), "unable_to_assess", id="referrals absent"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-02T10:00")], investigation=ABSENT, devices=ABSENT,
                      section47=ABSENT), "met", id="unrelated sections absent change nothing"),
    # across the clock changes
    pytest.param(dict(reported_at="2019-03-30T18:00", referrals=[ref("2019-03-31T19:00")]), "met",
                 id="spring: 18:00 GMT + 24 h is 19:00 BST"),
    pytest.param(dict(reported_at="2019-03-30T18:00", referrals=[ref("2019-03-31T19:01")]), "not_met",
                 id="spring: one minute later"),
    pytest.param(dict(reported_at="2019-10-26T18:00", referrals=[ref("2019-10-27T18:00")]), "not_met",
                 id="autumn: same wall-clock time next day is 25 h"),
    pytest.param(dict(reported_at="2019-10-26T18:00", referrals=[ref("2019-10-27T17:00")]), "met",
                 id="autumn: 17:00 GMT is exactly 24 h"),
    # offsets
    pytest.param(dict(reported_at="2019-05-01T09:00Z", referrals=[ref("2019-05-02T10:00")]), "met",
                 id="Z report, local referral, exactly 24 h"),
    pytest.param(dict(reported_at=REP, referrals=[ref("2019-05-02T09:01Z")]), "not_met",
                 id="Z referral 24 h + 1 minute"),
]


@pytest.mark.parametrize("fields, expected", TIM01)
def test_tim01(state, fields, expected):
    assert state("TIM-01", make_case(**fields)) == expected


def test_tim01_minimal_case_with_only_referrals(state):
    case = make_case(MINIMAL, referrals=[ref("2019-03-05T16:20")])  # reported 2019-03-04T16:20
    assert state("TIM-01", case) == "met"


@pytest.mark.parametrize("at, overrides, expected", [
    ("2019-05-02T10:01", {"referral_max_hours": 25}, "met"),
    ("2019-05-02T10:01", {}, "not_met"),
    ("2019-05-02T10:00", {"referral_max_hours": 23}, "not_met"),
    ("2019-05-02T09:00", {"referral_max_hours": 23}, "met"),
])
def test_tim01_parameter_override(state, at, overrides, expected):
    assert state("TIM-01", make_case(reported_at=REP, referrals=[ref(at)]), **overrides) == expected


def test_tim01_evidence_mentions_hours_and_limit(score):
    result = score(make_case(reported_at=REP, referrals=[ref("2019-05-02T10:30")])).results["TIM-01"]
    assert result.state == "not_met"
    assert "24.5 h" in result.evidence
    assert "limit 24 h" in result.evidence
    result = score(make_case(reported_at=REP, referrals=[ref("2019-05-02T10:30")]),
                   referral_max_hours=30).results["TIM-01"]
    assert result.state == "met"
    assert "limit 30 h" in result.evidence


# --- TIM-02: strategy discussion with the police on or before add_working_days(date(reported_at), 1) ---

S47 = s47("2019-03-08")

TIM02 = [
    # Friday report -> Monday deadline
    pytest.param("2019-03-08T10:00", [sd("2019-03-11T15:00")], "met", id="Friday report, Monday discussion"),
    pytest.param("2019-03-08T10:00", [sd("2019-03-12T09:00")], "not_met", id="Friday report, Tuesday discussion"),
    pytest.param("2019-03-08T10:00", [sd("2019-03-11T23:59")], "met", id="Friday report, Monday 23:59"),
    pytest.param("2019-03-08T10:00", [sd("2019-03-08T10:00")], "met", id="at the report"),
    pytest.param("2019-03-08T10:00", [sd("2019-03-08T09:00")], "not_evidenced",
                 id="only a discussion before the report: history"),
    pytest.param("2019-03-08T10:00", [sd("2019-03-08T09:00"), sd("2019-03-12T09:00")], "not_met",
                 id="history discussion and a late one"),
    # weekends
    pytest.param("2019-03-09T10:00", [sd("2019-03-11T15:00")], "met", id="Saturday report, Monday"),
    pytest.param("2019-03-09T10:00", [sd("2019-03-12T09:00")], "not_met", id="Saturday report, Tuesday"),
    pytest.param("2019-03-10T10:00", [sd("2019-03-11T15:00")], "met", id="Sunday report, Monday"),
    # bank holidays
    pytest.param("2019-05-03T10:00", [sd("2019-05-07T15:00")], "met", id="Friday before 6 May, Tuesday"),
    pytest.param("2019-05-03T10:00", [sd("2019-05-06T15:00")], "met", id="Friday before 6 May, on the holiday"),
    pytest.param("2019-05-03T10:00", [sd("2019-05-08T09:00")], "not_met", id="Friday before 6 May, Wednesday"),
    pytest.param("2019-05-24T10:00", [sd("2019-05-28T15:00")], "met", id="Friday before 27 May, Tuesday"),
    pytest.param("2019-05-24T10:00", [sd("2019-05-29T09:00")], "not_met", id="Friday before 27 May, Wednesday"),
    pytest.param("2019-08-23T10:00", [sd("2019-08-27T15:00")], "met", id="Friday before 26 Aug, Tuesday"),
    pytest.param("2019-08-23T10:00", [sd("2019-08-28T09:00")], "not_met", id="Friday before 26 Aug, Wednesday"),
    pytest.param("2019-04-18T10:00", [sd("2019-04-23T15:00")], "met", id="Thursday before Easter, Tuesday after"),
    pytest.param("2019-04-18T10:00", [sd("2019-04-24T09:00")], "not_met", id="Thursday before Easter, Wednesday after"),
    pytest.param("2019-04-19T10:00", [sd("2019-04-23T15:00")], "met", id="Good Friday report, Tuesday"),
    pytest.param("2019-12-24T10:00", [sd("2019-12-27T15:00")], "met", id="Christmas Eve report, 27 Dec"),
    pytest.param("2019-12-24T10:00", [sd("2019-12-30T09:00")], "not_met", id="Christmas Eve report, 30 Dec"),
    # local dates
    pytest.param("2019-06-06T23:30", [sd("2019-06-07T23:59")], "met", id="Thursday 23:30 local report, Friday"),
    pytest.param("2019-06-06T23:30", [sd("2019-06-10T09:00")], "not_met", id="Thursday 23:30 local report, Monday"),
    pytest.param("2019-06-06T23:30Z", [sd("2019-06-10T09:00")], "met",
                 id="23:30Z Thursday is Friday 00:30 local: Monday is in time"),
    pytest.param("2019-06-10T00:30", [sd("2019-06-11T18:00")], "met",
                 id="Monday 00:30 BST (Sunday in UTC) report, Tuesday"),
    pytest.param("2019-06-07T10:00", [sd("2019-06-10T23:30")], "met", id="Monday 23:30 local discussion"),
    pytest.param("2019-06-07T10:00", [sd("2019-06-10T23:30Z")], "not_met",
                 id="discussion at 23:30Z Monday is Tuesday 00:30 local"),
    # the police must be present
    pytest.param("2019-03-08T10:00", [sd("2019-03-11T15:00", "childrens_social_care", "health")], "not_evidenced",
                 id="in time but without the police"),
    pytest.param("2019-03-08T10:00", [sd("2019-03-11T15:00", "childrens_social_care", "health"),
                                      sd("2019-03-12T09:00", "police", "childrens_social_care")], "not_met",
                 id="without the police in time, with the police late"),
    pytest.param("2019-03-08T10:00", [sd("2019-03-12T09:00"), sd("2019-03-11T15:00", "police")], "met",
                 id="any police discussion in time"),
    pytest.param("2019-03-08T10:00", [], "not_evidenced", id="no strategy discussions"),
]


@pytest.mark.parametrize("reported_at, discussions, expected", TIM02)
def test_tim02(state, reported_at, discussions, expected):
    case = make_case(reported_at=reported_at, section47=S47, strategy_discussions=discussions)
    assert state("TIM-02", case) == expected


@pytest.mark.parametrize("fields, expected", [
    pytest.param(dict(section47=None, strategy_discussions=[]), "not_applicable", id="section47 null"),
    pytest.param(dict(section47=None, strategy_discussions=[sd("2019-03-08T11:00")]), "not_applicable",
                 id="section47 null with a discussion"),
    pytest.param(dict(section47=None, strategy_discussions=ABSENT), "not_applicable",
                 id="Kleene: section47 null, discussions absent"),
    pytest.param(dict(section47=ABSENT, strategy_discussions=[sd("2019-03-08T11:00")]), "unable_to_assess",
                 id="section47 absent"),
    pytest.param(dict(section47=S47, strategy_discussions=ABSENT), "unable_to_assess",
                 id="applies, discussions absent"),
    pytest.param(dict(section47=s47("2019-03-08", "2019-03-20"), strategy_discussions=[sd("2019-03-11T15:00")]),
                 "met", id="applies whether or not there was a conference"),
])
def test_tim02_applicability(state, fields, expected):
    assert state("TIM-02", make_case(reported_at="2019-03-08T10:00", **fields)) == expected


def test_tim02_as_of_changes_nothing(state):
    # Reported Friday 29 Nov; deadline Monday 2 Dec is after as_of, yet the missing step is not evidenced.
    case = make_case(reported_at="2019-11-29T10:00", section47=s47("2019-11-29"), strategy_discussions=[])
    assert state("TIM-02", case, as_of=date(2019, 11, 30)) == "not_evidenced"


@pytest.mark.parametrize("at, overrides, expected", [
    ("2019-03-12T09:00", {"strategy_max_working_days": 2}, "met"),
    ("2019-03-13T09:00", {"strategy_max_working_days": 2}, "not_met"),
    ("2019-03-08T17:00", {"strategy_max_working_days": 0}, "met"),
    ("2019-03-11T09:00", {"strategy_max_working_days": 0}, "not_met"),
])
def test_tim02_parameter_override(state, at, overrides, expected):
    case = make_case(reported_at="2019-03-08T10:00", section47=S47, strategy_discussions=[sd(at)])
    assert state("TIM-02", case, **overrides) == expected


def test_tim02_evidence_mentions_dates_and_deadline(score):
    case = make_case(reported_at="2019-03-08T10:00", section47=S47, strategy_discussions=[sd("2019-03-12T09:00")])
    result = score(case).results["TIM-02"]
    assert result.state == "not_met"
    assert "2019-03-12" in result.evidence  # the discussion
    assert "2019-03-08" in result.evidence  # the report
    assert "2019-03-11" in result.evidence  # the deadline


# --- TIM-03: conference within 15 working days of the strategy discussion that began the s47 ----------

TIM03 = [
    # base = latest discussion on or before started_on (15 Apr); 15 working days across Easter and 6 May = 9 May
    pytest.param("2019-04-01T10:00", [sd("2019-04-03T10:00"), sd("2019-04-15T14:00")], s47("2019-04-15", "2019-05-09"),
                 "met", id="latest on or before: exactly the 15th working day"),
    pytest.param("2019-04-01T10:00", [sd("2019-04-03T10:00"), sd("2019-04-15T14:00")], s47("2019-04-15", "2019-05-10"),
                 "not_met", id="latest on or before: the 16th working day"),
    pytest.param("2019-04-01T10:00", [sd("2019-04-15T14:00"), sd("2019-04-03T10:00")], s47("2019-04-15", "2019-05-09"),
                 "met", id="latest on or before, out of file order"),
    pytest.param("2019-04-01T10:00", [sd("2019-04-03T10:00"), sd("2019-04-15T14:00")], s47("2019-04-15", "2019-04-15"),
                 "met", id="conference on the base day"),
    pytest.param("2019-04-01T10:00", [sd("2019-04-03T10:00"), sd("2019-04-15T14:00")], s47("2019-04-15", "2019-04-12"),
                 "not_met", id="conference before the base"),
    # base = first discussion after started_on (12 Apr) when none is on or before it
    pytest.param("2019-04-01T10:00", [sd("2019-04-24T10:00"), sd("2019-04-15T10:00")], s47("2019-04-12", "2019-05-09"),
                 "met", id="first after: exactly the 15th working day"),
    pytest.param("2019-04-01T10:00", [sd("2019-04-24T10:00"), sd("2019-04-15T10:00")], s47("2019-04-12", "2019-05-10"),
                 "not_met", id="first after: the 16th working day"),
    pytest.param("2019-04-01T10:00", [sd("2019-04-15T10:00")], s47("2019-04-12", "2019-04-12"),
                 "not_met", id="first after: conference before the base (on started_on)"),
    # base = started_on when there is no discussion
    pytest.param("2019-04-01T10:00", [], s47("2019-04-15", "2019-05-09"), "met",
                 id="no discussion: 15th working day from started_on"),
    pytest.param("2019-04-01T10:00", [], s47("2019-04-15", "2019-05-10"), "not_met",
                 id="no discussion: 16th working day from started_on"),
    pytest.param("2019-04-01T10:00", [], s47("2019-04-15", "2019-04-12"), "not_met",
                 id="no discussion: conference before started_on"),
    # a discussion before reported_at is history and not a base
    pytest.param("2019-04-10T10:00", [sd("2019-04-08T10:00")], s47("2019-04-15", "2019-05-09"), "met",
                 id="history discussion ignored: base is started_on"),
    # discussion dates are local dates: 2019-04-15T23:30Z is 16 Apr 00:30 BST, after started_on
    pytest.param("2019-04-01T10:00", [sd("2019-04-03T10:00"), sd("2019-04-15T23:30Z")], s47("2019-04-15", "2019-04-26"),
                 "met", id="local date: base 3 Apr, 15th working day 26 Apr"),
    pytest.param("2019-04-01T10:00", [sd("2019-04-03T10:00"), sd("2019-04-15T23:30Z")], s47("2019-04-15", "2019-04-29"),
                 "not_met", id="local date: base 3 Apr, 16th working day"),
    # no bank holiday
    pytest.param("2019-03-01T10:00", [sd("2019-03-04T10:00")], s47("2019-03-04", "2019-03-25"), "met",
                 id="March: 15th working day"),
    pytest.param("2019-03-01T10:00", [sd("2019-03-04T10:00")], s47("2019-03-04", "2019-03-26"), "not_met",
                 id="March: 16th working day"),
    # across Christmas and the new year
    pytest.param("2019-12-06T10:00", [sd("2019-12-09T10:00")], s47("2019-12-09", "2020-01-02"), "met",
                 id="Christmas: 15th working day is 2 Jan 2020"),
    pytest.param("2019-12-06T10:00", [sd("2019-12-09T10:00")], s47("2019-12-09", "2020-01-03"), "not_met",
                 id="Christmas: 16th working day"),
]


@pytest.mark.parametrize("reported_at, discussions, section47, expected", TIM03)
def test_tim03(state, reported_at, discussions, section47, expected):
    case = make_case(reported_at=reported_at, strategy_discussions=discussions, section47=section47)
    assert state("TIM-03", case) == expected


@pytest.mark.parametrize("fields, expected", [
    pytest.param(dict(section47=None, strategy_discussions=[]), "not_applicable", id="section47 null"),
    pytest.param(dict(section47=s47("2019-04-15", None), strategy_discussions=[sd("2019-04-15T10:00")]),
                 "not_applicable", id="conference_on null"),
    pytest.param(dict(section47=None, strategy_discussions=ABSENT), "not_applicable",
                 id="Kleene: section47 null, discussions absent"),
    pytest.param(dict(section47=s47("2019-04-15", None), strategy_discussions=ABSENT), "not_applicable",
                 id="Kleene: no conference, discussions absent"),
    pytest.param(dict(section47=ABSENT, strategy_discussions=[]), "unable_to_assess", id="section47 absent"),
    pytest.param(dict(section47=s47("2019-04-15", "2019-05-10"), strategy_discussions=ABSENT), "unable_to_assess",
                 id="applies, discussions absent: the base is unknown"),
])
def test_tim03_applicability(state, fields, expected):
    assert state("TIM-03", make_case(reported_at="2019-04-01T10:00", **fields)) == expected


@pytest.mark.parametrize("conference_on, overrides, expected", [
    ("2019-05-10", {"conference_max_working_days": 16}, "met"),
    ("2019-05-10", {}, "not_met"),
    ("2019-05-09", {"conference_max_working_days": 14}, "not_met"),
    ("2019-05-08", {"conference_max_working_days": 14}, "met"),
])
def test_tim03_parameter_override(state, conference_on, overrides, expected):
    case = make_case(reported_at="2019-04-01T10:00", strategy_discussions=[sd("2019-04-15T14:00")],
                     section47=s47("2019-04-15", conference_on))
    assert state("TIM-03", case, **overrides) == expected


def test_tim03_evidence_mentions_base_and_deadline(score):
    case = make_case(reported_at="2019-04-01T10:00",
                     strategy_discussions=[sd("2019-04-03T10:00"), sd("2019-04-15T14:00")],
                     section47=s47("2019-04-15", "2019-05-10"))
    result = score(case).results["TIM-03"]
    assert result.state == "not_met"
    assert "2019-05-10" in result.evidence  # the conference
    assert "2019-04-15" in result.evidence  # the base
    assert "2019-05-09" in result.evidence  # the deadline


def test_tim03_conference_before_start_is_a_data_quality_note(score):
    result = score(make_case(reported_at="2019-04-01T10:00", strategy_discussions=[],
                             section47=s47("2019-04-15", "2019-04-12")))
    assert result.results["TIM-03"].state == "not_met"
    assert any("conference_on" in note for note in result.data_quality)


# --- TIM-04: police protection ended within police_protection_max_hours (72) ------------------------

TIM04 = [
    pytest.param(pp("2019-05-01T12:00", "2019-05-04T12:00"), "met", id="exactly 72 h"),
    pytest.param(pp("2019-05-01T12:00", "2019-05-04T12:01"), "not_met", id="72 h + 1 minute"),
    pytest.param(pp("2019-05-01T12:00", "2019-05-05T12:00"), "not_met", id="96 h"),
    pytest.param(pp("2019-05-01T12:00", "2019-05-01T12:00"), "met", id="ended as it started"),
    pytest.param(pp("2019-05-01T12:00", "2019-05-01T11:59"), "not_met", id="ended before it started"),
    # the clock changes
    pytest.param(pp("2019-03-29T12:00", "2019-04-01T12:00"), "met", id="spring: three calendar days are 71 h"),
    pytest.param(pp("2019-03-29T12:00", "2019-04-01T13:00"), "met", id="spring: 72 h ends at 13:00 BST"),
    pytest.param(pp("2019-03-29T12:00", "2019-04-01T13:01"), "not_met", id="spring: 72 h + 1 minute"),
    pytest.param(pp("2019-10-25T12:00", "2019-10-28T12:00"), "not_met", id="autumn: three calendar days are 73 h"),
    pytest.param(pp("2019-10-25T12:00", "2019-10-28T11:00"), "met", id="autumn: 72 h ends at 11:00 GMT"),
    # offsets
    pytest.param(pp("2019-05-01T11:00Z", "2019-05-04T12:00+01:00"), "met", id="offsets: exactly 72 h"),
    pytest.param(pp("2019-05-01T11:00Z", "2019-05-04T11:01Z"), "not_met", id="offsets: 72 h + 1 minute"),
    # null datetimes
    pytest.param(pp("2019-05-01T12:00", None), "not_evidenced", id="ended_at null"),
    pytest.param(pp(None, "2019-05-02T12:00"), "not_evidenced", id="started_at null"),
    pytest.param(pp(None, None), "not_evidenced", id="both null"),
    # applicability
    pytest.param(None, "not_applicable", id="police_protection null"),
    pytest.param(ABSENT, "unable_to_assess", id="police_protection absent"),
]


@pytest.mark.parametrize("protection, expected", TIM04)
def test_tim04(state, protection, expected):
    assert state("TIM-04", make_case(police_protection=protection)) == expected


def test_tim04_as_of_changes_nothing(state):
    case = make_case(police_protection=pp("2019-11-29T12:00", None))
    assert state("TIM-04", case, as_of=date(2019, 11, 30)) == "not_evidenced"


@pytest.mark.parametrize("protection, overrides, expected", [
    (pp("2019-10-25T12:00", "2019-10-28T12:00"), {"police_protection_max_hours": 73}, "met"),
    (pp("2019-03-29T12:00", "2019-04-01T12:00"), {"police_protection_max_hours": 71}, "met"),
    (pp("2019-03-29T12:00", "2019-04-01T12:00"), {"police_protection_max_hours": 70}, "not_met"),
    (pp("2019-05-01T12:00", "2019-05-04T12:00"), {"police_protection_max_hours": 71}, "not_met"),
])
def test_tim04_parameter_override(state, protection, overrides, expected):
    assert state("TIM-04", make_case(police_protection=protection), **overrides) == expected


def test_tim04_evidence_mentions_hours_and_limit(score):
    result = score(make_case(police_protection=pp("2019-10-25T12:00", "2019-10-28T12:00"))).results["TIM-04"]
    assert result.state == "not_met"
    assert "73 h" in result.evidence
    assert "limit 72 h" in result.evidence


def test_tim04_end_before_start_is_a_data_quality_note(score):
    result = score(make_case(police_protection=pp("2019-05-01T12:00", "2019-05-01T11:59")))
    assert any("ended_at" in note for note in result.data_quality)


# --- TIM-05: local authority informed within la_informed_max_hours (2) -------------------------------

def pp_informed(started_at: str | None, informed_at: str | None) -> dict[str, Any]:
    return pp(started_at, None if started_at is None else started_at, informed_at)


TIM05 = [
    pytest.param(pp_informed("2019-05-01T12:00", "2019-05-01T14:00"), "met", id="exactly 2 h"),
    pytest.param(pp_informed("2019-05-01T12:00", "2019-05-01T14:01"), "not_met", id="2 h + 1 minute"),
    pytest.param(pp_informed("2019-05-01T12:00", "2019-05-01T12:00"), "met", id="at the start"),
    pytest.param(pp_informed("2019-05-01T12:00", "2019-05-01T11:59"), "not_met", id="before the start"),
    # the clock changes
    pytest.param(pp_informed("2019-03-31T00:30", "2019-03-31T03:30"), "met",
                 id="spring: 00:30 GMT to 03:30 BST is 2 h"),
    pytest.param(pp_informed("2019-03-31T00:30", "2019-03-31T03:31"), "not_met", id="spring: 2 h + 1 minute"),
    pytest.param(pp_informed("2019-10-27T00:30", "2019-10-27T02:30"), "not_met",
                 id="autumn: 00:30 BST to 02:30 GMT is 3 h"),
    pytest.param(pp_informed("2019-10-27T00:30", "2019-10-27T01:30"), "met",
                 id="autumn: repeated 01:30 is its first occurrence (1 h)"),
    pytest.param(pp_informed("2019-10-27T00:30", "2019-10-27T01:30Z"), "met", id="autumn: 01:30Z is exactly 2 h"),
    pytest.param(pp_informed("2019-10-27T00:30", "2019-10-27T01:31Z"), "not_met", id="autumn: 2 h + 1 minute"),
    # null datetimes
    pytest.param(pp_informed("2019-05-01T12:00", None), "not_evidenced", id="informed null"),
    pytest.param(pp(None, None, "2019-05-01T13:00"), "not_evidenced", id="started_at null"),
    # applicability
    pytest.param(None, "not_applicable", id="police_protection null"),
    pytest.param(ABSENT, "unable_to_assess", id="police_protection absent"),
]


@pytest.mark.parametrize("protection, expected", TIM05)
def test_tim05(state, protection, expected):
    assert state("TIM-05", make_case(police_protection=protection)) == expected


def test_tim05_does_not_depend_on_the_end(state):
    # Police protection still running (ended_at null): TIM-05 reads only the start and the notification.
    case = make_case(police_protection=pp("2019-05-01T12:00", None, "2019-05-01T13:00"))
    assert state("TIM-05", case) == "met"


@pytest.mark.parametrize("protection, overrides, expected", [
    (pp_informed("2019-10-27T00:30", "2019-10-27T02:30"), {"la_informed_max_hours": 3}, "met"),
    (pp_informed("2019-05-01T12:00", "2019-05-01T14:00"), {"la_informed_max_hours": 1}, "not_met"),
    (pp_informed("2019-03-29T12:00", "2019-04-01T12:00"), {"la_informed_max_hours": 72}, "met"),
    (pp_informed("2019-10-25T12:00", "2019-10-28T12:00"), {"la_informed_max_hours": 72}, "not_met"),
])
def test_tim05_parameter_override(state, protection, overrides, expected):
    assert state("TIM-05", make_case(police_protection=protection), **overrides) == expected


def test_tim05_evidence_mentions_hours_and_limit(score):
    result = score(make_case(police_protection=pp_informed("2019-10-27T00:30", "2019-10-27T02:30"))).results["TIM-05"]
    assert result.state == "not_met"
    assert "3 h" in result.evidence
    assert "limit 2 h" in result.evidence


# --- TIM-06: identified suspect arrested within arrest_max_days (7) days ----------------------------

TIM06 = [
    pytest.param(dict(investigation=inv("2019-05-01T10:00", "2019-05-08T10:00")), "met", id="exactly 7 days"),
    pytest.param(dict(investigation=inv("2019-05-01T10:00", "2019-05-08T10:01")), "not_met", id="7 days + 1 minute"),
    pytest.param(dict(investigation=inv("2019-05-01T10:00", "2019-05-09T10:00")), "not_met", id="7 days + 1 day"),
    pytest.param(dict(investigation=inv("2019-05-01T10:00", "2019-05-01T10:00")), "met", id="at identification"),
    pytest.param(dict(investigation=inv("2019-05-01T10:00", "2019-05-01T09:59")), "not_met",
                 id="arrested before identification"),
    # clock changes
    pytest.param(dict(investigation=inv("2019-03-28T10:00", "2019-04-04T11:00")), "met",
                 id="spring: 7 x 24 h ends at 11:00 BST"),
    pytest.param(dict(investigation=inv("2019-03-28T10:00", "2019-04-04T11:01")), "not_met",
                 id="spring: one minute later"),
    pytest.param(dict(investigation=inv("2019-10-24T10:00", "2019-10-31T10:00")), "not_met",
                 id="autumn: same wall-clock time is 7 days + 1 h"),
    pytest.param(dict(investigation=inv("2019-10-24T10:00", "2019-10-31T09:00")), "met",
                 id="autumn: exactly 7 x 24 h"),
    # null
    pytest.param(dict(investigation=inv("2019-05-01T10:00", None)), "not_evidenced", id="arrest null"),
    # applicability
    pytest.param(dict(investigation=inv(None, None)), "not_applicable", id="no suspect identified"),
    pytest.param(dict(investigation=inv(None, "2019-05-08T10:00")), "not_applicable",
                 id="arrest without identification time"),
    pytest.param(dict(investigation=None), "not_applicable", id="investigation null"),
    pytest.param(dict(investigation=ABSENT), "unable_to_assess", id="investigation absent"),
    pytest.param(dict(investigation=inv("2019-05-01T10:00", "2019-05-08T10:00"), supervision=ABSENT), "met",
                 id="unrelated section absent changes nothing"),
]


@pytest.mark.parametrize("fields, expected", TIM06)
def test_tim06(state, fields, expected):
    assert state("TIM-06", make_case(**fields)) == expected


def test_tim06_as_of_changes_nothing(state):
    case = make_case(investigation=inv("2019-11-28T10:00", None))
    assert state("TIM-06", case, as_of=date(2019, 11, 30)) == "not_evidenced"


@pytest.mark.parametrize("arrested, overrides, expected", [
    ("2019-05-08T10:01", {"arrest_max_days": 8}, "met"),
    ("2019-05-08T10:01", {}, "not_met"),
    ("2019-05-08T10:00", {"arrest_max_days": 6}, "not_met"),
])
def test_tim06_parameter_override(state, arrested, overrides, expected):
    assert state("TIM-06", make_case(investigation=inv("2019-05-01T10:00", arrested)), **overrides) == expected


def test_tim06_evidence_mentions_days_and_limit(score):
    result = score(make_case(investigation=inv("2019-05-01T10:00", "2019-05-08T22:00"))).results["TIM-06"]
    assert result.state == "not_met"
    assert "7.5 days" in result.evidence
    assert "limit 7 days" in result.evidence


def test_tim06_arrest_before_identification_is_a_data_quality_note(score):
    result = score(make_case(investigation=inv("2019-05-01T10:00", "2019-05-01T09:59")))
    assert any("suspect_arrested_at" in note for note in result.data_quality)
