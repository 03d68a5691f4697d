"""Report test data: the committed fictional sample scored once, and small hand-made results.

`example_results()` scores inspections/exampleshire-2019.yaml (16 hand-made cases) into the model;
`example()` gives its JSON data, for a test to change field by field and read back in
(`ResultsDocument.from_json`) or write as a results file. `rendered_html()` and `rendered_pdf()`
render its force report once per test session for each suppression setting, since a PDF takes seconds.
`hand_made_results()` builds a results document (the model, what the renderers take) from a few
cases described by the states that matter, every other criterion not applicable, so a test knows
every expected number by reading it; `hand_made()` is its JSON data.
"""
from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from thematic.load.criteria import shipped_criteria_path
from thematic.model.results import CaseResult, CriterionResult, ResultsDocument
from thematic.render.force import render_force_report
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.inspection import build_results, inspection_results
from thematic.scoring.prepare import load_inspection

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "inspections" / "exampleshire-2019.yaml"


@cache
def example_results() -> tuple[ResultsDocument, CriteriaSet]:
    """The scored example sample (the model, frozen, so shared) and its criteria set."""
    inspection = load_inspection(EXAMPLE)
    return inspection_results(inspection), inspection.criteria


def example() -> tuple[dict[str, Any], CriteriaSet]:
    """The scored example sample as JSON data (a fresh copy, for a test to change) and its criteria set."""
    document, criteria = example_results()
    return document.to_json(), criteria


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def rendered_html(suppress_below: int | None = None) -> str:
    """The example's force report as HTML; rendered once per setting."""
    return _rendered_html(suppress_below)  # f() and f(None) are different keys to lru_cache


def rendered_pdf(suppress_below: int | None = None) -> tuple[bytes, tuple[str, ...]]:
    """The example's force report as PDF, and every WeasyPrint warning or error logged meanwhile."""
    return _rendered_pdf(suppress_below)


@cache
def _rendered_html(suppress_below: int | None) -> str:
    document, criteria = example_results()
    return render_force_report(document, criteria, formats=["html"], suppress_below=suppress_below)["html"].decode()


@cache
def _rendered_pdf(suppress_below: int | None) -> tuple[bytes, tuple[str, ...]]:
    document, criteria = example_results()
    logger = logging.getLogger("weasyprint")
    records = _Records()
    logger.addHandler(records)
    try:
        pdf = render_force_report(document, criteria, formats=["pdf"], suppress_below=suppress_below)["pdf"]
    finally:
        logger.removeHandler(records)
    return pdf, tuple(records.messages)


@cache
def shipped_criteria() -> CriteriaSet:
    return load_criteria(shipped_criteria_path())


def hand_made(cases: list[dict[str, Any]], criteria: CriteriaSet | None = None) -> dict[str, Any]:
    """`hand_made_results(cases, criteria)` as JSON data (what results.json holds): a fresh copy, for a
    test to change or write as a file."""
    return hand_made_results(cases, criteria).to_json()


def hand_made_results(cases: list[dict[str, Any]], criteria: CriteriaSet | None = None) -> ResultsDocument:
    """A results document of `cases`, each a dict with `case_id` and optionally `states`
    ({criterion: state}), `suggested`, `grade`, `provisional`, `referred_back`, `data_quality`,
    scored against `criteria` (default: the shipped set). Criteria not named are not applicable."""
    criteria = criteria or shipped_criteria()
    results = []
    for spec in cases:
        states = spec.get("states", {})
        results.append(CaseResult(
            case_id=spec["case_id"],
            force="testshire",
            category=spec.get("category", "neglect"),
            results={c.id: CriterionResult(states.get(c.id, "not_applicable"),
                                           f"evidence of {c.id} in {spec['case_id']}")
                     for c in criteria.criteria},
            suggested_grade=spec.get("suggested", "good"),
            provisional=spec.get("provisional", False),
            grade=spec.get("grade"),
            referred_back=spec.get("referred_back", False),
            data_quality=tuple(spec.get("data_quality", ())),
        ))
    return build_results(
        inspection={"id": "testshire-2019", "force": "testshire", "year": 2019, "title": "Testshire test sample",
                    "as_of": "2019-11-30"},
        criteria=criteria,
        parameters=criteria.defaults(),
        case_results=results,
    )
