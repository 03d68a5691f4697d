"""Changing a case: a scorer's save or submit, a lead's reopen and assignment. Each happens whole or
not at all (one transaction), writes one event per changed item, and moves the version on.

A save names the version it was made on; if the assignment has moved on since, it is refused with
`VersionConflict`, which carries the stored entries so the page can show both versions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.contrib.auth.models import User
from django.db import transaction

from thematic.model.results import NOT_APPLICABLE
from thematic.scoring.criteria import CriteriaSet
from thematic.web.criteria_cache import case_from_text, scorer_by_key, scorer_key
from thematic.web.entries import Entries, current
from thematic.web.models import (
    ASSIGNED,
    IN_PROGRESS,
    INSPECTOR,
    NOT_STARTED,
    REFERRED_BACK,
    STATUS,
    SUBMITTED,
    Assignment,
    Case,
    Event,
    InspectionMember,
    Membership,
)
from thematic.web.results import with_entries

GRADES = ("good", "requires_improvement", "inadequate")
GRADE_LABELS = {"good": "Good", "requires_improvement": "Requires improvement", "inadequate": "Inadequate"}
NOTE_LIMIT = 4000


class VersionConflict(Exception):
    """The assignment changed since the form was loaded."""

    def __init__(self, stored: Entries, version: int, by: str) -> None:
        super().__init__(f"saved by {by} since (version {version})")
        self.stored, self.version, self.by = stored, version, by


class NotAllowed(Exception):
    """The action is not open to this user on this assignment now (submitted, or not theirs)."""


@dataclass
class Checked:
    """A posted form, read: the entries it gives and what is wrong with it (field name -> message)."""

    entries: Entries
    errors: dict[str, str] = field(default_factory=dict)


def questions(assignment: Assignment) -> list[str]:
    """The judgement criteria that apply to the case, in criteria file order (not applicable ones left out)."""
    return list(_applicable(scorer_key(assignment.case.inspection), assignment.case.data,
                            assignment.scorer.username))


@lru_cache(maxsize=2048)
def _applicable(scorer: tuple[str, str, str, date], data: str, by: str) -> tuple[str, ...]:
    # Scoring the unanswered case is the costly part of every case page and save; what applies depends
    # only on the scorer, the case file and the scorer's name, so it is worked out once per process.
    result = scorer_by_key(*scorer).score(with_entries(case_from_text(data), Entries(), by))
    return tuple(c.id for c in scorer_by_key(*scorer).criteria.criteria if c.definition.type == "judgement"
                 and result.results[c.id].state != NOT_APPLICABLE)


def read_form(form: dict[str, str], criteria: CriteriaSet, applicable: list[str], *, submitting: bool) -> Checked:
    """The entries a case form posts (`answer-ID`, `note-ID`, `grade`, `referred_back`, `grade_note`)."""
    checked = Checked(Entries())
    entries = checked.entries
    for cid in applicable:
        definition = criteria.criterion(cid).definition
        allowed = list(definition.answers or {})
        answer = form.get(f"answer-{cid}", "").strip()
        if answer and answer not in allowed:
            checked.errors[f"answer-{cid}"] = f"{cid}: choose one of {', '.join(allowed)}"
        elif answer:
            entries.answers[cid] = answer
        elif submitting:
            checked.errors[f"answer-{cid}"] = f"{cid}: answer the question before submitting"
        note = form.get(f"note-{cid}", "").strip()
        if len(note) > NOTE_LIMIT:
            checked.errors[f"note-{cid}"] = f"{cid}: the note must be {NOTE_LIMIT} characters or fewer"
        elif note:
            entries.notes[cid] = note
    grade = form.get("grade", "").strip()
    if grade and grade not in GRADES:
        checked.errors["grade"] = "Grade: choose good, requires improvement or inadequate"
    elif grade:
        entries.grade = grade
    elif submitting:
        checked.errors["grade"] = "Grade: choose a grade before submitting"
    entries.referred_back = form.get("referred_back", "") == "yes"
    grade_note = form.get("grade_note", "").strip()
    if len(grade_note) > NOTE_LIMIT:
        checked.errors["grade_note"] = f"Grade note: it must be {NOTE_LIMIT} characters or fewer"
    else:
        entries.grade_note = grade_note or None
    return checked


def save(assignment: Assignment, user: User, entries: Entries, *, version: int, submit: bool) -> int:
    """Store the entries (and submit, if asked) made on `version`; the new version. VersionConflict
    if someone saved since; NotAllowed unless the user is the scorer and it is not submitted."""
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("case").get(pk=assignment.pk)
        if locked.scorer_id != user.pk or locked.status == SUBMITTED:
            raise NotAllowed("only the scorer changes a case, and only until it is submitted")
        stored = current(locked)
        if locked.version != version:
            last = Event.objects.filter(assignment=locked).order_by("-id").values_list("actor_ref", flat=True).first()
            raise VersionConflict(stored, locked.version, last or "someone")
        new_version = locked.version + 1
        before, after = stored.as_items(), entries.as_items()
        events = [Event(inspection_id=locked.case.inspection_id, case=locked.case, assignment=locked, actor=user,
                        actor_ref=user.username, kind=kind, item=item, before=before.get((kind, item)),
                        after=value, version=new_version)
                  for (kind, item), value in after.items() if _differs(kind, before.get((kind, item)), value)]
        events += [Event(inspection_id=locked.case.inspection_id, case=locked.case, assignment=locked, actor=user,
                         actor_ref=user.username, kind=kind, item=item, before=value, after=None, version=new_version)
                   for (kind, item), value in before.items() if (kind, item) not in after and value]
        status = SUBMITTED if submit else (IN_PROGRESS if locked.status == NOT_STARTED else locked.status)
        if status != locked.status:
            events.append(Event(inspection_id=locked.case.inspection_id, case=locked.case, assignment=locked,
                                actor=user, actor_ref=user.username, kind=STATUS, before=locked.status, after=status,
                                version=new_version))
        Event.objects.bulk_create(events)
        Assignment.objects.filter(pk=locked.pk).update(version=new_version, status=status)
    return new_version


def _differs(kind: str, before: str | None, after: str | None) -> bool:
    # An unticked "referred back" posts "no": over nothing, that is no change. An answer "no" is one.
    return (before or None) != (after or None) and not (kind == REFERRED_BACK and before in (None, "no")
                                                        and after == "no")


def reopen(assignment: Assignment, lead: User, reason: str) -> None:
    """A lead sends a submitted case back to its scorer, saying why."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Give a reason for reopening the case")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("case").get(pk=assignment.pk)
        if locked.status != SUBMITTED:
            raise NotAllowed("only a submitted case can be reopened")
        new_version = locked.version + 1
        Event.objects.create(inspection_id=locked.case.inspection_id, case=locked.case, assignment=locked, actor=lead,
                             actor_ref=lead.username, kind=STATUS, before=SUBMITTED, after=IN_PROGRESS,
                             reason=reason, version=new_version)
        Assignment.objects.filter(pk=locked.pk).update(version=new_version, status=IN_PROGRESS)


