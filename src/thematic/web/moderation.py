"""Moderation in the workspace: who moderates, the queue of disagreements, and recording a decision.

- The lead moderates every inspection; the lead also names (or removes) moderators among the
  inspection's inspectors (`InspectionMember.moderator`, each change an inspection-level event of kind
  `moderator`, item = the user name). Who may moderate, and see a case's sides in the queue, is
  `thematic.web.visibility`'s (`may_moderate`, `may_see_sides`).
- The queue holds every double-scored case whose inspection assignments are all submitted (a case
  still blind shows nothing) and on which the library's agreement code finds a disagreement: a
  question, or the grade (its value or "referred back": both are decided together, as the moderation
  file records them). Each entry holds every scorer's answer and note, and any decision.
- A decision is a case-level event of kind `moderation` (item: the criterion id or "grade"; after: the
  answer, or `value|yes` / `value|no` for the grade), which `results.moderation_of` and
  `exporting.moderation_document` read, so scoring and the export's moderation file use it as
  `thematic run` does. Deciding again appends another event; the latest one counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from thematic.load.sample import GRADE, REFERRED_BACK, Moderation, Rating
from thematic.web.agreement_page import submitted_sample
from thematic.web.criteria_cache import criteria_of
from thematic.web.models import (
    INSPECTION_KIND,
    INSPECTOR,
    MODERATION,
    MODERATOR,
    SUBMITTED,
    Assignment,
    Case,
    Event,
    Inspection,
    InspectionMember,
)
from thematic.web.saving import GRADES, NOTE_LIMIT, NotAllowed
from thematic.web.visibility import is_lead, may_moderate


class DecisionError(ValueError):
    """A decision that cannot be recorded as given: `errors` maps each form field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- naming moderators -------------------------------------------------------------------------

def inspectors_of(inspection: Inspection) -> list[InspectionMember]:
    """The inspection's inspectors (who may be named moderator), by user name."""
    return list(InspectionMember.objects.filter(inspection=inspection, user__membership__role=INSPECTOR)
                .select_related("user").order_by("user__username"))


def set_moderator(inspection: Inspection, username: str, named: bool, lead: User) -> bool:
    """Name (`named`) or remove a moderator among the inspection's inspectors; whether anything changed.

    Raises DecisionError when `username` is not one of the inspection's inspectors.
    """
    with transaction.atomic():
        member = (InspectionMember.objects.select_for_update()
                  .filter(inspection=inspection, user__username=username, user__membership__role=INSPECTOR)
                  .first())
        if member is None:
            raise DecisionError({"moderator": "Choose one of the inspection's inspectors"})
        if member.moderator == named:
            return False
        InspectionMember.objects.filter(pk=member.pk).update(moderator=named)
        Event.objects.create(inspection=inspection, actor=lead, actor_ref=lead.username, kind=MODERATOR,
                             item=username, before="yes" if member.moderator else "no",
                             after="yes" if named else "no",
                             reason="named moderator" if named else "no longer a moderator")
    return True


# --- the queue ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """One scorer's side of a disagreement."""

    scorer: str
    answer: str
    note: str
    referred_back: bool = False  # the grade only


@dataclass
class Disagreement:
    """One item of one case on which the scorers differ, and its latest decision if any."""

    case: Case
    item: str  # a criterion id, or "grade"
    question: str
    sides: list[Side]
    answers: list[str]  # what a decision may be: the criterion's answers, or the grades
    differs_on: list[str]  # for the grade: "grade", "referred back", or both
    decision: Moderation | None = None
    decided_at: str = ""

    @property
    def key(self) -> str:
        """A form-safe id of the entry: the case's row and the item."""
        return f"{self.case.pk}-{self.item}"


@dataclass
class CaseQueue:
    """A case's disagreements, in criteria order with the grade last."""

    case: Case
    scorers: list[str]
    disagreements: list[Disagreement] = field(default_factory=list)


def _settled_cases(inspection: Inspection) -> dict[str, Case]:
    """case id -> row, for every double-scored case whose inspection assignments are all submitted (two
    or more): the only cases whose entries anyone but their scorer may see."""
    rows = Case.objects.filter(inspection=inspection, double_scored=True).prefetch_related("assignments")
    settled: dict[str, Case] = {}
    for row in rows:
        scorings = [a for a in row.assignments.all() if a.kind == INSPECTION_KIND]
        if len(scorings) >= 2 and all(a.status == SUBMITTED for a in scorings):
            settled[row.case_id] = row
    return settled


