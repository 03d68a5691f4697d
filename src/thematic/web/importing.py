"""Import an inspection (criteria, cases and any judgements or moderation files) in one transaction.

The library reads and checks everything first (`thematic.scoring.prepare.load_inspection`,
`thematic.load.sample.load_sample`): a bad file raises the command line's located InputError and
nothing is written. The files' text is kept as read, frozen with a fingerprint; each inspector's
answers become events of that inspector's assignment, so the trail starts with where they came from.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from thematic.core.errors import InputError
from thematic.load.sample import GRADE, Sample, load_sample
from thematic.load.yaml_source import read_text
from thematic.scoring.prepare import Inspection as LoadedInspection
from thematic.scoring.prepare import load_inspection
from thematic.web.accounts import placeholder_inspector
from thematic.web.models import (
    ANSWER,
    GRADE_NOTE,
    IMPORTED,
    IN_PROGRESS,
    MODERATION,
    NOTE,
    REFERRED_BACK,
    SUBMITTED,
    Assignment,
    Case,
    Event,
    Inspection,
    InspectionMember,
)
from thematic.web.models import GRADE as GRADE_KIND


def read_for_import(path: str | Path) -> tuple[LoadedInspection, Sample[LoadedInspection]]:
    """The inspection and its sample, checked by the library (InputError listing every problem)."""
    inspection = load_inspection(path)
    return inspection, load_sample(inspection)


def import_inspection(path: str | Path, *, actor: User | None, answers: bool = True) -> Inspection:
    """Import the inspection at `path`; `answers=False` leaves out every inspector's answers (a fresh
    sample to score). InputError, with nothing written, if a file is wrong or the id is taken."""
    loaded, sample = read_for_import(path)
    if Inspection.objects.filter(slug=loaded.id).exists():
        raise InputError.single(str(path), f'inspection "{loaded.id}" is already in the workspace; '
                                "an inspection is imported once (export it, then import the changed files "
                                "under a new id)", field="inspection")
    criteria_text = read_text(loaded.criteria.path, "criteria")
    inspection_text = read_text(loaded.path, "inspection")
    cases = []
    digest = hashlib.sha256(criteria_text.encode())
    for position, item in enumerate(sample.cases):
        data = item.case.model_dump(mode="json", exclude_unset=True, exclude={"judgements", "grade"})
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
        digest.update(text.encode())
        cases.append((position, item.case, text))
    with transaction.atomic():
        inspection = Inspection.objects.create(
            slug=loaded.id, title=loaded.file.title, force=loaded.file.force, year=loaded.file.year,
            as_of=loaded.file.as_of, inspection_text=inspection_text, criteria_text=criteria_text,
            parameters=dict(loaded.parameters), fingerprint=digest.hexdigest(), imported_by=actor)
        actor_ref = actor.username if actor else "import"
        rows = Case.objects.bulk_create([
            Case(inspection=inspection, case_id=case.case_id, category=case.category, position=position, data=text)
            for position, case, text in cases])
        Event.objects.create(inspection=inspection, actor=actor, actor_ref=actor_ref, kind=IMPORTED,
                             after=inspection.fingerprint, reason=f"imported from {Path(path).name}")
        if answers:
            _import_answers(inspection, sample, {row.case_id: row for row in rows}, actor, actor_ref)
    return inspection


def _import_answers(inspection: Inspection, sample: Sample[LoadedInspection], rows: dict[str, Case],
                    actor: User | None, actor_ref: str) -> None:
    events: list[Event] = []
    scorers: dict[str, User] = {}
    for case_id, items in sample.ratings.items():
        row = rows[case_id]
        by_scorer: dict[str, list[tuple[str, str, str | None, str]]] = {}
        for item, given in items.items():
            for who, rating in given.items():
                where = f"imported from {rating.where}"
                if item == GRADE:
                    by_scorer.setdefault(who, []).extend([
                        (GRADE_KIND, "grade", rating.value, where),
                        (REFERRED_BACK, "grade", "yes" if rating.referred_back else "no", where),
                        (GRADE_NOTE, "grade", rating.note, where)])
                else:
                    by_scorer.setdefault(who, []).extend([(ANSWER, item, rating.value, where),
                                                          (NOTE, item, rating.note, where)])
        if len(by_scorer) > 1:  # two inspectors' answers: the case was double-scored
            Case.objects.filter(pk=row.pk).update(double_scored=True)
        for who, changes in by_scorer.items():
            if who not in scorers:
                scorers[who] = placeholder_inspector(who)
                InspectionMember.objects.get_or_create(inspection=inspection, user=scorers[who])
            graded = any(kind == GRADE_KIND for kind, *_ in changes)
            assignment = Assignment.objects.create(case=row, scorer=scorers[who],
                                                   status=SUBMITTED if graded else IN_PROGRESS, version=1)
            events += [Event(inspection=inspection, case=row, assignment=assignment, actor=actor, actor_ref=actor_ref,
                             kind=kind, item=item, before=None, after=value, reason=why, version=1)
                       for kind, item, value, why in changes if value is not None]
    for case_id, decided in sample.moderation.items():
        row = rows[case_id]
        for item, decision in decided.items():
            after = f"{decision.value}|{'yes' if decision.referred_back else 'no'}" if item == GRADE else decision.value
            events.append(Event(inspection=inspection, case=row, actor=actor, actor_ref=decision.by, kind=MODERATION,
                                item=item, after=after, reason=decision.reason))
    Event.objects.bulk_create(events)
