"""Reading a `thematic.results/1` file back: checked, and turned into the results model for reports.

A file reads into the same `thematic.model.results.ResultsDocument` that scoring produces, so a
report is built from one type whether it was scored now or read back. The case entries are read
(and checked) only when asked for (`cases=True`: the force report lists cases; a comparison or a
programme report reads the summary and the case ids only).

Reports and comparisons read results files written by `thematic run` or `thematic score`, perhaps
by another version of the program or edited by hand. Everything they rely on is checked here, so
that a bad file stops with `file:line: field: what is wrong` (InputError, exit code 2) instead of
a wrong report: another format or version, malformed JSON (with its line), duplicate or missing
keys, counts that are not whole numbers, and a summary that does not add up to the cases. Keys
this version does not know are ignored (the results format may gain keys; see interfaces.md).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from thematic.core.errors import InputError, Problem
from thematic.load.document_check import DocumentChecker
from thematic.load.json_source import read_json_document
from thematic.load.yaml_source import (
    YamlDocument,
    describe_value,
    field_path,
    located_problem,
    read_text,
)
from thematic.model.base import MAX_ID_LENGTH, identifier_problem
from thematic.model.case import GRADES
from thematic.model.results import (
    NO_GRADE,
    RESULTS_FORMAT,
    STATES,
    CaseResult,
    CriteriaInfo,
    CriterionSummary,
    GradeCounts,
    InspectionInfo,
    ResultsDocument,
    Summary,
    ThemeSummary,
)

__all__ = ["CaseStates", "Results", "load_case_states", "load_case_states_files", "load_results",
           "load_results_files", "parse_results"]

_FAMILY = RESULTS_FORMAT.split("/")[0] + "/"  # "thematic.results/"
_RATE_KEYS = ("rate", "ci_low", "ci_high")
_GRADE_TOTALS = ("provisional", "compared", "disagreements", "referred_back")


@dataclass(frozen=True)
class Results:
    """A checked results file: the results document it holds, where it came from, and its case ids.

    `document.cases` is None unless the file was read with `cases=True`; `case_ids` are always read.
    """

    path: str
    document: ResultsDocument
    case_ids: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)  # the JSON as read: only to locate a problem

    @property
    def label(self) -> str:
        """The inspection id, or the file's path when the results name no inspection."""
        return self.inspection.id or self.path

    @property
    def cases(self) -> int:
        return len(self.case_ids)

    @property
    def inspection(self) -> InspectionInfo:
        return self.document.inspection

    @property
    def criteria_id(self) -> str:
        return self.document.criteria.id

    @property
    def criteria_version(self) -> str:
        return self.document.criteria.version

    @property
    def fingerprints(self) -> dict[str, str]:
        """Criterion id → fingerprint, in catalogue order."""
        return self.document.criteria.fingerprints

    @property
    def parameters(self) -> dict[str, Any]:
        return self.document.parameters

    @property
    def summary(self) -> Summary:
        return self.document.summary

    @property
    def criteria(self) -> dict[str, CriterionSummary]:
        """Each criterion's counts and rate, with the same keys and order as `fingerprints`."""
        return self.document.summary.criteria

    @property
    def themes(self) -> dict[str, ThemeSummary]:
        return self.document.summary.themes

    @property
    def suggested_grades(self) -> dict[str, int]:
        """good, requires_improvement, inadequate."""
        return self.document.summary.grades.suggested

    @property
    def inspector_grades(self) -> dict[str, int]:
        """The same grades; cases not graded are left out."""
        return self.document.summary.grades.graded

    def problem(self, loc: tuple[str | int, ...], message: str) -> Problem:
        """A problem at the line of `loc` in this file (read again to find it: only errors need lines)."""
        try:
            text = read_text(self.path)
        except InputError:
            return Problem(self.path, message, None, field_path(loc))
        return located_problem(YamlDocument.from_text(self.raw, self.path, 1, text), loc, message)


def load_results(path: str | Path, *, cases: bool = False) -> Results:
    """Read and check a `thematic.results/1` file; InputError listing every problem found. With
    `cases`, every case entry is checked and read too (`document.cases`)."""
    name = str(path)
    return parse_results(read_text(path, "JSON (thematic.results/1)"), name, cases=cases)


def load_results_files(paths: Iterable[str | Path]) -> list[Results]:
    """Read several results files, in order; InputError listing every problem of every file together."""
    return _load_each(paths, load_results)


