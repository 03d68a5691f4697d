"""Load an inspection file, with its criteria set and parameter overrides, every problem at once."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from thematic.core.errors import InputError, Problem
from thematic.load.criteria import load_criteria
from thematic.load.yaml_source import located_problem, read_yaml_file, validation_problems
from thematic.model.criteria import CriteriaSet
from thematic.model.inspection import InspectionFile
from thematic.scoring.parameters import ParameterError, check_value


@dataclass(frozen=True)
class Inspection:
    """An inspection ready to score: its file, criteria, effective parameters and case location."""

    file: InspectionFile
    path: str
    criteria: CriteriaSet
    parameters: dict[str, float | int]
    cases: str  # the file, folder or glob of case files, resolved against the inspection's folder
    judgements: tuple[str, ...] = ()  # judgements and moderation files or globs, resolved likewise

    @property
    def id(self) -> str:
        return self.file.inspection

    def input_files(self) -> list[tuple[str, str]]:
        """Every file a run of this inspection reads, as (path, what it is), so outputs never overwrite one."""
        import glob

        from thematic.load.cases import collect_case_files

        files = [(self.path, "the inspection file"), (self.criteria.path, "the criteria file")]
        files += [(str(p), "a case file") for p in collect_case_files([self.cases], [])]
        for pattern in self.judgements:
            files += [(p, "a judgements file") for p in (sorted(glob.glob(pattern)) or [pattern])]
        return files


def _resolve(base: Path, relative: str) -> str:
    path = Path(relative)
    return str(path if path.is_absolute() else base / path)


def load_inspection(path: str | Path) -> Inspection:
    """Read and check an inspection file and the criteria file it names."""
    doc = read_yaml_file(path)
    try:
        file = InspectionFile.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, doc, model=InspectionFile)) from None
    base = Path(path).parent
    problems: list[Problem] = []
    criteria_path = _resolve(base, file.criteria)
    criteria: CriteriaSet | None = None
    if not Path(criteria_path).is_file():
        problems.append(located_problem(doc, ("criteria",), f"criteria file {criteria_path} not found"))
    else:
        try:
            criteria = load_criteria(criteria_path)
        except InputError as exc:
            problems.extend(exc.problems)
    parameters: dict[str, float | int] = {}
    if criteria is not None:
        parameters = criteria.defaults()
        for name, value in file.parameters.items():
            try:
                parameters[name] = check_value(criteria, name, value)
            except ParameterError as exc:
                problems.append(located_problem(doc, ("parameters", name), str(exc)))
    if problems:
        raise InputError(problems)
    assert criteria is not None
    return Inspection(file=file, path=str(path), criteria=criteria, parameters=parameters, cases=_resolve(base, file.cases),
                      judgements=tuple(_resolve(base, j) for j in file.judgements))
