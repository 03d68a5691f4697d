"""A lead's bulk assignment: spreading unassigned cases evenly across inspectors, and choosing a share
of cases to double-score, drawn reproducibly and stratified by category.

The draw is `thematic.stats.sampling.stratified_sample`, the code `thematic sample` uses: the cases
of the inspection in sample order, their categories as strata, the size `round(share × cases)` and
the lead's seed, so the same inspection, share and seed always choose the same cases. Each drawn
case gets a second inspector, never its first, spread evenly (fewest second cases first, then name
order). Every assignment is an `assigned` event in the audit trail; all happens in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from thematic.stats.sampling import SamplingError, stratified_sample
from thematic.web.models import (
    ASSIGNED,
    INSPECTION_KIND,
    INSPECTOR,
    Assignment,
    Case,
    Event,
    Inspection,
    InspectionMember,
)


class AssigningError(ValueError):
    """A bulk assignment that cannot be made as asked; nothing was changed."""


@dataclass(frozen=True)
class DoubleScoring:
    """What a double-scoring draw did: the cases drawn (sample order) and each one's second inspector."""

    drawn: tuple[str, ...]  # case ids of every case drawn
    added: dict[str, str]  # case id -> second inspector, for drawn cases that had none yet


def inspectors_named(names: list[str]) -> list[User]:
    """The inspectors of these user names, in name order (the stable order of every round-robin)."""
    found = list(User.objects.filter(username__in=names, membership__role=INSPECTOR).order_by("username"))
    if not found:
        raise AssigningError("Choose at least one inspector")
    missing = sorted(set(names) - {u.username for u in found})
    if missing:
        raise AssigningError(f"{', '.join(missing)} is not an inspector")
    return found


def _give(case: Case, scorer: User, lead: User, reason: str) -> Assignment:
    InspectionMember.objects.get_or_create(inspection_id=case.inspection_id, user=scorer)
    assignment = Assignment.objects.create(case=case, scorer=scorer, kind=INSPECTION_KIND)
    Event.objects.create(inspection_id=case.inspection_id, case=case, assignment=assignment, actor=lead,
                         actor_ref=lead.username, kind=ASSIGNED, before=None, after=scorer.username, reason=reason)
    return assignment


def spread_evenly(inspection: Inspection, inspectors: list[User], lead: User) -> dict[str, str]:
    """Give every unassigned case, in sample order, to the inspectors in turn; case id -> inspector."""
    if not inspectors:
        raise AssigningError("Choose at least one inspector")
    given: dict[str, str] = {}
    with transaction.atomic():
        free = list(Case.objects.select_for_update().filter(inspection=inspection)
                    .exclude(assignments__kind=INSPECTION_KIND).order_by("position"))
        for index, case in enumerate(free):
            scorer = inspectors[index % len(inspectors)]
            _give(case, scorer, lead, "spread evenly")
            given[case.case_id] = scorer.username
    return given


def double_score(inspection: Inspection, share: float, seed: int, inspectors: list[User],
                 lead: User) -> DoubleScoring:
    """Draw `share` percent of the cases (stratified by category, from `seed`) and give each drawn case
    a second inspector from `inspectors`, spread evenly. A case drawn again keeps its second scorer."""
    if not 0 < share <= 100:
        raise AssigningError("Enter a share between 0 and 100 percent (above 0)")
    if seed < 0:
        raise AssigningError("Enter a seed of 0 or more")
    with transaction.atomic():
        cases = list(Case.objects.select_for_update().filter(inspection=inspection).order_by("position"))
        if not cases:
            raise AssigningError("The inspection has no cases")
        size = max(1, round(share / 100 * len(cases)))
        try:
            sample = stratified_sample([c.category for c in cases], size, seed=seed)
        except SamplingError as exc:
            raise AssigningError(str(exc)) from None
        drawn = [cases[i] for i in sample.selected]
        scorers: dict[int, list[int]] = {}
        for case_pk, scorer_pk in Assignment.objects.filter(case__in=drawn, kind=INSPECTION_KIND).values_list(
                "case_id", "scorer_id"):
            scorers.setdefault(case_pk, []).append(scorer_pk)
        unassigned = [c.case_id for c in drawn if not scorers.get(c.pk)]
        if unassigned:
            raise AssigningError(f"Assign every drawn case to a first inspector before double scoring "
                                 f"(not assigned: {', '.join(unassigned)})")
        load = {u.pk: 0 for u in inspectors}  # second cases given in this draw, for spreading evenly
        added: dict[str, str] = {}
        reason = f"double scoring: {share:g}% drawn by category with seed {seed}"
        for case in drawn:
            if len(scorers[case.pk]) >= 2:
                continue
            choices = [u for u in inspectors if u.pk not in scorers[case.pk]]
            if not choices:
                raise AssigningError(f"{case.case_id} needs a second inspector other than its first: "
                                     "choose at least two inspectors")
            second = min(choices, key=lambda u: (load[u.pk], u.username))
            load[second.pk] += 1
            _give(case, second, lead, reason)
            added[case.case_id] = second.username
        Case.objects.filter(pk__in=[c.pk for c in drawn]).update(double_scored=True)
    return DoubleScoring(tuple(c.case_id for c in drawn), added)
