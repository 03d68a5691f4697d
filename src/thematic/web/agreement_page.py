"""Agreement between an inspection's inspectors, from the database, by the library's agreement code.

The workspace builds the same `Sample` that `thematic.load.sample` loads from an export (the cases,
every scorer's ratings, the moderation decisions), with only the cases whose inspection
assignments are all submitted counted: a draft is not an answer yet, and a double-scored case is
blind until every scorer of it has submitted.
`thematic.stats.agreement.agreement_from_sample` then computes everything, as `thematic agreement`
does, and `thematic.render.agreement.agreement_section` words it (including the kappa-paradox note),
as the force report does. Nothing is stored: every request computes it again from the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from thematic.load.cases import LoadedCase
from thematic.load.sample import Rating, Sample
from thematic.model.inspection import InspectionFile
from thematic.scoring.criteria import CriteriaSet
from thematic.web.criteria_cache import case_model, criteria_of
from thematic.web.entries import current_for
from thematic.web.exporting import inspection_document
from thematic.web.models import INSPECTION_KIND, SUBMITTED, Assignment, Inspection
from thematic.web.models import Case as CaseRow
from thematic.web.results import moderation_of, ratings

if TYPE_CHECKING:
    from thematic.render.sections import AgreementSection
    from thematic.stats.agreement import Agreement

WHERE = "workspace"  # what a rating's "file:line" reads when it comes from the database


@dataclass(frozen=True)
class WorkspaceInspection:
    """What loading a sample reads of an inspection (`thematic.load.sample.InspectionSource`), from the
    database: the inspection file as the export writes it, and the criteria frozen at import."""

    path: str
    id: str
    file: InspectionFile
    criteria: CriteriaSet
    cases: str
    judgements: tuple[str, ...]


def submitted_sample(inspection: Inspection) -> Sample[WorkspaceInspection]:
    """The inspection's sample: the ratings of every case all of whose inspection assignments are submitted,
    and every moderation decision."""
    source = WorkspaceInspection(
        path=WHERE, id=inspection.slug, file=InspectionFile.model_validate(inspection_document(inspection)),
        criteria=criteria_of(inspection), cases=WHERE, judgements=())
    rows = list(CaseRow.objects.filter(inspection=inspection).order_by("position"))
    # Only inspection assignments count: a force's self-assessment is not an inspector's rating.
    scorings = list(Assignment.objects.filter(case__inspection=inspection, kind=INSPECTION_KIND)
                    .select_related("scorer"))
    by_case: dict[int, list[Assignment]] = {}
    for assignment in scorings:
        by_case.setdefault(assignment.case_id, []).append(assignment)
    # A case counts once every scorer of it has submitted: until then it is blind (`may_see_entries`),
    # even when two of three have submitted.
    by_case = {pk: found for pk, found in by_case.items() if all(a.status == SUBMITTED for a in found)}
    entries = current_for([a for found in by_case.values() for a in found])
    found: dict[str, dict[str, dict[str, Rating]]] = {}
    for row in rows:
        if row.pk in by_case:
            found[row.case_id] = ratings(by_case[row.pk], entries)
    return Sample(inspection=source, cases=[LoadedCase(case_model(row), WHERE, 0) for row in rows],
                  ratings=found, moderation=moderation_of(inspection))


def agreement_of(inspection: Inspection) -> Agreement:
    """The library's agreement over the submitted double scoring (what `thematic agreement` computes)."""
    from thematic.stats.agreement import agreement_from_sample  # scipy and statsmodels: loaded when asked

    return agreement_from_sample(submitted_sample(inspection))


def agreement_view(agreement: Agreement, questions: dict[str, str]) -> AgreementSection | None:
    """The force report's agreement section for it, unsuppressed (the team reads its own cases), or None
    when no case has two submitted scorings yet."""
    from thematic.render.agreement import agreement_section
    from thematic.render.views import Suppression

    return agreement_section(agreement.to_json(), Suppression(None), questions)
