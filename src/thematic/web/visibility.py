"""Who may see and do what: the one place every page, download and export asks (docs/web.md's matrix).

- A lead and a programme user see every inspection; an inspector those they are a member of; a
  force user those of its own force.
- A scorer sees and edits their own assignments (until submitted); a lead sees every assignment,
  reopens submitted ones and assigns cases. A programme user reads inspections, not case pages.
- Blind double scoring (issue 15): an inspector may open the other scorer's assignment of a case they
  co-score, but nobody except its scorer sees an assignment's answers, notes or grade of a
  double-scored case until every scorer of the case has submitted (`may_see_entries`), the lead
  included.
- A force's self-assessment (issue 15, assignments of kind "self_assessment"): the force user scores
  their own assignments; the lead reads them (read only); no inspector opens or sees them. The force
  never sees an inspector's assignment (its answers, notes or grade); once the lead publishes the
  inspection (`is_published`), the force sees the comparison of its self-assessment with the
  inspectors' results, and still no inspector's notes.
- Moderation (issue 15): the lead moderates every inspection, and so does an inspector the lead names
  its moderator (`may_moderate`); in the queue a moderator sees every side of a case on the condition
  the lead does, once every scorer has submitted (`may_see_sides`).
A URL naming something the user may not see answers 404, so an id never reveals that it exists.
"""
from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from thematic.web.models import (
    FORCE,
    INSPECTION_KIND,
    INSPECTOR,
    LEAD,
    PROGRAMME,
    SELF_ASSESSMENT,
    SUBMITTED,
    Assignment,
    Case,
    Inspection,
    InspectionMember,
    Membership,
)

AnyUser = User | AnonymousUser


_ROLE = "_thematic_role"  # the user object's cached role: one query per request, not one per question


def role(user: AnyUser) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    # Cached on the user object, which Django loads afresh for every request, so a changed role
    # counts from the next request on (as a changed password does).
    cached: tuple[str | None] | None = getattr(user, _ROLE, None)
    if cached is None:
        membership = Membership.objects.filter(user_id=user.pk).first()
        cached = (membership.role if membership else None,)
        setattr(user, _ROLE, cached)
    return cached[0]


def _uid(user: AnyUser) -> int:
    return int(user.pk or 0)


def visible_inspections(user: AnyUser) -> QuerySet[Inspection]:
    """The inspections the user may open."""
    who = role(user)
    if who in (LEAD, PROGRAMME):
        return Inspection.objects.all()
    if who == INSPECTOR:
        return Inspection.objects.filter(members__user_id=_uid(user)).distinct()
    if who == FORCE:
        force = Membership.objects.get(user_id=_uid(user)).force
        return Inspection.objects.filter(force=force)
    return Inspection.objects.none()


def inspection_or_404(user: AnyUser, slug: str) -> Inspection:
    found = visible_inspections(user).filter(slug=slug).first()
    if found is None:
        raise Http404("no such inspection")
    return found


def is_lead(user: AnyUser) -> bool:
    return role(user) == LEAD


def visible_assignments(user: AnyUser) -> QuerySet[Assignment]:
    """The assignments whose case page the user may open."""
    who = role(user)
    if who == LEAD:
        return Assignment.objects.all()
    if who in (INSPECTOR, FORCE):
        # Their own assignments, and the co-scorer's assignment of a double-scored case they score too.
        mine = Assignment.objects.filter(scorer_id=user.pk, kind=INSPECTION_KIND).values("case_id")
        return Assignment.objects.filter(
            Q(scorer_id=user.pk) | Q(case__double_scored=True, case_id__in=mine, kind=INSPECTION_KIND),
            case__inspection__in=visible_inspections(user))
    return Assignment.objects.none()


