"""An inspection's sample with every inspector's judgements: loaded, checked, and resolved for scoring.

Answers come from the case files (`judgements` and `grade`, with `by`) and from the judgements files
the inspection lists, one per inspector; an inspector's judgements file supersedes that inspector's
answers in case files. Every answer is kept, so agreement can be measured. For scoring, each case
gets one answer per criterion and one grade:

- a moderated answer (moderation file), where there is one: who decided and why go into the evidence,
  beside the inspectors' original answers;
- otherwise the answer, when every inspector who answered gave the same one;
- otherwise none: the criterion stays `pending`, its evidence listing the answers that await
  moderation (an open grade leaves the case ungraded, with a note under data quality).

A case stays referred back if any inspector referred it back, unless a moderator decided otherwise.
"""
from __future__ import annotations

import dataclasses
import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from thematic.core.errors import InputError, Problem
from thematic.load.cases import LoadedCase, load_cases
from thematic.load.yaml_source import located_problem
from thematic.model.case import Case, Grade, Judgement
from thematic.model.results import PENDING, CaseResult, CriterionResult
from thematic.scoring.evaluate import Scorer
from thematic.scoring.prepare import Inspection
from thematic.workbook.judgements import JudgementsFile, LoadedFile, ModerationFile, read_judgements_file

#: The item key of the overall grade, beside criterion ids (which never look like this).
GRADE = "grade"
#: The item key of a disagreement on referring a case back (moderation list only).
REFERRED_BACK = "referred_back"

_GLOB_CHARS = re.compile(r"[*?\[]")
_SUFFIXES = (".yaml", ".yml", ".json")


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


@dataclass(frozen=True)
class Resolved:
    """A case with the answers scoring uses, and what is still open."""

    case: Case
    open: dict[str, str]  # item -> why it has no answer (inspectors disagree)
    referred_back: bool


@dataclass
class Sample:
    """The cases of an inspection and every inspector's answers to them."""

    inspection: Inspection
    cases: list[LoadedCase]
    # case id -> item (criterion id or GRADE) -> inspector -> rating, in the order recorded
    ratings: dict[str, dict[str, dict[str, Rating]]]
    moderation: dict[str, dict[str, Moderation]]  # case id -> item -> the moderator's decision
    files: dict[str, LoadedFile] = field(default_factory=dict)  # inspector -> their judgements file

    @property
    def judgement_ids(self) -> list[str]:
        return [c.id for c in self.inspection.criteria.criteria if c.definition.type == "judgement"]

    @property
    def case_ids(self) -> list[str]:
        return [loaded.case.case_id for loaded in self.cases]

    def resolve(self, case: Case) -> Resolved:
        return resolve(case, self.ratings.get(case.case_id, {}), self.moderation.get(case.case_id, {}))

    def score(self, scorer: Scorer) -> list[CaseResult]:
        return [score_resolved(scorer, self.resolve(loaded.case)) for loaded in self.cases]


def judgements_paths(inspection: Inspection, problems: list[Problem]) -> list[str]:
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


def load_sample(inspection: Inspection) -> Sample:
    """Load and check the cases and every judgements and moderation file; InputError lists every problem."""
    from thematic.scoring.inspection import case_check  # imported here: scoring imports this module when it scores

    problems: list[Problem] = []
    cases: list[LoadedCase] | None
    try:
        cases = load_cases([inspection.cases], check=case_check(inspection.criteria, inspection.file.force))
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
            items.setdefault(GRADE, {})[grade.by] = Rating(grade.by, grade.value, grade.note, where, grade.referred_back)
    sample = Sample(inspection=inspection, cases=cases or [], ratings=ratings, moderation={})
    known = set(sample.case_ids) if cases is not None else None
    for path in judgements_paths(inspection, problems):
        loaded_file = read_judgements_file(path, inspection_id=inspection.id, criteria=inspection.criteria, problems=problems)
        if loaded_file is not None:
            _add_file(sample, loaded_file, known, problems)
    if problems:
        raise InputError(problems)
    return sample


