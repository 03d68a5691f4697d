"""An inspection's sample with every inspector's judgements: loaded and checked.

Answers come from the case files (`judgements` and `grade`, with `by`) and from the judgements files
the inspection lists, one per inspector; an inspector's judgements file supersedes that inspector's
answers in case files. Every answer is kept, so agreement can be measured
(`thematic.stats.agreement`); scoring resolves them to one answer per criterion and one grade
(`thematic.scoring.resolve`).
"""
from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from thematic.core.errors import InputError, Problem
from thematic.load.case_check import case_check
from thematic.load.cases import LoadedCase, load_cases
from thematic.load.judgements import LoadedFile, read_judgements_file
from thematic.load.yaml_source import located_problem
from thematic.model.criteria import CriteriaFile
from thematic.model.inspection import InspectionFile
from thematic.model.judgements import JudgementsFile, ModerationFile

#: The item key of the overall grade, beside criterion ids (which never look like this).
GRADE = "grade"
#: The item key of a disagreement on referring a case back (moderation list only).
REFERRED_BACK = "referred_back"

_GLOB_CHARS = re.compile(r"[*?\[]")
_SUFFIXES = (".yaml", ".yml", ".json")


class CriteriaSource(Protocol):
    """What loading a sample reads of a criteria set: the file as written."""

    @property
    def file(self) -> CriteriaFile: ...


