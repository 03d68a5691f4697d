"""DIG-01 … DIG-03 at their boundaries, per spec/criteria.md (Digital forensics, Time rules, "every" rule).

Expected states are worked out from the spec by hand. "Every device" criteria: not met if any
device is not met, else not evidenced if any is not evidenced, else met. Naive datetimes are
Europe/London local time; in 2019 the clocks went forward on 31 March and back on 27 October.
AS_OF (conftest) is 2019-11-30, so a waiting device's wait ends at 2019-11-30T00:00 GMT.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from conftest import ABSENT, make_case


def dev(ref: str = "D-1", seized: str = "2019-05-01T10:00", submitted: str | None = None,
        examined: str | None = None, returned: str | None = None, triaged: bool = False,
        suspected: bool = False) -> dict[str, Any]:
    return {
        "ref": ref,
        "seized_at": seized,
        "submitted_at": submitted,
        "examined_at": examined,
        "returned_to_suspect_at": returned,
        "triaged": triaged,
        "indecent_images_suspected": suspected,
    }


# --- DIG-01: every device submitted within device_submit_max_days (7) days of seizure ---------------

MET1 = dev("D-1", "2019-05-01T10:00", "2019-05-08T10:00")
LATE1 = dev("D-2", "2019-05-01T10:00", "2019-05-08T10:01")
NONE1 = dev("D-3", "2019-05-01T10:00", None)

DIG01 = [
    pytest.param([dev(submitted="2019-05-08T10:00")], "met", id="exactly 7 days"),
    pytest.param([dev(submitted="2019-05-08T10:01")], "not_met", id="7 days + 1 minute"),
    pytest.param([dev(submitted="2019-05-09T10:00")], "not_met", id="7 days + 1 day"),
    pytest.param([dev(submitted="2019-05-01T10:00")], "met", id="submitted at seizure"),
    pytest.param([dev(submitted="2019-05-01T09:59")], "not_met", id="submitted before seizure"),
    pytest.param([dev(submitted=None)], "not_evidenced", id="submitted_at null"),
    # clock changes
    pytest.param([dev(seized="2019-03-28T10:00", submitted="2019-04-04T11:00")], "met",
                 id="spring: 7 x 24 h ends at 11:00 BST"),
    pytest.param([dev(seized="2019-03-28T10:00", submitted="2019-04-04T11:01")], "not_met",
                 id="spring: one minute later"),
    pytest.param([dev(seized="2019-10-24T10:00", submitted="2019-10-31T10:00")], "not_met",
                 id="autumn: same wall-clock time is 7 days + 1 h"),
    pytest.param([dev(seized="2019-10-24T10:00", submitted="2019-10-31T09:00")], "met",
                 id="autumn: exactly 7 x 24 h"),
    # every device
    pytest.param([MET1, dev("D-4", "2019-06-01T10:00", "2019-06-02T10:00")], "met", id="all met"),
    pytest.param([MET1, LATE1], "not_met", id="met + not met"),
    pytest.param([LATE1, MET1], "not_met", id="not met + met"),
    pytest.param([MET1, NONE1], "not_evidenced", id="met + not evidenced"),
    pytest.param([NONE1, MET1], "not_evidenced", id="not evidenced + met"),
    pytest.param([NONE1, LATE1], "not_met", id="not evidenced + not met: not met wins"),
    pytest.param([LATE1, NONE1, MET1], "not_met", id="all three kinds"),
    pytest.param([NONE1, dev("D-5", "2019-05-02T10:00", None)], "not_evidenced", id="none submitted"),
    # applicability
    pytest.param([], "not_applicable", id="no devices"),
    pytest.param(ABSENT, "unable_to_assess", id="devices absent"),
]


@pytest.mark.parametrize("devices, expected", DIG01)
def test_dig01(state, devices, expected):
    assert state("DIG-01", make_case(devices=devices)) == expected


def test_dig01_unrelated_sections_absent(state):
    case = make_case(devices=[MET1], investigation=ABSENT, supervision=ABSENT, referrals=ABSENT)
    assert state("DIG-01", case) == "met"


def test_dig01_as_of_changes_nothing(state):
    # Seized the day before as_of: the 7-day deadline has not passed, yet the step is not evidenced.
    case = make_case(devices=[dev(seized="2019-11-29T10:00", submitted=None)])
    assert state("DIG-01", case, as_of=date(2019, 11, 30)) == "not_evidenced"


@pytest.mark.parametrize("submitted, overrides, expected", [
    ("2019-05-08T10:01", {"device_submit_max_days": 8}, "met"),
    ("2019-05-08T10:01", {}, "not_met"),
    ("2019-05-08T10:00", {"device_submit_max_days": 6}, "not_met"),
    ("2019-05-07T10:00", {"device_submit_max_days": 6}, "met"),
])
def test_dig01_parameter_override(state, submitted, overrides, expected):
    assert state("DIG-01", make_case(devices=[dev(submitted=submitted)]), **overrides) == expected


def test_dig01_evidence_names_the_failing_device(score):
    case = make_case(devices=[MET1, dev("D-9", "2019-05-01T10:00", "2019-05-08T22:00")])  # D-9: 7.5 days
    result = score(case).results["DIG-01"]
    assert result.state == "not_met"
    assert "D-9" in result.evidence
    assert "7.5 days" in result.evidence
    assert "limit 7 days" in result.evidence


def test_dig01_not_evidenced_evidence_names_the_device(score):
    result = score(make_case(devices=[MET1, NONE1])).results["DIG-01"]
    assert result.state == "not_evidenced"
    assert "D-3" in result.evidence


def test_dig01_submission_before_seizure_is_a_data_quality_note(score):
    result = score(make_case(devices=[dev("D-7", submitted="2019-05-01T09:59")]))
    assert any("D-7" in note and "submitted_at" in note for note in result.data_quality)


# --- DIG-02: every submitted device examined within device_exam_max_days (90) days ------------------

# Submitted 2019-05-01T10:00 (BST); 90 days later is 2019-07-30T10:00 (BST).
EXAM_MET = dev("D-1", "2019-04-30T10:00", "2019-05-01T10:00", "2019-07-30T10:00")
EXAM_LATE = dev("D-2", "2019-04-30T10:00", "2019-05-01T10:00", "2019-07-30T10:01")

DIG02 = [
    pytest.param([dev(submitted="2019-05-01T10:00", examined="2019-07-30T10:00")], "met",
                 id="examined exactly 90 days"),
    pytest.param([dev(submitted="2019-05-01T10:00", examined="2019-07-30T10:01")], "not_met",
                 id="examined 90 days + 1 minute"),
    pytest.param([dev(submitted="2019-05-01T10:00", examined="2019-07-31T10:00")], "not_met",
                 id="examined 90 days + 1 day"),
    pytest.param([dev(submitted="2019-05-01T10:00", examined="2019-05-01T10:00")], "met", id="examined at submission"),
    pytest.param([dev(submitted="2019-05-01T10:00", examined="2019-05-01T09:59")], "not_met",
                 id="examined before submission"),
    # still waiting at as_of (2019-11-30 00:00 GMT = 00:00Z); 90 days before is 2019-09-01T00:00Z = 01:00 BST
    pytest.param([dev(seized="2019-08-30T10:00", submitted="2019-09-01T01:00")], "met", id="waiting exactly 90 days"),
    pytest.param([dev(seized="2019-08-30T10:00", submitted="2019-09-01T00:59")], "not_met",
                 id="waiting 90 days + 1 minute"),
    pytest.param([dev(seized="2019-08-30T10:00", submitted="2019-09-01T00:00")], "not_met",
                 id="waiting: 00:00 BST to 00:00 GMT is 90 days + 1 h"),
    pytest.param([dev(seized="2019-08-30T10:00", submitted="2019-08-31T01:00")], "not_met",
                 id="waiting 91 days"),
    pytest.param([dev(seized="2019-11-01T10:00", submitted="2019-11-02T10:00")], "met", id="waiting a few weeks"),
    # an examined device does not count its time to as_of
    pytest.param([EXAM_MET], "met", id="examined in time long before as_of"),
    # every submitted device
    pytest.param([EXAM_MET, EXAM_LATE], "not_met", id="met + not met"),
    pytest.param([EXAM_LATE, EXAM_MET], "not_met", id="not met + met"),
    pytest.param([EXAM_MET, dev("D-3", submitted=None)], "met", id="an unsubmitted device is not counted"),
    pytest.param([dev("D-3", submitted=None), dev("D-4", "2019-08-30T10:00", "2019-09-01T00:59")], "not_met",
                 id="unsubmitted + waiting too long"),
    pytest.param([EXAM_MET, dev("D-4", "2019-08-30T10:00", "2019-09-01T01:00")], "met",
                 id="examined in time + waiting exactly 90 days"),
    # applicability
    pytest.param([dev("D-3", submitted=None)], "not_applicable", id="no device submitted"),
    pytest.param([], "not_applicable", id="no devices"),
    pytest.param(ABSENT, "unable_to_assess", id="devices absent"),
]


@pytest.mark.parametrize("devices, expected", DIG02)
def test_dig02(state, devices, expected):
    assert state("DIG-02", make_case(devices=devices)) == expected


@pytest.mark.parametrize("as_of, submitted, expected", [
    # winter: as_of 2019-03-01 00:00 GMT; 90 days before is 2018-12-01 00:00 GMT
    (date(2019, 3, 1), "2018-12-01T00:00", "met"),
    (date(2019, 3, 1), "2018-11-30T23:59", "not_met"),
    (date(2019, 3, 2), "2018-12-01T00:00", "not_met"),  # as_of matters for a waiting device
    (date(2019, 2, 28), "2018-12-01T00:00", "met"),
])
def test_dig02_waiting_device_counts_to_as_of(state, as_of, submitted, expected):
    case = make_case(devices=[dev(seized="2018-11-29T10:00", submitted=submitted)])
    assert state("DIG-02", case, as_of=as_of) == expected


def test_dig02_examined_device_ignores_as_of(state):
    case = make_case(devices=[EXAM_MET])
    assert state("DIG-02", case, as_of=date(2020, 6, 1)) == "met"


@pytest.mark.parametrize("devices, overrides, expected", [
    ([dev(submitted="2019-05-01T10:00", examined="2019-07-30T10:01")], {"device_exam_max_days": 91}, "met"),
    ([dev(submitted="2019-05-01T10:00", examined="2019-07-30T10:00")], {"device_exam_max_days": 89}, "not_met"),
    ([dev(seized="2019-08-30T10:00", submitted="2019-09-01T00:59")], {"device_exam_max_days": 91}, "met"),
    ([dev(seized="2019-08-30T10:00", submitted="2019-09-01T01:00")], {"device_exam_max_days": 89}, "not_met"),
])
def test_dig02_parameter_override(state, devices, overrides, expected):
    assert state("DIG-02", make_case(devices=devices), **overrides) == expected


def test_dig02_evidence_for_a_waiting_device(score):
    # 2019-08-22T01:00 BST = 00:00Z: 100 days before as_of 2019-11-30 00:00 GMT
    result = score(make_case(devices=[dev("D-8", "2019-08-21T10:00", "2019-08-22T01:00")])).results["DIG-02"]
    assert result.state == "not_met"
    assert "D-8" in result.evidence
    assert "100 days" in result.evidence
    assert "limit 90 days" in result.evidence


def test_dig02_evidence_for_an_examined_device(score):
    result = score(make_case(devices=[EXAM_MET, dev("D-6", "2019-04-30T10:00", "2019-05-01T10:00",
                                                    "2019-08-10T22:00")])).results["DIG-02"]  # 101.5 days
    assert result.state == "not_met"
    assert "D-6" in result.evidence
    assert "101.5 days" in result.evidence


def test_dig02_examination_before_submission_is_a_data_quality_note(score):
    result = score(make_case(devices=[dev("D-7", submitted="2019-05-01T10:00", examined="2019-05-01T09:59")]))
    assert any("D-7" in note and "examined_at" in note for note in result.data_quality)


# --- DIG-03: a suspected device not returned to the suspect before triage or examination -------------

RET = "2019-05-10T10:00"

DIG03 = [
    pytest.param([dev(returned=RET, suspected=True)], "not_met", id="returned with no triage or examination"),
    pytest.param([dev(returned=RET, suspected=True, triaged=True)], "met", id="triaged"),
    pytest.param([dev(submitted="2019-05-02T10:00", examined=RET, returned=RET, suspected=True)], "met",
                 id="examined exactly at the return"),
    pytest.param([dev(submitted="2019-05-02T10:00", examined="2019-05-10T10:01", returned=RET, suspected=True)],
                 "not_met", id="examined 1 minute after the return"),
    pytest.param([dev(submitted="2019-05-02T10:00", examined="2019-05-09T10:00", returned=RET, suspected=True)],
                 "met", id="examined before the return"),
    pytest.param([dev(submitted="2019-05-02T10:00", examined="2019-06-09T10:00", returned=RET, suspected=True,
                      triaged=True)], "met", id="triaged, examined after the return"),
    pytest.param([dev(submitted="2019-05-02T10:00", examined="2019-05-10T09:00Z", returned=RET, suspected=True)],
                 "met", id="offsets: examined 09:00Z equals the return at 10:00 BST"),
    pytest.param([dev(submitted="2019-05-02T10:00", examined="2019-05-10T09:01Z", returned=RET, suspected=True)],
                 "not_met", id="offsets: examined 09:01Z is after the return"),
    # every such device
    pytest.param([dev("D-1", returned=RET, suspected=True, triaged=True), dev("D-2", returned=RET, suspected=True)],
                 "not_met", id="one triaged, one not"),
    pytest.param([dev("D-1", returned=RET, suspected=False), dev("D-2", returned=RET, suspected=True, triaged=True)],
                 "met", id="unsuspected untriaged device is not counted"),
    pytest.param([dev("D-1", returned=None, suspected=True), dev("D-2", returned=RET, suspected=True, triaged=True)],
                 "met", id="a suspected device not returned is not counted"),
    # applicability
    pytest.param([dev(returned=RET, suspected=False)], "not_applicable", id="not suspected"),
    pytest.param([dev(returned=None, suspected=True)], "not_applicable", id="suspected but not returned"),
    pytest.param([], "not_applicable", id="no devices"),
    pytest.param(ABSENT, "unable_to_assess", id="devices absent"),
]


@pytest.mark.parametrize("devices, expected", DIG03)
def test_dig03(state, devices, expected):
    assert state("DIG-03", make_case(devices=devices)) == expected


def test_dig03_evidence_names_the_failing_device(score):
    case = make_case(devices=[dev("D-1", returned=RET, suspected=True, triaged=True),
                              dev("D-5", returned=RET, suspected=True)])
    result = score(case).results["DIG-03"]
    assert result.state == "not_met"
    assert "D-5" in result.evidence
    assert "2019-05-10 10:00" in result.evidence  # the return time
