"""The library's front: score a sample of case files and build the `thematic.results/1` document.

Case files are checked against the criteria set as they load (judgement answers, and the force
when an inspection names one), so every problem of every file is reported before anything is
scored; scoring itself is delegated to the pure evaluator and the summary to the aggregator.
"""
from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from thematic.core.errors import InputError
from thematic.load.cases import load_cases
from thematic.model.case import Case
from thematic.model.results import RESULTS_FORMAT, CaseResult
from thematic.scoring.aggregate import SummaryAccumulator
from thematic.scoring.criteria import CriteriaSet
from thematic.scoring.evaluate import Scorer
from thematic.scoring.fingerprint import fingerprints
from thematic.scoring.prepare import Inspection

Check = Callable[[Case], list[tuple[tuple[Any, ...], str]]]


def case_check(criteria: CriteriaSet, force: str | None = None) -> Check:
    """Checks of a case that need the criteria set: judgement ids and answers, and the force."""
    judgement = {c.id: c.definition.answers or {} for c in criteria.criteria if c.definition.type == "judgement"}
    automatic = {c.id for c in criteria.criteria if c.definition.type == "automatic"}

    def check(case: Case) -> list[tuple[tuple[Any, ...], str]]:
        problems: list[tuple[tuple[Any, ...], str]] = []
        if force is not None and case.force != force:
            problems.append((("force",), f"case force '{case.force}' differs from the inspection's force '{force}'"))
        for criterion_id, answer in case.judgements.items():
            if criterion_id in automatic:
                problems.append((("judgements", criterion_id),
                                 f"{criterion_id} is an automatic criterion; only judgement criteria take answers "
                                 f"({', '.join(judgement)})"))
            elif criterion_id not in judgement:
                problems.append((("judgements", criterion_id),
                                 f"unknown criterion '{criterion_id}'; judgement criteria are: {', '.join(judgement)}"))
            elif answer.answer not in judgement[criterion_id]:
                allowed = ", ".join(judgement[criterion_id])
                problems.append((("judgements", criterion_id, "answer"), f"\"{answer.answer}\" is not one of {allowed}"))
        return problems

    return check


def score_cases(cases: Iterable[Case], scorer: Scorer) -> list[CaseResult]:
    return [scorer.score(case) for case in cases]


def results_document(
    *,
    inspection: Mapping[str, Any],
    criteria: CriteriaSet,
    parameters: Mapping[str, Any],
    case_results: list[CaseResult],
) -> dict[str, Any]:
    """The `thematic.results/1` document of interfaces.md."""
    accumulator = SummaryAccumulator([(c.id, c.definition.theme) for c in criteria.criteria])
    for result in case_results:
        accumulator.add(result)
    return {
        "format": RESULTS_FORMAT,
        "inspection": dict(inspection),
        "criteria": {
            "id": criteria.id,
            "version": criteria.file.version,
            "fingerprints": fingerprints(criteria, parameters),
        },
        "parameters": dict(parameters),
        "cases": [r.to_json() for r in case_results],
        "summary": accumulator.summary(),
    }


def score_paths(
    paths: Iterable[str | Path],
    *,
    criteria: CriteriaSet,
    as_of: date,
    parameters: Mapping[str, Any],
    inspection: Mapping[str, Any] | None = None,
    force: str | None = None,
) -> dict[str, Any]:
    """Load, check and score case files; the results document. InputError lists every problem."""
    loaded = load_cases(paths, check=case_check(criteria, force))
    scorer = Scorer(criteria, dict(parameters), as_of)
    case_results = score_cases((item.case for item in loaded), scorer)
    forces = sorted({r.force for r in case_results})
    meta = inspection or {"id": None, "force": forces[0] if len(forces) == 1 else None, "year": None}
    return results_document(
        inspection={**meta, "as_of": as_of.isoformat()},
        criteria=criteria,
        parameters=parameters,
        case_results=case_results,
    )


def score_inspection(inspection: Inspection) -> dict[str, Any]:
    """Score an inspection's sample; every case must belong to the inspection's force.

    With `judgements:` files listed, every inspector's answers are merged into the cases first
    (a moderated answer wins; see thematic.workbook.sample).
    """
    file = inspection.file
    if not _matches_anything(inspection.cases):
        raise InputError.single(inspection.path, f"no case files at {inspection.cases}", field="cases")
    meta = {"id": file.inspection, "force": file.force, "year": file.year, "title": file.title}
    if not inspection.judgements:
        return score_paths(
            [inspection.cases],
            criteria=inspection.criteria,
            as_of=file.as_of,
            parameters=inspection.parameters,
            inspection=meta,
            force=file.force,
        )
    from thematic.workbook.sample import load_sample  # imported here: it uses case_check from this module

    sample = load_sample(inspection)
    scorer = Scorer(inspection.criteria, dict(inspection.parameters), file.as_of)
    return results_document(
        inspection={**meta, "as_of": file.as_of.isoformat()},
        criteria=inspection.criteria,
        parameters=inspection.parameters,
        case_results=sample.score(scorer),
    )


def _matches_anything(spec: str) -> bool:
    return Path(spec).exists() or bool(glob.glob(spec))
