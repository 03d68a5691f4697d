"""Read a criteria file and validate its structure; thematic.scoring.criteria compiles its expressions.

Reading never stops at the first structural problem: when the file does not validate, the parts of
it that are well formed on their own are kept, so that compiling them can report the problems of
their expressions too, and an author fixes a criteria file in one pass.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from thematic.core.errors import InputError, Problem
from thematic.load.yaml_source import YamlDocument, read_yaml_file, validation_problems
from thematic.model.criteria import CriteriaFile, CriterionDef


def shipped_criteria_path(name: str = "ncpi-thematic-2019") -> Path:
    """The path of a criteria file shipped with thematic (inside the installed package, or the source tree)."""
    here = Path(__file__).resolve().parent.parent
    for folder in (here / "_data" / "criteria", here.parent.parent / "criteria"):
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    raise InputError.single(name, "no shipped criteria file of that name")


@dataclass(frozen=True)
class CriteriaParts:
    """What compiling a criteria file needs of it: its names, definitions and criteria."""

    parameters: tuple[str, ...]
    themes: tuple[str, ...]
    definitions: dict[str, str]
    criteria: tuple[tuple[int, CriterionDef], ...]  # each criterion with its index in the file

    @classmethod
    def of(cls, file: CriteriaFile) -> CriteriaParts:
        return cls(tuple(file.parameters), tuple(file.themes), dict(file.definitions), tuple(enumerate(file.criteria)))


@dataclass(frozen=True)
class LoadedCriteria:
    """A criteria file as read, ready to compile: its model, and its document to locate problems in.

    When the file does not validate, `file` is None, `problems` lists what is wrong, and `parts` holds
    only the parts that are well formed on their own (None when the file is not even a mapping), so
    that compiling them can report the problems of their expressions too.
    """

    doc: YamlDocument
    file: CriteriaFile | None
    parts: CriteriaParts | None
    problems: tuple[Problem, ...] = ()

    @property
    def path(self) -> str:
        return self.doc.file


def read_criteria(path: str | Path) -> LoadedCriteria:
    """Read and validate a criteria file; InputError only if it is not a readable YAML document."""
    doc = read_yaml_file(path)
    try:
        file = CriteriaFile.model_validate(doc.data)
    except ValidationError as exc:
        problems = validation_problems(exc, doc, model=CriteriaFile)
        return LoadedCriteria(doc, None, _well_formed_parts(doc.data), tuple(problems))
    return LoadedCriteria(doc, file, CriteriaParts.of(file))


def _well_formed_parts(data: Any) -> CriteriaParts | None:
    """The parts of a criteria file that validate on their own, for a second look at its expressions."""
    if not isinstance(data, dict):
        return None

    def mapping(key: str) -> dict[Any, Any]:
        value = data.get(key)
        return value if isinstance(value, dict) else {}

    listed = data.get("criteria")
    criteria: list[tuple[int, CriterionDef]] = []
    for index, raw in enumerate(listed if isinstance(listed, list) else []):
        try:
            criteria.append((index, CriterionDef.model_validate(raw)))
        except ValidationError:
            continue  # already reported
    return CriteriaParts(
        parameters=tuple(str(k) for k in mapping("parameters")),
        themes=tuple(str(k) for k in mapping("themes")),
        definitions={str(k): v for k, v in mapping("definitions").items() if isinstance(v, str)},
        criteria=tuple(criteria),
    )