_Loaded = TypeVar("_Loaded")


def _load_each(paths: Iterable[str | Path], load: Callable[[str | Path], _Loaded]) -> list[_Loaded]:
    loaded: list[_Loaded] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            loaded.append(load(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return loaded


@dataclass(frozen=True)
class CaseStates:
    """A checked results file with its per-case states and grades, checked too (for case-by-case comparison)."""

    results: Results
    states: dict[str, dict[str, str]]      # case id -> criterion -> state
    grades: dict[str, dict[str, str | None]]  # case id -> {"assessor": ..., "suggested": ...}


def load_case_states(path: str | Path) -> CaseStates:
    """A results file, checked as `load_results` checks it, and its per-case states and grades checked
    here; the file is read once."""
    text = read_text(path, "JSON (thematic.results/1)")
    results = parse_results(text, str(path))
    doc = YamlDocument.from_text(results.raw, str(path), 1, text)
    problems: list[Problem] = []
    states: dict[str, dict[str, str]] = {}
    grades: dict[str, dict[str, str | None]] = {}
    for index, case in enumerate(results.raw["cases"]):
        case_id = case["case_id"]
        block = case.get("results")
        if not isinstance(block, dict):
            problems.append(located_problem(
                doc, ("cases", index, "results"),
                f"expected a mapping of criterion ids to results, got {describe_value(block)}"))
            continue
        states[case_id] = {}
        for cid, result in block.items():
            state = result.get("state") if isinstance(result, dict) else None
            if state not in STATES:
                problems.append(located_problem(doc, ("cases", index, "results", cid, "state"),
                                                f"{describe_value(state)} is not one of {', '.join(STATES)}"))
                continue
            states[case_id][cid] = state
        grades[case_id] = {}
        for key, source in (("grade", "assessor"), ("suggested_grade", "suggested")):
            value = case.get(key)
            if value is not None and value not in GRADES:
                problems.append(located_problem(doc, ("cases", index, key),
                                                f"{describe_value(value)} is not one of {', '.join(GRADES)} or null"))
                value = None
            grades[case_id][source] = value
    if problems:
        raise InputError(problems)
    return CaseStates(results, states, grades)


def load_case_states_files(paths: Iterable[str | Path]) -> list[CaseStates]:
    """`load_case_states` of several files, in order; InputError listing every problem of every file together."""
    return _load_each(paths, load_case_states)


def parse_results(text: str, name: str, *, cases: bool = False) -> Results:
    """Check the text of a results file named `name`; InputError listing every problem found.
    With `cases`, the case entries too, read into `document.cases`."""
    if not text.strip():
        raise InputError.single(name, f"is empty; expected a JSON document in the {RESULTS_FORMAT} format")
    doc = read_json_document(text, name)
    data = doc.data
    if type(data) is not dict:
        raise InputError.single(
            name, f"expected a JSON object in the {RESULTS_FORMAT} format, got {describe_value(data)}", doc.first_line)
    _check_format(doc)
    return _Checker(doc).results(cases)


def _case_id_problem(case_id: str) -> str | None:
    """What the case-file format would refuse in a case id (a results file may be edited by hand)."""
    if not case_id:
        return "must not be empty"
    if len(case_id) > MAX_ID_LENGTH:
        return f"must have at most {MAX_ID_LENGTH} characters, got {len(case_id):,}"
    if not case_id.isprintable() or case_id != case_id.strip():
        return identifier_problem(case_id)
    return None


def _check_format(doc: YamlDocument) -> None:
    """Stop at once on anything but this format and version: no other key's meaning is known."""
    value = doc.data.get("format")
    if value == RESULTS_FORMAT:
        return
    if "format" not in doc.data:
        message = f"missing; this is not a thematic results file (expected \"{RESULTS_FORMAT}\")"
    elif isinstance(value, str) and value.startswith(_FAMILY):
        message = (f"results format version \"{value}\" is not supported: this version of thematic reads "
                   f"\"{RESULTS_FORMAT}\" only (score the inspection again with this version)")
    else:
        message = f"{describe_value(value)} is not a results file format; expected \"{RESULTS_FORMAT}\""
    raise InputError([located_problem(doc, ("format",), message)])


class _Checker(DocumentChecker):
    def value_at(self, loc: tuple[str | int, ...], kind: type | tuple[type, ...], expected: str,
                 nullable: bool = False) -> Any:
        """The value at `loc`, a path from the document's top, as `value` checks it."""
        parent: Any = self.doc.data
        for part in loc[:-1]:
            parent = parent[part]
        return self.value(parent, loc, kind, expected, nullable=nullable)

    def mapping(self, loc: tuple[str | int, ...], what: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.value_at(loc, dict, what)
        return found

    def count(self, loc: tuple[str | int, ...]) -> int | None:
        value: int | None = self.value_at(loc, int, "a whole number, 0 or more")
        if value is not None and value < 0:
            self.problem(loc, f"expected a whole number, 0 or more, got {value}")
            return None
        return value

    def results(self, with_cases: bool) -> Results:
        inspection = self.inspection()
        criteria_meta = self.criteria_meta()
        parameters = self.mapping(("parameters",), "a mapping of parameter names to values")
        case_ids = self.case_ids()
        summary = self.summary(criteria_meta[2] if criteria_meta else None, case_ids)
        if self.problems:
            raise InputError(sorted(self.problems, key=lambda p: p.line or 0))
        assert inspection and criteria_meta and parameters is not None and case_ids is not None and summary
        criteria_id, version, fingerprints = criteria_meta
        document = ResultsDocument(
            inspection=inspection,
            criteria=CriteriaInfo(id=criteria_id, version=version, fingerprints=fingerprints),
            parameters=dict(parameters),
            cases=self.cases(fingerprints, summary) if with_cases else None,
            summary=summary,
        )
        return Results(path=self.doc.file, document=document, case_ids=case_ids, raw=self.doc.data)

    def cases(self, fingerprints: dict[str, str], summary: Summary) -> tuple[CaseResult, ...]:
        """Every case entry, checked against the criteria of `fingerprints` and read; problems in file order.

        A report that lists cases shows the summary's rates and grade totals as they are, so a
        summary that leaves any out (a hand-made file may) is a problem here too.
        """
        problems = self.missing_totals(summary)
        known = set(fingerprints)
        for index, case in enumerate(self.doc.data["cases"]):
            loc = ("cases", index)
            entries = case.get("results")
            if not isinstance(entries, dict):
                problems.append(self.located((*loc, "results"), "expected a mapping of criterion ids to results"))
                continue
            for cid in known - set(entries):
                problems.append(self.located((*loc, "results"), f"no result for criterion {cid}"))
            for cid, entry in entries.items():
                if cid not in known:
                    problems.append(self.located((*loc, "results", cid), f"criterion {cid} has no fingerprint"))
                elif (not isinstance(entry, dict) or entry.get("state") not in STATES
                      or not isinstance(entry.get("evidence"), str)):
                    problems.append(self.located((*loc, "results", cid),
                                                 f"expected a state ({', '.join(STATES)}) and its evidence (text)"))
            if case.get("suggested_grade") not in GRADES:
                problems.append(self.located((*loc, "suggested_grade"), f"expected one of {', '.join(GRADES)}"))
            if case.get("grade") is not None and case.get("grade") not in GRADES:
                problems.append(self.located((*loc, "grade"), f"expected one of {', '.join(GRADES)} or null"))
            notes = case.get("data_quality", [])
            if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
                problems.append(self.located((*loc, "data_quality"), "expected a list of notes (text)"))
            if problems and len(problems) >= 50:
                break  # enough to act on; every problem of a broken file would drown the first
        if problems:
            raise InputError(problems)
        return tuple(CaseResult.from_json(case) for case in self.doc.data["cases"])

    def missing_totals(self, summary: Summary) -> list[Problem]:
        problems: list[Problem] = []
        entries: list[tuple[tuple[str | int, ...], float | None, int]] = [
            *((("summary", "criteria", cid), e.rate, e.assessed) for cid, e in summary.criteria.items()),
            *((("summary", "themes", theme), e.rate, e.cases) for theme, e in summary.themes.items()),
        ]
        for loc, rate, total in entries:
            if rate is None and total:
                problems.append(self.located(loc, "no rate: expected rate, ci_low and ci_high as thematic writes them"))
        grades = summary.grades
        for key in _GRADE_TOTALS:
            if getattr(grades, key) is None:
                problems.append(self.located(("summary", "grades"), f"missing {key}: expected a count, 0 or more"))
        return problems

    def located(self, loc: tuple[str | int, ...], message: str) -> Problem:
        return located_problem(self.doc, loc, message)

    def inspection(self) -> InspectionInfo | None:
        if self.mapping(("inspection",), "a mapping with id, force, year and as_of") is None:
            return None
        loc = ("inspection",)
        ident = self.value_at((*loc, "id"), str, "the inspection id (text) or null", nullable=True)
        force = self.value_at((*loc, "force"), str, "the force code (text) or null", nullable=True)
        year = self.value_at((*loc, "year"), int, "the inspection year (a whole number) or null", nullable=True)
        as_of = self.value_at((*loc, "as_of"), str, "the date the sample was taken (YYYY-MM-DD)")
        title = self.doc.data["inspection"].get("title")
        return InspectionInfo(id=ident, force=force, year=year, as_of=as_of or "",
                              title=title if isinstance(title, str) else None)

    def criteria_meta(self) -> tuple[str, str, dict[str, str]] | None:
        if self.mapping(("criteria",), "a mapping with id, version and fingerprints") is None:
            return None
        ident = self.value_at(("criteria", "id"), str, "the criteria set's id (text)")
        version = self.value_at(("criteria", "version"), str, "the criteria set's version (text)")
        prints = self.mapping(("criteria", "fingerprints"), "a mapping of criterion ids to fingerprints")
        if prints is not None:
            for cid, value in prints.items():
                if not isinstance(value, str):
                    self.problem(("criteria", "fingerprints", cid),
                                 f"expected a fingerprint (text), got {describe_value(value)}")
            if not prints:
                self.problem(("criteria", "fingerprints"), "is empty; expected a fingerprint for every criterion")
        if ident is None or version is None or prints is None:
            return None
        return ident, version, dict(prints)

    def case_ids(self) -> tuple[str, ...] | None:
        cases = self.value_at(("cases",), list, "a list of case results")
        if cases is None:
            return None
        ids: list[str] = []
        seen: set[str] = set()
        for index, case in enumerate(cases):
            if not isinstance(case, dict):
                self.problem(("cases", index), f"expected a case result (a mapping), got {describe_value(case)}")
                continue
            case_id = self.value_at(("cases", index, "case_id"), str, "the case id (text)")
            if case_id is not None:
                problem = _case_id_problem(case_id)
                if problem is not None:
                    self.problem(("cases", index, "case_id"), problem)
                elif case_id in seen:
                    self.problem(("cases", index, "case_id"), f"case_id \"{case_id}\" appears more than once")
                seen.add(case_id)
                ids.append(case_id)
        return tuple(ids)

    def summary(
        self, fingerprints: dict[str, str] | None, case_ids: tuple[str, ...] | None,
    ) -> Summary | None:
        if self.mapping(("summary",), "a mapping with criteria, themes and grades") is None:
            return None
        criteria = self.criterion_counts(fingerprints, case_ids)
        themes = self.theme_counts(case_ids)
        suggested = self.grade_counts("suggested", GRADES)
        inspector = self.grade_counts("inspector", (*GRADES, NO_GRADE))
        totals = self.grade_totals()
        if criteria is None or themes is None or suggested is None or inspector is None or totals is None:
            return None
        for which, counts in (("suggested", suggested), ("inspector", inspector)):
            if case_ids is not None and sum(counts.values()) != len(case_ids):
                self.problem(("summary", "grades", which), f"the grade counts add up to {sum(counts.values())}, "
                                                           f"but the file holds {len(case_ids)} case(s)")
        return Summary(criteria=criteria, themes=themes,
                       grades=GradeCounts(suggested=suggested, inspector=inspector, **totals),
                       cases=len(case_ids) if case_ids is not None else sum(suggested.values()))

    def grade_totals(self) -> dict[str, int | None] | None:
        """provisional, compared, disagreements and referred_back: counts when present (a hand-made file may
        leave them out)."""
        block = self.doc.data["summary"].get("grades")
        if not isinstance(block, dict):
            return None
        totals: dict[str, int | None] = {}
        for key in _GRADE_TOTALS:
            totals[key] = self.count(("summary", "grades", key)) if key in block else None
        return totals

    def rates(self, loc: tuple[str | int, ...], met: int, total: int) -> dict[str, float | None] | None:
        """`rate`, `ci_low` and `ci_high` of the entry at `loc`, when the file gives them: a rate must be
        met / total (null when total is 0) with both bounds beside it, so a report never shows a rate
        that belongs to other counts. None (after a problem) if they do not."""
        entry = self.value_at(loc, dict, "a mapping")
        given = {key: entry[key] for key in _RATE_KEYS if key in entry}
        for key, value in given.items():
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if value is not None and (not number or not 0 <= value <= 1):
                self.problem((*loc, key), f"expected a proportion from 0 to 1, or null, got {describe_value(value)}")
                return None
        values: dict[str, float | None] = {k: None if v is None else float(v) for k, v in given.items()}
        rate = values.get("rate")
        if "rate" in values and rate != (met / total if total else None):
            expected = f"{met} / {total} = {met / total!r}" if total else "null, as nothing was assessed"
            self.problem((*loc, "rate"), f"{describe_value(rate)} does not belong to these counts: expected {expected}")
            return None
        # Both bounds with a rate, none without. (Not "low ≤ rate ≤ high": statsmodels gives the upper
        # bound of 9 of 9 as 0.9999999999999999.)
        if ("rate" in values or "ci_low" in values or "ci_high" in values) and (
                (rate is None) != (values.get("ci_low") is None) or (rate is None) != (values.get("ci_high") is None)):
            self.problem(loc, "expected rate, ci_low and ci_high all numbers, or all null when nothing was assessed")
            return None
        return values

    def criterion_counts(self, fingerprints: dict[str, str] | None,
                         case_ids: tuple[str, ...] | None) -> dict[str, CriterionSummary] | None:
        loc = ("summary", "criteria")
        block = self.mapping(loc, "a mapping of criterion ids to state counts")
        if block is None:
            return None
        out: dict[str, CriterionSummary] = {}
        for cid in block:
            if self.mapping((*loc, cid), "state counts (met, not_met, …)") is None:
                continue
            counts = {state: self.count((*loc, cid, state)) for state in STATES}
            if any(c is None for c in counts.values()):
                continue
            met = counts["met"] or 0
            rates = self.rates((*loc, cid), met, met + (counts["not_met"] or 0) + (counts["not_evidenced"] or 0))
            if rates is None:
                continue
            out[cid] = CriterionSummary(**counts, **rates)
            if case_ids is not None and out[cid].total != len(case_ids):
                self.problem((*loc, cid), f"the state counts add up to {out[cid].total}, "
                                          f"but the file holds {len(case_ids)} case(s)")
        if fingerprints is not None:
            for cid in fingerprints:
                if cid not in block:
                    self.problem(loc, f"no summary for criterion {cid}, which has a fingerprint")
            for cid in block:
                if cid not in fingerprints:
                    self.problem((*loc, cid), f"criterion {cid} has no fingerprint in criteria.fingerprints")
            # Catalogue order, as the fingerprints list it.
            out = {cid: out[cid] for cid in fingerprints if cid in out} | out
        return out

    def theme_counts(self, case_ids: tuple[str, ...] | None) -> dict[str, ThemeSummary] | None:
        loc = ("summary", "themes")
        block = self.mapping(loc, "a mapping of theme ids to case counts")
        if block is None:
            return None
        out: dict[str, ThemeSummary] = {}
        for theme in block:
            if self.mapping((*loc, theme), "a mapping with cases and all_met") is None:
                continue
            cases, all_met = self.count((*loc, theme, "cases")), self.count((*loc, theme, "all_met"))
            if cases is None or all_met is None:
                continue
            if all_met > cases:
                self.problem((*loc, theme, "all_met"), f"{all_met} is more than the theme's {cases} case(s)")
                continue
            if case_ids is not None and cases > len(case_ids):
                self.problem((*loc, theme, "cases"), f"{cases} is more than the file's {len(case_ids)} case(s)")
                continue
            rates = self.rates((*loc, theme), all_met, cases)
            if rates is None:
                continue
            out[theme] = ThemeSummary(cases=cases, all_met=all_met, **rates)
        return out

    def grade_counts(self, which: str, grades: tuple[str, ...]) -> dict[str, int] | None:
        if self.mapping(("summary", "grades"), "a mapping with suggested and inspector grade counts") is None:
            return None
        loc = ("summary", "grades", which)
        if self.mapping(loc, f"a mapping of grades ({', '.join(grades)}) to counts") is None:
            return None
        counts = {grade: self.count((*loc, grade)) for grade in grades}
        if any(c is None for c in counts.values()):
            return None
        return counts  # type: ignore[return-value]
