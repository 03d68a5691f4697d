"""A force's self-assessment of an inspection's sample, publishing the inspection, and the comparison.

- **Opening** (`open_self_assessment`): the lead opens the self-assessment for the inspection's force
  with one button. Every case that has no self-assessment assignment yet goes to the force's users in
  turn (sample order, user-name order: with one force user, every case to them), as assignments of
  kind "self_assessment", each an `assigned` event (reason "self-assessment opened"). One transaction;
  opening again gives only cases still without one, so it is safe to press twice.
- **Publishing** (`publish`): the lead sets `Inspection.published_at` and records a `published` event.
  It is never undone: there is no unpublishing, and publishing twice is refused.
- **The comparison** (`comparison`): the force's self-assessment and the inspectors' results, each the
  `thematic.results/1` document `thematic run` gives on the export's two inspection files
  (`results.results_document`), compared by the library's `compare-assessors`
  (`thematic.stats.assessors`), rendered by `thematic.render.assessors`. Nothing is re-computed here.
"""
from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from thematic.core.atomic import write_text_atomic
from thematic.render.context import question_text
from thematic.web.criteria_cache import criteria_of
from thematic.web.models import (
    ASSIGNED,
    FORCE,
    INSPECTION_KIND,
    PUBLISHED,
    SELF_ASSESSMENT,
    Assignment,
    Case,
    Event,
    Inspection,
)
from thematic.web.results import results_document, self_assessment_id

if TYPE_CHECKING:
    from thematic.stats.assessors import AssessorComparison

OPENED = "self-assessment opened"


class SelfAssessmentError(ValueError):
    """An action on the self-assessment that cannot be taken now; nothing was changed."""


def force_users(inspection: Inspection) -> list[User]:
    """The active users of the inspection's force, in user-name order."""
    return list(User.objects.filter(membership__role=FORCE, membership__force=inspection.force, is_active=True)
                .order_by("username"))


def open_self_assessment(inspection: Inspection, lead: User) -> dict[str, str]:
    """Give every case without a self-assessment assignment to the force's users in turn; case id -> user."""
    users = force_users(inspection)
    if not users:
        raise SelfAssessmentError(f"The force {inspection.force} has no user account yet: add one on the "
                                  "Accounts page first")
    given: dict[str, str] = {}
    with transaction.atomic():
        free = list(Case.objects.select_for_update().filter(inspection=inspection)
                    .exclude(assignments__kind=SELF_ASSESSMENT).order_by("position"))
        for index, case in enumerate(free):
            scorer = users[index % len(users)]
            assignment = Assignment.objects.create(case=case, scorer=scorer, kind=SELF_ASSESSMENT)
            Event.objects.create(inspection=inspection, case=case, assignment=assignment, actor=lead,
                                 actor_ref=lead.username, kind=ASSIGNED, before=None, after=scorer.username,
                                 reason=OPENED)
            given[case.case_id] = scorer.username
    return given


def publish(inspection: Inspection, lead: User) -> None:
    """Open the inspectors' results to the force, for good: `published_at` and a `published` event."""
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.published_at is not None:
            raise SelfAssessmentError("The inspection is already published")
        now = timezone.now()
        Inspection.objects.filter(pk=locked.pk).update(published_at=now)
        Event.objects.create(inspection=locked, actor=lead, actor_ref=lead.username, kind=PUBLISHED, before=None,
                             after=now.isoformat(), reason="results opened to the force")
    inspection.published_at = now


@dataclass(frozen=True)
class Progress:
    """How far the force's self-assessment is: its assignments by status."""

    total: int
    submitted: int
    in_progress: int
    not_started: int


def progress(inspection: Inspection) -> Progress:
    rows = list(Assignment.objects.filter(case__inspection=inspection, kind=SELF_ASSESSMENT)
                .values_list("status", flat=True))
    return Progress(len(rows), rows.count("submitted"), rows.count("in_progress"), rows.count("not_started"))


def comparison_files(inspection: Inspection) -> tuple[str, str]:
    """The names the two results files go by in the comparison: as `thematic run` on the export names
    nothing, these say which export file each side is."""
    return (f"{self_assessment_id(inspection)}.results.json", f"{inspection.slug}.results.json")


def comparison(inspection: Inspection) -> AssessorComparison:
    """The library's `compare-assessors` of the force's self-assessment against the inspectors' results."""
    from thematic.load.results import load_case_states_files
    from thematic.render.output import json_text
    from thematic.stats.assessors import compare_assessors  # scipy and statsmodels: only when asked

    own_name, theirs_name = comparison_files(inspection)
    documents = ((own_name, results_document(inspection, kind=SELF_ASSESSMENT)),
                 (theirs_name, results_document(inspection, kind=INSPECTION_KIND)))
    # The library reads results files: write both to a private temporary folder and read them back, so
    # the comparison is made from exactly what `thematic compare-assessors` would read.
    with tempfile.TemporaryDirectory(prefix="thematic-assessors-") as folder:
        paths = [Path(folder) / name for name, _ in documents]
        for path, (_, document) in zip(paths, documents, strict=True):
            write_text_atomic(path, json_text(document.to_json()))
        compared = compare_assessors(*load_case_states_files(paths))
    # Name each side by its file name, not the temporary folder's path.
    return dataclasses.replace(compared, force=dataclasses.replace(compared.force, file=own_name),
                               inspectors=dataclasses.replace(compared.inspectors, file=theirs_name))


def questions(inspection: Inspection) -> dict[str, str]:
    """Each criterion's question with the inspection's parameters, to label the comparison's rows."""
    return {c.id: question_text(c.definition.question, inspection.parameters) for c in criteria_of(inspection).criteria}


def report(inspection: Inspection, compared: AssessorComparison, fmt: str) -> bytes:
    """The library's self-assessment report (`thematic compare-assessors --report`) in one format, html or pdf."""
    from thematic.render.assessors import ASSESSORS, assessors_report
    from thematic.render.publication import DEFAULT_MARKING, Publication

    sides = (compared.force, compared.inspectors)
    # ASSESSORS.render, as render_assessors_report calls it, but only the format asked for: a PDF takes seconds.
    return ASSESSORS.render((fmt,), None, lambda: {"report": assessors_report(compared, questions(inspection))},
                            publication=Publication.of(DEFAULT_MARKING,
                                                       [(s.criteria_id, s.criteria_version) for s in sides]))[fmt]
