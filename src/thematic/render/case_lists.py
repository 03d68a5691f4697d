"""Every case behind a criterion's rate: the full list of its not-met and not-evidenced cases (issue 12 item 7).

The force report's "Cases to look at" lists only some cases, so a reader could not see all the
cases that pull a criterion's rate down. `case_lists` builds, per criterion, every case whose
result is not met or not evidenced, with the evidence that decided it in plain words
(`thematic.render.plain_words.evidence_words`): the report's appendix "Cases behind each
criterion", to which each criterion's row links. Under any suppression nothing is listed (the
lists name individual cases), and the appendix and its links are left out.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thematic.model.results import FAILED, NOT_EVIDENCED, NOT_MET, CaseResult
from thematic.render.plain_words import evidence_words
from thematic.render.views import label, slug

__all__ = ["APPENDIX_ID", "CaseLine", "CaseLists", "CriterionCases", "case_lists"]

#: The id of the appendix section in the force report.
APPENDIX_ID = "cases-behind"


@dataclass(frozen=True)
class CaseLine:
    """One case that failed a criterion: its id, category, state and evidence, in plain words."""

    case_id: str
    category: str
    state: str
    evidence: str


@dataclass(frozen=True)
class CriterionCases:
    """All the cases that did not meet, or gave no evidence for, one criterion, in sample order."""

    criterion_id: str
    question: str
    anchor: str            # this list's id in the appendix
    criterion_anchor: str  # the criterion's row in its theme's table
    not_met: int
    not_evidenced: int
    cases: tuple[CaseLine, ...]

    @property
    def link_text(self) -> str:
        """The criterion row's link to this list: it names the criterion, so each link says where it goes."""
        n = len(self.cases)
        return f"The {n} case{'' if n == 1 else 's'} behind {self.criterion_id}"

    @property
    def caption(self) -> str:
        """"SUP-02: not met in 3 cases and not evidenced in 1, with the evidence": the list's table
        caption (a caption stays with its table's first rows on a page, as a paragraph would not)."""
        cases = "case" if self.not_met == 1 else "cases"
        return (f"{self.criterion_id}: not met in {self.not_met} {cases} and not evidenced in {self.not_evidenced}, "
                "with the evidence")


@dataclass(frozen=True)
class CaseLists:
    """The appendix: a list per criterion with at least one failing case, in catalogue order;
    empty when withheld (any suppression)."""

    criteria: tuple[CriterionCases, ...]
    withheld: bool

    def for_criterion(self, criterion_id: str) -> CriterionCases | None:
        """The list behind `criterion_id`, or None (no failing case, or withheld)."""
        for entry in self.criteria:
            if entry.criterion_id == criterion_id:
                return entry
        return None


def case_lists(cases: Sequence[CaseResult], questions: Mapping[str, str], *, withheld: bool = False) -> CaseLists:
    """Per criterion of `questions` (id → question as the report words it, in catalogue order), every
    case of `cases` whose result is not met or not evidenced; nothing when `withheld`."""
    if withheld:
        return CaseLists(criteria=(), withheld=True)
    lines: dict[str, list[CaseLine]] = {cid: [] for cid in questions}
    for case in cases:
        category = label(case.category) if case.category else "unknown"
        for cid, result in case.results.items():
            if result.state in FAILED and cid in lines:
                line = CaseLine(case.case_id, category, label(result.state), evidence_words(result.evidence))
                lines[cid].append(line)
    entries = []
    for cid, found in lines.items():
        if not found:
            continue
        entries.append(CriterionCases(
            criterion_id=cid,
            question=questions[cid],
            anchor=f"cases-{slug(cid)}",
            criterion_anchor=f"criterion-{slug(cid)}",
            not_met=sum(line.state == label(NOT_MET) for line in found),
            not_evidenced=sum(line.state == label(NOT_EVIDENCED) for line in found),
            cases=tuple(found),
        ))
    return CaseLists(criteria=tuple(entries), withheld=False)
