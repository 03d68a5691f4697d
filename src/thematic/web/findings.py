"""Live findings: an inspection's results as they stand, in the force report's own view data.

Computed on request, never stored. Every case is scored from the database by
`thematic.web.results.inspection_results` (each scorer's current entries, drafts included, and any
moderation, resolved by `thematic.scoring.resolve` as `thematic run` does), the results document is
made by the library (`thematic.scoring.inspection.build_results`, through
`thematic.web.results.results_document`) and the force report's
view data by `thematic.render.context.force_report_context`, so every "n of N", rate, interval,
lowest criterion and grade count reads exactly as the report prints it. Nothing is recomputed here.

Blindness (issue 15 item 2): the entries of a double-scored case whose scorers have not all
submitted count for nothing yet (the case is scored as if unanswered), because a figure that moved
with one inspector's draft would tell the lead, and through them the other inspector, what it says.
That is exactly what the lead's export download leaves out, so `thematic run` on that export gives
the same figures. Force self-assessments never count: they are the force's, not the inspectors'.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable
from dataclasses import dataclass

from django.db.models import Max

from thematic.model.results import CaseResult, ResultsDocument
from thematic.render.context import force_report_context
from thematic.render.sections import ForceReport
from thematic.web.criteria_cache import criteria_of
from thematic.web.models import INSPECTION_KIND, SUBMITTED, Assignment, Event, Inspection
from thematic.web.models import Case as CaseRow
from thematic.web.result_cache import ResultCache, scored_cases
from thematic.web.results import inspection_meta, inspection_results, results_document


@dataclass(frozen=True)
class Findings:
    """The live findings of one inspection: the report's view data and the state of the scoring."""

    document: ResultsDocument
    report: ForceReport
    cases: int
    unscored: tuple[str, ...]     # case ids with no submitted assignment yet, in sample order
    provisional: tuple[str, ...]  # case ids whose suggested grade is provisional
    blind: tuple[str, ...]        # double-scored cases still blind: their entries do not count yet


def blind_cases(inspection: Inspection) -> set[int]:
    """The pks of double-scored cases of which some inspector has not yet submitted."""
    open_ = (Assignment.objects.filter(case__inspection=inspection, case__double_scored=True, kind=INSPECTION_KIND)
             .exclude(status=SUBMITTED).values_list("case_id", flat=True))
    return set(open_)


def current_results(inspection: Inspection) -> list[CaseResult]:
    """Every case scored with the inspectors' current entries and moderation, in sample order; the
    entries of a blind double-scored case left out (see the module).

    A case whose inputs have not changed since it was last scored comes from `result_cache` (its key
    names every input: see there); only the others are read and scored, so a reload after one save
    scores one case."""
    return _current(inspection).results


@dataclass(frozen=True)
class _Current:
    results: list[CaseResult]
    key: tuple[Hashable, ...]    # the inspection's description and every case's key, in sample order
    unscored: tuple[str, ...]
    blind: tuple[str, ...]


def _current(inspection: Inspection) -> _Current:
    blind = blind_cases(inspection)
    assignments = list(Assignment.objects.filter(case__inspection=inspection, kind=INSPECTION_KIND)
                       .select_related("scorer"))
    by_case: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        by_case.setdefault(assignment.case_id, []).append(assignment)
    latest = {case_id: (last_id, last_at) for case_id, last_id, last_at in
              Event.objects.filter(inspection=inspection, case__isnull=False).values("case_id")
              .annotate(last_id=Max("id"), last_at=Max("at")).values_list("case_id", "last_id", "last_at")}
    whole = (inspection.pk, inspection.fingerprint, inspection.imported_at, inspection.as_of,
             json.dumps(inspection.parameters, sort_keys=True))
    rows = list(CaseRow.objects.filter(inspection=inspection).order_by("position"))
    keys = [(whole, row.pk, row.case_id, hashlib.blake2b(row.data.encode(), digest_size=16).digest(),
             latest.get(row.pk), row.double_scored, row.pk in blind,
             tuple((a.pk, a.scorer_id, a.scorer.username, a.status, a.version) for a in by_case.get(row.pk, [])))
            for row in rows]
    found = [scored_cases.get(key) for key in keys]
    missing = [row for row, result in zip(rows, found, strict=True) if result is None]
    if missing:
        scored = iter(inspection_results(inspection, cases=missing, blind=blind, assignments=assignments))
        for index, key in enumerate(keys):
            if found[index] is None:
                result = found[index] = next(scored)
                scored_cases.put(key, result)
    submitted = {a.case_id for a in assignments if a.status == SUBMITTED}
    return _Current(results=[result for result in found if result is not None],
                    key=(tuple(inspection_meta(inspection).items()), *keys),
                    unscored=tuple(row.case_id for row in rows if row.pk not in submitted),
                    blind=tuple(row.case_id for row in rows if row.pk in blind))


def current_document(inspection: Inspection) -> ResultsDocument:
    """The `thematic.results/1` document of the inspection as it stands (the library's summary)."""
    return results_document(inspection, results=current_results(inspection))


#: Whole findings by `_Current.key`: equal keys, equal inputs, so the same document and view data.
_findings: ResultCache[Findings] = ResultCache(limit=64)


def live_findings(inspection: Inspection) -> Findings:
    """The inspection's findings now, with what is still unscored, provisional or blind."""
    now = _current(inspection)
    cached = _findings.get(now.key)
    if cached is not None:
        return cached
    document = results_document(inspection, results=now.results)
    report = force_report_context(document, criteria_of(inspection))
    findings = Findings(
        document=document,
        report=report,
        cases=len(now.results),
        unscored=now.unscored,
        provisional=tuple(c.case_id for c in document.cases or () if c.provisional),
        blind=now.blind,
    )
    _findings.put(now.key, findings)
    return findings
