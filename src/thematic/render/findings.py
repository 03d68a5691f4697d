"""A theme's finding as reports show it: the report's own words as quotations, ours as a summary.

A criteria file's theme holds a `finding` in the file's own words and, where the report's wording
is known, `quotes` of it with their place. Reports must never put our words in quotation marks, so
every report (force, comparison, programme) builds its finding through `finding_view`, and the
templates' `finding` macro prints quotations in quotation marks with their source and the summary
labelled as one.
"""
from __future__ import annotations

from dataclasses import dataclass

from thematic.model.criteria import ThemeDef

#: The words that introduce a summary, so that a reader never takes it for the report's wording.
SUMMARY_LEAD = "In summary (our words, not the report\u2019s):"


@dataclass(frozen=True)
class QuoteView:
    """Words of the report, printed in quotation marks, and where they come from."""

    text: str
    source: str


@dataclass(frozen=True)
class FindingView:
    """A theme's finding: the report's words (possibly none) and a summary in our words."""

    quotes: tuple[QuoteView, ...]
    summary: str
    summary_lead: str = SUMMARY_LEAD


def finding_view(theme: ThemeDef) -> FindingView:
    """The finding of `theme` as reports print it; line breaks of folded YAML text read as spaces."""
    return FindingView(
        quotes=tuple(QuoteView(_one_line(q.text), _one_line(q.source)) for q in theme.quotes),
        summary=_one_line(theme.finding),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
