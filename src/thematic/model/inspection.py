"""Inspection files (`inspections/*.yaml`): which force, which round, which criteria and cases.

An inspection's round follows from its `year` (`inspection_round`): the one place that says what a
round is called in reports and which words it used for the three grades. The stored grades are the
same in every round (good, requires_improvement, inadequate); only the words a report shows differ.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from thematic.model.base import Date, FileModel
from thematic.model.case import ForceCode

Text = Annotated[str, Field(min_length=1)]


def _one_or_many(value: Any) -> Any:
    # `judgements: judgements/*.yaml` (one path or glob) reads as a list of one.
    return [value] if isinstance(value, str) else value


class InspectionFile(FileModel):
    inspection: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    title: Text
    force: ForceCode
    year: Annotated[int, Field(ge=2000, le=2100)]
    as_of: Date
    criteria: Text  # a path relative to the inspection file
    parameters: dict[Text, float | int] = Field(default_factory=dict)
    cases: Text  # a file, a folder or a glob, relative to the inspection file
    # Judgements and moderation files (paths or globs, relative to the inspection file); optional.
    judgements: Annotated[list[Text], BeforeValidator(_one_or_many)] = Field(default_factory=list)


#: The grade words of the 2019 thematic and after (the stored grade values' own).
GRADE_WORDS_2019: Mapping[str, str] = MappingProxyType(
    {"good": "good", "requires_improvement": "requires improvement", "inadequate": "inadequate"})
#: The 2015 thematic (In harm's way, HMIC 2015) graded cases good / adequate / inadequate: its
#: "adequate" is the middle grade, stored as requires_improvement and compared with it.
GRADE_WORDS_2015: Mapping[str, str] = MappingProxyType(
    {"good": "good", "requires_improvement": "adequate", "inadequate": "inadequate"})
#: The last year whose inspections used the 2015 grade words (the national child protection
#: inspections of 2014-15, reported in In harm's way, July 2015).
LAST_2015_ROUND_YEAR = 2015


@dataclass(frozen=True)
class InspectionRound:
    """The inspection round an inspection belongs to: its name in reports and its grade words."""

    year: int
    name: str                        # "2015 inspection round", "2019 national child protection thematic"
    grade_words: Mapping[str, str]   # stored grade value -> the word this round used

    def grade_word(self, grade: str) -> str:
        """The word this round used for a stored grade ("adequate" for requires_improvement in 2015)."""
        return self.grade_words.get(grade, grade.replace("_", " "))


def inspection_round(year: int | None) -> InspectionRound | None:
    """The round of an inspection of `year`; None when the year is not known (`thematic score`'s results)."""
    if year is None:
        return None
    if year <= LAST_2015_ROUND_YEAR:
        return InspectionRound(year, f"{year} inspection round", GRADE_WORDS_2015)
    if year == 2019:
        return InspectionRound(year, "2019 national child protection thematic", GRADE_WORDS_2019)
    return InspectionRound(year, f"{year} inspection round", GRADE_WORDS_2019)