class InspectionSource(Protocol):
    """What loading a sample reads of an inspection (`thematic.scoring.prepare.Inspection` has it all)."""

    @property
    def path(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def file(self) -> InspectionFile: ...
    @property
    def criteria(self) -> CriteriaSource: ...
    @property
    def cases(self) -> str: ...  # the file, folder or glob of case files, resolved
    @property
    def judgements(self) -> tuple[str, ...]: ...  # judgements and moderation files or globs, resolved


#: The inspection a sample is of, kept as given: scoring and the workbook read its compiled criteria.
InspectionT = TypeVar("InspectionT", bound=InspectionSource)


@dataclass(frozen=True)
class Rating:
    """One inspector's answer (or grade) on one case, and where it is recorded."""

    inspector: str
    value: str
    note: str | None
    where: str  # file:line
    referred_back: bool = False  # grades only


@dataclass(frozen=True)
class Moderation:
    """A moderator's agreed answer (or grade) on one case."""

    value: str
    by: str
    reason: str
    where: str
    referred_back: bool = False  # grades only


@dataclass
class Sample(Generic[InspectionT]):
    """The cases of an inspection and every inspector's answers to them."""

    inspection: InspectionT
    cases: list[LoadedCase]
    # case id -> item (criterion id or GRADE) -> inspector -> rating, in the order recorded
    ratings: dict[str, dict[str, dict[str, Rating]]]
    moderation: dict[str, dict[str, Moderation]]  # case id -> item -> the moderator's decision
    files: dict[str, LoadedFile] = field(default_factory=dict)  # inspector -> their judgements file

    @property
    def judgement_ids(self) -> list[str]:
        return [c.id for c in self.inspection.criteria.file.criteria if c.type == "judgement"]

    @property
    def case_ids(self) -> list[str]:
        return [loaded.case.case_id for loaded in self.cases]


def judgements_paths(inspection: InspectionSource, problems: list[Problem]) -> list[str]:
    """The files the inspection's `judgements:` names, in order: each a file, a folder or a glob."""
    found: list[str] = []
    seen: set[str] = set()
    for spec in inspection.judgements:
        path = Path(spec)
        if path.is_file():
            matches = [spec]
        elif path.is_dir():
            matches = sorted(str(p) for p in path.iterdir() if p.suffix.lower() in _SUFFIXES and p.is_file())
        elif _GLOB_CHARS.search(spec):
            # A glob that matches nothing yet is fine: no inspector has imported a workbook.
            matches = sorted(m for m in glob.glob(spec) if Path(m).suffix.lower() in _SUFFIXES and os.path.isfile(m))
        else:
            problems.append(Problem(inspection.path, f"judgements file {spec} not found", field="judgements"))
            matches = []
        for match in matches:
            key = os.path.realpath(match)
            if key not in seen:
                seen.add(key)
                found.append(match)
    return found


def load_sample(inspection: InspectionT) -> Sample[InspectionT]:
    """Load and check the cases and every judgements and moderation file; InputError lists every problem."""
    problems: list[Problem] = []
    cases: list[LoadedCase] | None
    try:
        check = case_check(inspection.criteria.file, inspection.file.force)
        cases = load_cases([inspection.cases], check=check)
    except InputError as exc:
        problems.extend(exc.problems)
        cases = None
    ratings: dict[str, dict[str, dict[str, Rating]]] = {}
    for loaded in cases or []:
        where = f"{loaded.file}:{loaded.line}"
        items = ratings.setdefault(loaded.case.case_id, {})
        for cid, answer in loaded.case.judgements.items():
            items.setdefault(cid, {})[answer.by] = Rating(answer.by, answer.answer, answer.note, where)
        grade = loaded.case.grade
        if grade is not None:
            items.setdefault(GRADE, {})[grade.by] = Rating(grade.by, grade.value, grade.note, where,
                                                           grade.referred_back)
    sample = Sample(inspection=inspection, cases=cases or [], ratings=ratings, moderation={})
    known = set(sample.case_ids) if cases is not None else None
    for path in judgements_paths(inspection, problems):
        loaded_file = read_judgements_file(path, inspection_id=inspection.id, criteria=inspection.criteria.file,
                                           problems=problems)
        if loaded_file is not None:
            _add_file(sample, loaded_file, known, problems)
    if problems:
        raise InputError(problems)
    return sample


def _add_file(sample: Sample[InspectionT], loaded: LoadedFile, known: set[str] | None, problems: list[Problem]) -> None:
    content = loaded.content
    for case_id in content.cases:
        if known is not None and case_id not in known:
            problems.append(located_problem(
                loaded.doc, ("cases", case_id),
                f'case "{case_id}" is not in the inspection\'s sample ({sample.inspection.file.cases})'))
    if isinstance(content, JudgementsFile):
        _add_judgements(sample, loaded, content, problems)
    else:
        _add_moderation(sample, loaded, content, problems)


def _add_judgements(
    sample: Sample[InspectionT], loaded: LoadedFile, content: JudgementsFile, problems: list[Problem],
) -> None:
    inspector = content.inspector
    earlier = sample.files.get(inspector)
    if earlier is not None:
        problems.append(located_problem(
            loaded.doc, ("inspector",),
            f"{inspector}'s judgements are already in {earlier.path}; keep one file per inspector"))
        return
    sample.files[inspector] = loaded
    for case_id, entry in content.cases.items():
        items = sample.ratings.setdefault(case_id, {})
        for cid, answer in entry.judgements.items():
            where = loaded.where("cases", case_id, "judgements", cid)
            # An inspector's judgements file supersedes that inspector's answer in the case file.
            items.setdefault(cid, {})[inspector] = Rating(inspector, answer.answer, answer.note, where)
        if entry.grade is not None:
            g = entry.grade
            items.setdefault(GRADE, {})[inspector] = Rating(
                inspector, g.value, g.note, loaded.where("cases", case_id, "grade"), g.referred_back)


def _add_moderation(
    sample: Sample[InspectionT], loaded: LoadedFile, content: ModerationFile, problems: list[Problem],
) -> None:
    for case_id, entry in content.cases.items():
        decided = sample.moderation.setdefault(case_id, {})
        moderated: list[tuple[str, Moderation]] = [
            (cid, Moderation(m.answer, m.by, m.reason, loaded.where("cases", case_id, "judgements", cid)))
            for cid, m in entry.judgements.items()]
        if entry.grade is not None:
            g = entry.grade
            moderated.append((GRADE, Moderation(g.value, g.by, g.reason, loaded.where("cases", case_id, "grade"),
                                                g.referred_back)))
        for item, decision in moderated:
            if item in decided:
                loc = ("cases", case_id, "grade") if item == GRADE else ("cases", case_id, "judgements", item)
                problems.append(located_problem(
                    loaded.doc, loc, f"{case_id} {item} is already moderated at {decided[item].where}"))
            else:
                decided[item] = decision


def require_case_files(inspection: InspectionSource) -> None:
    """InputError unless the inspection's `cases:` names something (a file, a folder or a matching glob)."""
    if not (Path(inspection.cases).exists() or glob.glob(inspection.cases)):
        raise InputError.single(inspection.path, f"no case files at {inspection.cases}", field="cases")


def load_judged_sample(inspection: InspectionT) -> Sample[InspectionT] | None:
    """The sample with every inspector's answers, when the inspection lists judgements files (else None:
    its cases are scored as they load). Checked in the order scoring checks: case files first."""
    if not inspection.judgements:
        return None
    require_case_files(inspection)
    return load_sample(inspection)
