"""Judgements and moderation files, as pydantic models.

An inspector's judgements live in a file of their own (`judgements/<inspection>-<inspector>.yaml`),
keyed by case id, so importing a workbook never touches another inspector's answers and
re-importing replaces entries instead of adding them. A moderation file records, for a case
scored by several inspectors, the agreed answer, who decided it and why; the inspectors' own
files are kept as they are. Both kinds are listed by the inspection's `judgements:` key and told
apart by their `format` (read by `thematic.load.judgements`).

    format: thematic.judgements/1          format: thematic.moderation/1
    inspection: exampleshire-2019           inspection: exampleshire-2019
    inspector: insp-a                       cases:
    cases:                                    EXA-2019-003:
      EXA-2019-003:                             judgements:
        judgements:                               CRM-06: {answer: partly, by: insp-c, reason: "..."}
          CRM-06: {answer: "no", note: "..."}   grade: {value: inadequate, referred_back: true,
        grade: {value: inadequate, referred_back: true}      by: insp-c, reason: "..."}
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from thematic.model.base import FileModel
from thematic.model.case import GradeValue

JUDGEMENTS_FORMAT = "thematic.judgements/1"
MODERATION_FORMAT = "thematic.moderation/1"

#: An inspector's reference, never a name: lower-case letters and digits joined by hyphens.
INSPECTOR_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
INSPECTOR_HINT = "an inspector's reference such as insp-a (lower-case letters, digits and hyphens), never a name"

NonEmpty = Annotated[str, Field(min_length=1)]


def _quoted(value: str, limit: int = 40) -> str:
    # As `thematic.load.yaml_source.describe_value` quotes a text (this layer cannot import it).
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return '"' + shown.replace('"', '\\"') + '"'


def _inspector_ref(value: str) -> str:
    if not re.fullmatch(INSPECTOR_PATTERN, value):
        raise ValueError(f"expected {INSPECTOR_HINT}, got {_quoted(value)}")
    return value


InspectorRef = Annotated[str, AfterValidator(_inspector_ref)]


def _yaml_yes_no(value: Any) -> Any:
    # As in case files: YAML 1.1 reads an unquoted yes/no as a boolean; it means the answer "yes"/"no".
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


Answer = Annotated[NonEmpty, BeforeValidator(_yaml_yes_no)]


class InspectorAnswer(FileModel):
    answer: Answer
    note: str | None = None


class InspectorGrade(FileModel):
    value: GradeValue
    referred_back: bool = False
    note: str | None = None


class InspectorCase(FileModel):
    judgements: dict[NonEmpty, InspectorAnswer] = Field(default_factory=dict)
    grade: InspectorGrade | None = None


class JudgementsFile(FileModel):
    """One inspector's answers and grades for the cases of one inspection."""

    format: Literal["thematic.judgements/1"]
    inspection: NonEmpty
    inspector: InspectorRef
    cases: dict[NonEmpty, InspectorCase] = Field(default_factory=dict)


class ModeratedAnswer(FileModel):
    answer: Answer
    by: InspectorRef  # the moderator
    reason: NonEmpty  # why this answer was agreed


class ModeratedGrade(FileModel):
    value: GradeValue
    referred_back: bool = False
    by: InspectorRef
    reason: NonEmpty


class ModeratedCase(FileModel):
    judgements: dict[NonEmpty, ModeratedAnswer] = Field(default_factory=dict)
    grade: ModeratedGrade | None = None


class ModerationFile(FileModel):
    """Agreed answers and grades where inspectors' answers differed, with who decided and why."""

    format: Literal["thematic.moderation/1"]
    inspection: NonEmpty
    cases: dict[NonEmpty, ModeratedCase] = Field(default_factory=dict)


# --- an inspector's entries in memory (read from a workbook, updated, written back) ---------------

@dataclass(frozen=True)
class GradeEntry:
    value: str
    referred_back: bool
    note: str | None = None


@dataclass(frozen=True)
class AnswerEntry:
    answer: str
    note: str | None = None


@dataclass
class CaseEntry:
    """One case of an inspector's judgements file, in memory."""

    answers: dict[str, AnswerEntry]
    grade: GradeEntry | None = None