def queue(inspection: Inspection, *, only: Case | None = None) -> list[CaseQueue]:
    """Every disagreement of the inspection's settled double-scored cases (or of `only`), by case in
    sample order."""
    from thematic.render.context import question_text
    from thematic.stats.agreement import agreement_from_sample  # scipy and statsmodels: loaded when asked

    settled = _settled_cases(inspection)
    if only is not None:
        settled = {k: v for k, v in settled.items() if v.pk == only.pk}
    if not settled:
        return []
    sample = submitted_sample(inspection)
    # The statistics are not needed here, only the disagreements: keep the settled cases alone.
    sample.cases = [loaded for loaded in sample.cases if loaded.case.case_id in settled]
    criteria = criteria_of(inspection)
    questions = {c.id: question_text(c.definition.question, inspection.parameters) for c in criteria.criteria}
    decided_at = _decision_times(inspection)
    found: dict[str, CaseQueue] = {}
    for d in agreement_from_sample(sample).moderation:
        row = settled.get(d.case_id)
        if row is None:
            continue
        item = GRADE if d.item == REFERRED_BACK else d.item
        given = sample.ratings[d.case_id][item]
        entry = found.setdefault(d.case_id, CaseQueue(row, sorted(given)))
        existing = next((x for x in entry.disagreements if x.item == item), None)
        if existing is None:
            existing = Disagreement(
                case=row, item=item, question=questions.get(item, "Overall grade of the case"),
                sides=[_side(r) for r in sorted(given.values(), key=lambda r: r.inspector)],
                answers=list(GRADES) if item == GRADE else list(criteria.criterion(item).definition.answers or {}),
                differs_on=[], decision=sample.moderation.get(d.case_id, {}).get(item),
                decided_at=decided_at.get((d.case_id, item), ""))
            entry.disagreements.append(existing)
        if item == GRADE:
            existing.differs_on.append("referred back" if d.item == REFERRED_BACK else "grade")
    return [found[case_id] for case_id in sample.case_ids if case_id in found]


def _side(rating: Rating) -> Side:
    return Side(rating.inspector, rating.value, rating.note or "", rating.referred_back)


def _decision_times(inspection: Inspection) -> dict[tuple[str, str], str]:
    """(case id, item) -> when its latest decision was recorded (ISO), for the queue's 'decided' list."""
    found: dict[tuple[str, str], str] = {}
    for case_id, item, at in (Event.objects.filter(inspection=inspection, kind=MODERATION, case__isnull=False)
                              .order_by("id").values_list("case__case_id", "item", "at")):
        found[(case_id, item)] = at.isoformat()
    return found


def open_count(cases: list[CaseQueue]) -> int:
    return sum(1 for c in cases for d in c.disagreements if d.decision is None)


# --- deciding -----------------------------------------------------------------------------------

def decide(case: Case, item: str, value: str, referred_back: bool, reason: str, actor: User) -> Event:
    """Record a moderator's decision on one disagreement of a case, with who decided and why.

    `item` is a criterion id (then `value` is one of its answers and `referred_back` is ignored) or
    "grade" (`value` one of good, requires_improvement, inadequate, with `referred_back`). Raises
    NotAllowed when `actor` may not moderate this case (not the lead or a named moderator; a moderator
    who scored the case themselves; a case still blind or with nothing to moderate on `item`), and
    DecisionError (with the form field) when the answer or reason is missing or not allowed.
    """
    inspection = case.inspection
    if not may_moderate(actor, inspection):
        raise NotAllowed("Only the inspection's lead or a named moderator decides a disagreement.")
    if not is_lead(actor) and case.assignments.filter(scorer=actor, kind=INSPECTION_KIND).exists():
        # A moderator settles other inspectors' disagreements, never one of their own.
        raise NotAllowed("You scored this case: the lead or another moderator decides its disagreements.")
    with transaction.atomic():
        # Locks the case's assignments, so a reopen cannot slip in between the check and the event.
        list(Assignment.objects.select_for_update().filter(case=case))
        entry = _open_entry(case, item)
        allowed = entry.answers
        value = value.strip()
        reason = reason.strip()
        errors: dict[str, str] = {}
        if value not in allowed:
            what = "the grade" if item == GRADE else "the answer"
            errors["value"] = f"Choose {what}: one of {', '.join(allowed)}"
        if not reason:
            errors["reason"] = "Give the reason for the decision"
        elif len(reason) > NOTE_LIMIT:
            errors["reason"] = f"The reason must be {NOTE_LIMIT} characters or fewer"
        if errors:
            raise DecisionError(errors)
        after = f"{value}|{'yes' if referred_back else 'no'}" if item == GRADE else value
        before = (Event.objects.filter(case=case, kind=MODERATION, item=item).order_by("-id")
                  .values_list("after", flat=True).first())
        return Event.objects.create(inspection=inspection, case=case, actor=actor, actor_ref=actor.username,
                                    kind=MODERATION, item=item, before=before, after=after, reason=reason)


def _open_entry(case: Case, item: str) -> Disagreement:
    """The queue's entry for this case and item: refused when the case is blind or agrees on it."""
    if case.case_id not in _settled_cases(case.inspection):
        raise NotAllowed(f"Case {case.case_id} is not ready for moderation: every scorer must submit it first.")
    for entry in queue(case.inspection, only=case):
        for d in entry.disagreements:
            if d.item == item:
                return d
    raise NotAllowed(f"The scorers of case {case.case_id} do not disagree on {item}: there is nothing to decide.")
