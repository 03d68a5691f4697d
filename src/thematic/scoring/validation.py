"""`thematic validate`'s check: criteria, inspection and case files loaded as scoring would load them.

Each path is recognised from its first document (a criteria set, an inspection, or case files) and
loaded with every check scoring makes: a criteria set compiled, an inspection's sample with every
judgements file merged (their answers checked too), case files checked against a criteria set's
judgement questions. The problems of every path are gathered into one `InputError`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from thematic.core.errors import InputError, Problem
from thematic.load.case_check import case_check
from thematic.load.cases import load_cases
from thematic.load.criteria import shipped_criteria_path
from thematic.load.sample import load_sample
from thematic.load.yaml_source import read_yaml_documents
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.prepare import load_inspection

Kind = Literal["criteria", "inspection", "cases"]


@dataclass(frozen=True)
class Validated:
    """The paths checked, each with its kind, and how many cases they hold."""

    checked: tuple[tuple[str, Kind], ...]
    cases: int


def file_kind(path: str) -> Kind:
    """criteria, inspection or cases, from the file's first document."""
    candidate = Path(path)
    if candidate.is_file() and candidate.suffix in (".yaml", ".yml"):
        try:
            documents = read_yaml_documents(candidate)
        except InputError:
            return "cases"  # let the case loader report the problem with its context
        data = documents[0].data if len(documents) == 1 else None
        if isinstance(data, dict):
            if "inspection" in data:
                return "inspection"
            if "criteria" in data and "themes" in data:
                return "criteria"
    return "cases"


def validate_paths(paths: Sequence[str], criteria: str | None = None) -> Validated:
    """Load every path as its kind; InputError with the problems of them all. Case files' answers are
    checked against `criteria` (default: the shipped set), loaded only if there are case files."""
    problems: list[Problem] = []
    checked: list[tuple[str, Kind]] = []
    cases_total = 0
    default_criteria: CriteriaSet | None = None
    for path in paths:
        kind = file_kind(path)
        try:
            if kind == "criteria":
                load_criteria(path)
            elif kind == "inspection":
                # The sample with every judgements file merged: their answers are checked too.
                cases_total += len(load_sample(load_inspection(path)).cases)
            else:
                if default_criteria is None:
                    default_criteria = load_criteria(criteria if criteria else shipped_criteria_path())
                cases_total += len(load_cases([path], check=case_check(default_criteria.file)))
            checked.append((path, kind))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return Validated(tuple(checked), cases_total)
