"""A case file as a story: every dated entry in date and time order, in plain words.

Times are shown in Europe/London, as the record has them. An entry dated only by day (a section 47
enquiry, a conference) sorts at the start of its day. Entries at the same time keep the order of
the case file's sections. Reports of "before the report" and "after" are marked against `reported_at`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from thematic.model.case import Case

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Entry:
    when: datetime  # aware, for sorting
    shown: str  # the date (and time) as shown
    what: str  # the kind of entry
    detail: str  # the recorded facts in plain words
    before_report: bool


def _words(value: str) -> str:
    return value.replace("_", " ")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _shown(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(LONDON).strftime("%-d %b %Y %H:%M")
    return value.strftime("%-d %b %Y")


def _aware(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0, 0), tzinfo=LONDON)


def chronology(case: Case) -> list[Entry]:
    """Every dated entry of the case, oldest first."""
    raw: list[tuple[datetime | date, str, str]] = [(case.reported_at, "Reported", f"category {_words(case.category)}")]
    for i in case.incidents:
        raw.append((i.at, f"Incident {i.ref}", f"{_words(i.type)}; severity {i.severity} of 5; response {i.response}; "
                                                f"child seen: {_yes(i.child_seen)}; demeanour recorded: "
                                                f"{_yes(i.demeanour_recorded)}"))
    for r in case.risk_assessments:
        raw.append((r.at, "Risk assessment", f"level {r.level}; history considered: {_yes(r.history_considered)}"))
        if r.supervisor_reviewed_at:
            raw.append((r.supervisor_reviewed_at, "Risk assessment reviewed", f"by a supervisor (level {r.level})"))
    for ref in case.referrals:
        raw.append((ref.at, "Referral", f"to {_words(ref.to)}"))
    for s in case.strategy_discussions:
        raw.append((s.at, "Strategy discussion", "agencies: " + ", ".join(_words(a) for a in s.agencies)))
    if case.section47:
        raw.append((case.section47.started_on, "Section 47 enquiry started", ""))
        if case.section47.conference_on:
            raw.append((case.section47.conference_on, "Initial child protection conference", ""))
    pp = case.police_protection
    if pp:
        if pp.started_at:
            raw.append((pp.started_at, "Police protection started",
                        f"designated officer informed: {_yes(pp.designated_officer_informed)}"))
        if pp.local_authority_informed_at:
            raw.append((pp.local_authority_informed_at, "Local authority informed of police protection", ""))
        if pp.ended_at:
            raw.append((pp.ended_at, "Police protection ended", ""))
    inv = case.investigation
    if inv:
        raw.append((inv.allocated_at, "Investigation allocated",
                    f"{inv.complexity}; officer PIP level {inv.officer.pip_level}; specialist trained: "
                    f"{_yes(inv.officer.specialist_trained)}"))
        if inv.suspect_identified_at:
            raw.append((inv.suspect_identified_at, "Suspect identified", ""))
        if inv.suspect_arrested_at:
            raw.append((inv.suspect_arrested_at, "Suspect arrested", ""))
    for entry in case.supervision:
        raw.append((entry.at, "Supervision", f"{entry.kind}"))
    for d in case.devices:
        facts = f"triaged: {_yes(d.triaged)}; indecent images suspected: {_yes(d.indecent_images_suspected)}"
        raw.append((d.seized_at, f"Device {d.ref} seized", facts))
        for at, label in ((d.submitted_at, "submitted for examination"), (d.examined_at, "examined"),
                          (d.returned_to_suspect_at, "returned to the suspect")):
            if at:
                raw.append((at, f"Device {d.ref} {label}", ""))
    cas = case.child_as_suspect
    if cas and cas.nrm_referred_at:
        raw.append((cas.nrm_referred_at, "National Referral Mechanism referral",
                    f"decision: {_words(cas.nrm_decision)}"))
    c = case.custody
    if c:
        raw.append((c.arrived_at, "Arrived in custody", f"bail refused: {_yes(c.bail_refused)}; s38(6) certificate: "
                                                        f"{_yes(c.s38_6_certificate)}"))
        for at, label in ((c.appropriate_adult_requested_at, "Appropriate adult requested"),
                          (c.appropriate_adult_arrived_at, "Appropriate adult arrived"),
                          (c.charged_at, "Charged"),
                          (c.transferred_at, "Transferred to local-authority accommodation")):
            if at:
                raw.append((at, label, ""))
    if case.outcome:
        o = case.outcome
        raw.append((o.decided_at, f"Outcome {o.code}", f"rationale recorded: {_yes(o.rationale_recorded)}; victim "
                                                       f"informed: {_yes(o.victim_informed)}"))
    if case.closed_at:
        raw.append((case.closed_at, "Closed", ""))
    reported = case.reported_at
    entries = [Entry(_aware(at), _shown(at), what, detail, _aware(at) < reported) for at, what, detail in raw]
    return sorted(entries, key=lambda e: e.when)  # stable: ties keep the file's order


def undated(case: Case) -> list[tuple[str, str]]:
    """Facts without a date that a reader of the chronology needs (a child suspect's offence, indicators)."""
    facts: list[tuple[str, str]] = []
    cas = case.child_as_suspect
    if cas:
        facts.append(("Child as suspect", f"offence: {_words(cas.offence)}; exploitation indicators: "
                      f"{', '.join(_words(i) for i in cas.exploitation_indicators) or 'none recorded'}; "
                      f"NRM referral: {'made' if cas.nrm_referred_at else 'none recorded'}; s45 defence considered: "
                      f"{_yes(cas.s45_considered)}"))
    absent = sorted(case.absent_sections())
    if absent:
        facts.append(("Not captured by the export", ", ".join(_words(s) for s in absent)))
    return facts
