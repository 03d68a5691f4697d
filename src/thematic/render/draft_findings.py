"""A draft of the findings at the top of the force report, every sentence built from the model's figures.

Issue 12 item 9. The draft is generated, not written: each sentence is made here from the counts of
the results document and the force report's view data, so it can never disagree with the tables
below it. Built by `draft_findings`, printed by reports/templates/_draft_findings.html.j2.
"""
from __future__ import annotations

from dataclasses import dataclass

from thematic.model.results import ResultsDocument
from thematic.render.sections import ForceReport
from thematic.render.views import MIN_ASSESSED

__all__ = ["DraftFindings", "draft_findings"]


@dataclass(frozen=True)
class DraftFindings:
    """The draft's sentences, section by section (each a tuple of plain-text sentences)."""

    grades: tuple[str, ...] = ()


def draft_findings(document: ResultsDocument, report: ForceReport, *,
                   min_assessed: int = MIN_ASSESSED) -> DraftFindings:
    """The draft of the findings of `document`, whose force report's view data is `report`."""
    return DraftFindings()
