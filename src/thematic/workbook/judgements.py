"""Judgements and moderation files: their models, reading them with file:line problems, writing them.

An inspector's judgements live in a file of their own (`judgements/<inspection>-<inspector>.yaml`),
keyed by case id, so importing a workbook never touches another inspector's answers and
re-importing replaces entries instead of adding them. A moderation file records, for a case
scored by several inspectors, the agreed answer, who decided it and why; the inspectors' own
files are kept as they are. Both kinds are listed by the inspection's `judgements:` key and told
apart by their `format`. Answers are checked with the same check as answers in case files
(`thematic.scoring.inspection.case_check`), so the messages are the same.

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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BeforeValidator, Field, ValidationError

from thematic.core.errors import InputError, Problem
from thematic.load.yaml_source import YamlDocument, describe_value, located_problem, read_yaml_file, validation_problems
from thematic.model.base import FileModel
from thematic.model.case import GradeValue
from thematic.scoring.criteria import CriteriaSet

JUDGEMENTS_FORMAT = "thematic.judgements/1"
MODERATION_FORMAT = "thematic.moderation/1"

#: An inspector's reference, never a name: lower-case letters and digits joined by hyphens.
INSPECTOR_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
INSPECTOR_HINT = "an inspector's reference such as insp-a (lower-case letters, digits and hyphens), never a name"

NonEmpty = Annotated[str, Field(min_length=1)]


def _inspector_ref(value: str) -> str:
    if not re.fullmatch(INSPECTOR_PATTERN, value):
        raise ValueError(f"expected {INSPECTOR_HINT}, got {describe_value(value)}")
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


_MODELS: dict[str, type[FileModel]] = {JUDGEMENTS_FORMAT: JudgementsFile, MODERATION_FORMAT: ModerationFile}


@dataclass(frozen=True)
class LoadedFile:
    """A valid judgements or moderation file and its parsed document (for the line of any entry)."""

    path: str
    doc: YamlDocument
    content: JudgementsFile | ModerationFile

    @property
    def is_moderation(self) -> bool:
        return isinstance(self.content, ModerationFile)

    def where(self, *loc: str | int) -> str:
        """`file:line` of the entry at `loc`."""
        line = self.doc.line_of(loc)
        return f"{self.path}:{line}" if line is not None else self.path


@dataclass(frozen=True)
class _AnswersOnly:
    """What `case_check` reads of a case (its judgements), so files are checked exactly like cases."""

    judgements: Mapping[str, Any]


def read_judgements_file(
    path: str, *, inspection_id: str, criteria: CriteriaSet, problems: list[Problem],
) -> LoadedFile | None:
    """Read and check one judgements or moderation file; its problems are appended to `problems`."""
    from thematic.scoring.inspection import case_check  # imported here: scoring imports this package when it scores

    try:
        doc = read_yaml_file(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    data = doc.data
    if not isinstance(data, dict):
        problems.append(Problem(path, f"expected a judgements or moderation file (a mapping), got {describe_value(data)}",
                                doc.first_line))
        return None
    model = _MODELS.get(data.get("format"))  # type: ignore[arg-type]
    if model is None:
        problems.append(located_problem(
            doc, ("format",), f"{describe_value(data.get('format'))} is not one of {JUDGEMENTS_FORMAT}, {MODERATION_FORMAT}"))
        return None
    try:
        content = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, doc, model=model))
        return None
    before = len(problems)
    if content.inspection != inspection_id:
        problems.append(located_problem(
            doc, ("inspection",), f'"{content.inspection}" is not this inspection; expected "{inspection_id}"'))
    check = case_check(criteria)
    for case_id, entry in content.cases.items():  # type: ignore[attr-defined]
        for loc, message in check(_AnswersOnly(entry.judgements)):  # type: ignore[arg-type]
            problems.append(located_problem(doc, ("cases", case_id, *loc), message))
    if len(problems) > before:
        return None
    return LoadedFile(path=path, doc=doc, content=content)  # type: ignore[arg-type]


# --- writing -------------------------------------------------------------------------------------

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


def entries_of(content: JudgementsFile) -> dict[str, CaseEntry]:
    """The cases of a judgements file as plain entries (to be updated and written back)."""
    return {
        case_id: CaseEntry(
            answers={cid: AnswerEntry(a.answer, a.note) for cid, a in case.judgements.items()},
            grade=GradeEntry(case.grade.value, case.grade.referred_back, case.grade.note) if case.grade else None,
        )
        for case_id, case in content.cases.items()
    }


def judgements_yaml(
    *, inspection_id: str, inspector: str, cases: Mapping[str, CaseEntry], order: list[str], criteria_order: list[str],
) -> str:
    """The text of a judgements file: cases in `order` (sample order), answers in catalogue order."""
    rank = {cid: i for i, cid in enumerate(criteria_order)}
    position = {case_id: i for i, case_id in enumerate(order)}
    body: dict[str, Any] = {}
    for case_id in sorted(cases, key=lambda c: (position.get(c, len(position)), c)):
        entry = cases[case_id]
        out: dict[str, Any] = {}
        if entry.answers:
            out["judgements"] = {
                cid: _without_none({"answer": a.answer, "note": a.note})
                for cid, a in sorted(entry.answers.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
            }
        if entry.grade is not None:
            out["grade"] = _without_none(
                {"value": entry.grade.value, "referred_back": entry.grade.referred_back, "note": entry.grade.note})
        if out:
            body[case_id] = out
    header = (f"# {inspector}'s judgements for inspection {inspection_id}, written by `thematic import-workbook`.\n"
              "# One file per inspector: importing a workbook again updates these entries; other\n"
              "# inspectors' files are never changed. Inspectors are references, never names.\n")
    document = {"format": JUDGEMENTS_FORMAT, "inspection": inspection_id, "inspector": inspector, "cases": body}
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _without_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None}


@dataclass
class Changes:
    """What an update did: answers and grades added, changed and left as they were."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0


def update_entries(existing: Mapping[str, CaseEntry], incoming: Mapping[str, CaseEntry]) -> tuple[dict[str, CaseEntry], Changes]:
    """`existing` updated with `incoming`: an entry given replaces the one recorded (never a second
    copy); an entry not given is kept. Returns the new entries and what changed."""
    merged = {case_id: CaseEntry(dict(entry.answers), entry.grade) for case_id, entry in existing.items()}
    changes = Changes()

    def count(old: object, new: object) -> None:
        if old is None:
            changes.added += 1
        elif old == new:
            changes.unchanged += 1
        else:
            changes.changed += 1

    for case_id, entry in incoming.items():
        target = merged.setdefault(case_id, CaseEntry({}))
        for cid, answer in entry.answers.items():
            count(target.answers.get(cid), answer)
            target.answers[cid] = answer
        if entry.grade is not None:
            count(target.grade, entry.grade)
            target.grade = entry.grade
    return merged, changes
