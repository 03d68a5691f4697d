"""Reading judgements and moderation files (`thematic.model.judgements`) with file:line problems.

Answers are checked with the same check as answers in case files
(`thematic.load.case_check.answers_check`), so the messages are the same.
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from thematic.core.errors import InputError, Problem
from thematic.load.case_check import answers_check
from thematic.load.yaml_source import YamlDocument, describe_value, located_problem, read_yaml_file, validation_problems
from thematic.model.criteria import CriteriaFile
from thematic.model.judgements import JUDGEMENTS_FORMAT, MODERATION_FORMAT, JudgementsFile, ModerationFile

_MODELS: dict[str, type[JudgementsFile] | type[ModerationFile]] = {
    JUDGEMENTS_FORMAT: JudgementsFile, MODERATION_FORMAT: ModerationFile}


@dataclass(frozen=True)
class LoadedFile:
    """A valid judgements or moderation file and its parsed document (for the line of any entry)."""

    path: str
    doc: YamlDocument
    content: JudgementsFile | ModerationFile

    def where(self, *loc: str | int) -> str:
        """`file:line` of the entry at `loc`."""
        line = self.doc.line_of(loc)
        return f"{self.path}:{line}" if line is not None else self.path


def read_judgements_file(
    path: str, *, inspection_id: str, criteria: CriteriaFile, problems: list[Problem],
) -> LoadedFile | None:
    """Read and check one judgements or moderation file; its problems are appended to `problems`."""
    try:
        doc = read_yaml_file(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    data = doc.data
    if not isinstance(data, dict):
        problems.append(Problem(
            path, f"expected a judgements or moderation file (a mapping), got {describe_value(data)}", doc.first_line))
        return None
    file_format = data.get("format")
    model = _MODELS.get(file_format) if isinstance(file_format, str) else None
    if model is None:
        problems.append(located_problem(
            doc, ("format",), f"{describe_value(file_format)} is not one of {JUDGEMENTS_FORMAT}, {MODERATION_FORMAT}"))
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
    check = answers_check(criteria)
    for case_id, entry in content.cases.items():
        for loc, message in check(entry.judgements):
            problems.append(located_problem(doc, ("cases", case_id, *loc), message))
    if len(problems) > before:
        return None
    return LoadedFile(path=path, doc=doc, content=content)