def _add_file(sample: Sample, loaded: LoadedFile, known: set[str] | None, problems: list[Problem]) -> None:
    content = loaded.content
    for case_id in content.cases:
        if known is not None and case_id not in known:
            problems.append(located_problem(
                loaded.doc, ("cases", case_id),
                f'case "{case_id}" is not in the inspection\'s sample ({sample.inspection.file.cases})'))
    if isinstance(content, JudgementsFile):
        earlier = sample.files.get(content.inspector)
        if earlier is not None:
            problems.append(located_problem(
                loaded.doc, ("inspector",),
                f"{content.inspector}'s judgements are already in {earlier.path}; keep one file per inspector"))
            return
        sample.files[content.inspector] = loaded
        for case_id, entry in content.cases.items():
            items = sample.ratings.setdefault(case_id, {})
            for cid, answer in entry.judgements.items():
                where = loaded.where("cases", case_id, "judgements", cid)
                # An inspector's judgements file supersedes that inspector's answer in the case file.
                items.setdefault(cid, {})[content.inspector] = Rating(content.inspector, answer.answer, answer.note, where)
            if entry.grade is not None:
                g = entry.grade
                items.setdefault(GRADE, {})[content.inspector] = Rating(
                    content.inspector, g.value, g.note, loaded.where("cases", case_id, "grade"), g.referred_back)
        return
    assert isinstance(content, ModerationFile)
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


# --- resolving and scoring -----------------------------------------------------------------------

def listing(ratings: dict[str, Rating]) -> str:
    """`insp-a "yes", insp-b "no"`: every inspector's answer, in inspector order."""
    return ", ".join(f'{r.inspector} "{r.value}"' for r in sorted(ratings.values(), key=lambda r: r.inspector))


def _joined_notes(ratings: list[Rating]) -> str | None:
    if len(ratings) == 1:
        return ratings[0].note
    notes = [f"{r.inspector}: {r.note}" for r in ratings if r.note]
    return "; ".join(notes) or None


def resolve(case: Case, items: dict[str, dict[str, Rating]], moderation: dict[str, Moderation]) -> Resolved:
    """The case with one answer per criterion and one grade, as scoring uses them (see the module)."""
    judgements: dict[str, Judgement] = {}
    open_items: dict[str, str] = {}
    for item in dict.fromkeys([*items, *moderation]):
        if item == GRADE:
            continue
        given = items.get(item, {})
        decision = moderation.get(item)
        if decision is not None:
            judgements[item] = Judgement(answer=decision.value, by=decision.by,
                                         note=_moderated_note(given, decision))
        elif len({r.value for r in given.values()}) == 1:
            ordered = sorted(given.values(), key=lambda r: r.inspector)
            judgements[item] = Judgement(answer=ordered[0].value, by=", ".join(r.inspector for r in ordered),
                                         note=_joined_notes(ordered))
        elif given:
            open_items[item] = f"inspectors disagree ({listing(given)}); awaiting moderation"
    grades = items.get(GRADE, {})
    decision = moderation.get(GRADE)
    grade: Grade | None = None
    referred_back = any(r.referred_back for r in grades.values())
    if decision is not None:
        referred_back = decision.referred_back
        grade = Grade(value=decision.value, by=decision.by, referred_back=decision.referred_back,  # type: ignore[arg-type]
                      note=_moderated_note(grades, decision))
    elif len({r.value for r in grades.values()}) == 1:
        ordered = sorted(grades.values(), key=lambda r: r.inspector)
        grade = Grade(value=ordered[0].value, by=", ".join(r.inspector for r in ordered),  # type: ignore[arg-type]
                      referred_back=referred_back, note=_joined_notes(ordered))
    elif grades:
        open_items[GRADE] = f"grade: inspectors disagree ({listing(grades)}); no inspector grade until moderated"
    resolved = case.model_copy(update={"judgements": judgements, "grade": grade})
    return Resolved(case=resolved, open=open_items, referred_back=referred_back)


def _moderated_note(given: dict[str, Rating], decision: Moderation) -> str:
    originals = f" ({listing(given)})" if given else ""
    return f"moderated{originals}: {decision.reason}"


def score_resolved(scorer: Scorer, resolved: Resolved) -> CaseResult:
    """Score a resolved case; an open disagreement says so in its evidence instead of "no answer yet"."""
    result = scorer.score(resolved.case)
    results = dict(result.results)
    for item, text in resolved.open.items():
        if item != GRADE and results.get(item) is not None and results[item].state == PENDING:
            results[item] = CriterionResult(PENDING, text)
    notes = result.data_quality + ((resolved.open[GRADE],) if GRADE in resolved.open else ())
    return dataclasses.replace(result, results=results, referred_back=resolved.referred_back, data_quality=notes)


def unanswered(case: Case) -> Case:
    """The case without any inspector's answers or grade (what the automatic criteria alone say)."""
    return case.model_copy(update={"judgements": {}, "grade": None})
