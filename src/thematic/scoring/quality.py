"""Data-quality notes about one case: events recorded out of order.

Times are kept as the record has them and criteria treat an event dated before the event it
follows as outside their window; these notes let reports list such inconsistencies.
"""
from __future__ import annotations

from datetime import datetime

from thematic.load.fast_case import CaseRecord
from thematic.model.case import Case
from thematic.scoring.expr import format_value


def _order(notes: list[str], label: str, earlier_name: str, earlier: datetime | None, later_name: str,
           later: datetime | None) -> None:
    if earlier is not None and later is not None and later < earlier:
        notes.append(f"{label}{later_name} ({format_value(later)}) is before {earlier_name} ({format_value(earlier)})")


def data_quality(case: Case | CaseRecord) -> list[str]:
    """Each pair of times that the record has in an impossible order (a list: this runs for every case)."""
    notes: list[str] = []
    _order(notes, "", "reported_at", case.reported_at, "closed_at", case.closed_at)
    for device in case.devices:
        label = f"device {device.ref}: "
        _order(notes, label, "seized_at", device.seized_at, "submitted_at", device.submitted_at)
        _order(notes, label, "submitted_at", device.submitted_at, "examined_at", device.examined_at)
        _order(notes, label, "seized_at", device.seized_at, "returned_to_suspect_at", device.returned_to_suspect_at)
    pp = case.police_protection
    if pp is not None:
        _order(notes, "police protection: ", "started_at", pp.started_at, "ended_at", pp.ended_at)
        _order(notes, "police protection: ", "started_at", pp.started_at,
               "local_authority_informed_at", pp.local_authority_informed_at)
    inv = case.investigation
    if inv is not None:
        _order(notes, "investigation: ", "suspect_identified_at", inv.suspect_identified_at,
               "suspect_arrested_at", inv.suspect_arrested_at)
    custody = case.custody
    if custody is not None:
        _order(notes, "custody: ", "arrived_at", custody.arrived_at, "charged_at", custody.charged_at)
        _order(notes, "custody: ", "appropriate_adult_requested_at", custody.appropriate_adult_requested_at,
               "appropriate_adult_arrived_at", custody.appropriate_adult_arrived_at)
    for index, assessment in enumerate(case.risk_assessments):
        _order(notes, f"risk_assessments[{index}]: ", "at", assessment.at,
               "supervisor_reviewed_at", assessment.supervisor_reviewed_at)
    s47 = case.section47
    if s47 is not None and s47.conference_on is not None and s47.conference_on < s47.started_on:
        notes.append(f"section47: conference_on ({s47.conference_on}) is before started_on ({s47.started_on})")
    return notes
