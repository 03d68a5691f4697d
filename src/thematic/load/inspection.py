"""Read an inspection file and the criteria file it names; thematic.scoring.prepare readies it for scoring."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from thematic.core.errors import InputError, Problem
from thematic.load.criteria import LoadedCriteria, read_criteria
from thematic.load.yaml_source import YamlDocument, located_problem, read_yaml_file, validation_problems
from thematic.model.inspection import InspectionFile


@dataclass(frozen=True)
class LoadedInspection:
    """An inspection file as read, with its criteria file read too (not yet compiled) and paths resolved."""

    file: InspectionFile
    doc: YamlDocument
    path: str
    criteria: LoadedCriteria | None  # None when the criteria file is missing or unreadable: see `problems`
    problems: tuple[Problem, ...]  # what stopped the criteria file being read
    cases: str  # the file, folder or glob of case files, resolved against the inspection's folder
    judgements: tuple[str, ...] = ()  # judgements and moderation files or globs, resolved likewise


def _resolve(base: Path, relative: str) -> str:
    path = Path(relative)
    return str(path if path.is_absolute() else base / path)


def read_inspection(path: str | Path) -> LoadedInspection:
    """Read and validate an inspection file, then read the criteria file it names.

    InputError if the inspection file itself is wrong; a criteria file that cannot be read is
    reported in `problems`, so that its problems come with those found later.
    """
    doc = read_yaml_file(path)
    try:
        file = InspectionFile.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, doc, model=InspectionFile)) from None
    base = Path(path).parent
    problems: list[Problem] = []
    criteria_path = _resolve(base, file.criteria)
    criteria: LoadedCriteria | None = None
    if not Path(criteria_path).is_file():
        problems.append(located_problem(doc, ("criteria",), f"criteria file {criteria_path} not found"))
    else:
        try:
            criteria = read_criteria(criteria_path)
        except InputError as exc:
            problems.extend(exc.problems)
    return LoadedInspection(file=file, doc=doc, path=str(path), criteria=criteria, problems=tuple(problems),
                            cases=_resolve(base, file.cases),
                            judgements=tuple(_resolve(base, j) for j in file.judgements))
