"""The case file as a chronology: every dated entry, in date and time order, in UK time."""
from __future__ import annotations

from typing import Any

from thematic.model.case import Case
from thematic.web.chronology import chronology, undated

BASE: dict[str, Any] = {
    "case_id": "T-001", "force": "testshire", "category": "neglect", "reported_at": "2019-03-04T16:20",
    "child": {"ref": "C-0001", "age": 9},
}


def test_entries_of_every_section_sort_by_time_with_days_at_their_start() -> None:
    case = Case.model_validate({
        **BASE,
        "incidents": [{"ref": "I-1", "at": "2018-11-02T22:10", "type": "neglect", "severity": 2, "child_seen": True,
                       "demeanour_recorded": False, "response": "scheduled"}],
        "referrals": [{"at": "2019-03-05T10:30", "to": "childrens_social_care"}],
        "section47": {"started_on": "2019-03-05", "conference_on": None},
        "devices": [{"ref": "D-1", "seized_at": "2019-03-04T18:00", "submitted_at": None, "examined_at": None,
                     "returned_to_suspect_at": None, "triaged": False, "indecent_images_suspected": False}],
        "supervision": [],
    })
    entries = chronology(case)
    assert [e.what for e in entries] == ["Incident I-1", "Reported", "Device D-1 seized", "Section 47 enquiry started",
                                         "Referral"]
    assert [e.before_report for e in entries] == [True, False, False, False, False]
    assert entries[0].shown == "2 Nov 2018 22:10"  # GMT in November
    assert entries[3].shown == "5 Mar 2019"  # a date alone is shown as a date


def test_times_are_shown_in_uk_summer_time() -> None:
    case = Case.model_validate({**BASE, "reported_at": "2019-07-01T09:00Z"})
    assert chronology(case)[0].shown == "1 Jul 2019 10:00"


def test_what_the_export_did_not_capture_is_said() -> None:
    facts = dict(undated(Case.model_validate(BASE)))
    assert "incidents" in facts["Not captured by the export"]
    captured = dict(undated(Case.model_validate({**BASE, "incidents": []})))
    assert "incidents" not in captured["Not captured by the export"]
