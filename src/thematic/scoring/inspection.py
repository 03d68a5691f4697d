"""The library's front: score a sample of case files into the results document (`ResultsDocument`).

Case files are checked against the criteria set as they load (judgement answers, and the force
when an inspection names one), so every problem of every file is reported before anything is
scored; scoring itself is delegated to the pure evaluator and the summary to the aggregator.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from thematic.load.case_check import case_check
from thematic.load.cases import load_cases
from thematic.load.sample import Sample, load_sample, require_case_files
from thematic.model.case import Case
from thematic.model.results import CaseResult, CriteriaInfo, InspectionInfo, ResultsDocument, Summary
from thematic.scoring.aggregate import SummaryAccumulator
from thematic.scoring.criteria import CriteriaSet
from thematic.scoring.evaluate import Scorer
from thematic.scoring.fingerprint import fingerprints
from thematic.scoring.prepare import Inspection
from thematic.scoring.resolve import score_sample


def score_cases(cases: Iterable[Case], scorer: Scorer) -> list[CaseResult]:
    return [scorer.score(case) for case in cases]


def build_results(
    *,
    inspection: Mapping[str, Any],
    criteria: CriteriaSet,
    parameters: Mapping[str, Any],
    case_results: Sequence[CaseResult] | None,
    summary: Summary | None = None,
) -> ResultsDocument:
    """The results document of `case_results` (None: a document without per-case results), its
    summary worked out here, once; or, given, `summary`: that of cases scored as a stream and not
    held (`scoring.caseload`)."""
    if summary is None:
        accumulator = SummaryAccumulator([(c.id, c.definition.theme) for c in criteria.criteria])
        for result in case_results or ():
            accumulator.add(result)
        summary = accumulator.result()
    return ResultsDocument(
        inspection=InspectionInfo(**inspection),
        criteria=CriteriaInfo(id=criteria.id, version=criteria.file.version,
                              fingerprints=fingerprints(criteria, parameters)),
        parameters=dict(parameters),
        cases=None if case_results is None else tuple(case_results),
        summary=summary,
    )


def paths_results(
    paths: Iterable[str | Path],
    *,
    criteria: CriteriaSet,
    as_of: date,
    parameters: Mapping[str, Any],
    inspection: Mapping[str, Any] | None = None,
    force: str | None = None,
) -> ResultsDocument:
    """Load, check and score case files; the results document. InputError lists every problem."""
    loaded = load_cases(paths, check=case_check(criteria.file, force))
    scorer = Scorer(criteria, dict(parameters), as_of)
    case_results = score_cases((item.case for item in loaded), scorer)
    forces = sorted({r.force for r in case_results})
    meta = inspection or {"id": None, "force": forces[0] if len(forces) == 1 else None, "year": None}
    return build_results(
        inspection={**meta, "as_of": as_of.isoformat()},
        criteria=criteria,
        parameters=parameters,
        case_results=case_results,
    )


def inspection_results(inspection: Inspection, sample: Sample[Inspection] | None = None) -> ResultsDocument:
    """Score an inspection's sample; every case must belong to the inspection's force.

    With `judgements:` files listed, every inspector's answers are merged into the cases first
    (a moderated answer wins; see thematic.scoring.resolve): pass the `sample` already loaded
    (`thematic.load.sample.load_sample`) or it is loaded here.
    """
    file = inspection.file
    require_case_files(inspection)
    meta = {"id": file.inspection, "force": file.force, "year": file.year, "title": file.title}
    if not inspection.judgements:
        return paths_results(
            [inspection.cases],
            criteria=inspection.criteria,
            as_of=file.as_of,
            parameters=inspection.parameters,
            inspection=meta,
            force=file.force,
        )
    if sample is None:
        sample = load_sample(inspection)
    scorer = Scorer(inspection.criteria, dict(inspection.parameters), file.as_of)
    return build_results(
        inspection={**meta, "as_of": file.as_of.isoformat()},
        criteria=inspection.criteria,
        parameters=inspection.parameters,
        case_results=score_sample(sample, scorer),
    )