def visible_of_case(user: AnyUser, opened: Assignment, rows: Sequence[Assignment]) -> list[Assignment]:
    """Of `rows` (assignments of the case of `opened`, an assignment the user may open), those
    `visible_assignments` holds, decided without a query: the same rule, for a case page's list of
    co-scorers. Opening `opened` already proved the inspection visible to the user."""
    who = role(user)
    if who == LEAD:
        return list(rows)
    if who in (INSPECTOR, FORCE):
        scores_it = any(a.scorer_id == user.pk and a.kind == INSPECTION_KIND for a in rows)
        return [a for a in rows if a.case_id == opened.case_id and (
            a.scorer_id == user.pk or (opened.case.double_scored and scores_it and a.kind == INSPECTION_KIND))]
    return []


def assignment_or_404(user: AnyUser, pk: int) -> Assignment:
    found = visible_assignments(user).select_related("case", "case__inspection", "scorer").filter(pk=pk).first()
    if found is None:
        raise Http404("no such case")
    return found


def may_see_entries(user: AnyUser, assignment: Assignment, *,
                    scorings: Sequence[Assignment] | None = None) -> bool:
    """Whether the user may see this assignment's answers, notes and grade.

    Every page, download, export and error message that shows entries asks this, and only this.
    `scorings`, when the caller has them loaded, are all the case's assignments of kind "inspection"
    (saves the query; the decision is the same).
    """
    if assignment.scorer_id == user.pk:
        return True
    if assignment.kind == SELF_ASSESSMENT:
        return role(user) == LEAD  # the force's own work: the lead reads it, no inspector does
    if assignment.case.double_scored:
        # Blind double scoring: until every scorer of the case has submitted, nobody else sees an
        # entry (the lead neither, so nothing can be passed on); then the lead and the co-scorers do.
        if scorings is None:
            scorings = list(assignment.case.assignments.filter(kind=INSPECTION_KIND).only(
                "scorer_id", "status", "kind", "case_id"))
        if any(a.status != SUBMITTED for a in scorings):
            return False
        return role(user) == LEAD or any(a.scorer_id == user.pk for a in scorings)
    return role(user) == LEAD


def is_moderator(user: AnyUser, inspection: Inspection) -> bool:
    """A named moderator of this inspection (the lead is not named: a lead always moderates)."""
    if user.pk is None:
        return False
    return InspectionMember.objects.filter(inspection=inspection, user_id=user.pk, moderator=True).exists()


def may_moderate(user: AnyUser, inspection: Inspection) -> bool:
    return is_lead(user) or is_moderator(user, inspection)


def may_see_sides(user: AnyUser, case: Case) -> bool:
    """Whether `user` may see every scorer's answers, notes and grade on `case` in the moderation queue.

    What `may_see_entries` allows for each of the case's inspection assignments (the lead and the
    co-scorers, once every scorer has submitted), and a named moderator on the same condition.
    """
    scorings = list(case.assignments.filter(kind=INSPECTION_KIND).select_related("case"))
    if all(may_see_entries(user, a) for a in scorings):
        return True
    return is_moderator(user, case.inspection) and all(a.status == SUBMITTED for a in scorings)


def is_published(inspection: Inspection) -> bool:
    """Whether the lead has published the inspection: the inspectors' results are open to its force."""
    return inspection.published_at is not None


def may_see_self_assessment(user: AnyUser, inspection: Inspection) -> bool:
    """The self-assessment section of an inspection the user may see: its lead and its force, not an
    inspector (who must not be swayed by the force's view) nor a programme user."""
    return role(user) in (LEAD, FORCE)


def may_see_comparison(user: AnyUser, inspection: Inspection) -> bool:
    """The force's self-assessment beside the inspectors' results: the lead always, the force once published."""
    who = role(user)
    return who == LEAD or (who == FORCE and is_published(inspection))


def may_edit(user: AnyUser, assignment: Assignment) -> bool:
    """Only the scorer changes their entries, and only until they submit."""
    return assignment.scorer_id == user.pk and assignment.status != SUBMITTED