def assign(cases: list[Case], scorer: User, lead: User) -> list[str]:
    """Give each case to `scorer`; a case not yet started by someone else moves. The problems, per case."""
    problems: list[str] = []
    if not Membership.objects.filter(user=scorer, role=INSPECTOR).exists():
        return [f"{scorer.username} is not an inspector"]
    with transaction.atomic():
        for case in cases:
            existing = list(Assignment.objects.select_for_update().filter(case=case, kind="inspection"))
            if any(a.scorer_id == scorer.pk for a in existing):
                continue
            InspectionMember.objects.get_or_create(inspection_id=case.inspection_id, user=scorer)
            movable = [a for a in existing if a.status == NOT_STARTED and a.version == 0]
            if existing and not movable:
                problems.append(f"{case.case_id} is already being scored by "
                                f"{', '.join(a.scorer.username for a in existing)}")
                continue
            if movable:
                assignment = movable[0]
                before = assignment.scorer.username
                assignment.scorer = scorer
                assignment.save(update_fields=["scorer"])
            else:
                before = None
                assignment = Assignment.objects.create(case=case, scorer=scorer)
            Event.objects.create(inspection_id=case.inspection_id, case=case, assignment=assignment, actor=lead,
                                 actor_ref=lead.username, kind=ASSIGNED, before=before, after=scorer.username)
    return problems
