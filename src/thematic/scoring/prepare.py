"""An inspection ready to score: read by thematic.load, its criteria compiled and its parameters checked."""
from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from thematic.core.errors import InputError, Problem
from thematic.load.cases import collect_case_files
from thematic.load.inspection import read_inspection
from thematic.load.yaml_source import located_problem
from thematic.model.inspection import InspectionFile
from thematic.scoring.criteria import CriteriaSet, compile_criteria
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
        files = [(self.path, "the inspection file"), (self.criteria.path, "the criteria file")]
        files += [(str(p), "a case file") for p in collect_case_files([self.cases], [])]
        for pattern in self.judgements:
            files += [(p, "a judgements file") for p in (sorted(glob.glob(pattern)) or [pattern])]
        return files


def load_inspection(path: str | Path) -> Inspection:
    """Read and check an inspection file and the criteria file it names; InputError listing every problem."""
    loaded = read_inspection(path)
    problems: list[Problem] = list(loaded.problems)
    criteria: CriteriaSet | None = None
    if loaded.criteria is not None:
        try:
            criteria = compile_criteria(loaded.criteria)
        except InputError as exc:
            problems.extend(exc.problems)
    parameters: dict[str, float | int] = {}
    if criteria is not None:
        # Overrides are checked only against a criteria set that compiles.
        parameters = criteria.defaults()
        for name, value in loaded.file.parameters.items():
            try:
                parameters[name] = check_value(criteria, name, value)
            except ParameterError as exc:
                problems.append(located_problem(loaded.doc, ("parameters", name), str(exc)))
    if problems:
        raise InputError(problems)
    assert criteria is not None
    return Inspection(file=loaded.file, path=loaded.path, criteria=criteria, parameters=parameters,
                      cases=loaded.cases, judgements=loaded.judgements)
