"""Results as the workspace shows them, computed by the library from the database, never stored.

A scorer's case page scores the case with that scorer's current entries (`score_entries`). An
inspection's results resolve every scorer's entries and any moderation exactly as `thematic run`
does (`thematic.scoring.resolve`), so an export run through the command line gives the same.

Only assignments of one kind count together: the inspectors' results (kind "inspection", with
moderation) never include a force's self-assessment (kind "self_assessment", scored on its own and
never moderated), and the reverse.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from thematic.load.sample import GRADE, Moderation, Rating
from thematic.model.case import Case, Grade, Judgement
from thematic.model.results import CaseResult, ResultsDocument
from thematic.scoring.inspection import build_results
from thematic.scoring.resolve import resolve, score_resolved
from thematic.web.criteria_cache import case_model, criteria_of, scorer_of
from thematic.web.entries import Entries, current_for
from thematic.web.models import INSPECTION_KIND, MODERATION, SELF_ASSESSMENT, Assignment, Event, Inspection
from thematic.web.models import Case as CaseRow


def with_entries(case: Case, entries: Entries, by: str) -> Case:
    """The case with one scorer's answers and grade, as a case file would carry them."""
    judgements = {cid: Judgement(answer=answer, by=by, note=entries.notes.get(cid))
                  for cid, answer in entries.answers.items()}
    grade = (Grade(value=entries.grade, by=by, referred_back=entries.referred_back,  # type: ignore[arg-type]
                   note=entries.grade_note) if entries.grade else None)
    return case.model_copy(update={"judgements": judgements, "grade": grade})


def score_entries(inspection: Inspection, row: CaseRow, entries: Entries, by: str) -> CaseResult:
    """The case scored with these entries: automatic states, judgements and the suggested grade."""
    return scorer_of(inspection).score(with_entries(case_model(row), entries, by))


def ratings(assignments: list[Assignment], entries: dict[int, Entries], *,
            kind: str = INSPECTION_KIND) -> dict[str, dict[str, Rating]]:
    """item -> scorer -> rating, as `thematic.load.sample` builds them from judgements files; only
    assignments of `kind` count (by default the inspectors': a force's self-assessment never does)."""
    items: dict[str, dict[str, Rating]] = {}
    for assignment in sorted((a for a in assignments if a.kind == kind), key=lambda a: a.scorer.username):
        who = assignment.scorer.username
        current = entries[assignment.pk]
        for cid, answer in current.answers.items():
            items.setdefault(cid, {})[who] = Rating(who, answer, current.notes.get(cid), "workspace")
        if current.grade:
            items.setdefault(GRADE, {})[who] = Rating(who, current.grade, current.grade_note, "workspace",
                                                      current.referred_back)
    return items


def moderation_of(inspection: Inspection) -> dict[str, dict[str, Moderation]]:
    """case id -> item -> the latest moderation decision (issue 15 records them; import keeps them)."""
    found: dict[str, dict[str, Moderation]] = {}
    for event in Event.objects.filter(inspection=inspection, kind=MODERATION).select_related("case").order_by("id"):
        if event.case is None or event.after is None:
            continue
        value, _, referred = event.after.partition("|")
        found.setdefault(event.case.case_id, {})[event.item] = Moderation(
            value, event.actor_ref, event.reason, "workspace", referred == "yes")
    return found


def inspection_results(inspection: Inspection, *, kind: str = INSPECTION_KIND,
                       cases: Sequence[CaseRow] | None = None, blind: Collection[int] = (),
                       assignments: Sequence[Assignment] | None = None) -> list[CaseResult]:
    """Every case of the inspection scored with every inspector's current entries and the moderation,
    in sample order; with `kind=SELF_ASSESSMENT`, with the force's self-assessment entries instead
    (never moderated: moderation settles the inspectors' disagreements).

    `cases`: only these cases of the inspection, in the order given (the live findings score only
    the cases their cache lacks). `blind`: pks of cases whose entries count for nothing yet, each
    scored as if unanswered (a double-scored case still blind, as the lead's export leaves it out).
    `assignments`: the inspection's assignments of `kind` with their scorers, when the caller has
    them loaded (saves the query; the results are the same).
    """
    scorer = scorer_of(inspection)
    rows = list(CaseRow.objects.filter(inspection=inspection).order_by("position")) if cases is None else cases
    if assignments is None:
        assignments = list(Assignment.objects.filter(case__inspection=inspection, kind=kind).select_related("scorer"))
    wanted = {row.pk for row in rows}
    # Only the entries of the cases scored here are read: a reload of the findings reads one case's.
    counted = [a for a in assignments if a.case_id in wanted and a.case_id not in blind]
    entries = current_for(counted)
    by_case: dict[int, list[Assignment]] = {}
    for assignment in counted:
        by_case.setdefault(assignment.case_id, []).append(assignment)
    moderation = moderation_of(inspection) if kind == INSPECTION_KIND else {}
    return [score_resolved(scorer, resolve(case_model(row), ratings(by_case.get(row.pk, []), entries, kind=kind),
                                           moderation.get(row.case_id, {})))
            for row in rows]


def self_assessment_id(inspection: Inspection) -> str:
    """The id the force's self-assessment goes by in its export and results: `<inspection>-self-assessment`."""
    return f"{inspection.slug}-self-assessment"


def self_assessment_title(inspection: Inspection) -> str:
    return f"{inspection.title}: the force's self-assessment"


def inspection_meta(inspection: Inspection, *, kind: str = INSPECTION_KIND) -> dict[str, Any]:
    """The results document's `inspection` block, as `thematic run` writes it for the export's
    inspection file (kind "inspection") or its self-assessment file (kind "self_assessment")."""
    own = kind == SELF_ASSESSMENT
    return {"id": self_assessment_id(inspection) if own else inspection.slug, "force": inspection.force,
            "year": inspection.year, "title": self_assessment_title(inspection) if own else inspection.title,
            "as_of": inspection.as_of.isoformat()}


def results_document(inspection: Inspection, *, kind: str = INSPECTION_KIND,
                     results: list[CaseResult] | None = None) -> ResultsDocument:
    """The `thematic.results/1` document `thematic run` writes for the export's inspection file
    (kind "inspection") or its self-assessment file (kind "self_assessment"): of `results` when the
    caller has scored the cases already, else of `inspection_results`."""
    return build_results(inspection=inspection_meta(inspection, kind=kind), criteria=criteria_of(inspection),
                         parameters=inspection.parameters,
                         case_results=inspection_results(inspection, kind=kind) if results is None else results)
